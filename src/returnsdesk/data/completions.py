"""What a parcel's completion stored, read back when a station asks for the same completion again
because the answer to its commit was lost with the connection (services/inspection.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from returnsdesk.data.models import Inspection, OutboxEvent, RecoveryCase, StockMovement
from returnsdesk.domain.vocabulary import InspectionOutcome


@dataclass(frozen=True)
class StoredCompletion:
    station_ids: frozenset[uuid.UUID]  # the stations that wrote the parcel's inspections
    inspected: frozenset[uuid.UUID]  # the graded units (their ids are the station's unit ids)
    missing: int  # expected units closed as missing
    stock_movements: int
    outbox_events: int  # queued on the given aggregates at the completion's time
    recovery_case_id: uuid.UUID | None


def stored_completion(
    session: Session,
    *,
    parcel_id: uuid.UUID,
    return_id: uuid.UUID,
    completed_at: datetime,
    aggregates: Iterable[uuid.UUID],
) -> StoredCompletion:
    rows = session.exec(
        select(Inspection.id, Inspection.station_id, Inspection.outcome).where(
            col(Inspection.parcel_id) == parcel_id
        )
    ).all()
    inspected = frozenset(id_ for id_, _, outcome in rows if outcome is InspectionOutcome.INSPECTED)
    movements = session.exec(
        select(func.count())
        .select_from(StockMovement)
        .where(col(StockMovement.inspection_id).in_(inspected))
    ).one()
    events = session.exec(
        select(func.count())
        .select_from(OutboxEvent)
        .where(
            col(OutboxEvent.aggregate_id).in_(list(aggregates)),
            col(OutboxEvent.created_at) == completed_at,
        )
    ).one()
    recovery = session.exec(
        select(RecoveryCase.id).where(col(RecoveryCase.return_id) == return_id)
    ).first()
    return StoredCompletion(
        station_ids=frozenset(station for _, station, _ in rows),
        inspected=inspected,
        missing=sum(1 for _, _, outcome in rows if outcome is InspectionOutcome.MISSING),
        stock_movements=movements,
        outbox_events=events,
        recovery_case_id=recovery,
    )
