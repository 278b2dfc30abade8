"""The relay delivering several returns at once (``parallel``): each return's events still go
one at a time in sequence order, a return that is stuck holds back no other, and one lease
covers the whole batch. (Every test of test_relay.py also runs with ``parallel=4``.)"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fake_shop import FakeShop, expected_effects, shop_effects, write_synthetic_returns
from sqlalchemy import event as sa_event
from sqlmodel import col, select

from returnsdesk.data.db import Database
from returnsdesk.data.models import OutboxEvent
from returnsdesk.domain.vocabulary import OutboxStatus
from returnsdesk.services.sync import HttpContractConnector, Relay
from returnsdesk.services.sync.connector import DeliveryResult, OutboxEventView


class Clock:
    """Time that moves only when told to; shared by the relay's threads."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)  # events are due from when they were written
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += timedelta(seconds=seconds)


class Watching:
    """Passes each event to the shop and notes the order of calls and how many overlapped."""

    def __init__(
        self,
        inner: HttpContractConnector,
        before: Callable[[OutboxEventView], DeliveryResult | None] = lambda _e: None,
        after: Callable[[OutboxEventView], None] = lambda _e: None,
    ) -> None:
        self._inner = inner
        self._before = before
        self._after = after
        self._lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.calls: list[OutboxEventView] = []

    def deliver(self, event: OutboxEventView) -> DeliveryResult:
        with self._lock:
            self.calls.append(event)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            instead = self._before(event)
            result = instead if instead is not None else self._inner.deliver(event)
            self._after(event)
            return result
        finally:
            with self._lock:
                self.in_flight -= 1


def events_of(database: Database) -> list[OutboxEvent]:
    with database.read() as session:
        return list(session.exec(select(OutboxEvent).order_by(col(OutboxEvent.sequence))).all())


def test_returns_go_side_by_side_and_each_return_stays_in_order(database: Database) -> None:
    # Given twelve completed returns' events queued
    count = write_synthetic_returns(database, returns=12, rng=random.Random(3))
    with FakeShop() as shop, HttpContractConnector(shop.url, shop.token, timeout_s=10) as http:
        watching = Watching(http)
        relay = Relay(database, watching, batch=count, parallel=4, rng=random.Random(1))

        # When the relay delivers with four returns at once
        stats = relay.drain()

        # Then calls overlapped, and each return's events reached the shop in sequence order
        assert watching.most_in_flight > 1
        by_return: dict[uuid.UUID, list[int]] = {}
        for event in watching.calls:
            by_return.setdefault(event.aggregate_id, []).append(event.sequence)
        for sequences in by_return.values():
            assert sequences == sorted(sequences)
        # and everything was delivered once: the shop's books are the station's
        assert stats.delivered == count and stats.retried == stats.parked == stats.lost == 0
        assert {e.status for e in events_of(database)} == {OutboxStatus.DELIVERED}
        assert shop_effects(shop).stock == expected_effects(database).stock
        assert shop_effects(shop).refunds == expected_effects(database).refunds


def test_a_return_whose_call_hangs_holds_back_no_other_return(database: Database) -> None:
    # Given three returns' events, and a shop that answers the first return's first call only
    # once the other returns are through
    count = write_synthetic_returns(database, returns=3, rng=random.Random(4))
    events = events_of(database)
    stuck = events[0]
    others = [e for e in events if e.aggregate_id != stuck.aggregate_id]
    others_done = threading.Event()
    waited: list[bool] = []
    delivered_others: list[int] = []

    with FakeShop() as shop, HttpContractConnector(shop.url, shop.token, timeout_s=10) as http:

        def before(event: OutboxEventView) -> DeliveryResult | None:
            if event.id == stuck.id:
                waited.append(others_done.wait(timeout=20))
            return None

        def after(event: OutboxEventView) -> None:
            if event.aggregate_id != stuck.aggregate_id:
                delivered_others.append(event.sequence)
                if len(delivered_others) == len(others):
                    others_done.set()

        watching = Watching(http, before, after)
        relay = Relay(database, watching, batch=count, parallel=3, rng=random.Random(2))

        # When the relay runs one round
        stats = relay.run_once()

    # Then the other returns went while the first one waited, and then it went too
    assert waited == [True]
    assert stats.delivered == count
    assert {e.status for e in events_of(database)} == {OutboxStatus.DELIVERED}


def test_one_lease_renewed_by_any_return_still_covers_every_returns_outcome(
    database: Database,
) -> None:
    # Given twenty returns' events, a lease of 10 s, and calls that take 3 s each on the
    # relay's clock, so returns renew the lease while others' calls are in flight; every
    # third call the shop is unavailable
    count = write_synthetic_returns(database, returns=20, rng=random.Random(5))
    clock = Clock()
    calls = [0]
    lock = threading.Lock()

    with FakeShop() as shop, HttpContractConnector(shop.url, shop.token, timeout_s=10) as http:

        def before(_event: OutboxEventView) -> DeliveryResult | None:
            clock.advance(3)
            with lock:
                calls[0] += 1
                unavailable = calls[0] % 3 == 0
            return DeliveryResult.retry("HTTP 503") if unavailable else None

        watching = Watching(http, before)
        relay = Relay(
            database,
            watching,
            clock=clock,
            batch=count,
            lease_s=10,
            parallel=4,
            rng=random.Random(3),
        )

        # When the relay runs one round over the whole batch
        stats = relay.run_once()

    # Then no outcome was fenced out by another return's renewal: every retry was recorded
    assert stats.lost == 0 and stats.retried > 0 and stats.delivered > 0
    assert stats.delivered + stats.retried + stats.released == count
    retried = [e for e in events_of(database) if e.status is OutboxStatus.PENDING and e.attempts]
    assert len(retried) == stats.retried
    assert all(e.last_error == "HTTP 503" for e in retried)


@pytest.mark.parametrize("parallel", [1, 4])
def test_a_batch_of_deliveries_is_recorded_in_one_commit(database: Database, parallel: int) -> None:
    # Given eight completed returns' events (none that reads another's outcome)
    count = write_synthetic_returns(database, returns=8, rng=random.Random(6))
    commits: list[int] = []
    sa_event.listen(database.engine, "commit", lambda _conn: commits.append(1))
    with FakeShop() as shop, HttpContractConnector(shop.url, shop.token, timeout_s=10) as http:
        relay = Relay(database, http, batch=count, parallel=parallel, rng=random.Random(4))

        # When the relay delivers them in one round
        stats = relay.run_once()

    # Then two durable commits did it, the claim and the outcomes, not one per call
    assert stats.delivered == count
    assert len(commits) == 2
    assert {e.status for e in events_of(database)} == {OutboxStatus.DELIVERED}
    assert all(e.attempts == 1 and e.delivered_at is not None for e in events_of(database))
    assert shop_effects(shop).stock == expected_effects(database).stock
