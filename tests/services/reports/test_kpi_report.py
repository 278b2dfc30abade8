"""The returns KPIs on a small hand-built floor, against figures worked out by hand.

Two weeks (Monday 2 to Sunday 15 November 2026, UTC), five returns at two stations. The rows
are written as the station writes them, and each parcel's tallies by ``record_tallies``, the
function ``complete_parcel`` calls in its transaction. Costs are the defaults: labour
EUR 30.00 an hour, handling EUR 1.50 a return, refurbishment EUR 8.00 a unit; recovery
rates restock 1.00, refurbish 0.60, liquidate 0.20, recycle 0.00.

Week of 2 Nov: orders of 4 + 6 units. R1 (2 units of P1, resale 40): received Mon 5th
09:00 at S1, units 6 and 10 min, A restock and C refurbish, refunded 12:00 (3 h). R2 (1 unit
of P2, resale 100): received 6th 10:00, 4 min, F recycle, refunded 7th 10:00 (24 h), rejected
by a lead. -> return rate 3/10, processing 27 h / 2, cost (20 min x 30 + 2 x 1.50 + 1 x 8) / 2
= 10.50, accuracy 1/2, recovery (40 + 24 + 0) / 180, kept 2/3.

Week of 9 Nov: an order of 10 units. R3 (2 x P2) at S2: received 11th 08:00, 12 and 8 min,
B restock and D liquidate, refunded 14:00 (6 h); its refund event parked and its first unit
re-graded B -> C. R4 (1 x P1, on the first week's order) at S1: received 13th 10:00, 10 min,
A restock, refunded 12:00 (2 h); its refund event resent under a new key. R5 (1 x P2) at S2:
received 14th 09:00, 6 min, C refurbish, refunded 13:00 (4 h); re-graded C -> C (agreement).
-> return rate 4/10, processing 12 h / 3, cost (36 min x 30 + 3 x 1.50 + 8) / 3 = 10.17,
accuracy 1/3, recovery (100 + 20 + 40 + 60) / 340, kept 3/4.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from kpi_floor import END, START, at, hand_built
from report_floor import flat
from sqlmodel import select

from returnsdesk.__main__ import main
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.models import RecoveryCase, Refund
from returnsdesk.domain.money import Money
from returnsdesk.domain.vocabulary import RecoveryResolution
from returnsdesk.services.reports import Period, ReportKind, ReportRequest, ReportSetup
from returnsdesk.services.reports.generate import generate_report
from returnsdesk.services.reports.kpis import read_kpis


@pytest.fixture
def database(url_on_each_backend: str) -> Iterator[Database]:
    """The hand-built floor on SQLite, then on PostgreSQL (the tallies use each one's SQL)."""
    database = Database(make_engine(url_on_each_backend))
    ensure_schema(database.engine)
    hand_built(database)
    yield database
    database.dispose()


SETUP = ReportSetup.from_settings()
PERIOD = Period(START, END, "two weeks")


def test_the_kpis_of_the_period_and_each_week_are_the_hand_computed_ones(
    database: Database,
) -> None:
    data = read_kpis(database, PERIOD, None, SETUP)

    assert [week.label for week in data.weeks] == ["02 Nov", "09 Nov"]
    first, second = data.weeks
    assert first.return_rate == pytest.approx(3 / 10)
    assert first.processing_hours == pytest.approx(27 / 2)
    assert first.cost_per_return == Money(Decimal("10.50"), "EUR")
    assert first.refund_accuracy == pytest.approx(1 / 2)
    assert first.recovery_rate == pytest.approx(64 / 180)
    assert first.kept_share == pytest.approx(2 / 3)

    assert second.return_rate == pytest.approx(4 / 10)
    assert second.processing_hours == pytest.approx(12 / 3)
    assert second.cost_per_return == Money(Decimal("10.17"), "EUR")
    assert second.refund_accuracy == pytest.approx(1 / 3)
    assert second.recovery_rate == pytest.approx(220 / 340)
    assert second.kept_share == pytest.approx(3 / 4)

    total = data.total
    assert total.return_rate == pytest.approx(7 / 20)
    assert total.processing_hours == pytest.approx(39 / 5)
    assert total.cost_per_return == Money(Decimal("10.30"), "EUR")  # (28 + 7.50 + 16) / 5
    assert total.refund_accuracy == pytest.approx(2 / 5)
    assert dict(total.counts.findings) == {
        "rejected": 1,
        "parked": 1,
        "resent": 1,
        "regraded": 1,
    }
    assert total.recovery_rate == pytest.approx(284 / 520)
    assert total.kept_share == pytest.approx(5 / 7)


def test_one_station_counts_its_refunds_and_units_but_all_sales(database: Database) -> None:
    data = read_kpis(database, PERIOD, "KPI-02", SETUP)

    total = data.total
    assert total.return_rate == pytest.approx(7 / 20)  # sales belong to no station
    assert total.counts.refunds == 2
    assert total.processing_hours == pytest.approx(10 / 2)
    assert total.refund_accuracy == pytest.approx(1 / 2)
    assert total.kept_share == pytest.approx(2 / 3)
    # (26 min x 30/h + 2 x 1.50 + 1 x 8) / 2
    assert total.cost_per_return == Money(Decimal("12.00"), "EUR")


def test_a_period_off_the_hour_reads_its_edges_from_the_rows(database: Database) -> None:
    # Thu 5th 09:10 to Fri 13th 10:05: unit b (finished 09:16, in the first partial hour),
    # c, d and e; not a (09:06) or f (10:10, in the last partial hour). Refunds R1, R2, R3.
    period = Period(at(5, 9, 10), at(13, 10, 5), "off the hour")
    total = read_kpis(database, period, None, SETUP).total
    assert total.counts.refunds == 3
    assert dict(total.counts.units_by_channel) == {
        "refurbish": 1,
        "recycle": 1,
        "restock": 1,
        "liquidate": 1,
    }


def test_the_kpi_report_shows_the_figures_charts_and_definitions(database: Database) -> None:
    report = generate_report(database, ReportRequest(ReportKind.KPIS, PERIOD), setup=SETUP)

    text = flat(report.pdf)
    assert "Returns KPIs" in text
    for phrase in (
        "Return rate 35.0%",
        "Processing time 7.8 h",
        "Cost per return EUR 10.30",
        "Refund accuracy 40.0%",
        "Recovery rate 54.6%",
        "Kept in stock 71.4%",
        "Return rate by week (%)",
        "Cost per return by week",
        "02 Nov 30.0% 13.5 h EUR 10.50 50.0% 35.6% 66.7% 2",
        "09 Nov 40.0% 4.0 h EUR 10.17 33.3% 64.7% 75.0% 3",
        "Rejected by a lead 1",
        "Re-grade found another grade 1",
        "Labour rate per hour EUR 30.00",
        "EUR EUR 520.00 EUR 284.00 54.6%",
    ):
        assert phrase in text, phrase
    assert "Refund accuracy: Share of the period's refunds with no finding" in text

    by_week = list(csv.reader(io.StringIO(report.csv_tables["kpis-by-week"])))
    assert by_week[0][:3] == ["Week", "Return rate", "Processing time"]
    assert by_week[1] == ["02 Nov", "30.0%", "13.5 h", "EUR 10.50", "50.0%", "35.6%", "66.7%", "2"]
    assert by_week[2][0] == "09 Nov" and by_week[2][3] == "EUR 10.17"
    headline = dict(csv.reader(io.StringIO(report.csv_tables["kpis"])))
    assert headline["Refund accuracy"] == "40.0%"
    assert headline["Cost per return"] == "EUR 10.30"


def test_an_empty_period_shows_dashes_not_errors(database: Database) -> None:
    period = Period(at(20, 0), at(27, 0), "nothing")
    report = generate_report(database, ReportRequest(ReportKind.KPIS, period), setup=SETUP)
    text = flat(report.pdf)
    assert "Return rate – Processing time – Cost per return – Refund accuracy –" in text


def test_the_cli_writes_the_kpi_report_and_its_csv(database: Database, tmp_path: Path) -> None:
    out = tmp_path / "kpis.pdf"
    code = main(
        [
            "report",
            "kpis",
            "--from",
            "2026-11-02T00:00Z",
            "--to",
            "2026-11-16T00:00Z",
            "--station",
            "KPI-02",
            "--database",
            database.engine.url.render_as_string(hide_password=False),
            "--out",
            str(out),
            "--csv",
            str(tmp_path / "csv"),
        ]
    )
    assert code == 0
    assert "station KPI-02" in flat(out.read_bytes())
    with (tmp_path / "csv" / "kpis.csv").open(encoding="utf-8-sig", newline="") as stream:
        assert dict(csv.reader(stream))["Refund accuracy"] == "50.0%"


def test_refunds_paid_on_receipt_that_inspection_found_too_high_count_against_accuracy(
    database: Database,
) -> None:
    # Given R1's refund (paid on receipt) has an open recovery case, and R5's one that a lead
    # closed as disputed by the customer: the two refunds without a finding so far
    with database.session() as session:
        r1 = session.exec(select(Refund).where(Refund.created_at == at(5, 12))).one()
        r5 = session.exec(select(Refund).where(Refund.created_at == at(14, 13))).one()
        for refund, resolution in ((r1, None), (r5, RecoveryResolution.DISPUTED)):
            session.add(
                RecoveryCase(
                    return_id=refund.return_id,
                    refund_id=refund.id,
                    paid=refund.total,
                    inspected=refund.total / 2,
                    currency="EUR",
                    reason="Inspection refunds less",
                    opened_at=END,
                    closed_at=None if resolution is None else END,
                    resolution=resolution,
                )
            )
    data = read_kpis(database, PERIOD, None, SETUP)
    # Then no refund of the period is free of findings (was 2 of 5), each case by its state
    assert data.weeks[0].refund_accuracy == 0 and data.weeks[1].refund_accuracy == 0
    assert data.total.refund_accuracy == 0
    assert dict(data.total.counts.findings) == {
        "rejected": 1,
        "parked": 1,
        "resent": 1,
        "regraded": 1,
        "recovery_open": 1,
        "disputed": 1,
    }
    report = generate_report(database, ReportRequest(ReportKind.KPIS, PERIOD), setup=SETUP)
    text = flat(report.pdf)
    assert "Paid on receipt, found less: case open 1" in text
    assert "Paid on receipt, disputed by the customer 1" in text
    assert "Paid on receipt, recovered from the customer 0" in text
    # And the report counts the cases by what the lead did, with the money at stake
    assert list(csv.reader(io.StringIO(report.csv_tables["recovery-cases"]))) == [
        ["Case", "Refunds", "At stake"],
        ["Open", "1", "EUR 5.00"],
        ["Recovered from the customer", "0", "–"],
        ["Written off", "0", "–"],
        ["Disputed by the customer", "1", "EUR 5.00"],
    ]
    assert "Disputed by the customer 1 EUR 5.00" in text


@pytest.fixture
def two_shops(url_on_each_backend: str) -> Iterator[Database]:
    """The hand-built floor with R3 and R5 (and their order) client ACME's, the rest BOLT's."""
    database = Database(make_engine(url_on_each_backend))
    ensure_schema(database.engine)
    hand_built(database, two_shops=True)
    yield database
    database.dispose()


def test_a_client_s_kpis_count_only_its_own_sales_returns_and_refunds(two_shops: Database) -> None:
    # Given two client shops on the floor: Acme's R3 and R5 (at KPI-02), Bolt's R1, R2, R4
    database = two_shops

    # When Acme's KPIs are read
    acme = read_kpis(database, PERIOD, None, SETUP, client_code="ACME").total

    # Then they count Acme's sales, returns, refunds and units only
    assert acme.counts.units_ordered == 10 and acme.counts.units_returned == 3
    assert acme.return_rate == pytest.approx(3 / 10)
    assert acme.counts.refunds == 2
    assert acme.processing_hours == pytest.approx(10 / 2)
    assert acme.refund_accuracy == pytest.approx(1 / 2)  # R3: parked and re-graded
    assert dict(acme.counts.findings) == {"parked": 1, "regraded": 1}
    assert acme.kept_share == pytest.approx(2 / 3)
    assert acme.cost_per_return == Money(Decimal("12.00"), "EUR")

    # and Bolt's report (PDF and CSV) holds Bolt's: R1 rejected, R4 resent
    report = generate_report(
        database, ReportRequest(ReportKind.KPIS, PERIOD, client_code="BOLT"), setup=SETUP
    )
    headline = dict(csv.reader(io.StringIO(report.csv_tables["kpis"])))
    assert headline["Return rate"] == "40.0%"  # 4 of 10 units
    assert headline["Refund accuracy"] == "33.3%"
    made_of = dict(csv.reader(io.StringIO(report.csv_tables["kpi-counts"])))
    assert made_of["Refunds made"] == "3"
    assert made_of["Units dispositioned"] == "4"
    findings = dict(csv.reader(io.StringIO(report.csv_tables["refund-findings"])))
    assert findings["Rejected by a lead"] == "1"
    assert findings["Sent again under a new key"] == "1"
    assert findings["Refused by the order system (parked)"] == "0"
    text = flat(report.pdf)
    assert "client BOLT" in text

    # and the warehouse's counts are the two shops' added up
    bolt = read_kpis(database, PERIOD, None, SETUP, client_code="BOLT").total.counts
    both = read_kpis(database, PERIOD, None, SETUP).total.counts
    assert bolt.refunds == 3 and acme.counts.refunds + bolt.refunds == both.refunds
    assert acme.counts.processing_seconds + bolt.processing_seconds == both.processing_seconds
    assert acme.counts.inspection_seconds + bolt.inspection_seconds == both.inspection_seconds
    assert (
        acme.counts.refurbished_on_refunds + bolt.refurbished_on_refunds
        == both.refurbished_on_refunds
    )
    channels = dict(acme.counts.units_by_channel)
    for channel, units in bolt.units_by_channel.items():
        channels[channel] = channels.get(channel, 0) + units
    assert channels == dict(both.units_by_channel)
