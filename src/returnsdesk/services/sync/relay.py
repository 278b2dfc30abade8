"""The outbox relay: delivers queued events to the order system, in order per return.

Ordering. Events are delivered in ``sequence`` order *per return* (``aggregate_id``): an event is
not attempted while an earlier event of the same return is still pending or parked, so a refund
never overtakes its return's ``return.received``. Returns do not block each other: a parked
event holds back only the rest of its own return.

Claims (two relays on one database). ``run_once`` claims up to ``batch`` due events in one
``BEGIN IMMEDIATE`` transaction (on PostgreSQL, under an advisory lock, so claims run one at a
time there too, each seeing the tokens of the one before) by setting their ``next_attempt_at`` to
``now + lease`` (plus a few random microseconds). Claimed events are not due for anyone else, and
their successors are blocked behind them, so a second relay (another process, or another station
on a shared database) skips them. That lease time doubles as a fencing token: each later write for
the event checks ``next_attempt_at`` still equals the token, so a relay that stalled past its
lease and lost the claim does not overwrite the new owner's bookkeeping. The lease is renewed
before each send once half of it has passed, so one call must finish within half the lease (keep
``lease_s`` above twice the connector's timeout). A relay killed mid-batch leaves its claims to
expire; after ``lease_s`` any relay picks them up.

Parallel delivery (``parallel`` > 1). Within one claimed batch the events are grouped by return
and up to ``parallel`` returns are delivered at once, on a small thread pool: each return's
events still go one at a time in sequence order, and a return stops at its first event not
delivered and hands back the rest, as in serial delivery. One lease covers the whole batch: its
renewal and every write under its token take one lock, so a return renewing the lease never
fences out another return's outcome.
An event that names its return in its payload (``return_id``: a customer message, which has a
stream of its own) goes in that return's group, after the return's events it waits for.

Crash safety. A failed call's outcome (retry, parked) is recorded in its own short transaction
at once. Delivered events are recorded together, in one transaction when the batch ends, or
earlier: before the lease is renewed, before an event that reads them is delivered (a customer
message, which names its ``return_id``, waits until its return's events are delivered), and
(serially) with the next failure's outcome. One durable commit per batch instead of one per
call: in a profile the per-call commit was the station's largest cost per event. A crash (or
SIGKILL, or power loss) before that commit loses only the records, not the events: they are
still pending under their lease and are sent again with their stored idempotency keys once it
expires, and the shop replays its first answers (at most ``batch`` replays). Delivery is
at-least-once; the shop's idempotency makes it exactly-once in effect. The same holds for
timeouts and unreadable answers. Events that need no call (``DeliveryResult.no_op``) are
recorded the same way; after a crash they are simply done again.

Cost. A claim reads the pending events in sequence order from the ``(status, sequence)``
index (migration 0005); delivered events are pruned after ``order_system.keep_delivered_days``
(``housekeeping.py``), so the table does not grow without end.

Retries. Transient failures are retried forever, with exponential backoff and full jitter
(``backoff.py``) capped at ``max_backoff_s``, or after the shop's Retry-After when it sent one.
They are never parked: the outcome may be unknown, and only the same key can settle it. The
Sync panel shows the queue's age (``sync_health``) so a long outage is seen. Permanent
rejections are parked (``needs_attention``) for a shift lead: ``retry_parked`` sends again once
the cause is fixed on the shop's side; ``mark_resolved`` closes it as handled by hand. Both
write an audit entry.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from returnsdesk.data import outbox
from returnsdesk.data.db import Database
from returnsdesk.data.models import OutboxEvent
from returnsdesk.data.repositories import append_audit
from returnsdesk.domain.clock import Clock, utc_now
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.vocabulary import LEAD_ROLES, OutboxStatus
from returnsdesk.services.operators import holds_role, refusals_audited
from returnsdesk.services.sync.backoff import BASE_DELAY_S, backoff_delay
from returnsdesk.services.sync.connector import (
    Connector,
    DeliveryOutcome,
    DeliveryResult,
    OutboxEventView,
)
from returnsdesk.services.views import StationContext

log = logging.getLogger(__name__)

_ERROR_LIMIT = 2000  # outbox_events.last_error


class SyncNotAllowed(OperatorError):
    """Only a shift lead (or admin) may retry or resolve a parked event."""


class SyncEventNotParked(OperatorError):
    """The event does not exist or is not waiting for attention (delivered, or still queued)."""


@dataclass(frozen=True, slots=True)
class RelayStats:
    claimed: int = 0
    delivered: int = 0  # includes events that needed no remote call
    retried: int = 0
    parked: int = 0
    released: int = 0  # claimed but not sent: an earlier event of its return failed, or stop
    lost: int = 0  # the claim expired and another relay took the event over
    next_due_at: datetime | None = None  # set when nothing was due: when something will be

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.parked

    def __add__(self, other: RelayStats) -> RelayStats:
        return RelayStats(
            claimed=self.claimed + other.claimed,
            delivered=self.delivered + other.delivered,
            retried=self.retried + other.retried,
            parked=self.parked + other.parked,
            released=self.released + other.released,
            lost=self.lost + other.lost,
            next_due_at=other.next_due_at,
        )


@dataclass(frozen=True, slots=True)
class ShopWaiting:
    """One client shop's events not yet delivered (None: the station's own shop)."""

    client_code: str | None
    pending: int
    needs_attention: int


@dataclass(frozen=True)
class SyncHealth:
    pending: int
    oldest_pending_age: timedelta | None  # since the oldest pending event was written
    needs_attention: int
    last_delivered_at: datetime | None
    # The error of the first parked event, else of the oldest pending event that has one: the
    # event most likely holding the queue up.
    last_error: str | None
    # Per client shop, when any waiting event is a client's ([clients]); the station's own
    # first, then by code. Empty for a station of one shop.
    by_shop: tuple[ShopWaiting, ...] = ()


class Relay:
    def __init__(
        self,
        database: Database,
        connector: Connector,
        *,
        clock: Clock = utc_now,
        sleep: Callable[[float], None] | None = None,  # None: wait on run_forever's stop event
        batch: int = 50,
        max_backoff_s: float = 300.0,
        base_backoff_s: float = BASE_DELAY_S,
        lease_s: float = 60.0,
        idle_poll_s: float = 2.0,  # new events can be written at any time: look this often
        rng: random.Random | None = None,
        # Only these event types are claimed (a station that sends customer messages by SMTP
        # but has no order system); the others stay pending, untouched. None: all.
        event_types: frozenset[str] | None = None,
        # Returns delivered at once within a batch (each still in order); 1: one event at a time.
        parallel: int = 1,
    ) -> None:
        if batch < 1 or lease_s <= 0 or max_backoff_s < 0 or idle_poll_s <= 0 or parallel < 1:
            raise ValueError("batch, lease_s, idle_poll_s and parallel must be positive")
        self._database = database
        self._connector = connector
        self._clock = clock
        self._sleep = sleep
        self._batch = batch
        self._max_backoff_s = max_backoff_s
        self._base_backoff_s = base_backoff_s
        self._lease = timedelta(seconds=lease_s)
        self._idle_poll_s = idle_poll_s
        self._rng = rng if rng is not None else random.Random()
        self._stop: threading.Event | None = None
        self._event_types = event_types
        self._parallel = parallel

    # --- the loop --------------------------------------------------------------------------

    def run_forever(
        self,
        stop_event: threading.Event,
        on_change: Callable[[RelayStats], None] | None = None,
    ) -> None:
        """Relay until ``stop_event`` is set; the call in flight finishes and is recorded first.

        ``on_change`` is called on this thread after each round that delivered, retried or
        parked an event (a window shows the outbox from it instead of polling).
        """
        self._stop = stop_event
        failures = 0
        log.info(
            "Relay started (batch %d, lease %s, %d returns at once)",
            self._batch,
            self._lease,
            self._parallel,
        )
        try:
            while not stop_event.is_set():
                try:
                    stats = self.run_once()
                except Exception:  # noqa: BLE001 - a locked or full database must not end the relay
                    failures += 1
                    delay = max(
                        1.0, backoff_delay(failures, rng=self._rng, max_s=self._max_backoff_s)
                    )
                    log.exception("Relay round failed; trying again in %.1f s", delay)
                    self._wait(stop_event, delay)
                    continue
                failures = 0
                if on_change is not None and stats.attempted:
                    _tell(on_change, stats)
                if stats.claimed:
                    continue  # more may be due at once
                delay = self._idle_poll_s
                if stats.next_due_at is not None:
                    until_due = (stats.next_due_at - self._clock()).total_seconds()
                    delay = min(delay, max(until_due, 0.0))
                self._wait(stop_event, delay)
        finally:
            self._stop = None
            log.info("Relay stopped")

    def drain(self, stop_event: threading.Event | None = None) -> RelayStats:
        """Run rounds until nothing is due now, or ``stop_event`` is set (``sync --once``).

        Events that fail are not waited for: their retries are due later, for the next run.
        """
        self._stop = stop_event
        total = RelayStats()
        try:
            while True:
                stats = self.run_once()
                total = total + stats
                if stats.claimed == 0 or (stop_event is not None and stop_event.is_set()):
                    return total
        finally:
            self._stop = None

    def _wait(self, stop_event: threading.Event, seconds: float) -> None:
        if self._sleep is None:
            stop_event.wait(seconds)
        else:
            self._sleep(seconds)

    def run_once(self) -> RelayStats:
        """Claim up to ``batch`` due events and deliver them in sequence order."""
        now = self._clock()
        claimed, token = self._claim(now)
        if not claimed:
            return RelayStats(next_due_at=self._next_due())
        if self._parallel > 1:
            return self._run_parallel(claimed, token)
        counts = {outcome: 0 for outcome in DeliveryOutcome}
        released = lost = 0
        held = list(claimed)  # claimed, not yet sent, still ours
        # Delivered, not yet recorded: written together, saving a durable commit per call.
        # Lost in a crash, they are sent again under their keys (see "Crash safety").
        delivered: list[OutboxEventView] = []
        while held:
            if self._stop is not None and self._stop.is_set():
                released += self._release([e.id for e in held], token)
                break
            if self._clock() >= token - self._lease / 2:
                delivered = self._mark_delivered(delivered)  # the renewal covers only ``held``
                token, held = self._renew(held, token)
                if not held:
                    break
            event = held.pop(0)
            if _reads_delivered(event):
                delivered = self._mark_delivered(delivered)
            result = self._deliver(event)
            counts[result.outcome] += 1
            if result.outcome is DeliveryOutcome.DELIVERED:
                delivered.append(event)
                continue
            # Later claimed events of this return wait behind a failure: hand them back.
            behind = [e for e in held if e.aggregate_id == event.aggregate_id]
            if behind:
                behind_ids = {e.id for e in behind}
                held = [e for e in held if e.id not in behind_ids]
            if not self._record(event, result, token, behind, delivered):
                lost += 1
            delivered = []
            released += len(behind)
        self._mark_delivered(delivered)
        lost += len(claimed) - sum(counts.values()) - released
        stats = RelayStats(
            claimed=len(claimed),
            delivered=counts[DeliveryOutcome.DELIVERED],
            retried=counts[DeliveryOutcome.RETRY],
            parked=counts[DeliveryOutcome.PARKED],
            released=released,
            lost=lost,
        )
        log.debug("Relay round: %s", stats)
        return stats

    def _run_parallel(self, claimed: list[OutboxEventView], token: datetime) -> RelayStats:
        """Deliver the batch's returns side by side, each return in sequence order."""
        by_return: defaultdict[str, list[OutboxEventView]] = defaultdict(list)
        for event in claimed:
            by_return[str(event.payload.get("return_id") or event.aggregate_id)].append(event)
        lease = _SharedLease(token, claimed)
        workers = min(self._parallel, len(by_return))
        try:
            with ThreadPoolExecutor(workers, thread_name_prefix="returnsdesk-relay") as pool:
                futures = [
                    pool.submit(self._deliver_return, events, lease)
                    for events in by_return.values()
                ]
        finally:
            with lease.lock:
                self._flush_delivered(lease)
        counts = {outcome: 0 for outcome in DeliveryOutcome}
        released = unrecorded = 0
        for future in futures:
            # A failed return (e.g. a locked database) leaves its claims to expire, as serially.
            outcomes, handed_back, lost = future.result()
            for outcome, count in outcomes.items():
                counts[outcome] += count
            released += handed_back
            unrecorded += lost
        stats = RelayStats(
            claimed=len(claimed),
            delivered=counts[DeliveryOutcome.DELIVERED],
            retried=counts[DeliveryOutcome.RETRY],
            parked=counts[DeliveryOutcome.PARKED],
            released=released,
            lost=unrecorded + len(claimed) - sum(counts.values()) - released,
        )
        log.debug("Relay round (parallel): %s", stats)
        return stats

    def _deliver_return(
        self, events: list[OutboxEventView], lease: _SharedLease
    ) -> tuple[dict[DeliveryOutcome, int], int, int]:
        """One return's claimed events, in order, until one is not delivered (on a pool thread).
        Returns the outcomes, how many were handed back and how many outcomes went unrecorded."""
        counts = {outcome: 0 for outcome in DeliveryOutcome}
        released = lost = 0
        held = list(events)
        while held:
            if self._stop is not None and self._stop.is_set():
                with lease.lock:
                    released += self._release([e.id for e in held], lease.token)
                    lease.drop(held)
                break
            with lease.lock:
                if self._clock() >= lease.token - self._lease / 2:
                    self._flush_delivered(lease)  # the renewal covers only ``lease.held``
                    lease.token, lease.held = self._renew(lease.held, lease.token)
                held = [e for e in held if lease.holds(e)]
            if not held:
                break
            event = held.pop(0)
            if _reads_delivered(event):
                with lease.lock:
                    self._flush_delivered(lease)
            result = self._deliver(event)
            counts[result.outcome] += 1
            if result.outcome is DeliveryOutcome.DELIVERED:
                with lease.lock:  # recorded with the batch's others (see "Crash safety")
                    lease.drop([event])
                    lease.delivered.append(event)
                continue
            behind = held
            with lease.lock:
                if not self._record(event, result, lease.token, behind):
                    lost += 1
                lease.drop([event, *behind])
            released += len(behind)
            break
        return counts, released, lost

    # --- steps -----------------------------------------------------------------------------

    def _claim(self, now: datetime) -> tuple[list[OutboxEventView], datetime]:
        token = self._new_token(now)
        with self._database.session() as session:
            rows = outbox.claim_due(
                session, now=now, token=token, limit=self._batch, event_types=self._event_types
            )
            views = [event_view(row) for row in rows]
        return views, token

    def _new_token(self, now: datetime) -> datetime:
        # Random microseconds keep two relays' tokens apart even with equal clocks.
        return now + self._lease + timedelta(microseconds=self._rng.randrange(1, 1000))

    def _renew(
        self, held: list[OutboxEventView], token: datetime
    ) -> tuple[datetime, list[OutboxEventView]]:
        new_token = self._new_token(self._clock())
        ids = [e.id for e in held]
        with self._database.session() as session:
            still_ours = outbox.renew_lease(session, ids, token=token, new_token=new_token)
        if len(still_ours) < len(held):
            log.warning("Lost the claim on %d events to another relay", len(held) - len(still_ours))
        return new_token, [e for e in held if e.id in still_ours]

    def _mark_delivered(self, events: list[OutboxEventView]) -> list[OutboxEventView]:
        """Record ``events`` as delivered in one transaction; returns an empty list to go on
        collecting in."""
        if events:
            with self._database.session() as session:
                outbox.mark_delivered(session, [e.id for e in events], now=self._clock())
        return []

    def _flush_delivered(self, lease: _SharedLease) -> None:
        """Record the batch's delivered events (call with ``lease.lock`` held)."""
        pending, lease.delivered = lease.delivered, []
        self._mark_delivered(pending)

    def _deliver(self, event: OutboxEventView) -> DeliveryResult:
        try:
            return self._connector.deliver(event)
        except Exception as exc:  # noqa: BLE001 - a connector bug must not stop other returns
            log.exception("Connector failed on outbox #%d (%s)", event.sequence, event.event_type)
            # It may have sent the call before failing: the outcome is unknown, so retry.
            return DeliveryResult.retry(f"connector error: {type(exc).__name__}: {exc}")

    def _record(
        self,
        event: OutboxEventView,
        result: DeliveryResult,
        token: datetime,
        behind: Sequence[OutboxEventView],
        delivered: Sequence[OutboxEventView] = (),
    ) -> bool:
        """Store a failed call's outcome (retry or parked), hand back ``behind`` and record
        ``delivered``, in one short transaction. Returns whether the outcome was written (it
        is not when another relay took the event over)."""
        assert result.outcome is not DeliveryOutcome.DELIVERED  # those are recorded together
        now = self._clock()
        attempts = event.attempts + 1
        error = result.detail[:_ERROR_LIMIT] or None
        values: dict[str, Any]
        if result.outcome is DeliveryOutcome.RETRY:
            delay = self._retry_delay(attempts, result.retry_after_s)
            values = {"last_error": error, "next_attempt_at": now + timedelta(seconds=delay)}
            log.warning(
                "Outbox #%d %s: will retry in %.1f s (attempt %d): %s",
                event.sequence,
                event.event_type,
                delay,
                attempts,
                result.detail,
            )
        else:
            values = {
                "status": OutboxStatus.NEEDS_ATTENTION,
                "last_error": error,
                "next_attempt_at": now,
            }
            log.warning(
                "Outbox #%d %s parked for a shift lead: %s",
                event.sequence,
                event.event_type,
                result.detail,
            )
        with self._database.session() as session:
            recorded = outbox.record_outcome(session, event.id, token=token, values=values)
            if behind:
                outbox.release(session, [e.id for e in behind], token=token, now=now)
            if delivered:
                outbox.mark_delivered(session, [e.id for e in delivered], now=now)
        if not recorded:
            log.warning(
                "Outbox #%d: outcome %s not recorded, another relay holds it now",
                event.sequence,
                result.outcome.value,
            )
        return recorded

    def _retry_delay(self, attempts: int, retry_after_s: float | None) -> float:
        if retry_after_s is not None:
            return max(retry_after_s, 0.0)
        return backoff_delay(
            attempts, rng=self._rng, max_s=self._max_backoff_s, base_s=self._base_backoff_s
        )

    def _release(self, ids: Sequence[uuid.UUID], token: datetime) -> int:
        with self._database.session() as session:
            outbox.release(session, ids, token=token, now=self._clock())
        return len(ids)

    def _next_due(self) -> datetime | None:
        """When the earliest pending event that nothing blocks comes due."""
        with self._database.read() as session:
            return outbox.next_due(session, self._event_types)


class _SharedLease:
    """The batch's lease, shared by the returns delivered side by side. Hold ``lock`` to renew it
    or to write under ``token``: a renewal between reading the token and writing with it would
    fence out the writer's own outcome."""

    def __init__(self, token: datetime, held: list[OutboxEventView]) -> None:
        self.lock = threading.Lock()
        self.token = token
        self.held = list(held)  # claimed and not yet recorded (events in flight included)
        self.delivered: list[OutboxEventView] = []  # delivered, to be recorded together

    def holds(self, event: OutboxEventView) -> bool:
        return any(e.id == event.id for e in self.held)

    def drop(self, events: Sequence[OutboxEventView]) -> None:
        """No longer held by this batch (call with ``lock`` held)."""
        ids = {e.id for e in events}
        self.held = [e for e in self.held if e.id not in ids]


def _reads_delivered(event: OutboxEventView) -> bool:
    """A customer message (it names its ``return_id``) waits until its return's events are
    recorded as delivered: those must be written before it is delivered."""
    return bool(event.payload.get("return_id"))


def _tell(on_change: Callable[[RelayStats], None], stats: RelayStats) -> None:
    try:
        on_change(stats)
    except Exception:  # noqa: BLE001 - a listener's bug must not stop deliveries
        log.exception("Relay change listener failed")


def event_view(row: OutboxEvent) -> OutboxEventView:
    assert row.sequence is not None  # numbered when its transaction commits (repositories)
    return OutboxEventView(
        id=row.id,
        sequence=row.sequence,
        event_type=row.event_type,
        aggregate_id=row.aggregate_id,
        payload=dict(row.payload),
        idempotency_key=row.idempotency_key,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        delivered_at=row.delivered_at,
        held_until=row.held_until,
        client_code=row.client_code,
    )


# --- the shift lead's Sync panel ------------------------------------------------------------


def sync_health(database: Database, now: datetime) -> SyncHealth:
    with database.read() as session:
        counts = outbox.undelivered_counts(session)
        oldest = outbox.oldest_pending_created_at(session)
        last_delivered = outbox.last_delivered_at(session)
        last_error = None
        for status in (OutboxStatus.NEEDS_ATTENTION, OutboxStatus.PENDING):
            last_error = outbox.first_error(session, status)
            if last_error is not None:
                break
    shops: dict[str | None, dict[OutboxStatus, int]] = {}
    for (client, status), count in counts.items():
        shops.setdefault(client, {})[status] = count
    by_shop = tuple(
        ShopWaiting(
            client,
            waiting.get(OutboxStatus.PENDING, 0),
            waiting.get(OutboxStatus.NEEDS_ATTENTION, 0),
        )
        for client, waiting in sorted(shops.items(), key=lambda i: (i[0] is not None, i[0] or ""))
    )
    return SyncHealth(
        pending=sum(shop.pending for shop in by_shop),
        oldest_pending_age=None if oldest is None else max(now - oldest, timedelta(0)),
        needs_attention=sum(shop.needs_attention for shop in by_shop),
        last_delivered_at=last_delivered,
        last_error=last_error,
        by_shop=by_shop if any(shop.client_code is not None for shop in by_shop) else (),
    )


def parked_events(database: Database, *, limit: int = 200) -> list[OutboxEventView]:
    """Events waiting for a shift lead, oldest first."""
    with database.read() as session:
        rows = outbox.parked(session, limit=limit)
        return [event_view(row) for row in rows]


def retry_parked(
    database: Database,
    event_id: uuid.UUID,
    operator: StationContext,
    *,
    now: datetime | None = None,
) -> OutboxEventView:
    """Queue a parked event again, at once, with its same key and body (after a fix in the shop)."""
    when = now or utc_now()
    with (
        refusals_audited(
            database, operator, "sync.retry_refused", str(event_id), (SyncNotAllowed,)
        ),
        database.session() as session,
    ):
        event = _parked(session, event_id, operator)
        event.status = OutboxStatus.PENDING
        event.next_attempt_at = when
        session.add(event)
        _audit(session, "sync.retried", event, operator, {})
        session.flush()
        view = event_view(event)
    log.info("Outbox #%d queued again by %s", view.sequence, operator.operator_code)
    return view


def mark_resolved(
    database: Database,
    event_id: uuid.UUID,
    operator: StationContext,
    *,
    note: str,
    now: datetime | None = None,
) -> OutboxEventView:
    """Close a parked event as handled outside the relay; later events of its return proceed.

    The shop's error stays in ``last_error``; who resolved it and why is in the audit trail.
    """
    if not note.strip():
        raise SyncEventNotParked("Say how the event was resolved (e.g. refunded in the shop).")
    when = now or utc_now()
    with (
        refusals_audited(
            database, operator, "sync.resolve_refused", str(event_id), (SyncNotAllowed,)
        ),
        database.session() as session,
    ):
        event = _parked(session, event_id, operator)
        event.status = OutboxStatus.DELIVERED
        event.delivered_at = when
        session.add(event)
        _audit(session, "sync.resolved", event, operator, {"note": note.strip()[:1000]})
        session.flush()
        view = event_view(event)
    log.info("Outbox #%d resolved by %s", view.sequence, operator.operator_code)
    return view


def _parked(session: Session, event_id: uuid.UUID, operator: StationContext) -> OutboxEvent:
    if not holds_role(session, operator, LEAD_ROLES):
        raise SyncNotAllowed("Only a shift lead can retry or resolve order-system events.")
    event = outbox.get_event(session, event_id)
    if event is None or event.status is not OutboxStatus.NEEDS_ATTENTION:
        state = "no longer exists" if event is None else f"is {event.status.value}"
        raise SyncEventNotParked(f"That event {state}; only parked events can be changed.")
    return event


def _audit(
    session: Session,
    action: str,
    event: OutboxEvent,
    operator: StationContext,
    extra: dict[str, Any],
) -> None:
    append_audit(
        session,
        action=action,
        subject=f"outbox #{event.sequence}",
        details={
            "event_type": event.event_type,
            "rma_number": event.payload.get("rma_number"),
            "idempotency_key": event.idempotency_key,
            "attempts": event.attempts,
            "last_error": event.last_error,
            **extra,
        },
        operator_id=operator.operator_id,
        station_id=operator.station_id,
    )
