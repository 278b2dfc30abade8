"""Queries over the outbox: claiming due events under a lease, recording outcomes, the counts a
shift lead sees. (Events are added by ``repositories.add_outbox_event``.)

A claim is a lease: the claimed events' ``next_attempt_at`` is set to a token in the future, so
no other relay takes them, and each later write checks the token is still theirs.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Update, and_, bindparam, delete, exists, or_, true, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from returnsdesk.data.models import OutboxEvent, OutboxKeyReplacement, table_of
from returnsdesk.data.repositories import CLAIM_LOCK, queued_events, take_turns
from returnsdesk.domain.vocabulary import OutboxStatus

# One alias for the module: a fresh alias per query would defeat SQLAlchemy's statement cache.
_EARLIER = aliased(OutboxEvent, name="earlier")


def claim_due(
    session: Session,
    *,
    now: datetime,
    token: datetime,
    limit: int,
    event_types: frozenset[str] | None = None,
) -> Sequence[OutboxEvent]:
    """Up to ``limit`` events due at ``now`` that no earlier event of their return holds back,
    in sequence order, leased until ``token``; only of ``event_types`` if given."""
    take_turns(session, CLAIM_LOCK)
    rows = session.exec(
        select(OutboxEvent)
        .where(
            col(OutboxEvent.status) == OutboxStatus.PENDING,
            col(OutboxEvent.next_attempt_at) <= now,
            _of_types(event_types),
            ~_blocked_by_earlier(now),
        )
        .order_by(col(OutboxEvent.sequence))
        .limit(limit)
    ).all()
    if rows:
        session.exec(
            update(OutboxEvent)
            .where(col(OutboxEvent.id).in_([row.id for row in rows]))
            .values(next_attempt_at=token)
            .execution_options(synchronize_session=False)
        )
    return rows


def renew_lease(
    session: Session, ids: Sequence[uuid.UUID], *, token: datetime, new_token: datetime
) -> set[uuid.UUID]:
    """Extend the lease of the events still held under ``token``; returns those renewed."""
    session.exec(
        update(OutboxEvent)
        .where(
            col(OutboxEvent.id).in_(ids),
            col(OutboxEvent.status) == OutboxStatus.PENDING,
            col(OutboxEvent.next_attempt_at) == token,
        )
        .values(next_attempt_at=new_token)
        .execution_options(synchronize_session=False)
    )
    return set(
        session.exec(
            select(OutboxEvent.id).where(
                col(OutboxEvent.id).in_(ids), OutboxEvent.next_attempt_at == new_token
            )
        ).all()
    )


def record_outcome(
    session: Session, event_id: uuid.UUID, *, token: datetime, values: dict[str, Any]
) -> bool:
    """Count an attempt and set ``values`` on a pending event, if still leased under ``token``.
    Returns whether it was written."""
    outcome = session.exec(
        update(OutboxEvent)
        .where(
            col(OutboxEvent.id) == event_id,
            col(OutboxEvent.status) == OutboxStatus.PENDING,
            col(OutboxEvent.next_attempt_at) == token,
        )
        .values(attempts=col(OutboxEvent.attempts) + 1, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(outcome.rowcount == 1)


def mark_delivered(session: Session, ids: Sequence[uuid.UUID], *, now: datetime) -> None:
    """Pending events delivered (one attempt each), whoever holds their lease."""
    session.exec(
        update(OutboxEvent)
        .where(col(OutboxEvent.id).in_(ids), col(OutboxEvent.status) == OutboxStatus.PENDING)
        .values(
            status=OutboxStatus.DELIVERED,
            attempts=col(OutboxEvent.attempts) + 1,
            delivered_at=now,
        )
        .execution_options(synchronize_session=False)
    )


def release(session: Session, ids: Sequence[uuid.UUID], *, token: datetime, now: datetime) -> None:
    """Hand back events leased under ``token``: due again at once (nothing failed about them)."""
    session.exec(
        update(OutboxEvent)
        .where(
            col(OutboxEvent.id).in_(list(ids)),
            col(OutboxEvent.status) == OutboxStatus.PENDING,
            col(OutboxEvent.next_attempt_at) == token,
        )
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )


def next_due(session: Session, event_types: frozenset[str] | None = None) -> datetime | None:
    """When the earliest pending event that no earlier event of its return holds back comes due
    (of ``event_types`` only, if given)."""
    earlier = _EARLIER
    due: datetime | None = session.exec(
        select(func.min(OutboxEvent.next_attempt_at)).where(
            col(OutboxEvent.status) == OutboxStatus.PENDING,
            _of_types(event_types),
            ~exists().where(
                col(earlier.aggregate_id) == col(OutboxEvent.aggregate_id),
                col(earlier.sequence) < col(OutboxEvent.sequence),
                col(earlier.status) != OutboxStatus.DELIVERED,
            ),
        )
    ).one()
    return due


def end_holds(session: Session, aggregate_ids: Collection[uuid.UUID], *, now: datetime) -> int:
    """Make the held events of these aggregates (a return's own, its messages') due now: it has
    moved on too far for its receipt to be undone, and no refund waits for a grace period.
    Those the transaction queued itself among them; one statement for the rest. Returns how
    many."""
    queued = 0
    for event in queued_events(session):
        held_until = event["held_until"]
        if event["aggregate_id"] in aggregate_ids and held_until is not None and held_until > now:
            event["next_attempt_at"] = event["held_until"] = now
            queued += 1
    result = session.connection().execute(
        _end_holds(), {"aggregate_ids": list(aggregate_ids), "now": now}
    )
    return queued + int(getattr(result, "rowcount", 0) or 0)


@functools.cache
def _end_holds() -> Update:
    # Built once, as Core (no ORM objects to keep in step): building it and the ORM's bulk
    # update path cost a completion more than the statement itself (issue 16).
    events = table_of(OutboxEvent)
    now = bindparam("now", type_=events.c.held_until.type)
    return (
        update(events)
        .where(
            events.c.aggregate_id.in_(bindparam("aggregate_ids", expanding=True)),
            events.c.status == OutboxStatus.PENDING,
            events.c.held_until > now,
            # Not claimed since (a lease token lies after the hold): still only waiting.
            events.c.next_attempt_at == events.c.held_until,
        )
        .values(next_attempt_at=now, held_until=now)
    )


def never_claimed(event: OutboxEvent, *, now: datetime) -> bool:
    """Pending, never tried, and not held by a relay (due and unclaimed, or still held until
    its ``held_until``): nothing of it can have reached the order system."""
    return (
        event.status is OutboxStatus.PENDING
        and event.attempts == 0
        and (event.next_attempt_at <= now or event.next_attempt_at == event.held_until)
    )


def delete_delivered_before(
    session: Session,
    cutoff: datetime,
    *,
    kept_longer: str | None = None,
    kept_longer_cutoff: datetime | None = None,
) -> int:
    """Delete events delivered before ``cutoff`` (events of type ``kept_longer``: before
    ``kept_longer_cutoff``), except the newest event (sequences count on from the current
    maximum and must never reuse a number). Returns how many."""
    if kept_longer is None or kept_longer_cutoff is None:
        old_enough = col(OutboxEvent.delivered_at) < cutoff
    else:
        longer = col(OutboxEvent.event_type) == kept_longer
        old_enough = or_(
            and_(~longer, col(OutboxEvent.delivered_at) < cutoff),
            and_(longer, col(OutboxEvent.delivered_at) < kept_longer_cutoff),
        )
    result = session.execute(
        delete(OutboxEvent).where(
            col(OutboxEvent.status) == OutboxStatus.DELIVERED,
            old_enough,
            col(OutboxEvent.sequence)
            < select(func.max(col(OutboxEvent.sequence))).scalar_subquery(),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _of_types(event_types: frozenset[str] | None) -> Any:
    return col(OutboxEvent.event_type).in_(sorted(event_types)) if event_types else true()


def _blocked_by_earlier(now: datetime) -> Any:
    """An earlier event of the same return is parked, or pending and not due (or claimed)."""
    earlier = _EARLIER
    return exists().where(
        col(earlier.aggregate_id) == col(OutboxEvent.aggregate_id),
        col(earlier.sequence) < col(OutboxEvent.sequence),
        or_(
            col(earlier.status) == OutboxStatus.NEEDS_ATTENTION,
            and_(
                col(earlier.status) == OutboxStatus.PENDING,
                col(earlier.next_attempt_at) > now,
            ),
        ),
    )


# --- what a shift lead sees --------------------------------------------------------------------


def undelivered_counts(session: Session) -> dict[tuple[str | None, OutboxStatus], int]:
    """Events not yet delivered, by client shop (None: the station's own) and status."""
    rows = session.exec(
        select(OutboxEvent.client_code, OutboxEvent.status, func.count())
        .where(OutboxEvent.status != OutboxStatus.DELIVERED)
        .group_by(OutboxEvent.client_code, OutboxEvent.status)
    ).all()
    return {(client, OutboxStatus(status)): count for client, status, count in rows}


def oldest_pending_created_at(session: Session) -> datetime | None:
    """When the oldest pending event was written, or its hold (if any) ended: an event waiting
    out a grace period is not late."""
    oldest: datetime | None = session.exec(
        select(
            func.min(func.coalesce(col(OutboxEvent.held_until), col(OutboxEvent.created_at)))
        ).where(OutboxEvent.status == OutboxStatus.PENDING)
    ).one()
    return oldest


def last_delivered_at(session: Session) -> datetime | None:
    last: datetime | None = session.exec(select(func.max(OutboxEvent.delivered_at))).one()
    return last


def first_error(session: Session, status: OutboxStatus) -> str | None:
    """The error of the earliest event in ``status`` that has one."""
    return session.exec(
        select(OutboxEvent.last_error)
        .where(OutboxEvent.status == status, col(OutboxEvent.last_error).is_not(None))
        .order_by(col(OutboxEvent.sequence))
        .limit(1)
    ).first()


def parked(session: Session, *, limit: int) -> Sequence[OutboxEvent]:
    """Events waiting for a shift lead, oldest first."""
    return session.exec(
        select(OutboxEvent)
        .where(OutboxEvent.status == OutboxStatus.NEEDS_ATTENTION)
        .order_by(col(OutboxEvent.sequence))
        .limit(limit)
    ).all()


def get_event(session: Session, event_id: uuid.UUID) -> OutboxEvent | None:
    return session.get(OutboxEvent, event_id)


def latest_event_of(
    session: Session, aggregate_id: uuid.UUID, event_type: str
) -> OutboxEvent | None:
    """The newest event of a type for a return, locked, with no relay claiming meanwhile.

    Holding the claim lock (PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises anyway) means a
    claim either committed before this read, and its lease shows, or runs after this
    transaction and sees what it did with the event.
    """
    take_turns(session, CLAIM_LOCK)
    return session.exec(
        select(OutboxEvent)
        .where(OutboxEvent.aggregate_id == aggregate_id, OutboxEvent.event_type == event_type)
        .order_by(col(OutboxEvent.sequence).desc())
        .limit(1)
        .with_for_update()
    ).first()


def replaced_keys(session: Session, *, event_id: uuid.UUID) -> list[tuple[str, str]]:
    """(old key, new key) of an event's resends under a new key, oldest first."""
    rows = session.exec(
        select(OutboxKeyReplacement.old_key, OutboxKeyReplacement.new_key)
        .where(OutboxKeyReplacement.event_id == event_id)
        .order_by(col(OutboxKeyReplacement.replaced_at))
    ).all()
    return [(old, new) for old, new in rows]
