"""A station on a shared PostgreSQL database, worked through its services as on SQLite.

Every test runs on SQLite and on a real PostgreSQL server (tests/postgres.py): the demo data
seeds, returns complete end to end with everything a completion writes, and text PostgreSQL
cannot store (a NUL character) is refused with a message on both, writing nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.data.models import (
    AuditEntry,
    DispositionDecision,
    Inspection,
    OutboxEvent,
    Parcel,
    Refund,
    RefundLine,
    Return,
    StockMovement,
)
from returnsdesk.data.repositories import verify_audit_chain
from returnsdesk.data.tally_tables import NoteTally, UnitTally
from returnsdesk.domain.errors import OperatorError, RejectedScan
from returnsdesk.domain.inspection import (
    NOTES_LIMIT,
    OVERRIDE_REASON_LIMIT,
    ParcelInspection,
    UnitStep,
)
from returnsdesk.domain.scanning import ScanRules
from returnsdesk.domain.vocabulary import Disposition, ReturnStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.csv_import import ImportRejected, import_returns
from returnsdesk.services.intake import TRACKING_LIMIT, UNEXPECTED_NOTE_LIMIT
from returnsdesk.services.station import ParcelOpened, StationService
from table_snapshot import table_rows

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_url(url_on_each_backend: str) -> str:
    return url_on_each_backend


def test_demo_returns_complete_end_to_end(demo_env: StationEnvironment) -> None:
    # Given the demo data seeded into a new database
    assert demo_env.demo is not None and len(demo_env.demo.parcels) >= 3
    service = station_service(demo_env)
    # When a station completes three demo returns
    rmas = [p.rma_number for p in demo_env.demo.parcels if p.tracking_number][:3]
    results = [complete_parcel(service, demo_parcel(demo_env, rma)) for rma in rmas]
    # Then each is completed with one refund, its lines, stock movements, events and tallies
    with demo_env.database.session() as session:
        for rma, result in zip(rmas, results, strict=True):
            return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
            assert return_.status is ReturnStatus.COMPLETED
            refund = session.exec(select(Refund).where(Refund.return_id == return_.id)).one()
            assert refund.id == result.refund_id and refund.total > 0
            lines = session.exec(select(RefundLine).where(RefundLine.refund_id == refund.id))
            assert sum(line.amount for line in lines) == refund.total
            events = session.exec(
                select(OutboxEvent.event_type).where(OutboxEvent.aggregate_id == return_.id)
            ).all()
            assert {"return.received", "unit.inspected", "refund.requested"} <= set(events)
            assert result.stock_movements > 0
        units = session.exec(select(func.count()).select_from(Inspection)).one()
        assert session.exec(select(func.count()).select_from(StockMovement)).one() == units
        assert session.exec(select(func.sum(col(UnitTally.units)))).one() == units
        completed = session.exec(
            select(AuditEntry.subject).where(AuditEntry.action == "return.completed")
        ).all()
        assert sorted(completed) == sorted(rmas)
        assert verify_audit_chain(session).ok


@dataclass
class OpenUnit:
    """RMA-100001 received, its first unit graded and the checklist answered."""

    service: StationService
    parcel_id: uuid.UUID
    work: ParcelInspection


@pytest.fixture
def open_unit(demo_env: StationEnvironment) -> OpenUnit:
    service = station_service(demo_env)
    parcel = demo_parcel(demo_env, "RMA-100001")
    opened = service.open_parcel(service.classify(parcel.tracking_number))
    assert isinstance(opened, ParcelOpened)
    work = service.new_inspection(opened.parcel.view)
    product = service.resolve_item(service.classify(parcel.items[0].gtin), opened.parcel.view)
    work.begin_unit(product, now=service.clock())
    work.grade("2")
    while work.current is not None and work.current.step is UnitStep.CHECKLIST:
        work.answer(True)
    return OpenUnit(service, opened.parcel.parcel_id, work)


def test_a_note_longer_than_the_tally_key_is_stored_whole_and_tallied_by_its_start(
    demo_env: StationEnvironment, open_unit: OpenUnit
) -> None:
    note = "<b>Seam</b> split \u202e 📦 " + "x" * 2000  # markup, bidi, emoji, 2,000+ characters
    open_unit.work.set_notes(note)
    open_unit.work.accept(now=open_unit.service.clock())
    open_unit.service.complete(open_unit.parcel_id, open_unit.work)
    with demo_env.database.session() as session:
        assert session.exec(select(Inspection.notes)).all() == [note]
        assert session.exec(select(NoteTally.note)).all() == [note[:500].lower()]


UNSTORABLE = {
    "NUL": ("scuffed\x00sole", "a NUL character"),
    "too long": ("x" * (NOTES_LIMIT + 1), "4,001 characters, at most 4,000"),
}


@pytest.mark.parametrize("text", UNSTORABLE)
@pytest.mark.parametrize("where", ["notes", "override reason"])
def test_text_the_database_cannot_store_is_refused_and_writes_nothing(
    demo_env: StationEnvironment, open_unit: OpenUnit, where: str, text: str
) -> None:
    typed, message = UNSTORABLE[text]
    work = open_unit.work
    before = table_rows(demo_env.database.engine)
    with pytest.raises(OperatorError, match=message.replace("4,000", "[0-9,]+")):
        if where == "notes":
            work.set_notes(typed)
        else:
            suggested = work.suggestion().disposition
            other = next(d for d in Disposition if d is not suggested)
            work.accept(now=open_unit.service.clock(), override=other, reason=typed)
    # Then the unit is still open to correct, and the database is as it was
    assert work.current is not None and work.current.notes == ""
    assert table_rows(demo_env.database.engine) == before


def test_an_unexpected_parcel_note_or_a_search_that_cannot_be_stored_is_refused(
    demo_env: StationEnvironment,
) -> None:
    service = station_service(demo_env)
    scan = service.classify(demo_parcel(demo_env, "RMA-100001").tracking_number)
    before = table_rows(demo_env.database.engine)
    with pytest.raises(OperatorError, match="^Note: a NUL character"):
        service.receive_unexpected(scan, "two shoes\x00")
    with pytest.raises(OperatorError, match="^Note: 2,001 characters, at most 2,000"):
        service.receive_unexpected(scan, "x" * 2001)
    with pytest.raises(OperatorError, match="^Search: a NUL character"):
        service.search("Rossi\x00")
    assert table_rows(demo_env.database.engine) == before
    assert service.search("RMA-100001")  # the same search without the NUL works


def test_an_imported_cell_with_a_nul_is_refused_by_row_and_column(
    demo_env: StationEnvironment,
) -> None:
    sample = (REPO_ROOT / "docs" / "returns-import-sample.csv").read_text()
    before = table_rows(demo_env.database.engine)
    with pytest.raises(ImportRejected) as refused:
        import_returns(demo_env.database, sample.replace("Nora Field", "Nora\x00Field", 1))
    assert refused.value.problems == ["row 2, column customer_name: holds a NUL character"]
    assert table_rows(demo_env.database.engine) == before
    assert import_returns(demo_env.database, sample).created  # the file itself imports


def test_the_text_limits_are_the_lengths_of_their_columns() -> None:
    assert (
        Inspection.__table__.c.notes.type.length,  # type: ignore[attr-defined]
        DispositionDecision.__table__.c.override_reason.type.length,  # type: ignore[attr-defined]
        Parcel.__table__.c.note.type.length,  # type: ignore[attr-defined]
    ) == (NOTES_LIMIT, OVERRIDE_REASON_LIMIT, UNEXPECTED_NOTE_LIMIT)


@pytest.mark.parametrize("length", [65, 72, 80])
def test_an_unexpected_parcel_with_a_long_label_is_recorded_whole(
    demo_env: StationEnvironment, length: int
) -> None:
    # Given a parcel whose only label is a long code (65-80 characters) that finds no return
    service = station_service(demo_env)
    label = "RMA-" + "GS1X" * 20
    scan = service.classify(label[:length])
    assert len(scan.value) == length
    assert not isinstance(service.open_parcel(scan), ParcelOpened)
    # When the inspector receives it as unexpected
    parcel_id = service.receive_unexpected(scan, "two shoes, no paperwork")
    # Then it is recorded with the label as scanned, found again by it
    with demo_env.database.read() as session:
        parcel = session.get(Parcel, parcel_id)
        assert parcel is not None and parcel.tracking_number == label[:length]
        found = session.exec(select(Parcel.id).where(Parcel.tracking_number == label[:length]))
        assert found.all() == [parcel_id]


def test_an_unexpected_parcel_label_longer_than_the_column_is_refused(
    demo_env: StationEnvironment,
) -> None:
    # Given a station whose scanner accepts scans of up to 120 characters
    service = station_service(demo_env)
    service.scan_rules = replace(service.scan_rules, max_length=120)
    scan = service.classify("RMA-" + "7" * 96)
    before = table_rows(demo_env.database.engine)
    # Then a 100-character label is refused with what to do, and nothing is written
    with pytest.raises(RejectedScan, match="100 characters long; at most 80 can be recorded"):
        service.receive_unexpected(scan, "")
    assert table_rows(demo_env.database.engine) == before


def test_the_tracking_limit_is_the_length_of_its_column() -> None:
    column = Parcel.__table__.c.tracking_number  # type: ignore[attr-defined]
    assert column.type.length == TRACKING_LIMIT == ScanRules().max_length
