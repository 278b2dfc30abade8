"""How fast the outbox relay drains a backlog: 10,000 queued events into a shop over HTTP.

Writes completed returns' events in the station's shapes (``tests/services/sync/fake_shop``)
into a fresh SQLite file, then times ``Relay.drain`` (one relay, or ``--relays N`` relays on
one database, each with its own engine, as N processes would have) until every event is
delivered. Reports events per second and calls per second (about a third of the events need
no call), beside the durable-commit floor of the same disk: the relay makes one commit per
call, so on a slow disk that floor, not HTTP, sets the pace.

The shop is the test double (``FakeShop``) in its own process, as a real shop would be (in
the relay's process it would compete for the GIL), unless ``--url`` names another one
implementing docs/sync-api.yaml (e.g. the reference Oscar shop once its harness is wired; it
must know the synthetic RMAs and SKUs, or those calls are parked, and are counted as such).

Run: ``.venv/bin/python bench/bench_sync.py [--events 10000] [--relays 1] [--tmpfs]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

_TEMP = Path(tempfile.mkdtemp(prefix="returnsdesk-bench-"))
os.environ["XDG_DATA_HOME"] = str(_TEMP / "data")
os.environ["XDG_CONFIG_HOME"] = str(_TEMP / "config")  # the audit key: not the user's
os.environ["RETURNSDESK_SYSTEM_CONFIG"] = ""
os.environ["RETURNSDESK_USER_CONFIG"] = ""
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "services" / "sync"))

from fake_shop import write_synthetic_returns  # noqa: E402

from returnsdesk.data.db import Database, make_engine  # noqa: E402
from returnsdesk.data.migrations import ensure_schema  # noqa: E402
from returnsdesk.domain.clock import utc_now  # noqa: E402
from returnsdesk.services.sync import (  # noqa: E402
    HttpContractConnector,
    Relay,
    RelayStats,
    sync_health,
)


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--relays", type=int, default=1)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--url", help="a shop implementing the sync API (default: FakeShop)")
    parser.add_argument("--token", default="bench-token", help="its API token")
    parser.add_argument("--tmpfs", action="store_true", help="database on /dev/shm (no fsync)")
    return parser.parse_args()


def _commit_floor(folder: Path, count: int = 200) -> float:
    """Seconds per bare durable commit (WAL, synchronous=FULL) in ``folder``."""
    path = folder / "floor.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE t (x INTEGER)")
    started = time.perf_counter()
    for i in range(count):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO t VALUES (?)", (i,))
        connection.execute("COMMIT")
    elapsed = (time.perf_counter() - started) / count
    connection.close()
    path.unlink()
    return elapsed


def _drain(url: str, token: str, database_url: str, relays: int, batch: int) -> list[RelayStats]:
    results: list[RelayStats] = [RelayStats()] * relays

    def run(index: int) -> None:
        database = Database(make_engine(database_url))
        with HttpContractConnector(url, token) as connector:
            relay = Relay(database, connector, batch=batch, rng=random.Random(index))
            total = RelayStats()
            while True:  # drain() stops at the first empty round; retries may still be due
                total = total + relay.drain()
                if sync_health(database, utc_now()).pending == 0:
                    break
                time.sleep(0.05)
            results[index] = total
        database.dispose()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(relays)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main() -> None:
    args = _args()
    folder = Path(tempfile.mkdtemp(dir="/dev/shm")) if args.tmpfs else _TEMP
    database_url = f"sqlite:///{folder / 'bench.sqlite3'}"
    database = Database(make_engine(database_url))
    ensure_schema(database.engine)
    started = time.perf_counter()
    rng = random.Random(1)
    events = returns = 0
    while events < args.events:
        events += write_synthetic_returns(database, returns=50, rng=rng, first=returns)
        returns += 50
    written = time.perf_counter() - started
    print(f"queued {events} events of {returns} returns in {written:.1f} s")  # noqa: T201

    shop = None
    if args.url is None:
        shop_script = Path(sys.path[0]) / "fake_shop.py"
        shop = subprocess.Popen(
            [sys.executable, str(shop_script), args.token],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert shop.stdout is not None and shop.stdin is not None
        url = shop.stdout.readline().strip()
    else:
        url = args.url
    try:
        started = time.perf_counter()
        results = _drain(url, args.token, database_url, args.relays, args.batch)
        elapsed = time.perf_counter() - started
    finally:
        counts = None
        if shop is not None:
            stdout, _ = shop.communicate("", timeout=30)  # closing stdin stops it
            counts = json.loads(stdout.strip().splitlines()[-1])
    total = sum(results, RelayStats())
    calls = counts["calls"] if counts else None
    floor = _commit_floor(folder)
    where = "tmpfs" if args.tmpfs else f"disk ({folder})"
    print(f"shop: {'FakeShop (own process)' if shop else url}; database on {where}")  # noqa: T201
    print(  # noqa: T201
        f"relays {args.relays}, batch {args.batch}: {total.delivered} delivered, "
        f"{total.retried} retried, {total.parked} parked in {elapsed:.1f} s"
    )
    print(f"  {total.delivered / elapsed:8.0f} events/s")  # noqa: T201
    if counts is not None:
        print(f"  {calls / elapsed:8.0f} HTTP calls/s ({calls} calls)")  # noqa: T201
        print(f"  shop applied: {counts}")  # noqa: T201
    print(f"  durable commit floor here: {floor * 1000:.2f} ms ({1 / floor:.0f} commits/s)")  # noqa: T201
    database.dispose()
    if args.tmpfs:
        shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(_TEMP, ignore_errors=True)


if __name__ == "__main__":
    main()
