"""Queries over refunds: those held for a lead, their lines, who handled their return."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from returnsdesk.data.models import (
    DispositionDecision,
    Inspection,
    Operator,
    Order,
    OrderLine,
    Parcel,
    RecoveryCase,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    Station,
    UnitDraft,
)
from returnsdesk.domain.vocabulary import Disposition, InspectionOutcome, RefundStatus, ReturnStatus


def get_refund(session: Session, refund_id: uuid.UUID) -> Refund | None:
    return session.get(Refund, refund_id)


def lock_refund(session: Session, refund_id: uuid.UUID) -> Refund | None:
    """The refund, locked until the transaction ends: a second lead deciding it meanwhile
    waits, then reads the decision (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises anyway)."""
    return session.get(Refund, refund_id, with_for_update=True, populate_existing=True)


def pending_approval(session: Session, *, limit: int) -> list[tuple[Refund, Return, str, str, str]]:
    """Refunds waiting for a lead, oldest first, with their return, order number, inspector's
    name and station code."""
    # SQLAlchemy's select: SQLModel's typed select takes at most four columns.
    rows = session.execute(
        sa_select(Refund, Return, col(Order.number), col(Operator.name), col(Station.code))
        .join(Return, col(Return.id) == col(Refund.return_id))
        .join(Order, col(Order.id) == col(Return.order_id))
        .join(Operator, col(Operator.id) == col(Refund.operator_id))
        .join(Parcel, col(Parcel.id) == col(Refund.parcel_id))
        .join(Station, col(Station.id) == col(Parcel.station_id))
        .where(col(Refund.status) == RefundStatus.PENDING_APPROVAL)
        .order_by(col(Refund.created_at))
        .limit(limit)
    ).all()
    return [(refund, return_, number, name, code) for refund, return_, number, name, code in rows]


@dataclass(frozen=True, slots=True)
class RefundLineRow:
    """A refund line as the order system's event and a lead's screen show it: read as plain
    columns (ORM objects for them were a tenth of a completion's Python; issue 16)."""

    return_line_id: uuid.UUID
    unit_index: int
    gross: Decimal
    deduction: Decimal
    amount: Decimal
    currency: str
    deduction_reason: str
    sku: str
    line_ref: str | None  # the order system's reference of the line (None: not from it)
    fate: str | None  # what became of the unit: a disposition, "missing", None: no inspection


def refund_line_rows(session: Session, refund: Refund) -> list[RefundLineRow]:
    """The refund's lines with their SKU, the shop's line reference and what became of the unit,
    by SKU then unit. One statement."""
    rows = session.connection().execute(_refund_line_rows(), {"refund_id": refund.id})
    return [_refund_line_row(*row) for row in rows]


def _refund_line_row(
    return_line_id: uuid.UUID,
    unit_index: int,
    gross: Decimal,
    deduction: Decimal,
    amount: Decimal,
    currency: str,
    deduction_reason: str,
    sku: str,
    line_ref: str | None,
    outcome: InspectionOutcome | None,
    disposition: Disposition | None,
) -> RefundLineRow:
    fate = _fate(outcome, disposition)
    return RefundLineRow(
        return_line_id,
        unit_index,
        gross,
        deduction,
        amount,
        currency,
        deduction_reason,
        sku,
        line_ref,
        fate,
    )


@functools.cache
def _refund_line_rows() -> Select[*tuple[Any, ...]]:
    # Built once (data/returns._statement: building a statement costs more than running it).
    return (
        sa_select(
            col(RefundLine.return_line_id),
            col(RefundLine.unit_index),
            col(RefundLine.gross),
            col(RefundLine.deduction),
            col(RefundLine.amount),
            col(RefundLine.currency),
            col(RefundLine.deduction_reason),
            col(ReturnLine.sku),
            col(OrderLine.line_ref),
            col(Inspection.outcome),
            col(DispositionDecision.disposition),
        )
        .join(ReturnLine, col(ReturnLine.id) == col(RefundLine.return_line_id))
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .outerjoin(Inspection, col(Inspection.id) == col(RefundLine.inspection_id))
        .outerjoin(
            DispositionDecision, col(DispositionDecision.inspection_id) == col(Inspection.id)
        )
        .where(col(RefundLine.refund_id) == bindparam("refund_id"))
        .order_by(col(ReturnLine.sku), col(RefundLine.unit_index))
    )


def _fate(outcome: InspectionOutcome | None, disposition: Disposition | None) -> str | None:
    if outcome is InspectionOutcome.MISSING:
        return "missing"
    return None if disposition is None else str(disposition)


def handled_by(session: Session, return_id: uuid.UUID) -> set[uuid.UUID]:
    """Everyone who handled the return at a station: received a parcel, inspected, completed."""
    parcels = select(Parcel.id).where(col(Parcel.return_id) == return_id)
    receivers = select(Parcel.operator_id).where(col(Parcel.return_id) == return_id)
    inspectors = select(Inspection.operator_id).where(col(Inspection.parcel_id).in_(parcels))
    drafts = select(UnitDraft.operator_id).where(col(UnitDraft.parcel_id).in_(parcels))
    completers = select(Refund.operator_id).where(col(Refund.return_id) == return_id)
    return {
        operator_id
        for query in (receivers, inspectors, drafts, completers)
        for operator_id in session.exec(query)
    }


def refund_of_return(session: Session, return_id: uuid.UUID) -> Refund | None:
    return session.exec(select(Refund).where(col(Refund.return_id) == return_id)).first()


def customer_record(session: Session, email: str, *, excluding: uuid.UUID) -> tuple[int, int]:
    """(completed returns, of which with findings) of the customer with this e-mail, the
    return ``excluding`` aside. A finding: a flagged unit, a refused refund, a recovery case."""
    completed = list(
        session.exec(
            select(Return.id).where(
                func.lower(col(Return.customer_email)) == email.strip().lower(),
                col(Return.status) == ReturnStatus.COMPLETED,
                col(Return.id) != excluding,
            )
        )
    )
    if not completed:
        return 0, 0
    flagged: set[uuid.UUID] = set()
    # Flags are a JSON list: read them (a customer has a handful of returns) than compare JSON.
    for return_id, flags in session.exec(
        select(Parcel.return_id, Inspection.flags)
        .join(Inspection, col(Inspection.parcel_id) == col(Parcel.id))
        .where(col(Parcel.return_id).in_(completed))
    ):
        if flags and return_id is not None:
            flagged.add(return_id)
    flagged.update(
        session.exec(
            select(Refund.return_id).where(
                col(Refund.return_id).in_(completed), col(Refund.status) == RefundStatus.REJECTED
            )
        )
    )
    flagged.update(
        session.exec(
            select(RecoveryCase.return_id).where(col(RecoveryCase.return_id).in_(completed))
        )
    )
    return len(completed) - len(flagged), len(flagged)


def lines_of_refund(session: Session, refund_id: uuid.UUID) -> list[RefundLine]:
    return list(session.exec(select(RefundLine).where(col(RefundLine.refund_id) == refund_id)))
