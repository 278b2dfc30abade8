"""The contract's rules applied to Oscar's models. Each function runs inside the caller's
transaction (see idempotency.run_idempotent) and raises ApiError to refuse."""

from __future__ import annotations

import base64
import binascii
from collections import Counter
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeAlias

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from oscar.apps.communication.utils import Dispatcher
from oscar.apps.order import exceptions as order_exceptions
from oscar.apps.order.processing import EventHandler
from oscar.core.loading import get_model
from rest_framework import status

from .errors import ApiError, not_found
from .models import (
    AuditAnchor,
    RefundRecord,
    ReturnAuthorisation,
    ReturnNotice,
    ReturnStatus,
    StockAdjustment,
)
from .serializers import (
    CENT,
    line_sku,
    money,
    prefetch_output,
    return_data,
    returns_for_output,
    unit_paid,
)

PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
StockRecord = get_model("partner", "StockRecord")
CommunicationEventType = get_model("communication", "CommunicationEventType")
CommunicationEvent = get_model("order", "CommunicationEvent")

REFUND_EVENT_TYPE = "Refund"
NOTE_TYPE = "Returns desk"
UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_ENTITY

# Forward only; skipping a step is fine (a parcel received and inspected in one go).
_STEP = {
    ReturnStatus.AUTHORISED: 0,
    ReturnStatus.RECEIVED: 1,
    ReturnStatus.INSPECTED: 2,
    ReturnStatus.CLOSED: 3,
}
_CANCELLABLE = {ReturnStatus.AUTHORISED, ReturnStatus.RECEIVED}

User: TypeAlias = AbstractBaseUser | AnonymousUser


def normalise_tracking(number: str) -> str:
    return "".join(number.split()).upper()


# --- Lookup and changes feed ---------------------------------------------------------------


def lookup_return(*, rma: str | None, tracking: str | None, order: str | None) -> dict[str, Any]:
    returns = returns_for_output()
    found: ReturnAuthorisation | None
    if rma:
        found = returns.filter(rma_number__iexact=rma.strip()).first()
    elif tracking:
        found = returns.filter(tracking__number=normalise_tracking(tracking)).first()
    else:
        # An order may have had several returns: the open one the station is most likely
        # holding, else the latest.
        by_order = returns.filter(order__number=(order or "").strip()).order_by("-updated_at")
        found = (
            by_order.exclude(status__in=[ReturnStatus.CLOSED, ReturnStatus.CANCELLED]).first()
            or by_order.first()
        )
    if found is None:
        raise not_found("return")
    return return_data(found)


def encode_cursor(updated_at: datetime, pk: int) -> str:
    raw = f"{updated_at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.rsplit("|", 1)
        when = datetime.fromisoformat(stamp)
        if when.tzinfo is None:
            raise ValueError("naive timestamp")
        return when, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise ApiError(
            status.HTTP_400_BAD_REQUEST, "invalid_cursor", "cursor is not one this API issued"
        ) from error


def changes(*, cursor: str, limit: int) -> dict[str, Any]:
    after = decode_cursor(cursor)
    returns: QuerySet[ReturnAuthorisation] = returns_for_output(prefetch=False).order_by(
        "updated_at", "id"
    )
    if after is not None:
        when, pk = after
        returns = returns.filter(Q(updated_at__gt=when) | Q(updated_at=when, id__gt=pk))
    page = list(returns[: limit + 1])
    has_more = len(page) > limit
    page = page[:limit]
    prefetch_output(page)
    next_cursor = encode_cursor(page[-1].updated_at, page[-1].pk) if page else cursor
    return {
        "items": [return_data(ra) for ra in page],
        "next_cursor": next_cursor,
        "has_more": has_more,
    }


# --- Refunds -------------------------------------------------------------------------------


def _locked_return(rma_number: str) -> ReturnAuthorisation:
    # Row lock (PostgreSQL): two refunds for one return cannot both pass the cap check.
    ra = (
        ReturnAuthorisation.objects.select_for_update()
        .select_related("order")
        .filter(rma_number__iexact=rma_number.strip())
        .first()
    )
    if ra is None:
        raise not_found("return")
    return ra


def _over_refund(message: str) -> ApiError:
    return ApiError(UNPROCESSABLE, "over_refund", message)


def record_refund(data: dict[str, Any], key: str, *, user: User) -> tuple[int, Any]:
    ra = _locked_return(data["rma_number"])
    order = ra.order
    if RefundRecord.objects.filter(station_refund_id=data["station_refund_id"]).exists():
        raise ApiError(
            status.HTTP_409_CONFLICT,
            "duplicate_refund",
            f"station refund {data['station_refund_id']} was already recorded under another "
            "Idempotency-Key",
        )
    if ra.status == ReturnStatus.CANCELLED:
        raise ApiError(UNPROCESSABLE, "return_cancelled", f"{ra.rma_number} was cancelled")
    if data["currency"] != order.currency:
        raise ApiError(
            UNPROCESSABLE,
            "currency_mismatch",
            f"order {order.number} was paid in {order.currency}, not {data['currency']}",
        )
    lines: list[dict[str, Any]] = data["lines"]
    total: Decimal = data["total"]
    if total != sum((line["amount"] for line in lines), Decimal("0.00")):
        raise ApiError(UNPROCESSABLE, "total_mismatch", "total is not the sum of line amounts")

    return_lines = {str(rl.order_line_id): rl for rl in ra.lines.select_related("order_line")}
    for line in lines:
        return_line = return_lines.get(line["line_ref"])
        if return_line is None:
            raise ApiError(
                UNPROCESSABLE,
                "unknown_line",
                f"line {line['line_ref']} is not part of {ra.rma_number}",
            )
        ordered = return_line.order_line
        if line["sku"] not in {line_sku(ordered), ordered.upc, ordered.partner_sku}:
            raise ApiError(
                UNPROCESSABLE, "sku_mismatch", f"line {line['line_ref']} is not {line['sku']}"
            )
        if line["amount"] > unit_paid(return_line.order_line):
            raise _over_refund(f"line {line['line_ref']}: amount exceeds the price paid")

    units = Counter(line["line_ref"] for line in lines)
    earlier = RefundRecord.objects.filter(return_authorisation=ra)
    for line_ref, count in units.items():
        return_line = return_lines[line_ref]
        done = (
            PaymentEventQuantity.objects.filter(
                event__returnsdesk_refund__in=earlier, line_id=return_line.order_line_id
            ).aggregate(n=Sum("quantity"))["n"]
            or 0
        )
        if done + count > return_line.quantity:
            raise _over_refund(
                f"line {line_ref}: {done} of {return_line.quantity} returned units already "
                f"refunded, {count} more asked"
            )
    paid = sum((unit_paid(rl.order_line) * rl.quantity for rl in return_lines.values()), Decimal(0))
    refunded = earlier.aggregate(total=Sum("total"))["total"] or Decimal("0.00")
    if refunded + total > paid:
        raise _over_refund(
            f"{ra.rma_number}: {money(refunded)} already refunded, {money(total)} more would "
            f"exceed the {money(paid.quantize(CENT))} paid for its lines"
        )

    event_type, _ = PaymentEventType.objects.get_or_create(name=REFUND_EVENT_TYPE)
    handler = EventHandler(user=user if user.is_authenticated else None)
    order_lines = [return_lines[ref].order_line for ref in units]
    try:
        # Oscar's own path: the refund shows in the dashboard as a payment event, and Oscar
        # checks that no order line is refunded more often than it was bought.
        event = handler.handle_payment_event(
            order,
            event_type,
            total,
            lines=order_lines,
            line_quantities=list(units.values()),
            reference=key,
        )
    except order_exceptions.InvalidPaymentEvent as error:
        raise _over_refund(str(error)) from error
    refund = RefundRecord.objects.create(
        return_authorisation=ra,
        payment_event=event,
        station_refund_id=data["station_refund_id"],
        total=total,
        currency=order.currency,
        lines=[
            {
                "line_ref": line["line_ref"],
                "sku": line["sku"],
                "quantity": line["quantity"],
                "amount": money(line["amount"]),
                "deduction": money(line["deduction"]),
                "deduction_reason": line["deduction_reason"],
            }
            for line in lines
        ],
    )
    deductions = "; ".join(
        f"{line['sku']} -{money(line['deduction'])} ({line['deduction_reason'] or 'no reason'})"
        for line in lines
        if line["deduction"] > 0
    )
    handler.create_note(
        order,
        f"Refund {money(total)} {order.currency} for {ra.rma_number} "
        f"(station refund {data['station_refund_id']})"
        + (f"; deductions: {deductions}" if deductions else ""),
        note_type=NOTE_TYPE,
    )
    return status.HTTP_201_CREATED, {
        "refund_id": str(refund.pk),
        "rma_number": ra.rma_number,
        "total": money(total),
        "currency": order.currency,
        "status": "recorded",
    }


# --- Stock ---------------------------------------------------------------------------------


def adjust_stock(data: dict[str, Any], key: str) -> tuple[int, Any]:
    sku: str = data["sku"]
    delta: int = data["delta"]
    candidates = list(
        StockRecord.objects.filter(Q(product__upc=sku) | Q(partner_sku=sku))
        .select_related("partner")
        .order_by("id")
    )
    if not candidates:
        raise not_found(f"sku {sku}")
    # Oscar has no bins; a location naming a partner picks that partner's stock record.
    record = next((r for r in candidates if r.partner.code == data["location"]), candidates[0])
    rows = StockRecord.objects.filter(pk=record.pk)
    if delta < 0:
        rows = rows.filter(num_in_stock__gte=-delta)
    # One UPDATE ... SET num_in_stock = num_in_stock + delta: concurrent adjustments (and
    # Oscar's own checkout) add up instead of overwriting each other.
    if not rows.update(num_in_stock=Coalesce(F("num_in_stock"), 0) + delta):
        raise ApiError(
            UNPROCESSABLE, "insufficient_stock", f"{sku}: fewer than {-delta} units in stock"
        )
    # The count after this UPDATE, read as one value (refresh_from_db, which builds a model,
    # cost as much as the UPDATE in a profile; this runs under the database's write lock).
    after = StockRecord.objects.filter(pk=record.pk).values_list("num_in_stock", flat=True).get()
    StockAdjustment.objects.create(
        stockrecord=record,
        sku=sku,
        delta=delta,
        num_in_stock_after=after,
        location=data["location"],
        reason=data["reason"],
        reference=data["reference"] or key,
    )
    return status.HTTP_201_CREATED, {"sku": sku, "num_in_stock": after}


# --- Audit anchors -------------------------------------------------------------------------


def record_anchor(data: dict[str, Any], key: str) -> tuple[int, Any]:
    """Keep the station's audit head; the same entry with another hash is refused (409).

    The lock on the existing row (if any) makes two stations' anchors of one entry take
    turns; the unique constraint refuses a race between two first inserts.
    """
    anchor = (
        AuditAnchor.objects.select_for_update()
        .filter(key_id=data["key_id"], sequence=data["sequence"])
        .first()
    )
    if anchor is None:
        anchor = AuditAnchor.objects.create(
            key_id=data["key_id"],
            sequence=data["sequence"],
            entry_hash=data["entry_hash"],
            anchored_at=data["at"],
        )
    elif anchor.entry_hash != data["entry_hash"]:
        raise ApiError(
            status.HTTP_409_CONFLICT,
            "anchor_mismatch",
            f"audit entry #{anchor.sequence} of key {anchor.key_id} was anchored with another"
            " hash: the station's audit trail was rewritten",
        )
    body = {"key_id": anchor.key_id, "sequence": anchor.sequence, "status": "recorded"}
    return status.HTTP_201_CREATED, body


# --- Status --------------------------------------------------------------------------------


def change_status(
    rma_number: str, data: dict[str, Any], key: str, *, user: User
) -> tuple[int, Any]:
    ra = _locked_return(rma_number)
    new: str = data["status"]
    old = ra.status
    if new != old:
        allowed = (
            old in _CANCELLABLE
            if new == ReturnStatus.CANCELLED
            else old in _STEP and _STEP[ReturnStatus(new)] > _STEP[ReturnStatus(old)]
        )
        if not allowed:
            raise ApiError(
                UNPROCESSABLE, "invalid_transition", f"{ra.rma_number} is {old}; cannot be {new}"
            )
        ra.status = new
        ra.save(update_fields=["status", "updated_at"])
        EventHandler(user=user if user.is_authenticated else None).create_note(
            ra.order,
            f"{ra.rma_number}: {old} -> {new} at {data['at'].isoformat()}"
            + (f": {data['note']}" if data["note"] else ""),
            note_type=NOTE_TYPE,
        )
    # Same status again is a no-op success: relays converge even after losing their key.
    return status.HTTP_200_OK, return_data(returns_for_output().get(pk=ra.pk))


# --- Customer notifications ----------------------------------------------------------------

NOTICE_EVENT_CODE = "RETURNSDESK_NOTICE"


def notify_customer(rma_number: str, data: dict[str, Any], key: str) -> tuple[int, Any]:
    """Email the customer through Oscar's communication framework, and log it on the order.

    The text comes from the "RETURNSDESK_NOTICE" communication event type: the shop's own
    templates when staff have edited it in the dashboard, else the app's file templates.
    """
    ra = _locked_return(rma_number)
    if "text" in data:
        return _send_station_message(ra, data)
    context = {
        "rma_number": ra.rma_number,
        "order": ra.order,
        **{name: data[name] for name in ("customer_name", "status", "message", "reason")},
        "currency": data["currency"],
        "total": data["total"],
        "lines": data["lines"],
    }
    event_type, _ = CommunicationEventType.objects.get_or_create(
        code=NOTICE_EVENT_CODE,
        defaults={
            "name": "Returns desk: return inspected",
            "category": CommunicationEventType.ORDER_RELATED,
        },
    )
    messages = event_type.get_messages(context)
    # Sent inside the transaction: a failure to send rolls the answer back (500), so the
    # station retries with the same key rather than believing the customer was told.
    Dispatcher().dispatch_direct_messages(data["to"], messages)
    CommunicationEvent.objects.create(order=ra.order, event_type=event_type)
    return status.HTTP_201_CREATED, {
        "rma_number": ra.rma_number,
        "to": data["to"],
        "subject": messages["subject"],
        "status": data["status"],
    }


def _send_station_message(ra: ReturnAuthorisation, data: dict[str, Any]) -> tuple[int, Any]:
    """A message the station rendered: sent as it is, under the station's Message-ID (so a
    retry after a lost answer is recognisable as the same message), and kept for the
    customer's "My returns" page."""
    subject = data.get("subject") or data["message"]
    mail = EmailMultiAlternatives(
        subject=subject,
        body=data["text"],
        to=[data["to"]],
        headers={"Message-ID": data["message_id"]} if data.get("message_id") else None,
    )
    if data.get("html"):
        mail.attach_alternative(data["html"], "text/html")
    # Sent inside the transaction, as above: a failure rolls the answer back (500).
    mail.send()
    ReturnNotice.objects.create(
        return_authorisation=ra,
        kind=data.get("kind") or data["status"],
        status=data["status"],
        subject=subject[:300],
        message_id=data.get("message_id", ""),
        total=data["total"],
        currency=data["currency"],
        refund_expected_by=data.get("refund_expected_by"),
        review_by=data.get("review_by"),
        at=data["at"],
    )
    return status.HTTP_201_CREATED, {
        "rma_number": ra.rma_number,
        "to": data["to"],
        "subject": subject,
        "status": data["status"],
    }
