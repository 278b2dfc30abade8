"""The refund as the outbox carries it: one shape for a completion and a lead's approval."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from returnsdesk.data.models import Order, Refund, Return
from returnsdesk.data.refunds import refund_line_rows


def refund_event_payload(
    session: Session, refund: Refund, return_: Return, order: Order
) -> dict[str, Any]:
    """Read from the stored refund and its lines (flushed), so every event says the same."""
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
                "line_ref": line.line_ref,
                "sku": line.sku,
                "unit_index": line.unit_index,
                "gross": line.gross,
                "deduction": line.deduction,
                "amount": line.amount,
                "deduction_reason": line.deduction_reason,
                # What became of the unit: a disposition, "missing", or None (no inspection).
                # Shops that book dispositions with the refund (Shopify's returnProcess) need it.
                "disposition": line.fate,
            }
            for line in refund_line_rows(session, refund)
        ],
    }
