"""What was sent to a customer for a return, and when; a shift lead's audited resend.

Read from the outbox (each message is one ``customer.message`` event on the return's message
stream): pending, delivered (with its time), or parked with the reason. A resend is a new
event with the same facts (and so the same promised dates) and a new Message-ID, written with
an audit entry naming the lead, in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from returnsdesk.data import messages as queries
from returnsdesk.data.db import Database
from returnsdesk.data.models import OutboxEvent
from returnsdesk.data.outbox import get_event
from returnsdesk.data.repositories import add_outbox_event, append_audit, return_subject
from returnsdesk.domain.errors import NumberOfSeveralShops, OperatorError
from returnsdesk.domain.vocabulary import LEAD_ROLES, OutboxStatus
from returnsdesk.services.messages.queue import MESSAGE_EVENT, message_stream
from returnsdesk.services.operators import NotAShiftLead, holds_role, refusals_audited
from returnsdesk.services.views import StationContext


class NoSuchMessage(OperatorError):
    """The return or the message asked for does not exist."""


@dataclass(frozen=True, slots=True)
class MessageRecord:
    event_id: uuid.UUID
    rma_number: str
    kind: str
    to: str
    language: str
    status: OutboxStatus
    queued_at: datetime
    delivered_at: datetime | None
    attempts: int
    last_error: str | None
    resend_of: uuid.UUID | None


def list_messages(
    database: Database, rma_number: str, *, shops: Collection[str | None] | None = None
) -> list[MessageRecord]:
    """The return's messages in the order they were queued; ``NoSuchMessage`` if no return.

    RMA numbers are each shop's own: ``shops`` (client codes, None the station's own) says
    whose; an RMA of several of them is refused (``NumberOfSeveralShops``), never guessed."""
    with database.read() as session:
        found = [
            row
            for row in queries.returns_by_rma_number(session, rma_number=rma_number.strip().upper())
            if shops is None or row.client_code in shops
        ]
        if not found:
            raise NoSuchMessage(f"No return {rma_number[:40]!r}.")
        if len(found) > 1:
            raise NumberOfSeveralShops.of(found[0].rma_number, (r.client_code for r in found))
        return_ = found[0]
        rows = queries.events_of_stream(
            session, aggregate_id=message_stream(return_.id), event_type=MESSAGE_EVENT
        )
        return [_record(return_.rma_number, row) for row in rows]


def resend_message(
    database: Database, event_id: uuid.UUID, lead: StationContext, *, now: datetime
) -> MessageRecord:
    """Queue the message again (a lead only; a refusal is audited too)."""
    with (
        refusals_audited(database, lead, "message.resend_refused", str(event_id), (NotAShiftLead,)),
        database.session() as session,
    ):
        if not holds_role(session, lead, LEAD_ROLES):
            raise NotAShiftLead("Only a shift lead can send a customer message again.")
        original = get_event(session, event_id)
        if original is None or original.event_type != MESSAGE_EVENT:
            raise NoSuchMessage("That message does not exist (or was pruned).")
        payload = dict(original.payload) | {"resend_of": str(original.id)}
        copy_id = add_outbox_event(
            session,
            event_type=MESSAGE_EVENT,
            aggregate_id=original.aggregate_id,
            payload=payload,
            now=now,
        )
        append_audit(
            session,
            action="message.resent",
            subject=return_subject(str(payload["rma_number"]), original.client_code),
            details={
                "kind": payload["kind"],
                "original_event_id": original.id,
                "event_id": copy_id,
                "to": payload["customer_email"],
                "at": now,
            },
            operator_id=lead.operator_id,
            station_id=lead.station_id,
        )
        return MessageRecord(  # the copy as queued (written at commit): pending, never tried
            event_id=copy_id,
            rma_number=str(payload["rma_number"]),
            kind=str(payload.get("kind", "")),
            to=str(payload.get("customer_email", "")),
            language=str(payload.get("language") or ""),
            status=OutboxStatus.PENDING,
            queued_at=now,
            delivered_at=None,
            attempts=0,
            last_error=None,
            resend_of=original.id,
        )


def _record(rma_number: str, row: OutboxEvent) -> MessageRecord:
    resend_of = row.payload.get("resend_of")
    return MessageRecord(
        event_id=row.id,
        rma_number=rma_number,
        kind=str(row.payload.get("kind", "")),
        to=str(row.payload.get("customer_email", "")),
        language=str(row.payload.get("language") or ""),
        status=row.status,
        queued_at=row.created_at,
        delivered_at=row.delivered_at,
        attempts=row.attempts,
        last_error=row.last_error,
        resend_of=uuid.UUID(resend_of) if resend_of else None,
    )
