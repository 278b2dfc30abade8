"""``returnsdesk print-test`` and ``returnsdesk print-labels --once | --forever``, headless.

``print-test`` sends a test label straight to the station's printer (``[labels]`` in settings)
and says whether the printer took it: for IT setting up a printer, no GUI needed.

``print-labels`` prints the station's queued labels without the GUI (``--once``: what is due
now; ``--forever``: until SIGTERM or Ctrl+C), e.g. on a station whose window is closed, with the
same order, retries and backoff as the worker in the station window.

Exit status: 0 printed (or nothing to print), 1 the printer did not take a label (it stays
queued), 2 a configuration problem.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from types import FrameType

from sqlmodel import select

from returnsdesk.config import Settings, load_settings
from returnsdesk.data.db import Database, default_database_url, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.models import Station
from returnsdesk.domain.errors import PrinterUnavailable, ReturnsDeskError
from returnsdesk.domain.labels import sample_label
from returnsdesk.log import setup_logging
from returnsdesk.services.labels.printers import LabelOutput, label_output
from returnsdesk.services.labels.queue import PrintWorker

EXIT_OK, EXIT_NOT_PRINTED, EXIT_CONFIG = 0, 1, 2


def _settings(database: str | None, station: str | None) -> Settings | int:
    try:
        settings = load_settings(overrides={"database.url": database, "station.code": station})
        setup_logging(settings.logging, console=False)
    except ReturnsDeskError as exc:
        return _fail(f"configuration error: {exc}", EXIT_CONFIG)
    return settings


def _output(settings: Settings) -> LabelOutput | int:
    output = label_output(settings.labels)
    if output is None:
        return _fail("no label printer: set labels.printer in settings", EXIT_CONFIG)
    return output


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"returnsdesk: {message}\n")
    return code


def print_test(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="returnsdesk print-test", description="Print a test label on the station's printer."
    )
    parser.add_argument("--station", metavar="CODE", help="station code (overrides settings)")
    args = parser.parse_args(list(argv))
    settings = _settings(None, args.station)
    if isinstance(settings, int):
        return settings
    output = _output(settings)
    if isinstance(output, int):
        return output
    try:
        output.send(sample_label(settings.station.code, datetime.now(UTC)))
    except PrinterUnavailable as exc:
        return _fail(f"test label not printed: {exc}", EXIT_NOT_PRINTED)
    sys.stdout.write(
        f"Test label ({settings.labels.size}) sent to {output.describe()}: check that it came"
        " out and that its barcode scans.\n"
    )
    return EXIT_OK


def print_labels(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="returnsdesk print-labels", description="Print the station's queued labels."
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true", help="print what is due now, then exit")
    mode.add_argument("--forever", action="store_true", help="print until SIGTERM or Ctrl+C")
    parser.add_argument("--database", metavar="URL", help="database URL (overrides settings)")
    parser.add_argument("--station", metavar="CODE", help="station code (overrides settings)")
    args = parser.parse_args(list(argv))
    settings = _settings(args.database, args.station)
    if isinstance(settings, int):
        return settings
    output = _output(settings)
    if isinstance(output, int):
        return output
    database = Database(make_engine(settings.database.url or default_database_url()))
    try:
        ensure_schema(database.engine)
        with database.session() as session:
            station = session.exec(
                select(Station).where(Station.code == settings.station.code)
            ).first()
        if station is None:
            return _fail(f"no station {settings.station.code!r} in this database", EXIT_CONFIG)
        worker = PrintWorker(database, output, station.id)
        if args.once:
            result = worker.drain()
            sys.stdout.write(f"{result.printed} label(s) printed on {output.describe()}\n")
            if result.offline is not None:
                return _fail(f"labels still waiting: {result.offline}", EXIT_NOT_PRINTED)
            return EXIT_OK
        _stop_on_signals(worker)
        worker.run_forever()
        return EXIT_OK
    except ReturnsDeskError as exc:
        return _fail(str(exc), EXIT_CONFIG)
    finally:
        database.dispose()


def _stop_on_signals(worker: PrintWorker) -> None:
    if threading.current_thread() is not threading.main_thread():
        return

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        worker.stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, request_stop)
