"""The shift report against the database, after returns completed through the real services."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pypdf
import pytest
from report_floor import Floor, flat, pdf_text
from sqlmodel import select

from returnsdesk.data.models import Inspection, Parcel, Refund, Station
from returnsdesk.domain.money import Money
from returnsdesk.domain.vocabulary import InspectionOutcome, RefundStatus
from returnsdesk.services.reports import (
    Period,
    ReportKind,
    ReportRequest,
    ReportRequestError,
    generate_report,
)

DAY = date(2026, 11, 22)


def shift_report(floor: Floor, period: Period, station: str | None = None) -> str:
    report = generate_report(
        floor.database, ReportRequest(ReportKind.SHIFT, period, station), setup=floor.setup()
    )
    return flat(report.pdf)


def in_window(moment: datetime, period: Period) -> bool:
    return period.start <= moment < period.end


@pytest.fixture
def worked(floor: Floor) -> Floor:
    """Nine returns over two stations, with damage, an empty box and a wrong item."""
    parcels = {p.rma_number: p for p in floor.summary.parcels}
    floor.work(parcels["RMA-100001"])
    floor.work(parcels["RMA-100002"], grade="4", answer=False)
    floor.work(parcels["RMA-100003"], station="STATION-02", grade="5", answer=False)
    floor.work(parcels["RMA-100004"])  # above the approval limit: waits for a shift lead
    floor.work(parcels[EMPTY_BOX], empty_box=True)
    floor.work(parcels[WRONG_ITEM], wrong_gtin=parcels["RMA-100104"].items[0].gtin)
    floor.work(parcels["RMA-100105"], station="STATION-02", grade="1")
    desk = floor.stations["STATION-01"]
    desk.receive_unexpected(
        desk.classify(parcels[UNEXPECTED].tracking_number), "No paperwork inside"
    )
    return floor


# By RMA, not by place in the demo's list: a designed return added there shifts every place.
EMPTY_BOX, WRONG_ITEM, UNEXPECTED = "RMA-100102", "RMA-100103", "RMA-100116"


def test_summary_figures_match_the_database(worked: Floor) -> None:
    period = Period.day(DAY, worked.setup().zone)

    text = shift_report(worked, period)

    with worked.database.session() as session:
        parcels = [
            p for p in session.exec(select(Parcel)).all() if in_window(p.received_at, period)
        ]
        units = [
            u for u in session.exec(select(Inspection)).all() if in_window(u.finished_at, period)
        ]
        refunds = [r for r in session.exec(select(Refund)).all() if in_window(r.created_at, period)]
    inspected = [u for u in units if u.outcome is InspectionOutcome.INSPECTED]
    missing = [u for u in units if u.outcome is InspectionOutcome.MISSING]
    assert len(parcels) == 8 and len(inspected) >= 8 and missing
    assert f"Parcels received {len(parcels)} " in text
    assert f"Units inspected {len(inspected)} " in text
    assert f"Units missing (expected, not in the parcel) {len(missing)} " in text
    assert f"Refunds {len(refunds)} " in text
    for status in (RefundStatus.APPROVED, RefundStatus.PENDING_APPROVAL):
        total = sum((r.total for r in refunds if r.status is status), Decimal(0))
        label = status.value.replace("_", " ")
        assert f"Refunded, {label} (EUR) {Money(total, 'EUR').format()}" in text
    grades = Counter(u.grade for u in inspected)
    for grade, count in grades.items():
        share = f"{count / len(inspected):.1%}"
        assert f" {grade} {count} {share}" in text
    first_station = _id(worked, "STATION-01")
    by_alex = sum(1 for u in inspected if u.station_id == first_station)
    assert f"Alex Morgan OP-0001 {by_alex} " in text


def _id(floor: Floor, code: str) -> object:
    with floor.database.session() as session:
        return session.exec(select(Station.id).where(Station.code == code)).one()


def test_every_page_names_the_report_filter_station_and_page_count(worked: Floor) -> None:
    report = generate_report(
        worked.database,
        ReportRequest(ReportKind.SHIFT, Period.day(DAY, worked.setup().zone)),
        setup=worked.setup(),
        now=datetime(2026, 11, 23, 6, 5, tzinfo=UTC),
    )

    pages = pdf_text(report.pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        text = " ".join(page.split())
        assert f"Page {number} of {len(pages)}" in text
        assert "Generated 2026-11-23 06:05 UTC" in text
        assert "Sun 22 Nov 2026 (UTC) · all stations" in text
        assert "Station: all stations (printed at TEST-PC)" in text
    metadata = pypdf.PdfReader(io.BytesIO(report.pdf)).metadata
    assert metadata is not None and metadata.title == "Shift report"


def test_exceptions_list_their_parcels_and_pending_approvals_are_shown(worked: Floor) -> None:
    parcels = {p.rma_number: p for p in worked.summary.parcels}

    text = shift_report(worked, Period.day(DAY, worked.setup().zone))

    assert (
        "Wrong item 1 Missing 1 Empty box 1 Serial mismatch 0 Underweight 0 Unexpected parcels 1"
        in text
    )
    assert "Unexpected parcels (no return found) 1 " in text
    assert (
        f"{parcels[UNEXPECTED].tracking_number} – – Unexpected parcel Alex Morgan No paperwork"
        in text
    )
    assert parcels[EMPTY_BOX].tracking_number in text and "Empty box, Missing" in text
    assert parcels[WRONG_ITEM].tracking_number in text
    assert "Returns waiting for approval now" in text and "RMA-100004" in text
    assert "Refund EUR 1,149.00 is at or above the approval limit" in text


def test_station_filter_counts_only_that_station(worked: Floor) -> None:
    period = Period.day(DAY, worked.setup().zone)

    text = shift_report(worked, period, "station-02")

    assert "Parcels received 2 " in text  # not the unexpected parcel at STATION-01
    assert "Units inspected 2 " in text
    assert "Priya Nair OP-0002 2 " in text
    assert "Alex Morgan" not in text
    assert "station STATION-02" in text or "station station-02" in text


def test_an_unknown_station_is_refused_with_the_known_ones(worked: Floor) -> None:
    with pytest.raises(ReportRequestError, match="No station 'BENCH-99'.*STATION-01, STATION-02"):
        shift_report(worked, Period.day(DAY, worked.setup().zone), "BENCH-99")


def test_a_night_shift_crosses_midnight(floor: Floor) -> None:
    setup = floor.setup()
    parcels = floor.summary.parcels
    floor.clock.now = datetime(2026, 11, 22, 21, 30, tzinfo=UTC)
    floor.work(parcels[0])  # late shift, 22 Nov
    floor.clock.now = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    floor.work(parcels[1])  # night shift of 22 Nov, before midnight
    floor.clock.now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    floor.work(parcels[2])  # night shift of 22 Nov, after midnight
    floor.clock.now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    floor.work(parcels[4])  # early shift, 23 Nov

    night = Period.shift(DAY, setup.shift("night"), setup.zone)
    late = Period.shift(DAY, setup.shift("late"), setup.zone)
    early_next = Period.shift(DAY + timedelta(days=1), setup.shift("early"), setup.zone)

    assert (night.start, night.end) == (
        datetime(2026, 11, 22, 22, tzinfo=UTC),
        datetime(2026, 11, 23, 6, tzinfo=UTC),
    )
    assert "Parcels received 2 " in shift_report(floor, night)
    assert "Parcels received 1 " in shift_report(floor, late)
    assert "Parcels received 1 " in shift_report(floor, early_next)
    assert "night shift 22:00-06:00 on Sun 22 Nov 2026" in shift_report(floor, night)


def test_an_empty_period_still_makes_a_report(floor: Floor) -> None:
    text = shift_report(floor, Period.day(date(2020, 1, 1), floor.setup().zone))

    assert "Parcels received 0 " in text
    assert "None in this period." in text
