"""The ``customer.notification`` outbox event: what the customer should be told about a return.

Written in the same transaction as the decision it reports (completion, or a shift lead's
approval or rejection of a held refund), after that return's refund and closed events, so the
relay (in order per return) sends it only once the shop has booked the refund it announces.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from returnsdesk.data.models import Refund, Return
from returnsdesk.data.refunds import refund_line_rows
from returnsdesk.data.repositories import add_outbox_event
from returnsdesk.domain.money import currency_exponent
from returnsdesk.domain.vocabulary import RefundStatus

NOTIFICATION_EVENT = "customer.notification"

# The refund's status -> the notification's status, in the contract's words.
_STATUS = {
    RefundStatus.APPROVED: "refunded",
    RefundStatus.PENDING_APPROVAL: "held",
    RefundStatus.REJECTED: "rejected",
}


def _message(status: str, rma: str, total: str, reason: str) -> str:
    if status == "refunded":
        return f"We have inspected your return {rma} and refunded {total}."
    if status == "no_refund":
        return f"We have inspected your return {rma}; it does not qualify for a refund."
    if status == "held":
        return (
            f"We have inspected your return {rma}. A refund of {total} is being reviewed "
            f"before it is paid: {reason}"
        )
    return f"We have inspected your return {rma}. We cannot refund it: {reason}"


def queue_customer_notification(
    session: Session, *, refund: Refund, return_: Return, reason: str, now: datetime
) -> None:
    """Queue the notice for the refund as it stands (flushed, with its lines stored).

    ``reason`` is what the customer is told when the refund is held or rejected.
    """
    status = _STATUS[refund.status]
    if status == "refunded" and refund.total == 0:
        status = "no_refund"
    minor = Decimal(1).scaleb(-currency_exponent(refund.currency))
    total = f"{refund.total.quantize(minor)} {refund.currency}"
    lines: list[dict[str, Any]] = [
        {
            "sku": sku,
            "unit_index": line.unit_index,
            "amount": line.amount,
            "deduction": line.deduction,
            "deduction_reason": line.deduction_reason,
        }
        for line, sku, _line_ref in refund_line_rows(session, refund)
    ]
    add_outbox_event(
        session,
        event_type=NOTIFICATION_EVENT,
        aggregate_id=return_.id,
        payload={
            "rma_number": return_.rma_number,
            "customer_email": return_.customer_email,
            "customer_name": return_.customer_name,
            "status": status,
            "message": _message(status, return_.rma_number, total, reason),
            "reason": reason if status in ("held", "rejected") else "",
            "currency": refund.currency,
            "total": refund.total,
            "lines": lines,
            "refund_id": refund.id,
            "at": now,
        },
    )
