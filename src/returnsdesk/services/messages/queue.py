"""Queueing customer messages: one ``customer.message`` outbox event per message, with the facts.

Written in the transaction of the step it reports (receipt, completion, a lead's decision).
The payload holds facts, not text: the relay renders it when it sends (``render.py``), with the
customer's language and the warehouse's settings, and every attempt renders the same message.

Each return's messages form their own outbox stream (``message_stream``), so a message held
for its grace period never holds up the return's order-system events; the message deliverer
(``deliver.py``) in turn waits until every earlier event of the return itself has reached the
order system, so no message announces a refund the shop has not booked.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

from returnsdesk.data import messages as queries
from returnsdesk.data.models import Order, Refund, Return
from returnsdesk.data.repositories import add_outbox_event
from returnsdesk.data.returns import order_of
from returnsdesk.domain.messages import MessageKind
from returnsdesk.domain.vocabulary import InspectionFlag, InspectionOutcome, RefundStatus

MESSAGE_EVENT = "customer.message"
_STREAM = uuid.UUID("6d657373-6167-4573-8000-000000000000")

# Problems that need something from the customer (or tell them what happens next).
_ACTION_FLAGS = (
    InspectionFlag.WRONG_ITEM.value,
    InspectionFlag.SERIAL_MISMATCH.value,
    InspectionFlag.EMPTY_BOX.value,
)


def message_stream(return_id: uuid.UUID) -> uuid.UUID:
    """The outbox aggregate of a return's messages: ordered among themselves, apart from it."""
    return uuid.uuid5(_STREAM, str(return_id))


def queue_message(
    session: Session,
    *,
    kind: MessageKind,
    return_: Return,
    order: Order,
    now: datetime,
    items: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
    held_until: datetime | None = None,
) -> None:
    payload: dict[str, Any] = {
        "kind": kind.value,
        "return_id": return_.id,
        "rma_number": return_.rma_number,
        "order_number": order.number,
        "customer_name": return_.customer_name,
        "customer_email": return_.customer_email,
        "language": order.customer_language or "",
        "payment_method": order.payment_method or "",
        "currency": order.currency,
        "at": now,
        "items": items or [],
    }
    add_outbox_event(
        session,
        event_type=MESSAGE_EVENT,
        aggregate_id=message_stream(return_.id),
        payload=payload | (extra or {}),
        now=now,
        held_until=held_until,
    )


def queue_parcel_received(
    session: Session,
    *,
    return_: Return,
    parcel_id: uuid.UUID,
    tracking_number: str,
    now: datetime,
    held_until: datetime | None = None,
) -> None:
    """Held like the receipt's ``return.received`` for the grace period, and released with it
    (``intake.end_grace``): the deliverer (``deliver.py``) then sends it if the receipt stands."""
    order = order_of(session, return_)
    items = [
        {"title": title, "sku": line.sku, "quantity": line.quantity}
        for line, title in queries.announced_lines(session, return_id=return_.id)
    ]
    queue_message(
        session,
        kind=MessageKind.PARCEL_RECEIVED,
        return_=return_,
        order=order,
        now=now,
        items=items,
        extra={"parcel_id": parcel_id, "tracking_number": tracking_number},
        held_until=held_until,
    )


def queue_completion_messages(
    session: Session, *, refund: Refund, return_: Return, parcel_id: uuid.UUID, now: datetime
) -> int:
    """Inspection finished; then the refund issued or held; then any action needed.

    Returns how many messages were queued.

    The refund is announced as issued only when it is released (approved, above zero); a
    refund waiting for a shift lead gets the "held" message and no amount is promised.
    """
    order = order_of(session, return_)
    items = inspected_items(session, parcel_id)
    money = {"total": refund.total, "refund_id": refund.id}
    queued = 1
    queue_message(
        session,
        kind=MessageKind.INSPECTION_FINISHED,
        return_=return_,
        order=order,
        now=now,
        items=items,
        extra=money | {"refund_status": refund.status.value},
    )
    if refund.released_on_receipt:
        pass  # its "refund issued" went out when the parcel was received
    elif refund.status is RefundStatus.APPROVED and refund.total > 0:
        queue_refund_issued(session, refund=refund, return_=return_, order=order, now=now)
        queued += 1
    elif refund.status is RefundStatus.PENDING_APPROVAL:
        queued += 1
        queue_message(
            session,
            kind=MessageKind.REFUND_HELD,
            return_=return_,
            order=order,
            now=now,
            items=[item for item in items if item.get("amount") is not None],
            extra=money,
        )
    problems = sorted({flag for item in items for flag in item["flags"] if flag in _ACTION_FLAGS})
    if problems:
        queued += 1
        queue_message(
            session,
            kind=MessageKind.ACTION_NEEDED,
            return_=return_,
            order=order,
            now=now,
            items=[item for item in items if set(item["flags"]) & set(_ACTION_FLAGS)],
            extra={"problems": problems, "reason": ""},
        )
    return queued


def queue_refund_issued(
    session: Session, *, refund: Refund, return_: Return, order: Order, now: datetime
) -> None:
    """The released refund: amount per line, total, payment method; ``now`` is its release."""
    items = [
        {
            "title": line.title,
            "sku": line.sku,
            "unit_index": line.unit_index,
            "gross": line.gross,
            "deduction": line.deduction,
            "deduction_reason": line.deduction_reason,
            "amount": line.amount,
        }
        for line in queries.paid_lines(session, refund_id=refund.id)
    ]
    queue_message(
        session,
        kind=MessageKind.REFUND_ISSUED,
        return_=return_,
        order=order,
        now=now,
        items=items,
        extra={
            "total": refund.total,
            "refund_id": refund.id,
            "on_receipt": refund.released_on_receipt,
        },
    )


def queue_refund_refused(
    session: Session, *, refund: Refund, return_: Return, reason: str, now: datetime
) -> None:
    """A shift lead refused the held refund: the customer is told why and what they can do."""
    order = order_of(session, return_)
    queue_message(
        session,
        kind=MessageKind.ACTION_NEEDED,
        return_=return_,
        order=order,
        now=now,
        extra={"problems": ["refund_refused"], "reason": reason, "refund_id": refund.id},
    )


def inspected_items(session: Session, parcel_id: uuid.UUID) -> list[dict[str, Any]]:
    """Each unit of the parcel as the customer should see it, with its refund line if any."""
    items: list[dict[str, Any]] = []
    for unit in queries.parcel_units(session, parcel_id=parcel_id):
        sku = unit.line_sku or unit.sku_scanned or ""
        flags = list(unit.flags)
        if unit.return_line_id is None and InspectionFlag.WRONG_ITEM.value not in flags:
            flags.append(InspectionFlag.WRONG_ITEM.value)
        if unit.outcome is InspectionOutcome.MISSING:
            outcome = "missing"
        elif set(flags) & {InspectionFlag.WRONG_ITEM.value, InspectionFlag.SERIAL_MISMATCH.value}:
            outcome = "not_matching"
        else:
            outcome = "accepted"
        refunded = unit.refund_line_id is not None
        items.append(
            {
                "title": unit.title or sku,
                "sku": sku,
                "outcome": outcome,
                "flags": sorted(flags),
                "grade": unit.grade,
                "gross": unit.gross if refunded else None,
                "deduction": unit.deduction if refunded else None,
                "deduction_reason": unit.deduction_reason if refunded else "",
                "amount": unit.amount if refunded else None,
                "note": unit.notes,
            }
        )
    order = {"accepted": 0, "not_matching": 1, "missing": 2}
    items.sort(key=lambda item: (order[item["outcome"]], item["title"], item["sku"]))
    return items
