from __future__ import annotations

import sqlite3
import stat
import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import col, func, select

from returnsdesk.data.db import Database, default_database_url, demo_database_url, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.models import OutboxEvent, Parcel, Product, Station


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_pragmas_are_in_effect(database: Database) -> None:
    names = ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
    with database.engine.connect() as connection:
        values = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names}
    assert values == {
        "journal_mode": "wal",
        "synchronous": 2,  # FULL
        "busy_timeout": 10_000,
        "foreign_keys": 1,
    }


def test_foreign_keys_are_enforced(database: Database) -> None:
    parcel = Parcel(
        tracking_number="1Z999AA10123456784",
        carrier="ups",
        station_id=uuid.uuid4(),
        operator_id=uuid.uuid4(),
    )
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), database.session() as session:
        session.add(parcel)


def test_a_session_holds_the_write_lock_from_its_first_statement(
    database: Database, database_url: str
) -> None:
    # Given a session that has only read so far
    with database.session() as session:
        session.exec(select(Station)).all()
        # Then no other writer can start until it ends
        other = sqlite3.connect(make_url(database_url).database or "", timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_database_file_and_its_wal_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "returnsdesk.sqlite3"
    database = Database(make_engine(f"sqlite:///{path}"))
    ensure_schema(database.engine)
    with database.session() as session:
        session.add(Station(code="S1", name="Station 1"))
        assert _mode(path) == 0o600
        assert _mode(path.with_name(path.name + "-wal")) == 0o600
    database.dispose()


def test_an_existing_database_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "returnsdesk.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o600


def test_naive_datetime_is_refused(database: Database) -> None:
    station = Station(code="S1", name="Station 1", created_at=datetime(2024, 5, 1, 12, 0))
    with pytest.raises(StatementError, match="timezone-aware"), database.session() as session:
        session.add(station)
    with database.session() as session:
        assert session.exec(select(Station)).all() == []


def test_aware_datetime_reads_back_as_the_same_instant_in_utc(database: Database) -> None:
    local = datetime(2024, 5, 1, 14, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    with database.session() as session:
        session.add(Station(code="S1", name="Station 1", created_at=local))
    with database.session() as session:
        stored = session.exec(select(Station.created_at)).one()
    assert stored == local
    assert stored.tzinfo is UTC


def test_money_round_trips_exactly_and_sums_exactly_in_sql(database: Database) -> None:
    values = [Decimal("0.1")] * 10 + [Decimal("19.99"), Decimal("123456789012.3456")]
    with database.session() as session:
        for index, value in enumerate(values):
            session.add(
                Product(
                    sku=f"SKU-{index}",
                    title="Mug",
                    category="kitchen",
                    unit_value=value,
                    currency="EUR",
                )
            )
    with database.session() as session:
        stored = session.exec(select(col(Product.unit_value))).all()
        total = session.exec(select(func.sum(col(Product.unit_value)))).one()
        tenths = session.exec(
            select(func.sum(col(Product.unit_value))).where(Product.unit_value == Decimal("0.1"))
        ).one()
        storage_types = set(
            session.exec(select(func.typeof(col(Product.unit_value)))).all()  # as SQLite stores it
        )
    assert sorted(stored) == sorted(values)
    assert total == Decimal("123456789033.3356")
    assert tenths == Decimal("1")  # a REAL column would sum to 0.9999999999999999
    assert storage_types == {"integer"}


def test_money_with_more_than_four_decimal_places_is_refused(database: Database) -> None:
    product = Product(
        sku="SKU", title="Mug", category="kitchen", unit_value=Decimal("0.00001"), currency="EUR"
    )
    with pytest.raises(StatementError, match="four decimal places"), database.session() as s:
        s.add(product)


def test_session_commits_on_success_and_returns_detached_plain_data(database: Database) -> None:
    with database.session() as session:
        station = Station(code="S1", name="Station 1")
        session.add(station)
    assert inspect(station).detached
    assert station.name == "Station 1"  # still loaded after the commit: no lazy load needed


def test_session_rolls_back_when_the_action_fails(database: Database) -> None:
    with pytest.raises(RuntimeError), database.session() as session:
        session.add(Station(code="S1", name="Station 1"))
        session.flush()
        raise RuntimeError("printer offline")
    with database.session() as session:
        assert session.exec(select(Station)).all() == []


def test_concurrent_read_then_increment_updates_lose_nothing(database: Database) -> None:
    # Given one row both threads update
    with database.session() as session:
        event = OutboxEvent(
            sequence=1,
            event_type="return.completed",
            aggregate_id=uuid.uuid4(),
            idempotency_key="k",
        )
        session.add(event)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def increment_200_times() -> None:
        try:
            start.wait()
            for _ in range(200):
                with database.session() as session:
                    row = session.get_one(OutboxEvent, event.id)  # read ...
                    row.attempts += 1  # ... then write, in one transaction
        except BaseException as error:  # reported below; a thread's exception would be lost
            errors.append(error)

    # When two threads each increment it 200 times through their own sessions
    threads = [threading.Thread(target=increment_200_times) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every increment counts
    assert errors == []
    with database.session() as session:
        assert session.get_one(OutboxEvent, event.id).attempts == 400


def test_in_memory_database_is_shared_by_all_sessions() -> None:
    database = Database(make_engine("sqlite://"))
    ensure_schema(database.engine)
    with database.session() as session:
        session.add(Station(code="S1", name="Station 1"))
    with database.session() as session:
        assert [s.code for s in session.exec(select(Station))] == ["S1"]
    database.dispose()


def test_default_and_demo_databases_are_separate_files_in_the_user_data_dir() -> None:
    default = Path(make_url(default_database_url()).database or "")
    demo = Path(make_url(demo_database_url()).database or "")
    assert default.name == "returnsdesk.sqlite3"
    assert demo.name == "returnsdesk-demo.sqlite3"
    assert default.parent == demo.parent
    assert default.is_absolute()
