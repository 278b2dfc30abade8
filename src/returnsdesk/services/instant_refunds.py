"""Trusted instant refunds: the refund released when the parcel is received, and what the
inspection that follows does about it.

The refund released on receipt is THE refund of the return (one row per return, unique), so no
path can pay twice: completing the parcel records the inspection and, when it would have
refunded less or flags a fraud sign, opens a recovery case for a shift lead instead of a second
refund or a silent change to the one paid.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlmodel import Session

from returnsdesk.data import refunds as refund_queries
from returnsdesk.data import returns
from returnsdesk.data.models import RecoveryCase, Refund, RefundLine, Return
from returnsdesk.data.repositories import add_outbox_event, append_audit, return_subject
from returnsdesk.domain.inspection import RefundQuote
from returnsdesk.domain.money import Money
from returnsdesk.domain.policy import RefundPolicy
from returnsdesk.domain.vocabulary import InspectionFlag, RefundStatus
from returnsdesk.services.messages.queue import queue_refund_issued
from returnsdesk.services.refund_events import refund_event_payload
from returnsdesk.services.views import StationContext

log = logging.getLogger(__name__)

RELEASED_ON_RECEIPT = "Released on receipt: trusted customer"
REFUND_EVENT = "refund.requested"


def release_on_receipt(
    session: Session,
    *,
    ctx: StationContext,
    record: returns.ReturnRecord,
    parcel_id: uuid.UUID,
    policy: RefundPolicy,
    now: datetime,
) -> Refund | None:
    """The full refund of a trusted customer's parcel, released now; None when the rule does
    not apply (no rule, a customer without enough clean returns, a parcel above the limit or
    past its return window). The record is the one the parcel scan read (no statement more)."""
    rule = policy.instant_refund
    if rule is None:
        return None
    return_, order, lines = record.return_, record.order, record.lines
    if not lines:
        return None
    window = policy.windows.applying(
        base=return_.policy_window_days,
        categories=[line.category for line in lines],
        tier=return_.customer_tier,
    )
    since_delivery = (now - order.delivered_at).days if order.delivered_at is not None else None
    if window.is_late(since_delivery, grace_days=policy.transit_grace_days):
        return None  # a late parcel waits for inspection and the review, trusted or not
    currency = lines[0].currency
    units = [
        (line.line_id, index, Money(line.unit_price, currency).rounded())
        for line in lines
        for index in range(line.quantity)
    ]
    total = sum((price for _, _, price in units), Money.zero(currency).rounded())
    clean, with_findings = refund_queries.customer_record(
        session, return_.customer_email, excluding=return_.id
    )
    if not rule.applies(clean_returns=clean, returns_with_findings=with_findings, value=total):
        return None
    refund = Refund(
        return_id=return_.id,
        parcel_id=parcel_id,
        operator_id=ctx.operator_id,
        total=total.amount,
        currency=currency,
        status=RefundStatus.APPROVED,
        status_reason=RELEASED_ON_RECEIPT,
        created_at=now,
        released_on_receipt=True,
    )
    session.add(refund)
    session.flush()  # the unique refund per return: a concurrent receipt fails here
    for return_line_id, index, price in units:
        session.add(
            RefundLine(
                refund_id=refund.id,
                return_line_id=return_line_id,
                unit_index=index,
                gross=price.amount,
                deduction=Money.zero(currency).rounded().amount,
                amount=price.amount,
                currency=currency,
            )
        )
    session.flush()  # the event is read back from the stored lines
    add_outbox_event(
        session,
        event_type=REFUND_EVENT,
        aggregate_id=return_.id,
        payload=refund_event_payload(session, refund, return_, order),
        now=now,
    )
    queue_refund_issued(session, refund=refund, return_=return_, order=order, now=now)
    append_audit(
        session,
        action="refund.released_on_receipt",
        subject=return_subject(return_.rma_number, return_.client_code),
        details={
            "parcel_id": parcel_id,
            "refund_id": refund.id,
            "refund_total": f"{refund.total} {refund.currency}",
            "clean_returns": clean,
        },
        operator_id=ctx.operator_id,
        station_id=ctx.station_id,
    )
    log.info("Refund of %s released on receipt: %s", return_.rma_number, total)
    return refund


def settle_after_inspection(
    session: Session,
    *,
    ctx: StationContext,
    refund: Refund,
    return_: Return,
    quote: RefundQuote,
    flags: frozenset[InspectionFlag],
    policy: RefundPolicy,
    now: datetime,
) -> RecoveryCase | None:
    """The inspection of a parcel refunded on receipt: a recovery case when it would have
    refunded less or found a flag that needs a lead; nothing when it agrees."""
    paid = Money(refund.total, refund.currency)
    reasons: list[str] = []
    if quote.total < paid:
        reasons.append(f"Inspection refunds {quote.total}, {paid} was paid on receipt")
    flagged = [flag for flag in InspectionFlag if flag in flags & policy.needs_approval_flags]
    if flagged:
        reasons.append(f"Flagged: {', '.join(flag.label for flag in flagged)}")
    if not reasons:
        return None
    case = RecoveryCase(
        return_id=return_.id,
        refund_id=refund.id,
        paid=refund.total,
        inspected=quote.total.amount,
        currency=refund.currency,
        reason="; ".join(reasons)[:500],
        opened_at=now,
        opened_by=ctx.operator_id,
        flags=[flag.value for flag in flagged],
    )
    session.add(case)
    session.flush()
    append_audit(
        session,
        action="refund.recovery_opened",
        subject=return_subject(return_.rma_number, return_.client_code),
        details={
            "recovery_case_id": case.id,
            "refund_id": refund.id,
            "paid": f"{refund.total} {refund.currency}",
            "inspected": f"{quote.total.amount} {refund.currency}",
            "reason": case.reason,
        },
        operator_id=ctx.operator_id,
        station_id=ctx.station_id,
    )
    log.warning("Recovery case for %s: %s", return_.rma_number, case.reason)
    return case
