"""How fast the station window's own relay drains a backlog into the real django-oscar shop,
and how the window's GUI thread keeps up meanwhile.

Starts the reference shop (tests/integration/oscar_shop.py: its own venv, migrated, seeded),
served by gunicorn (a dependency of the shop) with ``--workers`` processes of two threads each,
keeping connections open (``--server runserver``: Django's development server, as before).
For each ``--parallel`` value in turn (default ``1,8``: the serial relay, then eight returns at
once; ``--serial-events`` for the serial run, which is slow), opens a real station window
offscreen pointed at the shop, with its own fresh station database and
``order_system.parallel_returns`` set, so the window's ``StationRelay`` thread does the draining
exactly as at a station. A 10 ms
``QTimer`` on the GUI thread records how late each tick fires: first for ``--idle-s`` seconds
with the window open and nothing to drain, then while the relay drains ``--events``
``stock.adjusted`` events (deltas on the shop's seeded products, spread over ``--returns``
returns) written by a plain thread in one transaction. At the end Oscar's ``num_in_stock``
must have moved by exactly the sum of the deltas: nothing lost, nothing booked twice.

Where the GUI's lateness comes from: ``--switch-interval-ms`` sets ``sys.setswitchinterval`` in
the station process (how long a thread may hold the GIL while another waits; Python's default
is 5 ms); ``--relay process`` drains with ``returnsdesk sync --forever`` in a process of its own
beside the window (which then has no relay), instead of the window's relay thread.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_drain_oscar.py
[--events 30000] [--serial-events 3000] [--parallel 1,8] [--workers 4] [--returns 200]
[--server gunicorn|runserver] [--tmpfs] [--switch-interval-ms 5] [--relay window|process]``
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

_TEMP = Path(tempfile.mkdtemp(prefix="returnsdesk-bench-drain-"))
os.environ["XDG_DATA_HOME"] = str(_TEMP / "data")
os.environ["XDG_CONFIG_HOME"] = str(_TEMP / "config")  # the audit key: not the user's
os.environ["RETURNSDESK_SYSTEM_CONFIG"] = ""
os.environ["RETURNSDESK_USER_CONFIG"] = ""
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from sqlmodel import col, func, select  # noqa: E402

from integration.oscar_shop import Gunicorn, OscarShop  # noqa: E402
from returnsdesk.config import Settings, load_settings  # noqa: E402
from returnsdesk.data.db import Database, make_engine  # noqa: E402
from returnsdesk.data.models import Operator, OutboxEvent  # noqa: E402
from returnsdesk.data.repositories import add_outbox_event  # noqa: E402
from returnsdesk.domain.clock import utc_now  # noqa: E402
from returnsdesk.domain.vocabulary import OperatorRole, OutboxStatus  # noqa: E402
from returnsdesk.services.bootstrap import open_environment  # noqa: E402
from returnsdesk.services.sync.credentials import DEFAULT_TOKEN_ENV  # noqa: E402

SKUS = ("5012345000015", "5012345000022")  # the seeded shoe and jacket
OPERATOR = "OP-BENCH"
TICK_MS = 10


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument(
        "--serial-events", type=int, default=3_000, help="events for the --parallel 1 run"
    )
    parser.add_argument(
        "--parallel",
        default="1,8",
        help="order_system.parallel_returns of each run, in turn (comma-separated)",
    )
    parser.add_argument("--returns", type=int, default=200, help="returns the events belong to")
    parser.add_argument("--server", choices=("gunicorn", "runserver"), default="gunicorn")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--idle-s", type=float, default=10.0, help="seconds timed without a drain")
    parser.add_argument("--tmpfs", action="store_true", help="station database on /dev/shm")
    parser.add_argument(
        "--switch-interval-ms",
        type=float,
        help="sys.setswitchinterval of the station process (Python's default: 5 ms)",
    )
    parser.add_argument(
        "--relay",
        choices=("window", "process"),
        default="window",
        help="drain with the window's relay thread, or with `returnsdesk sync --forever`",
    )
    return parser.parse_args()


def _deltas(count: int, rng: random.Random) -> list[tuple[str, int]]:
    """(sku, delta) in sequence order; mostly receipts, some write-offs, never below zero."""
    stock = dict.fromkeys(SKUS, 0)  # relative to the seeded stock
    out: list[tuple[str, int]] = []
    for _ in range(count):
        sku = rng.choice(SKUS)
        delta = rng.choice((1, 1, 2, 3, -1, -2))
        if stock[sku] + delta < 0:
            delta = -delta
        stock[sku] += delta
        out.append((sku, delta))
    return out


def _queue(database: Database, deltas: list[tuple[str, int]], returns: int) -> None:
    aggregates = [uuid.uuid4() for _ in range(returns)]
    now = utc_now()  # the relay runs on the machine's clock here
    with database.session() as session:
        for i, (sku, delta) in enumerate(deltas):
            add_outbox_event(
                session,
                event_type="stock.adjusted",
                aggregate_id=aggregates[i % returns],
                payload={
                    "sku": sku,
                    "quantity_delta": delta,
                    "location": "RETURNS",
                    "reason": "bench: graded return",
                    "inspection_id": str(uuid.uuid4()),
                },
                now=now,
            )
            if i % 500 == 499:
                session.flush()


def _delivered(database: Database) -> int:
    with database.session() as session:
        return int(
            session.exec(
                select(func.count())
                .select_from(OutboxEvent)
                .where(col(OutboxEvent.status) == OutboxStatus.DELIVERED)
            ).one()
        )


def _lateness(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"median {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms, "
        f"max {ordered[-1]:.1f} ms ({len(ordered)} ticks)"
    )


def _relay_process(settings: Settings, parallel: int) -> subprocess.Popen[bytes]:
    """``returnsdesk sync --forever`` on the window's database and shop."""
    assert settings.database.url is not None and settings.order_system.url is not None
    env = {**os.environ, "RETURNSDESK_ORDER_SYSTEM_PARALLEL_RETURNS": str(parallel)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "returnsdesk",
            "sync",
            "--forever",
            "--database",
            settings.database.url,
            "--url",
            settings.order_system.url,
        ],
        env=env,
    )


def main() -> None:
    args = _args()
    from returnsdesk.qt.app import application

    if args.switch_interval_ms is not None:
        sys.setswitchinterval(args.switch_interval_ms / 1000)

    runs = [int(n) for n in args.parallel.split(",")]
    gunicorn = Gunicorn(workers=args.workers) if args.server == "gunicorn" else None
    served = f"gunicorn, {args.workers} workers" if gunicorn is not None else "manage.py runserver"
    try:
        with OscarShop.start(_TEMP / "shop", gunicorn=gunicorn) as shop:
            os.environ[DEFAULT_TOKEN_ENV] = shop.token
            _app = application()  # one for all runs; each run opens a window of its own
            for n, parallel in enumerate(runs):
                events = args.serial_events if parallel == 1 else args.events
                folder = Path(tempfile.mkdtemp(dir="/dev/shm")) if args.tmpfs else _TEMP / f"{n}"
                folder.mkdir(parents=True, exist_ok=True)
                try:
                    sys.stdout.write(
                        f"--- Oscar under {served}; parallel_returns = {parallel}; relay in "
                        f"the {args.relay}; switch interval "
                        f"{sys.getswitchinterval() * 1000:g} ms\n"
                    )
                    _drain(shop, args, folder, parallel, events, seed=7 + n)
                finally:
                    if args.tmpfs:
                        shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(_TEMP, ignore_errors=True)


def _drain(
    shop: OscarShop,
    args: argparse.Namespace,
    folder: Path,
    parallel: int,
    events: int,
    seed: int,
) -> None:
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from returnsdesk.qt import ops
    from returnsdesk.qt.app import application, build_main_window

    deltas = _deltas(events, random.Random(seed))
    before = {sku: shop.num_in_stock(sku) for sku in SKUS}
    settings = load_settings(
        environ={},
        overrides={
            "database.url": f"sqlite:///{folder / 'station.sqlite3'}",
            "ui.sounds": False,
            "order_system.kind": "oscar",
            "order_system.url": shop.base_url,
            "order_system.parallel_returns": parallel,
        },
    )
    env = open_environment(settings, demo=False)
    with env.database.session() as session:
        session.add(Operator(code=OPERATOR, name="Bea Bench", role=OperatorRole.INSPECTOR))
    app = application()
    token = os.environ.pop(DEFAULT_TOKEN_ENV)
    if args.relay == "window":
        os.environ[DEFAULT_TOKEN_ENV] = token
    # --relay process: without a token the window has no relay (and no pull) of its own.
    window = build_main_window(env, settings, operator_code=OPERATOR)
    window.show()
    os.environ[DEFAULT_TOKEN_ENV] = token

    ticks: list[float] = []
    late_at: list[tuple[float, float]] = []  # (when, ms late) of ticks over 50 ms late
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        ticks.append((now - last[0]) * 1000 - TICK_MS)
        if ticks[-1] > 50:
            late_at.append((now, ticks[-1]))
        last[0] = now

    # A collection of the oldest generation holds the GIL (every thread waits): note
    # each one, to tell such pauses from the relay's own work.
    collections: list[tuple[float, float, int]] = []  # (end, ms, generation)
    gc_started = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            end = time.perf_counter()
            collections.append((end, (end - gc_started[0]) * 1000, info["generation"]))

    gc.callbacks.append(on_gc)

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)

    def run_until(done: Callable[[], bool], limit_s: float) -> None:
        loop = QEventLoop()
        check = QTimer()
        check.setInterval(50)
        check.timeout.connect(lambda: loop.quit() if done() else None)
        check.start()
        QTimer.singleShot(int(limit_s * 1000), loop.quit)
        loop.exec()
        check.stop()

    # Settle: the window's first pull of the shop's returns, off the GUI thread.
    run_until(lambda: not ops.busy(), 30)
    run_until(lambda: False, 2)

    last[0] = time.perf_counter()
    timer.start()
    run_until(lambda: False, args.idle_s)
    timer.stop()
    idle, ticks = ticks, []

    # Queue the backlog from a plain thread (as another station or a completion would)
    # in one transaction: the relay sees all of it at once.
    queued = threading.Event()
    writer = threading.Thread(
        target=lambda: (_queue(env.database, deltas, args.returns), queued.set())
    )
    started_write = time.perf_counter()
    writer.start()
    run_until(queued.is_set, 600)
    writer.join()
    write_s = time.perf_counter() - started_write

    # Counting the delivered rows happens on a thread of its own, not the GUI thread.
    counter = Database(make_engine(str(env.database.engine.url)))
    done = threading.Event()
    finished_at: list[float] = []

    def watch() -> None:
        while _delivered(counter) < events:
            time.sleep(0.25)
        finished_at.append(time.perf_counter())
        done.set()

    started = time.perf_counter()
    relay_process = _relay_process(settings, parallel) if args.relay == "process" else None
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    last[0] = time.perf_counter()
    timer.start()
    try:
        run_until(done.is_set, 3600)
    finally:
        timer.stop()
        if relay_process is not None:
            relay_process.terminate()  # SIGTERM: it finishes the call in flight, then exits
            relay_process.wait(30)
    draining = ticks
    gc.callbacks.remove(on_gc)
    assert done.is_set(), "the relay did not drain the backlog within an hour"
    seconds = finished_at[0] - started
    window.close()
    ops.wait_for_all()
    app.processEvents()
    counter.dispose()

    with env.database.session() as session:
        statuses = {
            e.status
            for e in session.exec(
                select(OutboxEvent).where(col(OutboxEvent.event_type) == "stock.adjusted")
            )
        }
    after = {sku: shop.num_in_stock(sku) for sku in SKUS}
    env.database.dispose()

    def during_gc(when: float, ms: float) -> bool:
        start = when - (ms + TICK_MS) / 1000
        return any(start <= end and end - pause / 1000 <= when for end, pause, _ in collections)

    gen2 = [pause for _, pause, generation in collections if generation == 2]
    expected = {sku: before[sku] + sum(d for s, d in deltas if s == sku) for sku in SKUS}
    sys.stdout.write(
        f"queued {events} stock.adjusted events over {args.returns} returns in "
        f"{write_s:.1f} s (one transaction)\n"
        f"the window's relay drained them into Oscar in {seconds:.1f} s: "
        f"{events / seconds:.0f} events/s\n"
        f"GUI timer lateness ({TICK_MS} ms timer), window idle:      {_lateness(idle)}\n"
        f"GUI timer lateness ({TICK_MS} ms timer), relay draining:   {_lateness(draining)}\n"
        f"  ticks over 50 ms late: {len(late_at)}, of them during a garbage collection: "
        f"{sum(during_gc(when, ms) for when, ms in late_at)}; full collections: "
        f"{len(gen2)}, longest {max(gen2, default=0.0):.0f} ms\n"
        f"Oscar num_in_stock before {before}, after {after}, expected {expected}\n"
    )
    assert statuses == {OutboxStatus.DELIVERED}, statuses
    assert after == expected, "Oscar's stock does not match the deltas sent"
    sys.stdout.write("stock matches: every delta booked exactly once\n")


if __name__ == "__main__":
    main()
