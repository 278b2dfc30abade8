"""Recovering a parked event whose refusal the shop remembers: a resend under a new key.

A refusal the shop remembers (404, 409, 422) is replayed for the same key forever, so once the
cause is fixed in the shop (a line added to the return, a return reopened) the event can only
go through under a new key. A new key is also what could make the shop apply one event twice,
so it is given only on the shop's own word that the old key applied nothing:

1. a shift lead asks for it (the role is checked in the database, as for retry and resolve);
2. the shop is asked what the old key did (``KeyInquiry``, ``GET /idempotency-keys/{key}``),
   outside any transaction;
3. only on ``refused``, in one transaction: the event is still parked under the old key, gets
   a new one, is queued at once in its place (its return's order is kept), and the new key is
   recorded against the old (``OutboxKeyReplacement``) and audited with the shop's answer.

``applied`` (the shop has it: mark it resolved), ``unknown`` (nothing remembered, so a resend
with the *same* key is safe: retry) and a shop that cannot say are refused, and audited.
A refused key stays refused (its answer is remembered in the same transaction as the change
it would have made), so the old key cannot take effect later beside the new one.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session

from returnsdesk.data import outbox
from returnsdesk.data.db import Database
from returnsdesk.data.models import OutboxEvent, OutboxKeyReplacement
from returnsdesk.data.repositories import append_audit
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.vocabulary import LEAD_ROLES, OutboxStatus
from returnsdesk.services.operators import holds_role, refusals_audited
from returnsdesk.services.sync.connector import (
    KeyInquiry,
    KeyOutcomeUnavailable,
    KeyState,
    OutboxEventView,
)
from returnsdesk.services.sync.relay import SyncEventNotParked, SyncNotAllowed, event_view
from returnsdesk.services.views import StationContext

log = logging.getLogger(__name__)

_ANSWER_LIMIT = 500  # outbox_key_replacements.shop_answer


class ResendRefused(OperatorError):
    """The shop did not say the old key was refused, so a new key could pay twice."""


def resend_parked(
    database: Database,
    event_id: uuid.UUID,
    operator: StationContext,
    *,
    shop: KeyInquiry | None,
    now: datetime | None = None,
    client_shops: Mapping[str, KeyInquiry] | None = None,  # client shops' order systems
) -> OutboxEventView:
    """Queue a parked event again under a new key, if the shop says its key applied nothing.

    A client shop's event ([clients.<code>]) is asked about at that shop only."""
    when = now or utc_now()
    with refusals_audited(
        database, operator, "sync.resend_refused", str(event_id), (SyncNotAllowed, ResendRefused)
    ):
        with database.session() as session:
            parked = _parked(session, event_id, operator)
            old_key, client = parked.idempotency_key, parked.client_code
        if client is not None:
            shop = (client_shops or {}).get(client)
        if shop is None:
            raise ResendRefused(
                "This station has no order system to ask what the event's key did; "
                "nothing was sent again."
            )
        try:
            outcome = shop.key_outcome(old_key)
        except KeyOutcomeUnavailable as exc:
            raise ResendRefused(
                f"The order system could not say what key {old_key} did ({exc}); "
                "nothing was sent again."
            ) from exc
        if outcome.state is KeyState.APPLIED:
            raise ResendRefused(
                f"The shop applied key {old_key} ({outcome.detail}): sending the event again "
                "under a new key could apply it twice. Mark it resolved instead."
            )
        if outcome.state is KeyState.UNKNOWN:
            raise ResendRefused(
                f"The shop has no record of key {old_key}: send the event again with its own "
                "key (retry), which the shop applies at most once."
            )
        with database.session() as session:
            event = _parked(session, event_id, operator)
            if event.idempotency_key != old_key:
                raise SyncEventNotParked("That event was sent again meanwhile; look at it anew.")
            new_key = str(uuid.uuid4())
            answer = outcome.detail[:_ANSWER_LIMIT]
            session.add(
                OutboxKeyReplacement(
                    event_id=event.id,
                    old_key=old_key,
                    new_key=new_key,
                    shop_answer=answer,
                    operator_id=operator.operator_id,
                    station_id=operator.station_id,
                    replaced_at=when,
                )
            )
            event.idempotency_key = new_key
            event.status = OutboxStatus.PENDING
            event.next_attempt_at = when
            session.add(event)
            append_audit(
                session,
                action="sync.resent",
                subject=f"outbox #{event.sequence}",
                details={
                    "event_type": event.event_type,
                    "rma_number": event.payload.get("rma_number"),
                    "old_key": old_key,
                    "new_key": new_key,
                    "shop_said": answer,
                    "attempts": event.attempts,
                    "last_error": event.last_error,
                },
                operator_id=operator.operator_id,
                station_id=operator.station_id,
            )
            session.flush()
            view = event_view(event)
    log.info(
        "Outbox #%d resent under key %s (was %s) by %s",
        view.sequence,
        new_key,
        old_key,
        operator.operator_code,
    )
    return view


def replaced_keys(database: Database, event_id: uuid.UUID) -> list[tuple[str, str]]:
    """(old key, new key) of an event's resends, oldest first."""
    with database.session() as session:
        return outbox.replaced_keys(session, event_id=event_id)


def _parked(session: Session, event_id: uuid.UUID, operator: StationContext) -> OutboxEvent:
    if not holds_role(session, operator, LEAD_ROLES):
        raise SyncNotAllowed("Only a shift lead can send order-system events again.")
    event = outbox.get_event(session, event_id)
    if event is None or event.status is not OutboxStatus.NEEDS_ATTENTION:
        state = "no longer exists" if event is None else f"is {event.status.value}"
        raise SyncEventNotParked(f"That event {state}; only parked events can be sent again.")
    return event
