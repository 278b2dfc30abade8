"""Inspecting a parcel's items: resolving item scans, completing the parcel in one transaction."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from returnsdesk.data import completions, drafts, products, refunds, returns
from returnsdesk.data.models import (
    Parcel,
    Product,
    Refund,
    Return,
)
from returnsdesk.data.repositories import add_outbox_event, append_audit, return_subject
from returnsdesk.data.tallies import record_tallies
from returnsdesk.domain.errors import AlreadyCompleted, OperatorError, UnknownBarcode, WrongStep
from returnsdesk.domain.inspection import ParcelInspection, RefundQuote, ScannedProduct
from returnsdesk.domain.money import Money
from returnsdesk.domain.scanning import ClassifiedScan, ScanKind
from returnsdesk.domain.vocabulary import ParcelStatus, ReturnStatus
from returnsdesk.services.instant_refunds import settle_after_inspection
from returnsdesk.services.intake import end_grace
from returnsdesk.services.labels.queue import queue_unit_labels
from returnsdesk.services.messages.queue import message_stream, queue_completion_messages
from returnsdesk.services.refund_events import refund_event_payload
from returnsdesk.services.views import CompletionResult, ReturnView, StationContext

log = logging.getLogger(__name__)


def _scanned(product: Product, serial: str | None = None) -> ScannedProduct:
    return ScannedProduct(
        sku=product.sku,
        title=product.title,
        category=product.category,
        unit_value=Money(product.unit_value, product.currency),
        serialised=product.serialised,
        serial=serial,
    )


def resolve_item(session: Session, scan: ClassifiedScan, *, view: ReturnView) -> ScannedProduct:
    """The product behind an item scan: a GTIN, an SKU, or a serial shipped on this return.

    Only the return's shop's catalogue is searched: another client shop may sell other goods
    under the same SKU or GTIN, and its product is never this return's item.
    """
    shop = view.client_code
    if scan.kind is ScanKind.GTIN:
        gtin = scan.gtin or scan.value
        found = products.product_by_gtin(session, gtin, client_code=shop)
        if found is None:
            raise UnknownBarcode(
                f"No product{_of_shop(view)} has barcode {gtin}. Check the item or scan its SKU."
            )
        return _scanned(found, scan.serial)
    if scan.kind is ScanKind.TEXT:
        product = products.product_by_sku(session, scan.value, client_code=shop, any_case=True)
        if product is not None:
            return _scanned(product)
        # A serial label identifies the unit and its product at once.
        for line in view.lines:
            if scan.value.upper() in (s.upper() for s in line.serial_numbers):
                matched = products.product_by_sku(session, line.sku, client_code=shop)
                assert matched is not None  # the return's line names a product of its shop
                return _scanned(matched, scan.value)
        raise UnknownBarcode(f"'{scan.value[:30]}' is no product or serial number on this return.")
    raise WrongStep("That is a parcel label. Finish this parcel first (F8 closes it).")


def _of_shop(view: ReturnView) -> str:
    """ " of <client>" at a desk that serves client shops, for a return of one."""
    if view.client_code is None:
        return ""
    return f" of {view.client_name or view.client_code}"


class UnitsFinishedElsewhere(OperatorError):
    """Units of the parcel were finished at another station since this one opened it."""


def lock_open_parcel(session: Session, parcel_id: uuid.UUID) -> Return:
    """The parcel's return, locked for a unit to be recorded in it; ``AlreadyCompleted`` if
    another station completed it meanwhile (its unit would be a draft nobody completes)."""
    found = returns.lock_parcel_return(session, parcel_id)
    if found is None:
        raise UnknownBarcode("This parcel is not linked to a return.")
    return_ = found.return_
    if return_.status is ReturnStatus.COMPLETED:
        raise AlreadyCompleted(
            f"Return {return_.rma_number} was completed at another station meanwhile; this unit"
            " was not recorded. Set it aside for a shift lead."
        )
    return return_


def complete_parcel(
    session: Session,
    *,
    ctx: StationContext,
    parcel_id: uuid.UUID,
    inspection: ParcelInspection,
    now: datetime,
    label_printer: str | None = None,
    label_titles: Mapping[str, str] | None = None,  # client shop code -> its label title
) -> CompletionResult:
    """Write inspections, dispositions, refund, stock movements, outbox events and an audit entry.

    With ``label_printer`` (the station prints labels), also a print job for each unit's
    routing label that has none yet. All in the caller's one transaction. A second completion
    of the same return, from this or another station, fails on the unique refund per return
    and raises ``AlreadyCompleted``.
    """
    inspection.check_ready_to_close()
    # Locked (PostgreSQL): a concurrent completion of this return waits, then finds it completed.
    found = returns.lock_parcel_return(session, parcel_id)
    if found is None:
        raise UnknownBarcode("This parcel is not linked to a return.")
    parcel, return_, order = found.parcel, found.return_, found.order
    if return_.status is ReturnStatus.COMPLETED or parcel.status is ParcelStatus.COMPLETED:
        stored = _this_completion(session, ctx=ctx, parcel=parcel, inspection=inspection)
        if stored is not None:
            return stored
        raise AlreadyCompleted(f"Return {return_.rma_number} was completed before.")
    # The drafts are inspections from here on. A unit another station finished meanwhile (a
    # draft this inspection never saw) would be lost with them, its label already on the
    # item: carry it on instead (the raise rolls the deletion back).
    unseen = drafts.clear(session, parcel.id) - {unit.unit_id for unit in inspection.units}
    if unseen:
        raise UnitsFinishedElsewhere(
            f"Another station finished {len(unseen)} unit(s) of {return_.rma_number} meanwhile:"
            " scan the parcel again to carry on with them, then complete it."
        )

    quote = inspection.quote()
    # The units name the products of the return's shop (item scans resolve in its catalogue).
    product_ids = products.product_ids(
        session, {unit.product.sku for unit in inspection.units}, client_code=return_.client_code
    )
    inspection_ids = completions.record_units(
        session,
        parcel_id=parcel.id,
        operator_id=ctx.operator_id,
        station_id=ctx.station_id,
        units=inspection.units,
        missing=inspection.missing_units(),
        parcel_flags=inspection.parcel_flags,
        product_ids=product_ids,
        now=now,
    )
    events = 0
    movements = len(inspection.units)
    for unit in inspection.units:
        unit_payload: dict[str, Any] = {
            "rma_number": return_.rma_number,
            "inspection_id": unit.unit_id,
            "sku": unit.product.sku,
            "grade": unit.grade,
            "disposition": unit.disposition.value,
            "location": unit.location,
            "flags": sorted(unit.flags | inspection.parcel_flags),
            "serial": unit.serial,
        }
        add_outbox_event(
            session,
            event_type="unit.inspected",
            aggregate_id=return_.id,
            payload=unit_payload,
            now=now,
        )
        add_outbox_event(
            session,
            event_type="stock.adjusted",
            aggregate_id=return_.id,
            payload={
                "sku": unit.product.sku,
                "location": unit.location,
                "quantity_delta": 1,
                "reason": f"return_{unit.disposition.value}",
                "inspection_id": unit.unit_id,
            },
            now=now,
        )
        events += 2

    paid_on_receipt = found.refund
    recovery = None
    if paid_on_receipt is not None and paid_on_receipt.released_on_receipt:
        # THE refund was released on receipt: the inspection never pays again nor changes it;
        # it only links each unit's refund line to its inspection, and opens a recovery case
        # for a lead when it disagrees.
        refund = paid_on_receipt
        for refund_line in refunds.lines_of_refund(session, refund.id):
            refund_line.inspection_id = inspection_ids.get(
                (refund_line.return_line_id, refund_line.unit_index)
            )
            session.add(refund_line)
        session.flush()
        record_tallies(session.connection(), parcel.id)
        recovery = settle_after_inspection(
            session,
            ctx=ctx,
            refund=refund,
            return_=return_,
            quote=quote,
            flags=frozenset(inspection.parcel_flags).union(
                *(unit.flags for unit in inspection.units),
                *(unit.flags for unit in inspection.missing_units()),
            ),
            policy=inspection.policies.refunds,
            now=now,
        )
    else:
        refund = _record_refund(
            session,
            ctx=ctx,
            return_=return_,
            parcel_id=parcel.id,
            now=now,
            quote=quote,
            inspection_ids=inspection_ids,
        )
        add_outbox_event(
            session,
            event_type="refund.requested",
            aggregate_id=return_.id,
            payload=refund_event_payload(session, refund, return_, order),
            now=now,
        )
        events += 1
    add_outbox_event(
        session,
        event_type="return.closed",
        aggregate_id=return_.id,
        payload={"rma_number": return_.rma_number, "completed_at": now},
        now=now,
    )
    # Completed: the receipt cannot be undone any more, so its grace period (intake.
    # receive_parcel) ends now and the refund is not kept waiting behind it.
    end_grace(session, return_.id, now=now)
    events += 1 + queue_completion_messages(
        session, refund=refund, return_=return_, parcel_id=parcel.id, now=now
    )
    if label_printer is not None:
        # Labels of earlier units were queued as each was finished (StationService.
        # finish_unit), so they are on the units before the parcel is done; this queues
        # the rest, the last unit's included, in the same transaction as the inspection rows
        # they name: a unit recorded is a unit with its label job, even after a crash. A
        # completion that fails (another station completed the return first) adds no label;
        # only earlier units' labels from that station are then out, with plates that find
        # nothing, which is the price of labelling each unit while it is in hand.
        queue_unit_labels(
            session,
            ctx=ctx,
            parcel_id=parcel.id,
            rma_number=return_.rma_number,
            units=inspection.units,
            printer=label_printer,
            now=now,
            client=(label_titles or {}).get(return_.client_code or "", ""),
        )
    returns.mark_completed(session, parcel=parcel, return_=return_, now=now)
    append_audit(
        session,
        action="return.completed",
        subject=return_subject(return_.rma_number, return_.client_code),
        details={
            "parcel_id": parcel.id,
            "refund_id": refund.id,
            "refund_total": f"{refund.total} {refund.currency}",
            "refund_status": refund.status.value,
            "units_inspected": len(inspection.units),
            "units_missing": len(inspection.missing_units()),
            "released_on_receipt": refund.released_on_receipt,
            "recovery_case_id": recovery.id if recovery is not None else None,
        },
        operator_id=ctx.operator_id,
        station_id=ctx.station_id,
    )
    session.flush()
    log.info(
        "Completed %s: refund %s (%s), %d stock movements",
        return_.rma_number,
        refund.total,
        refund.status.value,
        movements,
    )
    return CompletionResult(
        parcel_id=parcel.id,
        refund_id=refund.id,
        refund_total=Money(refund.total, refund.currency),
        refund_status=refund.status,
        refund_status_reason=refund.status_reason,
        stock_movements=movements,
        outbox_events=events,
        released_on_receipt=refund.released_on_receipt,
        recovery_case_id=recovery.id if recovery is not None else None,
    )


def _this_completion(
    session: Session, *, ctx: StationContext, parcel: Parcel, inspection: ParcelInspection
) -> CompletionResult | None:
    """This very inspection's completion, stored already: the station asks again because the
    answer to its commit was lost with the connection (the database went away). What was stored
    is the answer, marked ``replayed``; nothing is written twice. None: someone else's.

    The station's own unit ids name its inspections, and only this station wrote them; an empty
    box (no unit graded) is known by the station and its count of missing units.
    """
    if (
        parcel.status is not ParcelStatus.COMPLETED
        or parcel.completed_at is None
        or parcel.return_id is None
    ):
        return None
    refund = refunds.refund_of_return(session, parcel.return_id)
    if refund is None:
        return None
    stored = completions.stored_completion(
        session,
        parcel_id=parcel.id,
        return_id=parcel.return_id,
        completed_at=parcel.completed_at,
        aggregates=(parcel.return_id, message_stream(parcel.return_id)),
    )
    if (
        stored.station_ids != {ctx.station_id}
        or stored.inspected != {unit.unit_id for unit in inspection.units}
        or stored.missing != len(inspection.missing_units())
    ):
        return None
    log.info("Completion of parcel %s was stored before its answer was lost", parcel.id)
    return CompletionResult(
        parcel_id=parcel.id,
        refund_id=refund.id,
        refund_total=Money(refund.total, refund.currency),
        refund_status=refund.status,
        refund_status_reason=refund.status_reason,
        stock_movements=stored.stock_movements,
        outbox_events=stored.outbox_events,
        released_on_receipt=refund.released_on_receipt,
        recovery_case_id=stored.recovery_case_id,
        replayed=True,
    )


def _record_refund(
    session: Session,
    *,
    ctx: StationContext,
    return_: Return,
    parcel_id: uuid.UUID,
    quote: RefundQuote,
    inspection_ids: dict[tuple[uuid.UUID, int], uuid.UUID],
    now: datetime,
) -> Refund:
    """The refund as inspected, with its lines; ``AlreadyCompleted`` if the return has one."""
    refund = Refund(
        return_id=return_.id,
        parcel_id=parcel_id,
        operator_id=ctx.operator_id,
        total=quote.total.amount,
        currency=quote.total.currency,
        status=quote.review.status,
        status_reason=quote.review.reason,
        created_at=now,
    )
    try:
        completions.record_refund(session, refund)
    except IntegrityError as exc:
        raise AlreadyCompleted(f"Return {return_.rma_number} was refunded already.") from exc
    completions.record_refund_lines(
        session, refund_id=refund.id, lines=quote.lines, inspection_ids=inspection_ids
    )
    # The report tallies count these units in this same transaction, so they never drift.
    record_tallies(session.connection(), parcel_id)
    return refund
