"""A parcel scan is one transaction that reads its return once, whatever the scan finds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, event

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.station.screen import State
from workflow_driver import Station

_SELECT_RETURNS = re.compile(r"^SELECT\s.*\sFROM returns\b", re.DOTALL)


@dataclass
class Statements:
    transactions: int = 0
    return_reads: list[Any] = field(default_factory=list)  # parameters of each SELECT FROM returns

    def clear(self) -> None:
        self.transactions = 0
        self.return_reads.clear()


@pytest.fixture
def statements(demo_env: StationEnvironment) -> Iterator[Statements]:
    """What the station's engine runs: transactions begun, and every read of the returns table."""
    seen = Statements()
    engine: Engine = demo_env.database.engine

    def began(_connection: Any) -> None:
        seen.transactions += 1

    def executing(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if _SELECT_RETURNS.match(statement):
            seen.return_reads.append(parameters)

    event.listen(engine, "begin", began)
    event.listen(engine, "before_cursor_execute", executing)
    yield seen
    event.remove(engine, "begin", began)
    event.remove(engine, "before_cursor_execute", executing)


def test_receiving_a_parcel_is_one_transaction_that_reads_its_return_once(
    demo_env: StationEnvironment, statements: Statements
) -> None:
    station = Station(station_service(demo_env))
    parcel = demo_parcel(demo_env, "RMA-100002")
    statements.clear()
    # When the inspector scans a parcel's tracking label
    station.scan(parcel.tracking_number)
    # Then it is received, its lines shown, in one transaction reading the return once
    assert station.state is State.RETURN
    assert [p.line.sku for p in station.screen.lines] == sorted(i.sku for i in parcel.items)
    assert statements.transactions == 1
    assert len(statements.return_reads) == 1


def test_resuming_a_parcel_by_rma_is_one_transaction_that_reads_its_return_once(
    demo_env: StationEnvironment, statements: Statements
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")
    Station(station_service(demo_env)).scan(parcel.tracking_number)
    # Given the parcel was received at another station; this one scans its RMA
    station = Station(station_service(demo_env, station_code="STATION-02"))
    statements.clear()
    station.scan(parcel.rma_number)
    assert station.state is State.RETURN
    assert statements.transactions == 1
    assert len(statements.return_reads) == 1


def test_scanning_a_completed_parcel_is_one_transaction_that_reads_its_return_once(
    demo_env: StationEnvironment, statements: Statements
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    complete_parcel(station_service(demo_env), parcel)
    station = Station(station_service(demo_env))
    statements.clear()
    station.scan(parcel.tracking_number)
    assert station.state is State.OUTCOME
    assert statements.transactions == 1
    assert len(statements.return_reads) == 1


def test_an_unknown_parcel_is_one_transaction(
    demo_env: StationEnvironment, statements: Statements
) -> None:
    station = Station(station_service(demo_env))
    statements.clear()
    station.scan("RMA-999999")
    assert station.state is State.NO_RETURN
    assert statements.transactions == 1
