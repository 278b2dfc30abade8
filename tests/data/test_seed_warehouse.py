"""bench/seed_warehouse.py at a tiny scale: a database the station opens and works returns in."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import ColumnElement, func
from sqlmodel import SQLModel, col, select

from returnsdesk.config import load_settings
from returnsdesk.data.db import Database
from returnsdesk.data.models import Inspection, Order, Refund, Return
from returnsdesk.data.tally_tables import UnitTally
from returnsdesk.domain.clock import fixed_clock
from returnsdesk.domain.scanning import ScanKind
from returnsdesk.domain.vocabulary import RefundStatus
from returnsdesk.services.bootstrap import open_environment
from returnsdesk.services.operators import sign_in
from returnsdesk.services.station import ParcelAlreadyCompleted, ParcelOpened, StationService

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
SCALE = 0.0005  # 500 orders, 100 returns (10 open), 500 inspected units


@pytest.fixture
def database_url(url_on_each_backend: str) -> str:
    """SQLite, then PostgreSQL (the seeder's COPY path)."""
    return url_on_each_backend


def _seeder() -> ModuleType:
    path = Path(__file__).parents[2] / "bench" / "seed_warehouse.py"
    spec = importlib.util.spec_from_file_location("seed_warehouse", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _count(database: Database, model: type[SQLModel], *where: ColumnElement[bool]) -> int:
    with database.read() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_seeded_database_is_worked_at_the_station(database_url: str) -> None:
    seeder = _seeder()
    size = seeder.seed(database_url, scale=SCALE, now=NOW, chunk=200)
    seeder.seed(database_url, scale=SCALE, now=NOW, chunk=200)  # again: nothing is added
    env = open_environment(
        load_settings(environ={}, overrides={"database.url": database_url}), demo=False
    )
    try:
        assert _count(env.database, Order, col(Order.number).startswith("WEB-3")) == 500
        assert _count(env.database, Return, col(Return.rma_number).startswith("RMA-5")) == 100
        assert _count(env.database, Inspection) == 500
        assert _count(env.database, Refund) == 90
        with env.database.read() as session:  # the report tallies agree with the rows
            assert session.exec(select(func.sum(UnitTally.units))).one() == 500
        with env.database.session() as session:
            context = sign_in(
                session, operator_code=seeder.INSPECTORS[0], station_code=seeder.STATIONS[7]
            )
        service = StationService(
            database=env.database,
            policies=env.policies,
            context=context,
            scan_rules=env.scan_rules,
            clock=fixed_clock(NOW),
        )
        # Every number is read as the scanner's text is.
        first_open = size.completed_returns
        scans = {
            ScanKind.RMA: seeder.rma_number(first_open),
            ScanKind.TRACKING: seeder.tracking_number(first_open + 1)[0],
            ScanKind.ORDER: seeder.order_number(first_open * 5 + 4),
        }
        for kind, raw in scans.items():
            assert service.classify(raw).kind is kind, raw
        # A completed return's RMA shows its outcome; an open one's tracking number opens it.
        done = service.open_parcel(service.classify(seeder.rma_number(3)))
        assert isinstance(done, ParcelAlreadyCompleted)
        assert done.outcome.view.rma_number == seeder.rma_number(3)
        assert len(done.outcome.units) == sum(line.quantity for line in done.outcome.view.lines)
        assert done.outcome.refund_status is RefundStatus.APPROVED
        opened = service.open_parcel(service.classify(scans[ScanKind.TRACKING]))
        assert isinstance(opened, ParcelOpened)
        view = opened.parcel.view
        assert view.rma_number == seeder.rma_number(first_open + 1)
        assert view.days_since_delivery is not None and view.days_since_delivery <= 20
        # Inspect each unit by its SKU (typed, as from a label) and complete.
        work = service.new_inspection(view)
        for line in view.lines:
            for unit in range(line.quantity):
                work.begin_unit(service.resolve_item(service.classify(line.sku), view), now=NOW)
                assert work.current is not None
                if work.current.step.value == "serial":
                    work.scan_serial(line.serial_numbers[unit])
                work.grade("2")
                while work.current is not None and work.current.step.value == "checklist":
                    work.answer(True)
                work.accept(now=NOW)
        result = service.complete(opened.parcel.parcel_id, work)
        assert result.stock_movements == sum(line.quantity for line in view.lines)
        assert _count(env.database, Refund) == 91
    finally:
        env.database.dispose()
