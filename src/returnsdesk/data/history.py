"""Queries for what happened: a completed return's refund and units, the shift history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, cast, or_
from sqlmodel import Session, col, func, select

from returnsdesk.data.models import (
    DispositionDecision,
    Inspection,
    Operator,
    Parcel,
    Photo,
    Refund,
    RefundLine,
    Return,
    Station,
)


def refund_of(session: Session, return_id: uuid.UUID) -> Refund | None:
    return session.exec(select(Refund).where(Refund.return_id == return_id)).first()


def refund_lines(session: Session, refund_id: uuid.UUID) -> Sequence[RefundLine]:
    return session.exec(select(RefundLine).where(RefundLine.refund_id == refund_id)).all()


def operator_name(session: Session, operator_id: uuid.UUID) -> str:
    operator = session.get(Operator, operator_id)
    return operator.name if operator is not None else ""


def station_code_of_parcel(session: Session, parcel_id: uuid.UUID) -> str:
    code = session.exec(
        select(Station.code)
        .join(Parcel, col(Parcel.station_id) == col(Station.id))
        .where(Parcel.id == parcel_id)
    ).first()
    return code or ""


def inspections_of_return(
    session: Session, return_id: uuid.UUID
) -> Sequence[tuple[Inspection, DispositionDecision | None]]:
    """Every inspection of the return's parcels with its disposition, in the order finished."""
    return session.exec(
        select(Inspection, DispositionDecision)
        .join(Parcel, col(Parcel.id) == col(Inspection.parcel_id))
        .outerjoin(
            DispositionDecision, col(DispositionDecision.inspection_id) == col(Inspection.id)
        )
        .where(Parcel.return_id == return_id)
        .order_by(col(Inspection.finished_at))
    ).all()


def parcels_received(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    text: str = "",
    station_id: uuid.UUID | None = None,
    limit: int = 500,
) -> Sequence[tuple[Parcel, Return | None, Refund | None, int]]:
    """Parcels received in [since, until), newest first, with their return, refund and units
    inspected; ``text`` filters on tracking number, RMA, customer, status or license plate."""
    inspected = (
        select(func.count(col(Inspection.id)))
        .where(Inspection.parcel_id == Parcel.id, Inspection.outcome == "inspected")
        .scalar_subquery()
    )
    query = (
        select(Parcel, Return, Refund, inspected)
        .outerjoin(Return, col(Return.id) == col(Parcel.return_id))
        .outerjoin(Refund, col(Refund.parcel_id) == col(Parcel.id))
        .where(col(Parcel.received_at) >= since, col(Parcel.received_at) < until)
        .order_by(col(Parcel.received_at).desc())
        .limit(limit)
    )
    if station_id is not None:
        query = query.where(Parcel.station_id == station_id)
    if text:
        pattern = f"%{text}%"
        query = query.where(
            or_(
                col(Parcel.tracking_number).ilike(pattern),
                col(Return.rma_number).ilike(pattern),
                col(Return.customer_name).ilike(pattern),
                cast(col(Parcel.status), String).ilike(pattern),
                # A unit's license plate, scanned off its routing label, finds its parcel.
                col(Parcel.id).in_(
                    select(Inspection.parcel_id).where(col(Inspection.license_plate).ilike(pattern))
                ),
            )
        )
    return session.exec(query).all()


def operator_names(session: Session) -> dict[uuid.UUID, str]:
    return dict(session.exec(select(Operator.id, Operator.name)).all())


def unit_flags(session: Session, parcel_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    """Every flag on any unit of each parcel."""
    flags: dict[uuid.UUID, set[str]] = {}
    for parcel_id, unit_flags in session.exec(
        select(Inspection.parcel_id, Inspection.flags).where(
            col(Inspection.parcel_id).in_(parcel_ids)
        )
    ).all():
        flags.setdefault(parcel_id, set()).update(unit_flags)
    return flags


def photo_counts(session: Session, parcel_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    return dict(
        session.exec(
            select(Photo.parcel_id, func.count(col(Photo.id)))
            .where(col(Photo.parcel_id).in_(parcel_ids))
            .group_by(col(Photo.parcel_id))
        ).all()
    )
