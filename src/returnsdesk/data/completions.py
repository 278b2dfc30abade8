"""A parcel's completion: the units it writes, and what it stored, read back when a station asks
for the same completion again because the answer to its commit was lost with the connection
(services/inspection.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from returnsdesk.data.models import (
    DispositionDecision,
    Inspection,
    OutboxEvent,
    RecoveryCase,
    Refund,
    RefundLine,
    StockMovement,
    row_of,
    table_of,
)
from returnsdesk.domain.ids import new_id
from returnsdesk.domain.inspection import InspectedUnit, MissingUnit, RefundQuoteLine
from returnsdesk.domain.labels import license_plate
from returnsdesk.domain.vocabulary import InspectionFlag, InspectionOutcome

UnitKey = tuple[uuid.UUID, int]  # (return line, unit index)


def record_units(
    session: Session,
    *,
    parcel_id: uuid.UUID,
    operator_id: uuid.UUID,
    station_id: uuid.UUID,
    units: Sequence[InspectedUnit],
    missing: Sequence[MissingUnit],
    parcel_flags: frozenset[InspectionFlag],
    product_ids: Mapping[str, uuid.UUID],
    now: datetime,
) -> dict[UnitKey, uuid.UUID]:
    """Write the parcel's inspections (graded units, expected units closed missing), each graded
    unit's disposition and stock movement; the inspection of each unit of a return line, by
    (line, unit index).

    Plain rows in three INSERTs, not ORM objects: nothing reads them back as objects in the
    transaction, and building and flushing four objects a unit was a fifth of a completion's
    Python time (issue 16)."""
    inspections: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    movements: list[dict[str, Any]] = []
    by_line: dict[UnitKey, uuid.UUID] = {}
    for unit in units:
        product_id = product_ids[unit.product.sku]
        inspections.append(
            {
                "id": unit.unit_id,
                "parcel_id": parcel_id,
                "return_line_id": unit.line_id,
                "operator_id": operator_id,
                "station_id": station_id,
                "outcome": InspectionOutcome.INSPECTED,
                "sku_scanned": unit.product.sku,
                "product_id": product_id,
                "grade": unit.grade,
                "checklist": dict(unit.answers),
                "serial_scanned": unit.serial,
                "notes": unit.notes,
                "flags": sorted(unit.flags | parcel_flags),
                "started_at": unit.started_at,
                "finished_at": unit.finished_at,
                "license_plate": license_plate(unit.unit_id),
            }
        )
        decisions.append(
            {
                "id": new_id(),
                "inspection_id": unit.unit_id,
                "disposition": unit.disposition,
                "location": unit.location,
                "rule": unit.rule,
                "overridden_from": unit.overridden_from,
                "override_reason": unit.override_reason,
            }
        )
        movements.append(
            {
                "id": new_id(),
                "product_id": product_id,
                "sku": unit.product.sku,
                "location": unit.location,
                "quantity_delta": 1,
                "reason": f"return_{unit.disposition.value}",
                "inspection_id": unit.unit_id,
                "created_at": now,
            }
        )
        if unit.line_id is not None:
            by_line[(unit.line_id, unit.unit_index)] = unit.unit_id
    for closed in missing:
        inspection_id = new_id()
        inspections.append(
            {
                "id": inspection_id,
                "parcel_id": parcel_id,
                "return_line_id": closed.line_id,
                "operator_id": operator_id,
                "station_id": station_id,
                "outcome": InspectionOutcome.MISSING,
                "sku_scanned": None,
                "product_id": None,
                "grade": None,
                "checklist": {},
                "serial_scanned": None,
                "notes": "",
                "flags": sorted(closed.flags | parcel_flags),
                "started_at": now,
                "finished_at": now,
                "license_plate": None,
            }
        )
        by_line[(closed.line_id, closed.unit_index)] = inspection_id
    for table, rows in (
        (Inspection, inspections),
        (DispositionDecision, decisions),
        (StockMovement, movements),
    ):
        if rows:
            session.connection().execute(insert(table_of(table)), rows)
    return by_line


@dataclass(frozen=True)
class StoredCompletion:
    station_ids: frozenset[uuid.UUID]  # the stations that wrote the parcel's inspections
    inspected: frozenset[uuid.UUID]  # the graded units (their ids are the station's unit ids)
    missing: int  # expected units closed as missing
    stock_movements: int
    outbox_events: int  # queued on the given aggregates at the completion's time
    recovery_case_id: uuid.UUID | None


def record_refund(session: Session, refund: Refund) -> None:
    """Write the refund, a plain object outside the session, as one Core INSERT. A second
    refund of its return fails here (``refunds.return_id`` is unique), before anything else."""
    session.connection().execute(insert(table_of(Refund)), row_of(refund))


def record_refund_lines(
    session: Session,
    *,
    refund_id: uuid.UUID,
    lines: Sequence[RefundQuoteLine],
    inspection_ids: Mapping[UnitKey, uuid.UUID],
) -> None:
    """Write the refund's lines as quoted, each linked to its unit's inspection (none for a
    unit never inspected). Plain rows in one INSERT, as ``record_units``."""
    rows = [
        {
            "id": new_id(),
            "refund_id": refund_id,
            "return_line_id": line.line.line_id,
            "inspection_id": inspection_ids.get((line.line.line_id, line.unit_index)),
            "unit_index": line.unit_index,
            "gross": line.refund.gross.amount,
            "deduction": line.refund.deduction.amount,
            "amount": line.refund.amount.amount,
            "currency": line.refund.amount.currency,
            "deduction_reason": line.refund.deduction_reason,
        }
        for line in lines
    ]
    if rows:
        session.connection().execute(insert(table_of(RefundLine)), rows)


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
