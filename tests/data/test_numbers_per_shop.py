"""Order and RMA numbers are unique per shop, not across shops (migration 0022), on SQLite and a
real PostgreSQL: two client shops may share RMA-1001, the station's own shop (client_code NULL)
may not hold one number twice, nor may one client shop."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from returnsdesk.data import migrations
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import current_revision, head_revision, upgrade_to_head
from returnsdesk.data.models import Order, Return

PLACED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def database_url(url_on_each_backend: str) -> str:
    return url_on_each_backend


@pytest.fixture
def at_0021(database_url: str) -> Iterator[Database]:
    """A database at 0021 (numbers unique across shops), before this change."""
    database = Database(make_engine(database_url))
    _migrate(database, "upgrade", "0021")
    yield database
    database.dispose()


def _migrate(database: Database, direction: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    with database.engine.connect() as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)


def _add(database: Database, shop: str | None, order_number: str, rma: str) -> uuid.UUID:
    with database.session() as session:
        order = Order(
            number=order_number,
            customer_name="Ann",
            customer_email="ann@example.com",
            currency="EUR",
            placed_at=PLACED,
            client_code=shop,
        )
        return_ = Return(
            rma_number=rma,
            order_id=order.id,
            customer_name="Ann",
            customer_email="ann@example.com",
            client_code=shop,
        )
        session.add_all([order, return_])
        return return_.id


def _add_order(database: Database, shop: str | None, number: str) -> None:
    with database.session() as session:
        session.add(
            Order(
                number=number,
                customer_name="Bo",
                customer_email="bo@example.com",
                currency="EUR",
                placed_at=PLACED,
                client_code=shop,
            )
        )


def test_two_shops_share_numbers_and_neither_holds_one_twice(at_0021: Database) -> None:
    database = at_0021
    # Given a database from before, with the station's own return and Acme's
    own = _add(database, None, "WEB-1001", "RMA-1001")
    acme = _add(database, "ACME", "#1001", "RMA-7")
    # and, then, numbers still unique across shops: Bolt cannot have Acme's RMA
    with pytest.raises(IntegrityError):
        _add(database, "BOLT", "#2001", "RMA-7")

    # When it is upgraded
    upgrade_to_head(database.engine)

    # Then its rows are kept, and Bolt and the station's own shop may use Acme's numbers
    bolt = _add(database, "BOLT", "#1001", "RMA-7")
    own_too = _add(database, None, "#1001", "RMA-7")
    with database.read() as session:
        rows = session.exec(
            select(Return.id, Return.client_code, Order.number)
            .join(Order, col(Order.id) == col(Return.order_id))
            .where(col(Return.rma_number) == "RMA-7")
        ).all()
    assert sorted(rows, key=str) == sorted(
        [(acme, "ACME", "#1001"), (bolt, "BOLT", "#1001"), (own_too, None, "#1001")], key=str
    )
    # but no shop holds one number twice: not a client shop, nor the station's own (NULL)
    for shop, order_number, rma in (
        ("ACME", "#1001", "RMA-NEW"),
        ("ACME", "#NEW", "RMA-7"),
        (None, "WEB-1001", "RMA-NEW"),
        (None, "#NEW", "RMA-1001"),
    ):
        with pytest.raises(IntegrityError):
            _add(database, shop, order_number, rma)
    _add_order(database, "ACME", "WEB-1001")  # the own shop's number is free for Acme
    with database.read() as session:
        assert session.get(Return, own) is not None


def test_downgrade_is_refused_once_two_shops_share_a_number(at_0021: Database) -> None:
    database = at_0021
    upgrade_to_head(database.engine)
    _add(database, "ACME", "#1001", "RMA-7")
    _add(database, "BOLT", "#1001", "RMA-7")
    with pytest.raises(IntegrityError):
        _migrate(database, "downgrade", "0021")
    with database.read() as session:
        assert len(session.exec(select(Return)).all()) == 2
    assert current_revision(database.engine) == head_revision()  # nothing half-undone
