"""The PostgreSQL server restarts or stops in the middle of a shift (a real server of the test's
own, tests/postgres.py): the station's calls fail with an operator error saying the database
is unavailable, nothing is half-written, and the same inspection completes once it is back.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, func, select

from completing import inspect_parcel, station_service, three_unit_parcel
from postgres import PostgresCluster
from returnsdesk.data.models import Inspection, OutboxEvent, Parcel, Refund, Return, UnitDraft
from returnsdesk.domain.errors import DatabaseUnavailable
from returnsdesk.domain.vocabulary import ParcelStatus, ReturnStatus
from returnsdesk.services import regrades
from returnsdesk.services.bootstrap import StationEnvironment

pytestmark = pytest.mark.postgres

UNAVAILABLE = r"^Database unavailable \(.+\)\. Nothing of this step was saved.*Retrying"


def written(env: StationEnvironment, rma: str) -> dict[str, Any]:
    """What the database holds of a return's completion."""
    with env.database.read() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
        parcels = select(Parcel.id).where(col(Parcel.return_id) == return_.id)
        count = lambda model, where: session.exec(  # noqa: E731 - three counts below
            select(func.count()).select_from(model).where(where)
        ).one()
        return {
            "status": return_.status,
            "refunds": count(Refund, col(Refund.return_id) == return_.id),
            "inspections": count(Inspection, col(Inspection.parcel_id).in_(parcels)),
            "events": count(OutboxEvent, col(OutboxEvent.aggregate_id) == return_.id),
        }


def test_a_stopped_server_is_an_operator_error_and_the_inspection_completes_once_it_is_back(
    postgres_demo_env: StationEnvironment, private_postgres_cluster: PostgresCluster
) -> None:
    service = station_service(postgres_demo_env)
    demo = three_unit_parcel(postgres_demo_env)
    # Given an inspector has inspected every unit of a parcel
    parcel, work = inspect_parcel(service, demo)
    before = written(postgres_demo_env, demo.rma_number)
    assert before["status"] is ReturnStatus.RECEIVED and before["refunds"] == 0

    # When the server stops (for a while) before they complete it
    private_postgres_cluster.stop()
    try:
        # Then completing, scanning and searching say the database is unavailable
        with pytest.raises(DatabaseUnavailable, match=UNAVAILABLE):
            service.complete(parcel.parcel_id, work)
        with pytest.raises(DatabaseUnavailable, match=UNAVAILABLE):
            service.open_parcel(service.classify(demo.rma_number))
        with pytest.raises(DatabaseUnavailable, match=UNAVAILABLE):
            service.search("Morgan")
    finally:
        private_postgres_cluster.start_server()

    # And once it is back, the same inspection completes, once
    result = service.complete(parcel.parcel_id, work)
    after = written(postgres_demo_env, demo.rma_number)
    assert after["status"] is ReturnStatus.COMPLETED
    assert (after["refunds"], after["inspections"]) == (1, 3)
    assert result.stock_movements == 3


def test_a_server_restarting_mid_completion_leaves_nothing_half_written(
    postgres_demo_env: StationEnvironment,
    private_postgres_cluster: PostgresCluster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = station_service(postgres_demo_env)
    demo = three_unit_parcel(postgres_demo_env)
    parcel, work = inspect_parcel(service, demo)
    before = written(postgres_demo_env, demo.rma_number)
    queue_regrades = regrades.queue_regrades

    def crash_then_continue(session: Any, **kwargs: Any) -> None:
        # Inside the completion's transaction, its inspections and refund already flushed:
        # the server dies as if its machine lost power, and comes back.
        session.flush()
        private_postgres_cluster.restart()
        queue_regrades(session, **kwargs)

    # When the server restarts while the completion's transaction is open
    monkeypatch.setattr(regrades, "queue_regrades", crash_then_continue)
    with pytest.raises(DatabaseUnavailable, match=UNAVAILABLE):
        service.complete(parcel.parcel_id, work)
    monkeypatch.setattr(regrades, "queue_regrades", queue_regrades)

    # Then nothing of it was stored: the return is as it was, the parcel still open, its
    # drafts and events untouched
    assert written(postgres_demo_env, demo.rma_number) == before
    with postgres_demo_env.database.read() as session:
        stored = session.get(Parcel, parcel.parcel_id)
        assert stored is not None and stored.status is ParcelStatus.OPEN
        assert session.exec(select(func.count()).select_from(UnitDraft)).one() == 0

    # And the station's next call works at once (the pool replaces the dead connections), and
    # the same inspection completes
    service.complete(parcel.parcel_id, work)
    after = written(postgres_demo_env, demo.rma_number)
    assert (after["status"], after["refunds"], after["inspections"]) == (
        ReturnStatus.COMPLETED,
        1,
        3,
    )


def test_a_restart_between_two_steps_goes_unnoticed(
    postgres_demo_env: StationEnvironment, private_postgres_cluster: PostgresCluster
) -> None:
    service = station_service(postgres_demo_env)
    demo = three_unit_parcel(postgres_demo_env)
    parcel, work = inspect_parcel(service, demo)
    # When the server restarts between two of the station's calls
    private_postgres_cluster.restart()
    # Then the next call finds a live connection: no error at all
    service.complete(parcel.parcel_id, work)
    assert written(postgres_demo_env, demo.rma_number)["refunds"] == 1
