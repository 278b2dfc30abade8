"""Two stations finish the same parcel at the same moment: exactly one refund, never two.

No Qt here: two ``StationService``s, each with its own engine on one SQLite file (as two
station processes would have), signed in as different operators at different stations. Both
open the same parcel, each inspects a unit in its own ``ParcelInspection``, and both complete
from two threads released together by a barrier.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import col, func, select

from returnsdesk.config import load_settings
from returnsdesk.data.models import (
    AuditEntry,
    Inspection,
    OutboxEvent,
    Parcel,
    Refund,
    RefundLine,
    Return,
    StockMovement,
)
from returnsdesk.data.repositories import verify_audit_chain
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.errors import AlreadyCompleted
from returnsdesk.domain.inspection import ParcelInspection, UnitStep
from returnsdesk.domain.vocabulary import ParcelStatus, ReturnStatus
from returnsdesk.services.bootstrap import StationEnvironment, open_environment
from returnsdesk.services.demo import DemoParcel
from returnsdesk.services.operators import sign_in
from returnsdesk.services.station import ParcelOpened, StationService
from returnsdesk.services.views import CompletionResult, ReceivedParcel

ROUNDS = 10


@pytest.fixture
def database_url(url_on_each_backend: str) -> str:
    """On SQLite and on a real PostgreSQL: the refund is refused by the database on both."""
    return url_on_each_backend


@pytest.fixture(autouse=True)
def _no_demo_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip rendering the printable barcode PDF (about 1 s per demo database, most of a
    window's set-up); nothing here reads it, and tests/services/test_demo.py covers it."""
    monkeypatch.setattr(
        "returnsdesk.services.demo_sheet.write_demo_sheet", lambda _summary, path: path
    )


@dataclass(frozen=True)
class Station:
    env: StationEnvironment
    service: StationService


@pytest.fixture
def two_stations(database_url: str) -> Iterator[tuple[Station, Station]]:
    settings = load_settings(environ={}, overrides={"database.url": database_url})
    stations = []
    for operator_code, station_code in (("OP-0001", "STATION-01"), ("OP-0002", "STATION-02")):
        env = open_environment(settings, demo=True)  # the second finds the demo data seeded
        with env.database.session() as session:
            context = sign_in(session, operator_code=operator_code, station_code=station_code)
        service = StationService(
            database=env.database,
            policies=env.policies,
            context=context,
            scan_rules=env.scan_rules,
            clock=utc_now,  # the demo's dates are relative to the machine's clock
        )
        stations.append(Station(env, service))
    first, second = stations
    assert first.service.context.station_id != second.service.context.station_id
    assert first.service.context.operator_id != second.service.context.operator_id
    yield first, second
    for station in stations:
        station.env.database.dispose()


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls on their own threads, released together; each result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait(timeout=10)
        try:
            outcomes[index] = call()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test to assert on
            outcomes[index] = exc

    threads = [
        threading.Thread(target=run, args=(i, call), name=f"station-{i + 1}")
        for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a completion hung"
    return outcomes


def inspect_first_unit(service: StationService, parcel: ReceivedParcel, demo: DemoParcel) -> Any:
    """A ParcelInspection with the first expected unit graded B and accepted."""
    work: ParcelInspection = service.new_inspection(parcel.view)
    item = demo.items[0]
    product = service.resolve_item(service.classify(item.gtin), parcel.view)
    work.begin_unit(product, now=service.clock())
    assert work.current is not None
    if work.current.step is UnitStep.SERIAL:
        assert work.scan_serial(item.serial_numbers[0])
    work.grade("2")
    while work.current.step is UnitStep.CHECKLIST:
        work.answer(True)
    work.accept(now=service.clock())
    return work


def count(session: Any, query: Any) -> int:
    return int(session.exec(query).one())


def race_to_complete(first: Station, second: Station, demo: DemoParcel) -> None:
    """One round: both stations open, inspect and complete ``demo``'s parcel at once."""
    rma = demo.rma_number
    scan = first.service.classify(demo.tracking_number)

    # Given both stations scan the same parcel at the same moment
    opened = at_once(
        lambda: first.service.open_parcel(scan), lambda: second.service.open_parcel(scan)
    )
    assert all(isinstance(o, ParcelOpened) for o in opened), (rma, opened)
    received = [o.parcel for o in opened]
    # Then it is received once; the other station resumes the same parcel
    assert received[0].parcel_id == received[1].parcel_id, rma
    assert sorted(r.resumed for r in received) == [False, True], rma

    # And each inspector inspects one unit on their own station
    works = [
        inspect_first_unit(station.service, parcel, demo)
        for station, parcel in zip((first, second), received, strict=True)
    ]
    parcel_id = received[0].parcel_id

    # When both complete at once
    outcomes = at_once(
        lambda: first.service.complete(parcel_id, works[0]),
        lambda: second.service.complete(parcel_id, works[1]),
    )

    # Then exactly one succeeds and the other is told the return was completed already
    wins = [o for o in outcomes if isinstance(o, CompletionResult)]
    losses = [o for o in outcomes if isinstance(o, AlreadyCompleted)]
    assert (len(wins), len(losses)) == (1, 1), (rma, outcomes)
    (win,) = wins
    winner = (first, second)[outcomes.index(win)]
    assert win.stock_movements == 1, rma

    # And the database holds one completion: one refund, one set of rows beneath it
    expected_units = received[0].view.expected_units
    with first.env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
        assert return_.status is ReturnStatus.COMPLETED, rma
        parcels = session.exec(select(Parcel).where(Parcel.return_id == return_.id)).all()
        assert [(p.id, p.status) for p in parcels] == [(parcel_id, ParcelStatus.COMPLETED)]
        refunds = session.exec(select(Refund).where(Refund.return_id == return_.id)).all()
        assert [r.id for r in refunds] == [win.refund_id], rma
        assert refunds[0].operator_id == winner.service.context.operator_id, rma
        inspection_ids = session.exec(
            select(Inspection.id).where(Inspection.parcel_id == parcel_id)
        ).all()
        # one inspected unit, the rest closed as missing: not doubled by the loser
        assert len(inspection_ids) == expected_units, rma
        assert (
            count(
                session,
                select(func.count())
                .select_from(StockMovement)
                .where(col(StockMovement.inspection_id).in_(inspection_ids)),
            )
            == 1
        ), rma
        assert (
            count(
                session,
                select(func.count())
                .select_from(RefundLine)
                .where(RefundLine.refund_id == win.refund_id),
            )
            == expected_units
        ), rma
        events = session.exec(
            select(OutboxEvent.event_type).where(OutboxEvent.aggregate_id == return_.id)
        ).all()
        assert sorted(events) == [
            "refund.requested",
            "return.closed",
            "return.received",
            "stock.adjusted",
            "unit.inspected",
        ], rma
        completed_entries = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == "return.completed", AuditEntry.subject == rma
            )
        ).all()
        assert len(completed_entries) == 1, rma


def test_two_stations_completing_one_parcel_at_once_refund_it_exactly_once(
    two_stations: tuple[Station, Station],
) -> None:
    first, second = two_stations
    assert first.env.demo is not None
    demo_parcels = [p for p in first.env.demo.parcels if p.tracking_number][:ROUNDS]
    assert len(demo_parcels) == ROUNDS

    for demo in demo_parcels:
        race_to_complete(first, second, demo)


def test_completing_again_after_the_other_station_finished_is_refused(
    two_stations: tuple[Station, Station],
) -> None:
    # Given station 1 completed a return while station 2 still had it open
    first, second = two_stations
    assert first.env.demo is not None
    demo = first.env.demo.parcels[0]
    scan = first.service.classify(demo.tracking_number)
    opened = [station.service.open_parcel(scan) for station in (first, second)]
    assert all(isinstance(o, ParcelOpened) for o in opened)
    received = [o.parcel for o in opened if isinstance(o, ParcelOpened)]
    works = [
        inspect_first_unit(station.service, parcel, demo)
        for station, parcel in zip((first, second), received, strict=True)
    ]
    first.service.complete(received[0].parcel_id, works[0])

    # When station 2 completes its own inspection of it
    with pytest.raises(AlreadyCompleted, match=demo.rma_number):
        second.service.complete(received[1].parcel_id, works[1])

    # Then there is still one refund, and station 2 wrote nothing
    with first.env.database.session() as session:
        return_id: uuid.UUID = session.exec(
            select(Return.id).where(Return.rma_number == demo.rma_number)
        ).one()
        assert (
            count(
                session,
                select(func.count()).select_from(Refund).where(Refund.return_id == return_id),
            )
            == 1
        )
        assert (
            count(
                session,
                select(func.count())
                .select_from(Inspection)
                .where(Inspection.station_id == second.service.context.station_id),
            )
            == 0
        )


def test_two_stations_completing_different_returns_at_once_both_succeed(
    two_stations: tuple[Station, Station],
) -> None:
    # Given each station has its own return open
    first, second = two_stations
    assert first.env.demo is not None
    demos = [p for p in first.env.demo.parcels if p.tracking_number][: ROUNDS * 2]
    for one, other in zip(demos[::2], demos[1::2], strict=True):
        pairs = [(first, one), (second, other)]
        works = []
        for station, demo in pairs:
            opened = station.service.open_parcel(station.service.classify(demo.tracking_number))
            assert isinstance(opened, ParcelOpened)
            works.append(
                (opened.parcel.parcel_id, inspect_first_unit(station.service, opened.parcel, demo))
            )
        # When both complete at the same moment
        outcomes = at_once(
            *(
                lambda s=station, w=work: s.service.complete(*w)
                for (station, _demo), work in zip(pairs, works, strict=True)
            )
        )
        # Then both are refunded: one station's completion never fails for the other's
        assert all(isinstance(o, CompletionResult) for o in outcomes), outcomes
    # And the audit chain is one unbroken line
    with first.env.database.session() as session:
        assert verify_audit_chain(session).ok
        sequences = session.exec(select(OutboxEvent.sequence)).all()
        assert len(sequences) == len(set(sequences))
