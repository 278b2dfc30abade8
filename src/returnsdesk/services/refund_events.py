"""The refund as the outbox carries it: one shape for a completion and a lead's approval."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from returnsdesk.data.models import (
    DispositionDecision,
    Inspection,
    Order,
    OrderLine,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
)
from returnsdesk.domain.vocabulary import InspectionOutcome


def refund_event_payload(
    session: Session, refund: Refund, return_: Return, order: Order
) -> dict[str, Any]:
    """Read from the stored refund and its lines (flushed), so every event says the same."""
    rows = refund_line_rows(session, refund)
    fates = _unit_fates(session, [line.inspection_id for line, _, _ in rows])
    return {
        "rma_number": return_.rma_number,
        "order_number": order.number,
        "refund_id": refund.id,
        "currency": refund.currency,
        "total": refund.total,
        "status": refund.status.value,
        "lines": [
            {
                "return_line_id": line.return_line_id,
                # The order system's reference of the line (from the inbound pull); None for
                # returns that did not come from it (demo data, a CSV import).
                "line_ref": line_ref,
                "sku": sku,
                "unit_index": line.unit_index,
                "gross": line.gross,
                "deduction": line.deduction,
                "amount": line.amount,
                "deduction_reason": line.deduction_reason,
                # What became of the unit: a disposition, "missing", or None (no inspection).
                # Shops that book dispositions with the refund (Shopify's returnProcess) need it.
                "disposition": None
                if line.inspection_id is None
                else fates.get(line.inspection_id),
            }
            for line, sku, line_ref in rows
        ],
    }


def refund_line_rows(session: Session, refund: Refund) -> list[tuple[RefundLine, str, str | None]]:
    """The refund's lines with their SKU and the shop's line reference, in a stable order."""
    return list(
        session.exec(
            select(RefundLine, ReturnLine.sku, OrderLine.line_ref)
            .join(ReturnLine, col(ReturnLine.id) == col(RefundLine.return_line_id))
            .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
            .where(RefundLine.refund_id == refund.id)
            .order_by(col(ReturnLine.sku), col(RefundLine.unit_index))
        ).all()
    )


def _unit_fates(
    session: Session, inspection_ids: list[uuid.UUID | None]
) -> dict[uuid.UUID, str | None]:
    ids = [i for i in inspection_ids if i is not None]
    if not ids:
        return {}
    found = session.exec(
        select(Inspection.id, Inspection.outcome, DispositionDecision.disposition)
        .outerjoin(
            DispositionDecision, col(DispositionDecision.inspection_id) == col(Inspection.id)
        )
        .where(col(Inspection.id).in_(ids))
    ).all()
    return {
        inspection_id: "missing"
        if outcome is InspectionOutcome.MISSING
        else (None if disposition is None else str(disposition))
        for inspection_id, outcome, disposition in found
    }
