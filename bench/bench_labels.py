"""How long a routing label takes to render, and how fast the print worker drains a backlog.

Renders the same label as PDF (4x6 in, 2x1 in) and ZPL many times and reports the median and
p95 per label, then queues ``--jobs`` labels in a fresh SQLite database (WAL,
``synchronous=FULL``, as at a station) and times ``PrintWorker.drain`` sending them as ZPL to a
TCP listener on 127.0.0.1 (a Zebra that takes bytes at network speed; a real thermal printer
prints a few labels per second, so it, not this code, sets the pace on the floor).

Run: ``.venv/bin/python bench/bench_labels.py [--jobs 1000]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

_TEMP = Path(tempfile.mkdtemp(prefix="returnsdesk-bench-"))
os.environ["XDG_DATA_HOME"] = str(_TEMP / "data")
os.environ["XDG_CONFIG_HOME"] = str(_TEMP / "config")  # the audit key: not the user's
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from returnsdesk.data.db import Database, make_engine  # noqa: E402
from returnsdesk.data.migrations import ensure_schema  # noqa: E402
from returnsdesk.data.models import PrintJob, Station  # noqa: E402
from returnsdesk.domain.labels import RoutingLabel, parse_label_size, sample_label  # noqa: E402
from returnsdesk.services.labels.printers import LabelOutput, ZplTcpPrinter  # noqa: E402
from returnsdesk.services.labels.queue import PrintWorker  # noqa: E402
from returnsdesk.services.labels.render import render_pdf, render_zpl  # noqa: E402
from zpl_listener import ZplListener  # noqa: E402


def label() -> RoutingLabel:
    return sample_label("BENCH-03", datetime.now(UTC))  # a new license plate each time


def timed(what: str, fn: object, rounds: int) -> None:
    assert callable(fn)
    fn()  # fonts and caches warm
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(times, n=20)[18]
    print(f"{what:<28} median {statistics.median(times):6.2f} ms   p95 {p95:6.2f} ms")  # noqa: T201


def drain(jobs: int) -> None:
    database = Database(make_engine(f"sqlite:///{_TEMP / 'labels.sqlite3'}"))
    ensure_schema(database.engine)
    with database.session() as session:
        station = Station(code="BENCH", name="Bench")
        session.add(station)
        now = datetime.now(UTC)
        for _ in range(jobs):
            one = label()
            session.add(
                PrintJob(
                    kind="routing_label",
                    station_id=station.id,
                    license_plate=one.license_plate,
                    payload=one.to_payload(),
                    printer="bench",
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    with ZplListener() as printer:
        output = LabelOutput(
            ZplTcpPrinter("127.0.0.1", printer.port), parse_label_size("4x6in"), 203
        )
        worker = PrintWorker(database, output, station.id)
        started = time.perf_counter()
        result = worker.drain()
        elapsed = time.perf_counter() - started
        printer.wait_for(jobs)
    database.dispose()
    assert result.printed == jobs, result
    print(f"drain {jobs} queued labels: {elapsed:.2f} s, {jobs / elapsed:.0f} labels/s")  # noqa: T201


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    sample = label()
    timed("PDF 4x6 in", lambda: render_pdf([sample], parse_label_size("4x6in")), args.rounds)
    timed("PDF 2x1 in", lambda: render_pdf([sample], parse_label_size("2x1in")), args.rounds)
    timed(
        "ZPL 4x6 in 203 dpi",
        lambda: render_zpl(sample, parse_label_size("4x6in"), 203),
        args.rounds,
    )
    drain(args.jobs)


if __name__ == "__main__":
    main()
