"""CSV exports open safely in a spreadsheet: formula-like cells are neutralised."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from report_floor import Floor

from returnsdesk.services.reports import Period, ReportKind, ReportRequest, generate_report
from returnsdesk.services.reports.content import Table
from returnsdesk.services.reports.csv_export import neutralise, table_csv


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("EUR 12.50", "EUR 12.50"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_cells_get_a_leading_apostrophe(cell: str, shown: str) -> None:
    assert neutralise(cell) == shown


def test_table_csv_round_trips_through_the_csv_reader() -> None:
    table = Table("t", "T", ("Name", "=Note"), [('Ann, "A"', "@x"), ("line\nbreak", "ok")])

    rows = list(csv.reader(io.StringIO(table_csv(table))))

    assert rows == [["Name", "'=Note"], ['Ann, "A"', "'@x"], ["line\nbreak", "ok"]]


def test_a_report_writes_one_csv_per_table_with_the_pdf_figures(
    floor: Floor, tmp_path: Path
) -> None:
    parcel = floor.summary.parcels[0]
    floor.work(parcel, note="=cmd|' /C calc'!A0")
    setup = floor.setup()
    report = generate_report(
        floor.database,
        ReportRequest(ReportKind.SHIFT, Period.day(date(2026, 11, 22), setup.zone)),
        setup=setup,
    )

    written = report.write_csv(tmp_path / "csv")

    names = {path.name for path in written}
    assert {"summary.csv", "inspectors.csv", "grades.csv", "dispositions.csv"} <= names
    with (tmp_path / "csv" / "summary.csv").open(encoding="utf-8-sig", newline="") as stream:
        summary = dict(csv.reader(stream))
    assert summary["Parcels received"] == "1"
    assert summary["Units inspected"] == str(sum(i.quantity for i in parcel.items))
