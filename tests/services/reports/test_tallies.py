"""Report figures from the hourly tallies equal a direct count over the inspections.

The floor is worked through the real station services (each completion writes its tallies),
over about three hours from 21:00 UTC, so periods can start and end mid-hour; its returns
belong to two client shops and the station's own.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from report_floor import START, Floor
from sqlalchemy import Connection, text
from sqlmodel import Session, col, select

from completing import hand_to_client
from returnsdesk.data import report_queries as q
from returnsdesk.data.db import make_engine
from returnsdesk.data.models import (
    DispositionDecision,
    Inspection,
    Parcel,
    Product,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
)
from returnsdesk.data.tallies import NOTE_KEY_CHARACTERS, hour_split
from returnsdesk.data.tally_tables import OWN_SHOP
from returnsdesk.domain.vocabulary import InspectionFlag, InspectionOutcome
from returnsdesk.services.reports import Period
from returnsdesk.services.reports.reading import snapshot
from returnsdesk.services.reports.scope import resolve_scope

REPO_ROOT = Path(__file__).resolve().parents[3]
HOUR = timedelta(hours=1)
TALLIES = (
    "unit_tallies",
    "checklist_tallies",
    "note_tallies",
    "deduction_tallies",
    "return_tallies",
)


@pytest.fixture
def database_url(url_on_each_backend: str) -> str:
    """The floor is worked on SQLite and on a real PostgreSQL (the tallies use each one's SQL)."""
    return url_on_each_backend


@pytest.fixture
def worked(floor: Floor) -> Floor:
    """Thirty returns on two stations over about three hours: grades, failed checklists,
    notes in mixed case and a long one, an empty box (missing units) and a wrong item; the
    returns (and orders) are client ACME's, BOLT's, the own shop's, ACME's, BOLT's, ..."""
    parcels = floor.summary.parcels
    with floor.database.session() as session:
        for index, parcel in enumerate(parcels[:30]):
            if (shop := SHOPS[index % 5 % 3]) is not None:
                hand_to_client(session, parcel.rma_number, shop)
    for index, parcel in enumerate(parcels[:30]):
        if index == 6:
            floor.work(parcel, empty_box=True)
        elif index == 7:
            floor.work(parcel, wrong_gtin=parcels[40].items[0].gtin)
        elif index == 11:
            floor.work(parcel, note="Seam split " + "x" * 600)  # told apart by its start
        else:
            floor.work(
                parcel,
                station="STATION-02" if index % 3 == 0 else "STATION-01",
                grade=str(1 + index % 5),
                answer=index % 4 != 1,
                note=("  Scuffed SOLE " if index % 2 else "scuffed sole") if index % 5 == 2 else "",
            )
    assert floor.clock.now > START + 3 * HOUR  # the periods below have whole hours
    return floor


SHOPS = ("ACME", "BOLT", None)


@dataclass(frozen=True)
class Figures:
    """What the reports show about inspections, however it was counted."""

    units: tuple[int, int]
    grades: list[tuple[str, int]]
    channels: list[tuple[str, str, int, Decimal]]
    flags: dict[InspectionFlag, int]
    stated_vs_found: list[tuple[str, str, int]]
    checklist: Counter[tuple[str, str, bool]]
    notes: list[tuple[str, int]]
    deductions: list[tuple[str, str, int, Decimal]]


def from_reports(connection: Connection, scope: q.Scope) -> Figures:
    volume = q.volume(connection, scope)
    checklist: Counter[tuple[str, str, bool]] = Counter()
    for category, answers, units in q.checklist_answers(connection, scope):
        for question, answer in json.loads(answers).items():
            checklist[category, question, answer] += units
    return Figures(
        units=(volume.units_inspected, volume.units_missing),
        grades=q.grades(connection, scope),
        channels=sorted(
            (r.disposition.value, r.currency, r.units, r.resale_value)
            for r in q.channels(connection, scope)
        ),
        flags=q.flag_counts(connection, scope),
        stated_vs_found=sorted(q.stated_vs_found(connection, scope)),
        checklist=checklist,
        notes=q.frequent_notes(connection, scope),
        deductions=sorted(
            (d.reason, d.currency, d.units, d.deducted) for d in q.deductions(connection, scope)
        ),
    )


def _of_shop(scope: q.Scope, client_code: str | None) -> bool:
    """Whether a row of a parcel of that shop (a return's client_code) is in the scope."""
    wanted = scope.client_code
    return wanted is None or (client_code or OWN_SHOP) == wanted


def from_inspections(connection: Connection, scope: q.Scope) -> Figures:
    """The same figures counted in Python from every inspection and refund line in the scope
    (of the scope's shop: a client code, or OWN_SHOP for the station's own returns)."""
    session = Session(bind=connection)
    rows = session.exec(
        select(
            Inspection,
            col(Return.client_code),
            col(ReturnLine.reason_code),
            col(DispositionDecision.disposition),
            col(Product.category),
            col(Product.currency),
            col(Product.unit_value),
        )
        .outerjoin(ReturnLine, col(ReturnLine.id) == col(Inspection.return_line_id))
        .outerjoin(
            DispositionDecision, col(DispositionDecision.inspection_id) == col(Inspection.id)
        )
        .outerjoin(Product, col(Product.id) == col(Inspection.product_id))
        .join(Parcel, col(Parcel.id) == col(Inspection.parcel_id))
        .outerjoin(Return, col(Return.id) == col(Parcel.return_id))
        .where(scope.when(col(Inspection.finished_at)), scope.at(col(Inspection.station_id)))
    ).all()
    outcomes: Counter[str] = Counter()
    grades: Counter[str] = Counter()
    channel_units: Counter[tuple[str, str]] = Counter()
    channel_value: dict[tuple[str, str], Decimal] = {}
    flags: Counter[InspectionFlag] = Counter(dict.fromkeys(InspectionFlag, 0))
    stated: Counter[tuple[str, str]] = Counter()
    checklist: Counter[tuple[str, str, bool]] = Counter()
    notes: Counter[str] = Counter()
    for inspection, shop, reason, disposition, category, currency, value in rows:
        if not _of_shop(scope, shop):
            continue
        outcomes[inspection.outcome] += 1
        inspected = inspection.outcome == InspectionOutcome.INSPECTED
        grade = inspection.grade or "?"
        if disposition is not None and currency is not None:
            key = (str(disposition), currency)
            channel_units[key] += 1
            channel_value[key] = channel_value.get(key, Decimal(0)) + value
        for flag in InspectionFlag:
            flags[flag] += flag.value in inspection.flags
        if inspected:
            grades[grade] += 1
            if reason is not None:
                stated[reason, grade] += 1
            if category is not None:
                for question, answer in inspection.checklist.items():
                    checklist[category, question, answer] += 1
        if note := inspection.notes[:NOTE_KEY_CHARACTERS].strip().lower():
            notes[note] += 1
    deducted: Counter[tuple[str, str]] = Counter()
    deducted_value: dict[tuple[str, str], Decimal] = {}
    for line, shop in session.exec(
        select(RefundLine, col(Return.client_code))
        .join(Refund, col(Refund.id) == col(RefundLine.refund_id))
        .join(Parcel, col(Parcel.id) == col(Refund.parcel_id))
        .outerjoin(Return, col(Return.id) == col(Parcel.return_id))
        .where(scope.when(col(Refund.created_at)), scope.at(col(Parcel.station_id)))
    ):
        if line.deduction > 0 and _of_shop(scope, shop):
            key = (line.deduction_reason, line.currency)
            deducted[key] += 1
            deducted_value[key] = deducted_value.get(key, Decimal(0)) + line.deduction
    return Figures(
        units=(outcomes[InspectionOutcome.INSPECTED], outcomes[InspectionOutcome.MISSING]),
        grades=sorted(grades.items()),
        channels=sorted((d, c, n, channel_value[d, c]) for (d, c), n in channel_units.items()),
        flags=dict(flags),
        stated_vs_found=sorted((r, g, n) for (r, g), n in stated.items()),
        checklist=checklist,
        notes=sorted(notes.items(), key=lambda item: (-item[1], item[0]))[:15],
        deductions=sorted((r, c, n, deducted_value[r, c]) for (r, c), n in deducted.items()),
    )


PERIODS = {
    "whole hours": (START, START + 3 * HOUR),
    "mid-hour to mid-hour": (START + timedelta(minutes=37), START + timedelta(minutes=193)),
    "inside one hour": (START + timedelta(minutes=10), START + timedelta(minutes=50)),
    "ends mid-hour": (START - 2 * HOUR, START + timedelta(minutes=130)),
}


@pytest.mark.parametrize("shop", [None, "ACME", OWN_SHOP], ids=["all shops", "ACME", "own"])
@pytest.mark.parametrize("station", [None, "STATION-02"])
@pytest.mark.parametrize("period", PERIODS, ids=str)
def test_tallied_figures_equal_a_count_of_the_inspections(
    worked: Floor, period: str, station: str | None, shop: str | None
) -> None:
    start, end = PERIODS[period]
    with snapshot(worked.database) as connection:
        # (The own shop's tally rows are read by their key, OWN_SHOP, as a client's by its code.)
        scope = resolve_scope(connection, Period(start, end, period), station, shop)
        tallied = from_reports(connection, scope)
        counted = from_inspections(connection, scope)
    assert tallied == counted
    if station is None or shop is None:  # it holds inspections, or the test proves little
        assert sum(tallied.units) > 0
    if period == "whole hours" and station is None and shop is None:
        assert tallied.units[1] > 0 and tallied.flags[InspectionFlag.WRONG_ITEM] > 0
        assert tallied.notes[0][0] == "scuffed sole"
        assert "seam split " + "x" * (NOTE_KEY_CHARACTERS - 11) in dict(tallied.notes)
        assert tallied.deductions


@pytest.mark.parametrize("period", PERIODS, ids=str)
def test_the_warehouse_s_figures_are_the_sum_of_each_shop_s(worked: Floor, period: str) -> None:
    start, end = PERIODS[period]
    with snapshot(worked.database) as connection:
        figures = {
            shop: from_reports(
                connection, resolve_scope(connection, Period(start, end, period), None, shop)
            )
            for shop in (None, "ACME", "BOLT", OWN_SHOP)
        }
    warehouse = figures.pop(None)
    assert all(sum(shop.units) > 0 for shop in figures.values())  # every shop has units here
    assert tuple(map(sum, zip(*(shop.units for shop in figures.values()), strict=True))) == (
        warehouse.units
    )
    grades: Counter[str] = Counter()
    for shop in figures.values():
        grades.update(dict(shop.grades))
    assert sorted(grades.items()) == warehouse.grades
    noted: Counter[str] = Counter()
    for shop in figures.values():
        noted.update(dict(shop.notes))
    assert noted.most_common(1)[0][1] == warehouse.notes[0][1]


def test_a_period_splits_into_whole_utc_hours_and_its_edges() -> None:
    at = datetime(2026, 11, 22, 6, 30, tzinfo=UTC)
    assert hour_split(at, at + 2 * HOUR) == (
        (at + timedelta(minutes=30), at + timedelta(minutes=90)),
        [(at, at + timedelta(minutes=30)), (at + timedelta(minutes=90), at + 2 * HOUR)],
    )
    whole = datetime(2026, 11, 22, 6, tzinfo=UTC)
    assert hour_split(whole, whole + HOUR) == ((whole, whole + HOUR), [])
    assert hour_split(at, at + HOUR) == (None, [(at, at + HOUR)])


def _tally_rows(database_url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))]
                for table in TALLIES
            }
    finally:
        engine.dispose()


# Per tally: how many of its last columns are counts (the rest, from the third, is its key).
COUNTS = {
    "unit_tallies": 2,
    "checklist_tallies": 1,
    "note_tallies": 1,
    "deduction_tallies": 2,
    "return_tallies": 4,
}


def _all_shops(tallies: dict[str, list[tuple[object, ...]]]) -> dict[str, list[tuple[object, ...]]]:
    """The rows added up over the client shops (column 3), without that column."""
    merged: dict[str, list[tuple[object, ...]]] = {}
    for table, rows in tallies.items():
        n = COUNTS[table]
        sums: dict[tuple[object, ...], list[object]] = {}
        for row in rows:
            key = (*row[:2], *row[3:-n])
            total = sums.setdefault(key, [0] * n)
            sums[key] = [a + b for a, b in zip(total, row[-n:], strict=True)]  # type: ignore[operator]
        merged[table] = sorted(((*key, *counts) for key, counts in sums.items()), key=repr)
    return merged


def _sorted(tallies: dict[str, list[tuple[object, ...]]]) -> dict[str, list[tuple[object, ...]]]:
    return {table: sorted(rows, key=repr) for table, rows in tallies.items()}


def test_migration_back_fills_the_tallies_the_stations_wrote(
    worked: Floor, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given tallies written by completions for three shops, one row per group
    written = _tally_rows(database_url)
    assert all(written.values())
    assert {row[2] for row in written["unit_tallies"]} == {"ACME", "BOLT", OWN_SHOP}
    worked.database.dispose()
    ini = Config(str(REPO_ROOT / "alembic.ini"))
    config = Config()
    config.set_main_option("script_location", ini.get_main_option("script_location") or "")
    monkeypatch.setenv("RETURNSDESK_DATABASE_URL", database_url)
    # When the database goes back to tallies of every shop together, they count the same
    command.downgrade(config, "0023")
    assert _sorted(_tally_rows(database_url)) == _all_shops(written)
    # and up again, each shop's rows are counted from the stored rows exactly as written
    command.upgrade(config, "head")
    assert _sorted(_tally_rows(database_url)) == _sorted(written)
    # (Further down than 0023 the shops' catalogues cannot go while they share SKUs: 0023 refuses.)
