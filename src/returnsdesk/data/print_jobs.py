"""Queries over the print queue (``print_jobs``) and the inspected units their labels name."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from returnsdesk.data.models import (
    DispositionDecision,
    Inspection,
    Parcel,
    PrintJob,
    Product,
    Return,
    Station,
)
from returnsdesk.domain.vocabulary import InspectionOutcome, PrintJobStatus


def labelled_units(session: Session, unit_ids: Sequence[uuid.UUID], *, kind: str) -> set[uuid.UUID]:
    """Those of the units that have a job of this kind already."""
    return {
        unit_id
        for unit_id in session.exec(
            select(PrintJob.unit_id).where(
                col(PrintJob.unit_id).in_(unit_ids), PrintJob.kind == kind
            )
        ).all()
        if unit_id is not None
    }


def inspected_units(
    session: Session, parcel_id: uuid.UUID, *, plate: str | None = None
) -> Sequence[tuple[Inspection, DispositionDecision, str | None, str | None]]:
    """The parcel's inspected units that have a license plate (or the one with ``plate``), with
    their disposition, RMA number and product title, in the order finished."""
    query = (
        select(Inspection, DispositionDecision, Return.rma_number, Product.title)
        .join(DispositionDecision, col(DispositionDecision.inspection_id) == col(Inspection.id))
        .join(Parcel, col(Parcel.id) == col(Inspection.parcel_id))
        .outerjoin(Return, col(Return.id) == col(Parcel.return_id))
        .outerjoin(Product, col(Product.id) == col(Inspection.product_id))
        .where(
            Inspection.parcel_id == parcel_id,
            Inspection.outcome == InspectionOutcome.INSPECTED,
            col(Inspection.license_plate).is_not(None),
        )
        .order_by(col(Inspection.finished_at))
    )
    if plate is not None:
        query = query.where(Inspection.license_plate == plate)
    return session.exec(query).all()


def station_codes(session: Session) -> dict[uuid.UUID, str]:
    return dict(session.exec(select(Station.id, Station.code)).all())


def labelled_units_of_parcel(
    session: Session, parcel_id: uuid.UUID
) -> Sequence[tuple[Inspection, DispositionDecision]]:
    """The parcel's units with a license plate and their disposition, in the order finished."""
    return session.exec(
        select(Inspection, DispositionDecision)
        .join(DispositionDecision, col(DispositionDecision.inspection_id) == col(Inspection.id))
        .where(Inspection.parcel_id == parcel_id, col(Inspection.license_plate).is_not(None))
        .order_by(col(Inspection.finished_at))
    ).all()


def latest_status_by_unit(session: Session, parcel_id: uuid.UUID) -> dict[uuid.UUID | None, str]:
    """Each unit's newest print job status in the parcel."""
    return {
        unit_id: str(status)
        for unit_id, status in session.exec(
            select(PrintJob.unit_id, PrintJob.status)
            .where(PrintJob.parcel_id == parcel_id)
            .order_by(col(PrintJob.created_at))
        ).all()
    }


def unprinted_counts(session: Session, station_id: uuid.UUID) -> dict[PrintJobStatus, int]:
    rows = session.exec(
        select(PrintJob.status, func.count())
        .where(PrintJob.station_id == station_id, PrintJob.status != PrintJobStatus.PRINTED)
        .group_by(PrintJob.status)
    ).all()
    return {PrintJobStatus(status): count for status, count in rows}


def head_of_queue(session: Session, station_id: uuid.UUID) -> PrintJob | None:
    """The station's oldest queued job: the next to print."""
    return session.exec(_queued(station_id).limit(1)).first()


def last_printed_at(session: Session, station_id: uuid.UUID) -> datetime | None:
    last: datetime | None = session.exec(
        select(func.max(PrintJob.printed_at)).where(PrintJob.station_id == station_id)
    ).one()
    return last


def update_if_leased(
    session: Session, job_id: uuid.UUID, *, token: datetime, values: dict[str, Any]
) -> None:
    """Set ``values`` on the job if it is still leased under ``token``."""
    session.exec(
        update(PrintJob)
        .where(col(PrintJob.id) == job_id, col(PrintJob.next_attempt_at) == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def attempts_plus_one() -> Any:
    """``attempts + 1`` as SQL, for ``update_if_leased``."""
    return col(PrintJob.attempts) + 1


def _queued(station_id: uuid.UUID) -> SelectOfScalar[PrintJob]:
    return (
        select(PrintJob)
        .where(PrintJob.station_id == station_id, PrintJob.status == PrintJobStatus.QUEUED)
        .order_by(col(PrintJob.created_at), col(PrintJob.id))
    )
