"""Shift leads decide refunds that policy held back (above the threshold, outside the window).

A refund pending approval is recorded at completion but never sent to the order system (the
relay's ``refund.requested`` mapping pays only approved refunds). The lead's decision is one
transaction: the refund's status, an audit entry naming the lead, and, for an approval, a
``refund.approved`` outbox event that the relay turns into the payment call. A rejection pays
nothing, so it needs no event; the audit trail and the refund's status record it.

Four eyes: the lead who decides must be a different person from everyone who handled the
return at the station (received one of its parcels, inspected one of its units, completed
it). That is checked here, below every screen and command, against the database's own record
of the lead's role; each refusal is an audit entry of its own, so an attempt is never silent.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from returnsdesk.data import refunds, returns
from returnsdesk.data.db import Database
from returnsdesk.data.models import (
    Refund,
)
from returnsdesk.data.repositories import add_outbox_event, append_audit, return_subject
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.money import Money
from returnsdesk.domain.vocabulary import LEAD_ROLES, RefundStatus
from returnsdesk.services.messages.queue import queue_refund_issued, queue_refund_refused
from returnsdesk.services.operators import (
    LockoutPolicy,
    NotAShiftLead,
    SignInFailed,
    authenticate,
    holds_role,
    refusals_audited,
)
from returnsdesk.services.refund_events import refund_event_payload
from returnsdesk.services.views import StationContext

log = logging.getLogger(__name__)


class RefundAlreadyDecided(OperatorError):
    """Another lead (or station) decided this refund first."""


class RejectionNeedsReason(OperatorError):
    """A rejected refund must say why: customer service answers the customer with it."""


class FourEyesRequired(OperatorError):
    """The lead handled this return at the station: another lead must decide its refund."""


@dataclass(frozen=True)
class PendingRefundLine:
    sku: str
    unit_index: int
    gross: Money
    deduction: Money
    amount: Money
    deduction_reason: str


@dataclass(frozen=True)
class PendingRefund:
    refund_id: uuid.UUID
    rma_number: str
    order_number: str
    customer_name: str
    total: Money
    reason: str  # why policy held it back
    created_at: datetime
    inspector: str
    station_code: str
    lines: tuple[PendingRefundLine, ...]
    client_code: str | None = None  # the return's client shop; None: the station's own


@dataclass(frozen=True)
class RefundDecision:
    refund_id: uuid.UUID
    rma_number: str
    status: RefundStatus
    total: Money
    decided_by: str


def authorize_lead(
    database: Database,
    *,
    operator_code: str,
    pin: str | None,
    station_code: str,
    now: datetime,
    lockout: LockoutPolicy,
) -> StationContext:
    """A lead's badge and PIN, at any station, for one decision (wrong PINs count to the lock)."""
    context = authenticate(
        database,
        operator_code=operator_code,
        pin=pin,
        station_code=station_code,
        now=now,
        lockout=lockout,
        purpose="lead confirmation",
    )
    refused = "lead.confirmation_refused"
    with refusals_audited(database, context, refused, context.operator_code, (NotAShiftLead,)):
        if context.role not in LEAD_ROLES:
            raise NotAShiftLead(f"{context.operator_name} is not a shift lead.")
    return context


def pending_refunds(database: Database, *, limit: int = 500) -> list[PendingRefund]:
    """Refunds waiting for a lead, oldest first."""
    with database.read() as session:
        rows = refunds.pending_approval(session, limit=limit)
        return [
            PendingRefund(
                refund_id=refund.id,
                rma_number=return_.rma_number,
                order_number=order_number,
                customer_name=return_.customer_name,
                total=Money(refund.total, refund.currency),
                reason=refund.status_reason,
                created_at=refund.created_at,
                inspector=inspector,
                station_code=station_code,
                lines=tuple(_lines(session, refund)),
                client_code=return_.client_code,
            )
            for refund, return_, order_number, inspector, station_code in rows
        ]


def decide_refund(
    database: Database,
    refund_id: uuid.UUID,
    lead: StationContext,
    *,
    approve: bool,
    note: str,
    now: datetime,
) -> RefundDecision:
    note = note.strip()
    if not approve and not note:
        raise RejectionNeedsReason(
            "Say why the refund is rejected; customer service will answer the customer with it."
        )
    refusals = (NotAShiftLead, FourEyesRequired)
    with refusals_audited(database, lead, "refund.decision_refused", str(refund_id), refusals):
        return _decide(database, refund_id, lead, approve=approve, note=note, now=now)


def _decide(
    database: Database,
    refund_id: uuid.UUID,
    lead: StationContext,
    *,
    approve: bool,
    note: str,
    now: datetime,
) -> RefundDecision:
    with database.session() as session:
        if not holds_role(session, lead, LEAD_ROLES):
            raise NotAShiftLead("Only a shift lead can approve or reject a held refund.")
        refund = refunds.lock_refund(session, refund_id)
        if refund is None or refund.status is not RefundStatus.PENDING_APPROVAL:
            state = "no longer exists" if refund is None else f"is {refund.status.value} already"
            raise RefundAlreadyDecided(f"That refund {state}.")
        return_ = returns.get_return(session, refund.return_id)
        assert return_ is not None  # foreign key
        order = returns.order_of(session, return_)
        if lead.operator_id in refunds.handled_by(session, return_.id):
            raise FourEyesRequired(
                f"{lead.operator_name} handled {return_.rma_number} at the station: another shift"
                " lead must decide its refund."
            )
        verdict = "approved" if approve else "rejected"
        refund.status = RefundStatus.APPROVED if approve else RefundStatus.REJECTED
        decided = f"{verdict} by {lead.operator_code}" + (f": {note}" if note else "")
        refund.status_reason = f"{refund.status_reason} — {decided}"[-500:]
        session.add(refund)
        if approve:
            add_outbox_event(
                session,
                event_type="refund.approved",
                aggregate_id=return_.id,
                payload=refund_event_payload(session, refund, return_, order)
                | {"approved_by": lead.operator_code, "approved_at": now},
                now=now,
            )
        # The customer hears of the released refund, or the shift lead's reason for refusing
        # it (never the policy's reason for holding it).
        if approve and refund.total > 0:
            queue_refund_issued(session, refund=refund, return_=return_, order=order, now=now)
        elif not approve:
            queue_refund_refused(session, refund=refund, return_=return_, reason=note, now=now)
        append_audit(
            session,
            action=f"refund.{verdict}",
            subject=return_subject(return_.rma_number, return_.client_code),
            details={
                "refund_id": refund.id,
                "total": f"{refund.total} {refund.currency}",
                "note": note[:1000],
            },
            operator_id=lead.operator_id,
            station_id=lead.station_id,
        )
        session.flush()
        decision = RefundDecision(
            refund_id=refund.id,
            rma_number=return_.rma_number,
            status=refund.status,
            total=Money(refund.total, refund.currency),
            decided_by=lead.operator_name,
        )
    log.info("Refund for %s %s by %s", decision.rma_number, verdict, lead.operator_code)
    return decision


def _lines(session: Session, refund: Refund) -> list[PendingRefundLine]:
    return [
        PendingRefundLine(
            sku=line.sku,
            unit_index=line.unit_index,
            gross=Money(line.gross, line.currency),
            deduction=Money(line.deduction, line.currency),
            amount=Money(line.amount, line.currency),
            deduction_reason=line.deduction_reason,
        )
        for line in refunds.refund_line_rows(session, refund)
    ]


__all__ = [
    "FourEyesRequired",
    "NotAShiftLead",
    "PendingRefund",
    "RefundAlreadyDecided",
    "RefundDecision",
    "RejectionNeedsReason",
    "SignInFailed",
    "authorize_lead",
    "decide_refund",
    "pending_refunds",
]
