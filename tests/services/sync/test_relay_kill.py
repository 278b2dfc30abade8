"""``returnsdesk sync``: killed with SIGKILL at random moments, ``--forever`` still delivers
every event exactly once in effect; ``--once`` drains and exits; bad setups exit 2.

The relay runs as a real subprocess (``python -m returnsdesk.cli.sync``) against the fake
shop behind a slow, slightly faulty proxy, so most kills land while a call is in flight or its
outcome is being recorded. Each restart finds the dead relay's claims expired (a 1 s lease)
and sends those events again with their stored keys; the shop replays what it had applied.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fake_shop import FakeShop, expected_effects, shop_effects, write_synthetic_returns
from faulty_proxy import Fault, FaultyProxy
from relay_process import RelayProcess

from returnsdesk.cli import sync as cli_sync
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.services.sync import sync_health

KILLS = 6
TOKEN_ENV = "RETURNSDESK_TEST_SHOP_TOKEN"


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@pytest.mark.slow
@pytest.mark.parametrize("parallel_returns", [1, 4], ids=["serial", "parallel"])
def test_a_relay_killed_at_random_moments_delivers_everything_exactly_once(
    fast_dir: Path, tmp_path: Path, parallel_returns: int
) -> None:
    rng = random.Random(20250303)
    url = f"sqlite:///{fast_dir / 'station.sqlite3'}"
    database = Database(make_engine(url))
    ensure_schema(database.engine)
    # Given eighty completed returns' events queued
    events = write_synthetic_returns(database, returns=80, rng=random.Random(8))
    assert events >= 500
    log_path = tmp_path / "relay.log"
    # Slow calls only, no lost answers: any call the shop sees twice was cut short by a kill.
    weights = {Fault.NONE: 60, Fault.SLOW: 40}

    with (
        FakeShop() as shop,
        FaultyProxy(shop.url, seed=5, weights=weights, slow_s=0.02, hold_s=0.3) as proxy,
        RelayProcess(
            log_path,
            database_url=url,
            shop_url=proxy.url,
            token_env=TOKEN_ENV,
            environment={
                **os.environ,
                TOKEN_ENV: shop.token,
                "RETURNSDESK_ORDER_SYSTEM_PARALLEL_RETURNS": str(parallel_returns),
            },
            timeout_s="0.25",
            lease_s="1",
            batch="20",
        ) as relay,
    ):

        def calls() -> int:
            with shop.locked() as state:
                return len(state.calls)

        # When the relay is killed, mid-work, at seeded random moments, and restarted
        for kill in range(KILLS):
            target = calls() + rng.randint(10, 40)  # 240 at most: work is left
            relay.start()
            wait_for(
                lambda at_least=target: calls() >= at_least,
                timeout=60,
                what=f"relay run {kill + 1}",
            )
            time.sleep(rng.uniform(0.0, 0.15))
            relay.kill()
            assert sync_health(database, datetime.now(UTC)).pending > 0, "killed too late"

        # And a last run is let finish, then stopped with SIGTERM
        relay.start()
        wait_for(
            lambda: sync_health(database, datetime.now(UTC)).pending == 0,
            timeout=90,
            what="the queue to drain",
        )
        # Then it stops cleanly
        relay.stop()

        # Then nothing is parked, and the shop holds exactly the station's refunds and stock
        health = sync_health(database, datetime.now(UTC))
        assert (health.pending, health.needs_attention) == (0, 0)
        expected, applied = expected_effects(database), shop_effects(shop)
        assert applied.refunds == expected.refunds
        assert applied.stock == expected.stock
        assert set(applied.refund_applications.values()) == {1}
        assert set(applied.stock_applications.values()) == {1}
        assert applied.refund_sum == expected.refund_sum
        # And the kills did cut calls short: some were sent again and replayed by the shop
        with shop.locked() as state:
            assert any(call.replayed for call in state.calls)
    database.dispose()
    assert b"SIGTERM received" in log_path.read_bytes()


def test_sync_once_delivers_what_is_due_and_exits_0(
    fast_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{fast_dir / 'station.sqlite3'}"
    database = Database(make_engine(url))
    ensure_schema(database.engine)
    events = write_synthetic_returns(database, returns=5, rng=random.Random(2))
    with FakeShop() as shop:
        monkeypatch.setenv(cli_sync.DEFAULT_TOKEN_ENV, shop.token)
        assert cli_sync.main(["--once", "--database", url, "--url", shop.url]) == 0
        assert shop_effects(shop).stock == expected_effects(database).stock
    assert f"delivered {events}, to retry 0, parked 0" in capsys.readouterr().out
    assert sync_health(database, datetime.now(UTC)).pending == 0
    database.dispose()


@pytest.mark.parametrize(
    ("argv", "environ", "message"),
    [
        (["--once", "--url", "http://shop"], {}, "no API token"),
        (["--once"], {cli_sync.DEFAULT_TOKEN_ENV: "t"}, "no order system URL"),
        (["--once", "--url", "ftp://shop"], {cli_sync.DEFAULT_TOKEN_ENV: "t"}, "http(s)"),
        (["--forever", "--url", "http://s", "--timeout", "40"], {}, "more than twice"),
        (["--once", "--forever"], {}, "not allowed with"),
    ],
)
def test_sync_refuses_a_bad_setup_with_exit_2(
    argv: list[str],
    environ: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv(cli_sync.DEFAULT_TOKEN_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "keyring", None)  # no OS keyring to fall back on
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert cli_sync.main(argv) == 2
    assert message in capsys.readouterr().err
