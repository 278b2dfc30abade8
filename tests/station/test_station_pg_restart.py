"""The real PostgreSQL server goes away while the station completes a return (a server of the
test's own, tests/postgres.py): the station keeps the inspection, retries by itself, and the
return ends completed once, with one refund, stock movements equal to the stock events, and
each event once. The station is the Qt-free workflow, driven as the Qt controller drives it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlmodel import col, select

from completing import station_service, three_unit_parcel
from postgres import PostgresCluster
from returnsdesk.data.models import Inspection, OutboxEvent, Parcel, Refund, Return, StockMovement
from returnsdesk.domain.vocabulary import ReturnStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.station.screen import State, Tone
from workflow_driver import Station, inspect_to_the_last_enter

pytestmark = pytest.mark.postgres

UNREACHABLE = "Database unreachable — your inspection is kept; retrying every"


def stored(env: StationEnvironment, rma: str) -> dict[str, Any]:
    """What the database holds of the return: status, refunds, stock movements, events."""
    with env.database.read() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
        parcels = select(Parcel.id).where(col(Parcel.return_id) == return_.id)
        inspections = select(Inspection.id).where(col(Inspection.parcel_id).in_(parcels))
        movements = session.exec(
            select(StockMovement).where(col(StockMovement.inspection_id).in_(inspections))
        ).all()
        events = session.exec(
            select(OutboxEvent).where(col(OutboxEvent.aggregate_id) == return_.id)
        ).all()
        stock_events = Counter[str]()
        for event in events:
            if event.event_type == "stock.adjusted":
                stock_events[event.payload["sku"]] += event.payload["quantity_delta"]
        refunds = session.exec(select(Refund).where(Refund.return_id == return_.id)).all()
        return {
            "status": return_.status,
            "refunds": len(refunds),
            "movements": Counter(m.sku for m in movements for _ in range(m.quantity_delta)),
            "stock_events": stock_events,
            "events": Counter(event.event_type for event in events),
        }


def assert_completed_once(env: StationEnvironment, rma: str, units: int) -> None:
    after = stored(env, rma)
    assert after["status"] is ReturnStatus.COMPLETED
    assert after["refunds"] == 1
    assert sum(after["movements"].values()) == units
    assert after["stock_events"] == after["movements"]
    assert after["events"] == {
        "return.received": 1,
        "unit.inspected": units,
        "stock.adjusted": units,
        "refund.requested": 1,
        "return.closed": 1,
    }


def test_a_server_stopped_for_a_while_finds_the_station_waiting_and_completing_once_back(
    postgres_demo_env: StationEnvironment, private_postgres_cluster: PostgresCluster
) -> None:
    station = Station(station_service(postgres_demo_env))
    parcel = three_unit_parcel(postgres_demo_env)
    inspect_to_the_last_enter(station, parcel)

    # When the server stops before the inspector confirms the refund
    private_postgres_cluster.stop()
    try:
        screen = station.press("Enter")
        # Then the station says so at once and keeps the inspection on screen
        assert screen.banner.tone is Tone.ERROR and UNREACHABLE in screen.banner.text
        assert screen.database_unreachable and screen.busy
        assert screen.refund is not None and screen.refund.confirming
        # And its retries while the server stays down only make the pause grow
        station.retry()
        screen = station.retry()
        assert [r.seconds for r in station.retries] == [1.0, 2.0, 5.0]
        assert UNREACHABLE in screen.banner.text and station.state is State.RETURN
    finally:
        private_postgres_cluster.start_server()

    # When the server is back, the next retry completes the return, once
    screen = station.retry()
    assert screen.state is State.OUTCOME and screen.banner.text.startswith("Done:")
    assert not screen.database_unreachable
    assert_completed_once(postgres_demo_env, parcel.rma_number, 3)


def test_a_server_restarting_after_the_commit_before_its_answer_refunds_once(
    postgres_demo_env: StationEnvironment,
    private_postgres_cluster: PostgresCluster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    station = Station(station_service(postgres_demo_env))
    parcel = three_unit_parcel(postgres_demo_env)
    inspect_to_the_last_enter(station, parcel)
    dialect = postgres_demo_env.database.engine.dialect
    commit = dialect.do_commit
    lost = []

    def commit_then_lose_the_answer(dbapi_connection: Any) -> None:
        commit(dbapi_connection)
        if not lost:
            # The completion is committed; the server restarts before the station hears so,
            # and the driver finds its connection gone.
            lost.append(True)
            private_postgres_cluster.restart()
            dbapi_connection.execute("SELECT 1")

    # When the completion's answer is lost with the server
    monkeypatch.setattr(dialect, "do_commit", commit_then_lose_the_answer)
    screen = station.press("Enter")
    assert lost and UNREACHABLE in screen.banner.text
    assert stored(postgres_demo_env, parcel.rma_number)["refunds"] == 1  # it was committed

    # Then the retry finds this very completion stored and shows it as done: one refund
    screen = station.retry()
    assert screen.state is State.OUTCOME and screen.banner.tone is Tone.OK
    assert screen.banner.text.startswith("Done:")
    result = station.workflow.last_completion
    assert result is not None and result.replayed and result.stock_movements == 3
    assert_completed_once(postgres_demo_env, parcel.rma_number, 3)
