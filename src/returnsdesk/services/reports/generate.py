"""The one entry point: a request in, a PDF and its tables as CSV out."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from returnsdesk.data.db import Database
from returnsdesk.services.reports import evidence, insights, kpis, recovery, shift
from returnsdesk.services.reports.content import ReportContent
from returnsdesk.services.reports.csv_export import table_csv
from returnsdesk.services.reports.pdf import PageFrame, render_pdf
from returnsdesk.services.reports.reading import snapshot
from returnsdesk.services.reports.request import ReportKind, ReportRequest, ReportSetup
from returnsdesk.services.reports.scope import evidence_shop, resolve_scope

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class GeneratedReport:
    title: str
    filter_text: str
    pdf: bytes
    csv_tables: dict[str, str]  # file stem -> CSV text, in report order
    generated_at: datetime

    def write_csv(self, folder: Path) -> list[Path]:
        """One ``<table>.csv`` per table (UTF-8 with BOM, which spreadsheets read as UTF-8)."""
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in self.csv_tables.items():
            path = folder / f"{name}.csv"
            path.write_text(text, encoding="utf-8-sig", newline="")
            written.append(path)
        return written


def generate_report(
    database: Database,
    request: ReportRequest,
    progress: Progress | None = None,
    *,
    setup: ReportSetup | None = None,
    now: datetime | None = None,
) -> GeneratedReport:
    """Build the report. Raises ``ReportRequestError`` for an unknown RMA or station,
    ``NumberOfSeveralShops`` for an evidence pack of an RMA several shops use, shop not said."""
    setup = setup or ReportSetup.from_settings()
    generated_at = (now or datetime.now(UTC)).astimezone(setup.zone)
    started = time.perf_counter()
    steps = _Steps(progress)
    content = ReportContent(_title(request), request.filter_text)
    with snapshot(database) as connection:
        if request.kind is ReportKind.EVIDENCE:
            assert request.rma_number is not None
            shop = evidence_shop(
                connection, request.rma_number, request.client_code, own_shop=request.own_shop
            )
            evidence.build(connection, request.rma_number, shop, setup, content, steps.step)
        else:
            assert request.period is not None
            scope = resolve_scope(
                connection, request.period, request.station_code, request.client_code
            )
            builder = {
                ReportKind.SHIFT: shift.build,
                ReportKind.INSIGHTS: insights.build,
                ReportKind.RECOVERY: recovery.build,
                ReportKind.KPIS: kpis.build,
            }[request.kind]
            builder(connection, scope, setup, content, steps.step)
    queried = time.perf_counter()
    if request.kind is ReportKind.EVIDENCE:
        station = setup.generated_by or "–"  # the pack covers whichever stations handled it
    else:
        station = request.station_code or "all stations"
        if setup.generated_by:
            station += f" (printed at {setup.generated_by})"
    frame = PageFrame(content.title, content.filter_text, station, generated_at)
    pdf = render_pdf(content, frame, progress)
    csv_tables = {table.name: table_csv(table) for table in content.tables()}
    if progress is not None:
        progress(1.0, "Done")
    log.info(
        "%s (%s): queries %.2f s, PDF %.2f s, %d KiB",
        content.title,
        content.filter_text,
        queried - started,
        time.perf_counter() - queried,
        len(pdf) // 1024,
    )
    return GeneratedReport(content.title, content.filter_text, pdf, csv_tables, generated_at)


def _title(request: ReportRequest) -> str:
    if request.kind is ReportKind.EVIDENCE:
        return f"Evidence pack {request.rma_number}"
    return request.kind.heading


class _Steps:
    """Spreads the query phase over 0-0.7 of the progress bar, one nudge per step."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._done = 0

    def step(self, message: str) -> None:
        if self._progress is None:
            return
        self._done += 1
        self._progress(min(0.7, 0.1 * self._done), message)
