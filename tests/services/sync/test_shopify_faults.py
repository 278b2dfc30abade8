"""The relay into the Shopify stand-in through a faulty network and through SIGKILLs, as
test_relay.py and test_relay_kill.py do into the fake shop.

The stand-in runs in a child process with seeded returns (``standin_process.py``); a station
pulls them through the Shopify connector and works each with its own services, so the outbox
holds what a station writes. Then the shop must hold exactly one processed return per return,
one refund per paid refund, and one inventory change per adjusted unit.

Smaller than the fake-shop versions (2,000 events, six kills): a Shopify return makes about
five calls, each through GraphQL over Shopify's 3,500-type schema, and CI has two CPUs. Here
30 returns go through every fault, and 24 through four kills.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from faulty_proxy import APPLIED_BUT_FAILED, Fault, FaultyProxy
from relay_process import RelayProcess
from sqlmodel import select
from standin_process import (
    NOW,
    TOKEN,
    StandinProcess,
    assert_shop_holds_exactly_the_station_books,
    pull_and_work_returns,
)

from returnsdesk.config import MessagesSettings
from returnsdesk.data.db import Database
from returnsdesk.data.models import OutboxEvent
from returnsdesk.domain.vocabulary import OutboxStatus
from returnsdesk.services.sync import Relay, RelayStats, sync_health
from returnsdesk.services.sync.shopify import ShopifyConnector
from returnsdesk.services.sync.station_pull import station_connector

TIMEOUT_S = 0.25  # the relay's per-call timeout here; the proxy holds 0.35 s
EVERY_FAULT = {
    Fault.NONE: 44,
    Fault.TIMEOUT_BEFORE: 6,
    Fault.TIMEOUT_AFTER: 6,
    Fault.ERROR_500: 7,
    Fault.BAD_GATEWAY_AFTER: 7,
    Fault.RATE_LIMITED: 7,
    Fault.RESET: 7,
    Fault.SLOW: 8,
    Fault.MALFORMED: 8,
}
KILLS = 4
TOKEN_ENV = "RETURNSDESK_TEST_SHOPIFY_TOKEN"

pytestmark = pytest.mark.slow


class FakeClock:
    """The station's time, moving only when the relay waits: backoff costs no wall time."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def drain(relay: Relay, clock: FakeClock, *, max_rounds: int = 20_000) -> RelayStats:
    """Run until nothing is pending, jumping the clock to the next due time when idle."""
    total = RelayStats()
    for _ in range(max_rounds):
        stats = relay.run_once()
        total = total + stats
        if stats.claimed == 0:
            if stats.next_due_at is None:
                return total
            clock.now = max(clock.now, stats.next_due_at)
    raise AssertionError(f"relay did not drain in {max_rounds} rounds: {total}")


def statuses(database: Database) -> set[OutboxStatus]:
    with database.session() as session:
        return set(session.exec(select(OutboxEvent.status)).all())


def test_returns_reach_the_shopify_stand_in_exactly_once_through_every_fault(
    database: Database,
) -> None:
    with StandinProcess(returns=30, seed=13) as shop:
        # Given thirty Shopify returns pulled and worked at the station
        pull_and_work_returns(database, shop, seed=13)

        # When the relay delivers the outbox through a network with every fault, seeded
        clock = FakeClock()
        with (
            FaultyProxy(shop.url, seed=20261022, weights=EVERY_FAULT, hold_s=0.35) as proxy,
            ShopifyConnector(
                proxy.url, TOKEN, timeout_s=TIMEOUT_S, clock=clock, sleep=clock.sleep
            ) as shopify,
        ):
            # The station's relay: customer messages go through the message deliverer.
            station = station_connector(
                database, {None: shopify}, MessagesSettings(grace_minutes=0), clock=clock
            )
            stats = drain(Relay(database, station, clock=clock, rng=random.Random(7)), clock)
        injected = proxy.injected
        state = shop.state()

    # Then every event is delivered, none parked
    assert stats.parked == 0
    assert statuses(database) == {OutboxStatus.DELIVERED}
    # And the network really misbehaved, answers lost after the shop applied a call included
    for fault in EVERY_FAULT:
        assert injected[fault] >= 2, injected
    assert stats.retried >= sum(n for f, n in injected.items() if f not in (Fault.NONE, Fault.SLOW))
    # (a mutation applied but answered badly was sent again with its key, and replayed)
    assert sum(injected[f] for f in APPLIED_BUT_FAILED) > 0 and state["replayed"] > 0
    # And the shop holds exactly the station's books: nothing lost, nothing doubled
    checked = assert_shop_holds_exactly_the_station_books(database, state)
    assert checked["returns"] == 30
    assert checked["refund_creates"] > 0 and checked["adjustments"] > 10
    assert checked["restocked"] > 10


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_a_relay_killed_at_random_moments_books_everything_in_shopify_once(
    database: Database, fast_dir: Path, tmp_path: Path
) -> None:
    rng = random.Random(20261022)
    url = f"sqlite:///{fast_dir / 'station.sqlite3'}"
    log_path = tmp_path / "relay.log"
    # Every answer is held a while after the shop applied the call: a kill in that window
    # leaves a call applied but unrecorded, which the next relay must send again.
    weights = {Fault.NONE: 1, Fault.SLOW: 3}

    with (
        StandinProcess(returns=24, seed=5) as shop,
        FaultyProxy(shop.url, seed=5, weights=weights, slow_s=0.15, hold_s=1.0) as proxy,
        RelayProcess(
            log_path,
            database_url=url,
            shop_url=proxy.url,
            token_env=TOKEN_ENV,
            environment={
                **os.environ,
                TOKEN_ENV: TOKEN,
                "RETURNSDESK_ORDER_SYSTEM_KIND": "shopify",
            },
            timeout_s="0.4",
            lease_s="1",
            batch="10",
        ) as relay,
    ):
        # Given twenty-four worked Shopify returns queued at a station set up for Shopify
        pull_and_work_returns(database, shop, seed=5)

        def applied() -> int:
            return len(shop.state()["keys"])

        # When the relay is killed at seeded moments after the shop applied a mutation,
        # and restarted: half the kills soon after (inside the held answer), half anywhere
        for kill in range(KILLS):
            target = applied() + rng.randint(3, 12)
            relay.start()
            wait_for(
                lambda at_least=target: applied() >= at_least,
                timeout=60,
                what=f"relay run {kill + 1}",
            )
            time.sleep(rng.uniform(0.0, 0.05) if kill % 2 == 0 else rng.uniform(0.0, 0.4))
            relay.kill()
            assert sync_health(database, NOW).pending > 0, "killed too late"

        # And a last run is let finish, then stopped with SIGTERM
        relay.start()
        wait_for(
            lambda: sync_health(database, NOW).pending == 0,
            timeout=90,
            what="the queue to drain",
        )
        relay.stop()
        state = shop.state()

    # Then nothing is pending or parked
    health = sync_health(database, NOW)
    assert (health.pending, health.needs_attention) == (0, 0)
    # And the kills did cut calls short: some mutations were sent again and replayed
    assert state["replayed"] > 0
    # And the shop holds exactly the station's books
    checked = assert_shop_holds_exactly_the_station_books(database, state)
    assert checked["returns"] == 24 and checked["adjustments"] > 5
    assert b"SIGTERM received" in log_path.read_bytes()
