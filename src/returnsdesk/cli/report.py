"""``returnsdesk report shift|insights|recovery|kpis|evidence``: headless reports IT can schedule.

Examples::

    returnsdesk report shift --date 2026-11-22 --shift early --out shift.pdf --csv shift-csv/
    returnsdesk report shift --from 2026-11-22T06:00+01:00 --to 2026-11-22T18:00+01:00 --out a.pdf
    returnsdesk report insights --days 30 --out insights.pdf
    returnsdesk report recovery --days 7 --station BENCH-03 --out recovery.pdf
    returnsdesk report kpis --days 30 --out kpis.pdf --csv kpis-csv/
    returnsdesk report evidence RMA-100001 --out pack.pdf
    returnsdesk report shift --date 2026-11-22 --client ACME --out acme-shift.pdf
    returnsdesk report kpis --days 30 --client ACME --out acme-kpis.pdf --csv acme-kpis/

``--client CODE`` (a client shop, ``[clients.<code>]``): that shop's returns only; nothing of
another shop is in the PDF or the CSV tables. For an evidence pack it says whose RMA it is, as
for every command that takes an RMA: one several shops use is refused without it, and
``--client -`` is the station's own shop's::

    returnsdesk report evidence RMA-1001 --client - --out own-rma-1001.pdf

Dates and shifts are the site's local time (``[reports] time_zone``). The database comes from
the settings or ``--database``; a database file that does not exist is an error, never created.

Exit status: 0 report written; 1 the report could not be made (unknown RMA or station, an RMA
of several shops without --client, output not writable); 2 bad options or settings.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from returnsdesk.cli.support import OWN_SHOP, several_shops
from returnsdesk.config import Settings, load_settings
from returnsdesk.data.db import Database, default_database_url, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.domain.errors import NumberOfSeveralShops, ReturnsDeskError
from returnsdesk.log import setup_logging
from returnsdesk.services.reports import (
    GeneratedReport,
    Period,
    ReportKind,
    ReportRequest,
    ReportRequestError,
    ReportSetup,
    generate_report,
)

log = logging.getLogger("returnsdesk.report")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Usage(Exception):
    """Options that do not fit together; the message says how to fix them."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="returnsdesk report", description="Write a report as PDF (and its tables as CSV)."
    )
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="REPORT")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help="PDF to write")
    common.add_argument("--csv", type=Path, metavar="DIR", help="also write each table as CSV")
    common.add_argument("--database", metavar="URL", help="database URL (overrides settings)")
    common.add_argument("--photos", type=Path, metavar="DIR", help="photo folder (evidence)")
    common.add_argument(
        "--client",
        metavar="CODE",
        help="one client shop's returns only (default: all); for an evidence pack, whose RMA"
        f" it is ({OWN_SHOP}: the station's own shop)",
    )
    period = argparse.ArgumentParser(add_help=False)
    period.add_argument("--station", metavar="CODE", help="one station (default: all)")
    period.add_argument(
        "--from", dest="start", metavar="ISO", help="start, e.g. 2026-11-22T06:00+01:00"
    )
    period.add_argument("--to", dest="end", metavar="ISO", help="end (exclusive), with an offset")
    shift = kinds.add_parser(
        "shift", parents=[common, period], help="one day, one shift or a time range"
    )
    shift.add_argument("--date", metavar="YYYY-MM-DD", help="site-local day (default: today)")
    shift.add_argument("--shift", metavar="NAME", help="a shift from [reports] shifts")
    for name, text in (
        ("insights", "return reasons and products"),
        ("recovery", "recovery"),
        ("kpis", "the returns KPIs with their trend by week"),
    ):
        sub = kinds.add_parser(name, parents=[common, period], help=text)
        sub.add_argument("--days", type=int, default=None, metavar="N", help="last N days (30)")
    evidence = kinds.add_parser("evidence", parents=[common], help="everything about one return")
    evidence.add_argument("rma", metavar="RMA", help="the return's RMA number")
    return parser


def main(argv: Sequence[str]) -> int:
    try:
        args = _parser().parse_args(list(argv))
    except SystemExit as exc:  # argparse printed the usage or the error
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        settings = load_settings(overrides={"database.url": args.database})
        setup_logging(settings.logging, console=False)
        setup = ReportSetup.from_settings(
            settings.reports, photo_root=args.photos, generated_by=settings.station.code
        )
        request = _request(args, setup)
        if args.client not in (None, OWN_SHOP) and settings.client(args.client) is None:
            known = ", ".join(c.code for c in settings.clients) or "none set up"
            raise _Usage(f"--client {args.client!r} is not one of the [clients] ({known})")
        _check_writable(args.out)
    except _Usage as exc:
        return _fail(str(exc), EXIT_USAGE)
    except ReportRequestError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except ReturnsDeskError as exc:  # settings
        return _fail(f"configuration error: {exc}", EXIT_USAGE)
    except OSError as exc:
        return _fail(f"cannot write {args.out}: {exc.strerror or exc}", EXIT_FAILED)
    try:
        database = _open_database(settings)
    except (ReturnsDeskError, _Usage) as exc:
        return _fail(str(exc), EXIT_FAILED)
    try:
        report = generate_report(database, request, _progress, setup=setup)
    except ReportRequestError as exc:
        return _fail(str(exc), EXIT_FAILED)
    except NumberOfSeveralShops as exc:
        return _fail(f"refused: {several_shops(exc.number, exc.shops)}", EXIT_FAILED)
    finally:
        database.dispose()
    try:
        _write(report, args.out, args.csv)
    except OSError as exc:
        return _fail(f"cannot write the report: {exc}", EXIT_FAILED)
    sys.stdout.write(f"returnsdesk report: wrote {args.out} ({len(report.pdf) // 1024:,} KiB)\n")
    return EXIT_OK


def _request(args: argparse.Namespace, setup: ReportSetup) -> ReportRequest:
    kind = ReportKind(args.kind)
    own_shop = args.client == OWN_SHOP
    if kind is ReportKind.EVIDENCE:
        client = None if own_shop else args.client
        return ReportRequest(kind, rma_number=args.rma, client_code=client, own_shop=own_shop)
    if own_shop:
        raise _Usage(
            f"--client {OWN_SHOP} (the station's own shop) is for an evidence pack; other reports"
            " are every shop's (no --client) or one client shop's (--client CODE)"
        )
    if (args.start is None) != (args.end is None):
        raise _Usage("give --from and --to together")
    if args.start is not None:
        if (
            getattr(args, "date", None)
            or getattr(args, "shift", None)
            or getattr(args, "days", None)
        ):
            raise _Usage("--from/--to replace --date, --shift and --days; give one or the other")
        period = Period.between(
            _instant(args.start, "--from"), _instant(args.end, "--to"), setup.zone
        )
    elif kind is ReportKind.SHIFT:
        day = _day(args.date) if args.date else datetime.now(setup.zone).date()
        period = (
            Period.shift(day, setup.shift(args.shift), setup.zone)
            if args.shift
            else Period.day(day, setup.zone)
        )
    else:
        days = 30 if args.days is None else args.days
        period = Period.last_days(days, datetime.now(setup.zone), setup.zone)
    return ReportRequest(kind, period, station_code=args.station, client_code=args.client)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Usage(f"--date {text!r} is not a date like 2026-11-22") from None


def _instant(text: str, option: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _Usage(f"{option} {text!r} is not a time like 2026-11-22T06:00+01:00") from None
    if value.tzinfo is None:
        raise _Usage(f"{option} {text!r} needs a UTC offset, e.g. 2026-11-22T06:00+01:00")
    return value


def _check_writable(out: Path) -> None:
    """Fail before the work if the PDF cannot be written where asked."""
    folder = out.absolute().parent
    if not folder.is_dir():
        raise _Usage(f"--out: folder {folder} does not exist")
    if out.is_dir():
        raise _Usage(f"--out: {out} is a folder; give a file name like report.pdf")
    if not os.access(folder, os.W_OK):
        raise _Usage(f"--out: folder {folder} is not writable")


def _open_database(settings: Settings) -> Database:
    url = settings.database.url or default_database_url()
    parsed = make_url(url)
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not Path(str(file)).is_file():
        raise _Usage(f"no database at {parsed.database} (set database.url or --database)")
    database = Database(make_engine(url))
    try:
        ensure_schema(database.engine)  # as the station would on start; refuses a newer database
    except BaseException:
        database.dispose()
        raise
    return database


def _write(report: GeneratedReport, out: Path, csv_dir: Path | None) -> None:
    # Written to a temporary name beside it, then renamed: a scheduler never picks up half a file.
    descriptor, temporary = tempfile.mkstemp(dir=out.absolute().parent, suffix=".pdf.part")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(report.pdf)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if csv_dir is not None:
        report.write_csv(csv_dir)


def _progress(fraction: float, message: str) -> None:
    log.debug("%3.0f%% %s", fraction * 100, message)


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"returnsdesk report: {message}\n")
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
