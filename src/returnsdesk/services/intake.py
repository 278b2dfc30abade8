"""Receiving parcels: from a scanned label to the return it belongs to."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from sqlmodel import Session

from returnsdesk.data import outbox, returns
from returnsdesk.data.models import Parcel
from returnsdesk.data.refunds import refund_of_return
from returnsdesk.data.repositories import add_outbox_event, append_audit, return_subject
from returnsdesk.domain.errors import (
    AlreadyCompleted,
    ReceiptStands,
    RejectedScan,
    ReturnCancelled,
    WrongStep,
)
from returnsdesk.domain.inspection import ExpectedLine
from returnsdesk.domain.money import Money
from returnsdesk.domain.policy import RefundPolicy
from returnsdesk.domain.scanning import ClassifiedScan, ScanKind, excerpt
from returnsdesk.domain.text import storable
from returnsdesk.domain.vocabulary import ParcelStatus, ReturnStatus
from returnsdesk.services.instant_refunds import release_on_receipt
from returnsdesk.services.messages.queue import message_stream, queue_parcel_received
from returnsdesk.services.views import ReturnSummary, ReturnView, StationContext

log = logging.getLogger(__name__)

PARCEL_SCANS = frozenset({ScanKind.TRACKING, ScanKind.RMA, ScanKind.ORDER})
UNEXPECTED_NOTE_LIMIT = 2000  # parcels.note
TRACKING_LIMIT = 80  # parcels.tracking_number (the scanner's default scanner.max_length)
SEARCH_LIMIT = 200  # as long as the longest field searched (customer names)
RECEIVED_EVENT = "return.received"


def find_returns(
    session: Session,
    scan: ClassifiedScan,
    *,
    client_codes: Collection[str | None] | None = None,
) -> list[returns.ReturnRecord]:
    """The returns a parcel scan points at, each read whole: at most one per shop, the
    station's own first.

    Order and RMA numbers are each shop's own, so a number two client shops both use finds a
    return of each (the caller asks which, never guesses); ``client_codes`` keeps only those
    shops' (None: the station's own). Tracking numbers are the carriers', unique across shops:
    at most one return. An order with several returns gives its open one (else the newest).

    The returns are locked for the rest of the transaction (``data.returns``), so a parcel scan
    reads its return once, fresh, and receives it.
    """
    if scan.kind is ScanKind.TRACKING:
        found = returns.record_by_tracking(session, scan.value)
        if found is None or (
            client_codes is not None and found.return_.client_code not in client_codes
        ):
            return []
        return [found]
    if scan.kind is ScanKind.RMA:
        return returns.records_by_rma(session, scan.value, client_codes=client_codes)
    if scan.kind is ScanKind.ORDER:
        by_shop: dict[str | None, list[returns.ReturnRecord]] = {}
        for candidate in returns.records_of_order(session, scan.value, client_codes=client_codes):
            by_shop.setdefault(candidate.return_.client_code, []).append(candidate)
        preferred = []
        for candidates in by_shop.values():
            open_ones = [r for r in candidates if r.return_.status is not ReturnStatus.COMPLETED]
            preferred.append((open_ones or candidates)[0])
        return preferred
    return []


def load_return_view(
    record: returns.ReturnRecord, *, refunds: RefundPolicy, now: datetime
) -> ReturnView:
    return_, order = record.return_, record.order
    lines = tuple(
        ExpectedLine(
            line_id=row.line_id,
            sku=row.sku,
            title=row.title,
            category=row.category,
            quantity=row.quantity,
            unit_price=Money(row.unit_price, row.currency),
            unit_value=Money(row.unit_value, row.value_currency),
            reason_code=row.reason_code,
            reason_label=refunds.reason(row.reason_code).label,
            customer_comment=row.customer_comment,
            serialised=row.serialised,
            serial_numbers=tuple(row.serial_numbers),
            weight_grams=row.weight_grams,
        )
        for row in record.lines
    )
    delivered = order.delivered_at
    window = refunds.windows.applying(
        base=return_.policy_window_days,
        categories=[line.category for line in lines],
        tier=return_.customer_tier,
    )
    return ReturnView(
        return_id=return_.id,
        rma_number=return_.rma_number,
        order_number=order.number,
        order_placed_at=order.placed_at,
        delivered_at=delivered,
        customer_name=return_.customer_name,
        customer_email=return_.customer_email,
        status=return_.status,
        policy_window_days=return_.policy_window_days,
        days_since_delivery=(now - delivered).days if delivered is not None else None,
        currency=order.currency,
        tracking_numbers=record.tracking_numbers,
        lines=lines,
        window=window,
        transit_grace_days=refunds.transit_grace_days,
        customer_tier=return_.customer_tier,
        client_code=return_.client_code,
    )


def receive_parcel(
    session: Session,
    *,
    ctx: StationContext,
    record: returns.ReturnRecord,
    tracking_number: str,
    carrier: str,
    now: datetime,
    refunds: RefundPolicy | None = None,
    grace: timedelta = timedelta(0),
) -> tuple[uuid.UUID, bool]:
    """Record the parcel as received (or resume the open one). Returns (parcel id, resumed).

    With ``refunds`` whose ``instant_refund`` rule trusts the customer, the refund is released
    now, in this transaction (``instant_refunds.release_on_receipt``).

    The order system hears of the receipt after ``grace`` (messages.grace_minutes), so a
    mis-scan undone meanwhile (``undo_receipt``) is never heard of, even with a relay running:
    its ``return.received`` is held until then, and the return's later events wait behind it.
    A return that moves on so far that its receipt cannot be undone (its refund released now,
    or the parcel completed: ``inspection.complete_parcel``) ends the hold at once, so the
    grace never delays a refund.

    The record's return comes locked (``find_returns``, ``record_of`` after ``lock_return``),
    so two stations scanning one parcel at once receive it once: the second waits, then
    resumes it.
    """
    return_ = record.return_
    return_id = return_.id
    if return_.status is ReturnStatus.COMPLETED:
        raise AlreadyCompleted(f"Return {return_.rma_number} was completed before.")
    if return_.status is ReturnStatus.CANCELLED:
        raise ReturnCancelled(
            f"Return {return_.rma_number} was cancelled by the shop. Set the parcel aside "
            "for a shift lead (F5: unexpected parcel)."
        )
    existing = returns.open_parcel_of(session, return_id)
    if existing is not None:
        log.info("Resuming parcel %s of %s", existing.id, return_.rma_number)
        return existing.id, True
    parcel = Parcel(
        return_id=return_id,
        tracking_number=tracking_number,
        carrier=carrier,
        station_id=ctx.station_id,
        operator_id=ctx.operator_id,
        received_at=now,
    )
    session.add(parcel)
    return_.status = ReturnStatus.RECEIVED
    session.add(return_)
    session.flush()
    held_until = now + grace if grace > timedelta(0) else None
    add_outbox_event(
        session,
        event_type=RECEIVED_EVENT,
        aggregate_id=return_id,
        payload={
            "rma_number": return_.rma_number,
            "tracking_number": tracking_number,
            "carrier": carrier,
            "station": ctx.station_code,
            "received_at": now,
        },
        now=now,
        held_until=held_until,
    )
    queue_parcel_received(
        session,
        return_=return_,
        parcel_id=parcel.id,
        tracking_number=tracking_number,
        now=now,
        held_until=held_until,
    )
    append_audit(
        session,
        action="parcel.received",
        subject=return_subject(return_.rma_number, return_.client_code),
        details={"parcel_id": parcel.id, "tracking_number": tracking_number},
        operator_id=ctx.operator_id,
        station_id=ctx.station_id,
    )
    if refunds is not None and release_on_receipt(
        session, ctx=ctx, record=record, parcel_id=parcel.id, policy=refunds, now=now
    ):
        end_grace(session, return_id, now=now)  # the receipt stands: the refund goes now
    return parcel.id, False


def end_grace(session: Session, return_id: uuid.UUID, *, now: datetime) -> None:
    """The return moved on too far for its receipt to be undone: what is held for the grace
    period (its events, its "parcel received" message) is due now."""
    outbox.end_holds(session, (return_id, message_stream(return_id)), now=now)


def undo_receipt(
    session: Session, *, ctx: StationContext, parcel_id: uuid.UUID, now: datetime
) -> str:
    """Take back a parcel received against the wrong return (a mis-scanned label). Returns the
    return's RMA number.

    Only while nothing was done on the parcel (no unit finished, no photo, no label) and the
    order system has not been told: its ``return.received``, unsent (held for the grace period,
    or no relay has run), is deleted, so the order system never hears of it. The sync API
    moves a return forward only (``docs/sync-api.yaml``, setReturnStatus), so there is no
    event that takes a receipt back; once the shop may know, the receipt stands
    (``ReceiptStands``). The parcel row is deleted, so no count, history or report shows a
    parcel that never came; the audit entry keeps what it was. The "parcel received" message
    waiting out its grace period then finds no receipt and sends nothing
    (``messages.deliver``).
    """
    found = returns.get_parcel(session, parcel_id)
    return_ = (
        returns.lock_return(session, found.return_id)
        if found is not None and found.return_id is not None
        else None
    )
    # Read again after the lock: another station may have completed it meanwhile.
    parcel = returns.get_parcel(session, parcel_id) if return_ is not None else None
    if parcel is not None:
        session.refresh(parcel)
    if return_ is None or parcel is None or parcel.status is not ParcelStatus.OPEN:
        raise WrongStep("This parcel is not open any more: there is no receipt to undo.")
    rma = return_.rma_number
    if refund_of_return(session, return_.id) is not None:
        raise ReceiptStands(
            f"The refund of {rma} was released on receipt: the receipt stands."
            " Esc and set the parcel aside for a shift lead."
        )
    units, photos, labels = returns.work_on_parcel(session, parcel_id)
    if units:
        raise ReceiptStands(
            f"{units} unit{'s' if units != 1 else ''} of {rma} "
            f"{'was' if units == 1 else 'were'} inspected already: the receipt stands. "
            "Finish the parcel, or Esc and ask a shift lead."
        )
    if photos or labels:
        raise ReceiptStands(
            f"Photos or labels of {rma} are kept as evidence: the receipt stands. "
            "Esc and ask a shift lead."
        )
    event = outbox.latest_event_of(session, return_.id, RECEIVED_EVENT)
    # Delivered (or pruned long after), tried (the shop may have applied it), or claimed by a
    # relay (it may be on its way): the shop may know.
    if event is None or not outbox.never_claimed(event, now=now):
        raise ReceiptStands(
            f"The shop already knows that {rma} was received, and cannot be told otherwise:"
            " the receipt stands. Esc and set the parcel aside for a shift lead."
        )
    previous = ReturnStatus.OPEN if return_.status is ReturnStatus.RECEIVED else return_.status
    append_audit(
        session,
        action="parcel.receipt_undone",
        subject=return_subject(rma, return_.client_code),
        details={
            "parcel_id": parcel.id,
            "tracking_number": parcel.tracking_number,
            "carrier": parcel.carrier,
            "received_at": parcel.received_at,
            "received_by_operator_id": parcel.operator_id,
            "received_at_station_id": parcel.station_id,
            "weighed_grams": parcel.weighed_grams,
            "return_status": {"from": return_.status.value, "to": previous.value},
            "cancelled_event": {
                "id": event.id,
                "sequence": event.sequence,
                "idempotency_key": event.idempotency_key,
                "held_until": event.held_until,
            },
            "undone_at": now,
        },
        operator_id=ctx.operator_id,
        station_id=ctx.station_id,
    )
    session.delete(event)
    session.delete(parcel)
    return_.status = previous
    session.add(return_)
    log.info("Receipt of %s undone (parcel %s, %s)", rma, parcel.id, parcel.tracking_number)
    return rma


def receive_unexpected_parcel(
    session: Session,
    *,
    ctx: StationContext,
    tracking_number: str,
    carrier: str,
    note: str,
    now: datetime,
) -> uuid.UUID:
    """A parcel with no return: recorded and set aside for a shift lead.

    Its label is recorded as scanned, up to ``TRACKING_LIMIT`` characters (a GS1-128 label or
    a long carrier code); a longer scan (only possible with scanner.max_length raised) is
    refused with what to do, never cut: a shortened number would find nothing later.
    """
    if len(tracking_number) > TRACKING_LIMIT:
        raise RejectedScan(
            f"Parcel label {excerpt(tracking_number)} is {len(tracking_number)} characters long;"
            f" at most {TRACKING_LIMIT} can be recorded. Scan the carrier's tracking number"
            " instead (often a second barcode on the label), or type it."
        )
    parcel = Parcel(
        return_id=None,
        tracking_number=tracking_number,
        carrier=carrier,
        station_id=ctx.station_id,
        operator_id=ctx.operator_id,
        received_at=now,
        status=ParcelStatus.NEEDS_REVIEW,
        unexpected=True,
        note=storable(note, what="Note", limit=UNEXPECTED_NOTE_LIMIT).strip(),
    )
    session.add(parcel)
    session.flush()
    append_audit(
        session,
        action="parcel.unexpected",
        subject=tracking_number,
        details={"parcel_id": parcel.id, "note": parcel.note},
        operator_id=ctx.operator_id,
        station_id=ctx.station_id,
    )
    return parcel.id


def search_returns(
    session: Session, text: str, *, shop_name: Callable[[str | None], str], limit: int = 25
) -> list[ReturnSummary]:
    """Returns whose RMA, order number, customer name or email contains ``text``, each with its
    shop named by ``shop_name`` (from its client code; None: the station's own shop)."""
    needle = storable(text, what="Search", limit=SEARCH_LIMIT).strip()
    if not needle:
        return []
    return [
        ReturnSummary(
            return_id=r.id,
            rma_number=r.rma_number,
            order_number=number,
            customer_name=r.customer_name,
            status=r.status,
            units=int(unit_count),
            client_code=r.client_code,
            shop_name=shop_name(r.client_code),
        )
        for r, number, unit_count in returns.search_returns(session, needle, limit=limit)
    ]
