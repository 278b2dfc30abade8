"""What happened: a completed return's outcome and the shift history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

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
from returnsdesk.domain.money import Money
from returnsdesk.domain.policy import RefundPolicy
from returnsdesk.services.intake import load_return_view
from returnsdesk.services.views import HistoryRow, OutcomeUnit, ReturnOutcome


def return_outcome(
    session: Session, return_id: uuid.UUID, *, refunds: RefundPolicy, now: datetime
) -> ReturnOutcome:
    return_ = session.get(Return, return_id)
    assert return_ is not None
    view = load_return_view(session, return_, refunds=refunds, now=now)
    refund = session.exec(select(Refund).where(Refund.return_id == return_id)).first()
    titles = {line.line_id: line.title for line in view.lines}
    refund_lines: dict[uuid.UUID, RefundLine] = {}  # by inspection
    operator_name = station_code = ""
    if refund is not None:
        for refund_line in session.exec(
            select(RefundLine).where(RefundLine.refund_id == refund.id)
        ).all():
            if refund_line.inspection_id is not None:
                refund_lines[refund_line.inspection_id] = refund_line
        operator = session.get(Operator, refund.operator_id)
        operator_name = operator.name if operator is not None else ""
        parcel = session.get(Parcel, refund.parcel_id)
        station = session.get(Station, parcel.station_id) if parcel is not None else None
        station_code = station.code if station is not None else ""
    rows = session.exec(
        select(Inspection, DispositionDecision)
        .join(Parcel, col(Parcel.id) == col(Inspection.parcel_id))
        .outerjoin(
            DispositionDecision, col(DispositionDecision.inspection_id) == col(Inspection.id)
        )
        .where(Parcel.return_id == return_id)
        .order_by(col(Inspection.finished_at))
    ).all()
    units = tuple(
        OutcomeUnit(
            description=(
                titles.get(inspection.return_line_id, inspection.sku_scanned or "")
                if inspection.return_line_id is not None
                else f"{inspection.sku_scanned} (not on this return)"
            ),
            sku=inspection.sku_scanned or "",
            grade=inspection.grade,
            disposition=decision.disposition if decision is not None else None,
            location=decision.location if decision is not None else None,
            flags=tuple(inspection.flags),
            amount=_money(refund_lines.get(inspection.id), "amount"),
            paid=_money(refund_lines.get(inspection.id), "gross"),
            deduction=_money(refund_lines.get(inspection.id), "deduction"),
            deduction_reason=(
                refund_lines[inspection.id].deduction_reason
                if inspection.id in refund_lines
                else ""
            ),
        )
        for inspection, decision in rows
    )
    return ReturnOutcome(
        view=view,
        completed_at=return_.completed_at,
        refund_total=Money(refund.total, refund.currency) if refund is not None else None,
        refund_status=refund.status if refund is not None else None,
        refund_status_reason=refund.status_reason if refund is not None else "",
        operator_name=operator_name,
        station_code=station_code,
        units=units,
    )


def shift_history(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    text: str = "",
    station_id: uuid.UUID | None = None,
    limit: int = 500,
) -> list[HistoryRow]:
    """Parcels received in [since, until), newest first, optionally filtered by free text."""
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
    needle = text.strip()
    if needle:
        pattern = f"%{needle}%"
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
    rows = session.exec(query).all()
    operator_names = dict(session.exec(select(Operator.id, Operator.name)).all())
    photo_counts: dict[uuid.UUID, int] = {}
    flags_by_parcel: dict[uuid.UUID, set[str]] = {}
    parcel_ids = [parcel.id for parcel, *_ in rows]
    if parcel_ids:
        for parcel_id, unit_flags in session.exec(
            select(Inspection.parcel_id, Inspection.flags).where(
                col(Inspection.parcel_id).in_(parcel_ids)
            )
        ).all():
            flags_by_parcel.setdefault(parcel_id, set()).update(unit_flags)
        photo_counts = dict(
            session.exec(
                select(Photo.parcel_id, func.count(col(Photo.id)))
                .where(col(Photo.parcel_id).in_(parcel_ids))
                .group_by(col(Photo.parcel_id))
            ).all()
        )
    history: list[HistoryRow] = []
    for parcel, return_, refund, units in rows:
        parcel_flags = set(flags_by_parcel.get(parcel.id, ()))
        if parcel.unexpected:
            parcel_flags.add("unexpected_parcel")
        history.append(
            HistoryRow(
                parcel_id=parcel.id,
                received_at=parcel.received_at,
                completed_at=parcel.completed_at,
                tracking_number=parcel.tracking_number,
                rma_number=return_.rma_number if return_ is not None else None,
                customer_name=return_.customer_name if return_ is not None else "",
                status=parcel.status,
                units_inspected=int(units),
                refund_total=Money(refund.total, refund.currency) if refund is not None else None,
                refund_status=refund.status if refund is not None else None,
                flags=tuple(sorted(parcel_flags)),
                operator_name=operator_names.get(parcel.operator_id, ""),
                photos=photo_counts.get(parcel.id, 0),
            )
        )
    return history


def _money(
    line: RefundLine | None, column: Literal["amount", "gross", "deduction"]
) -> Money | None:
    return None if line is None else Money(getattr(line, column), line.currency)
