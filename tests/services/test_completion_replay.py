"""Completing is safe to ask twice: the station asks again when the answer to its commit was
lost with the connection. The same inspection from the same station gets what was stored, with
nothing written again; any other completion of the return is refused, as before."""

from __future__ import annotations

import pytest
from sqlmodel import col, func, select

from completing import inspect_parcel, station_service, three_unit_parcel
from returnsdesk.data.models import AuditEntry, OutboxEvent, Refund, StockMovement
from returnsdesk.domain.errors import AlreadyCompleted
from returnsdesk.services.bootstrap import StationEnvironment


def rows(env: StationEnvironment) -> tuple[int, ...]:
    with env.database.read() as session:
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Refund, StockMovement, OutboxEvent, AuditEntry)
        )


def test_the_same_inspection_completed_again_gets_the_stored_completion(
    demo_env: StationEnvironment,
) -> None:
    service = station_service(demo_env)
    parcel, work = inspect_parcel(service, three_unit_parcel(demo_env), resume=True)
    first = service.complete(parcel.parcel_id, work)
    written = rows(demo_env)

    again = service.complete(parcel.parcel_id, work)

    assert not first.replayed and again.replayed
    assert again == type(first)(**{**first.__dict__, "replayed": True})
    assert rows(demo_env) == written
    with demo_env.database.read() as session:
        refunds = session.exec(
            select(func.count()).select_from(Refund).where(col(Refund.id) == first.refund_id)
        ).one()
    assert refunds == 1


def test_another_inspection_or_station_completing_it_again_is_refused(
    demo_env: StationEnvironment,
) -> None:
    service = station_service(demo_env)
    demo = three_unit_parcel(demo_env)
    parcel, work = inspect_parcel(service, demo, resume=True)
    service.complete(parcel.parcel_id, work)
    other = station_service(demo_env, operator_code="OP-0002", station_code="STATION-02")
    written = rows(demo_env)  # the sign-in at the other station audited

    # The same units, asked by another station: not its completion
    with pytest.raises(AlreadyCompleted, match=demo.rma_number):
        other.complete(parcel.parcel_id, work)
    # The same station with an inspection of other units (say, the parcel inspected twice)
    again = service.new_inspection(parcel.view)
    for unit in work.units:
        again.begin_unit(unit.product, now=service.clock())
        again.grade("2")
        while again.current is not None and again.current.step.value == "checklist":
            again.answer(True)
        again.accept(now=service.clock())
    with pytest.raises(AlreadyCompleted, match=demo.rma_number):
        service.complete(parcel.parcel_id, again)
    assert rows(demo_env) == written
