"""The one writer of the order/return aggregate: how it upserts, and that nothing else writes it."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

import returnsdesk
from returnsdesk.data.db import Database
from returnsdesk.data.models import (
    Order,
    OrderLine,
    Product,
    ProductGtin,
    Return,
    ReturnLine,
    ReturnTracking,
)
from returnsdesk.data.return_writer import ReturnLineValues, ReturnWriter, TrackingWrite

PLACED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
AGGREGATE = {
    "Order", "OrderLine", "Product", "ProductGtin", "Return", "ReturnLine", "ReturnTracking"
}  # fmt: skip
SOURCE = Path(returnsdesk.__file__).parent


def _write_return(
    writer: ReturnWriter, rma: str, skus: dict[str, int], tracking: str, shop: str | None = None
) -> tuple[Return, dict[str, OrderLine]]:
    order = writer.order(
        "WEB-1", shop, customer_name="Ada", customer_email="ada@example.com", currency="EUR",
        placed_at=PLACED,
    )  # fmt: skip
    lines = {}
    for sku in ("SKU-A", "SKU-B"):
        product = writer.product(
            None, sku, title=sku, category="apparel", unit_value=Decimal("10.00"), currency="EUR"
        )
        existing = next((x for x in writer.lines_of_order(order) if x.sku == sku), None)
        lines[sku] = writer.order_line(
            order, existing, product_id=product.id, sku=sku, quantity=2,
            unit_price=Decimal("9.50"), currency="EUR",
        )  # fmt: skip
    return_ = writer.return_(
        rma, shop, order_id=order.id, customer_name="Ada", customer_email="ada@example.com"
    )
    writer.set_return_lines(
        return_,
        [ReturnLineValues(lines[sku], quantity, "too_small") for sku, quantity in skus.items()],
    )
    writer.tracking_number(return_, tracking, "DHL")
    return return_, lines


def test_writing_a_return_again_updates_it_in_place(database: Database) -> None:
    # Given a return of two lines, written once
    with database.session() as session:
        _write_return(ReturnWriter(session), "RMA-1", {"SKU-A": 1, "SKU-B": 2}, "JJD1")
    with database.read() as session:
        first_ids = dict(session.exec(select(ReturnLine.sku, ReturnLine.id)).all())
    # When the source states it again with one line changed, one dropped and a new label
    with database.session() as session:
        writer = ReturnWriter.load(
            session, skus={"SKU-A", "SKU-B"}, order_numbers={"WEB-1"}, rma_numbers={"RMA-1"},
            tracking_numbers={"JJD2"},
        )  # fmt: skip
        return_, _ = _write_return(writer, "RMA-1", {"SKU-A": 2}, "JJD2")
        writer.drop_tracking_except(return_, {"JJD2"})
    # Then the database holds one of each row, the kept line under its id
    with database.read() as session:
        assert len(session.exec(select(Order)).all()) == 1
        assert len(session.exec(select(Product)).all()) == 2
        assert len(session.exec(select(OrderLine)).all()) == 2
        assert session.exec(select(ReturnLine.sku, ReturnLine.id, ReturnLine.quantity)).all() == [
            ("SKU-A", first_ids["SKU-A"], 2)
        ]
        assert session.exec(select(ReturnTracking.tracking_number)).all() == ["JJD2"]


def test_a_tracking_number_moved_to_another_return_says_whose_it_was(database: Database) -> None:
    with database.session() as session:
        writer = ReturnWriter(session)
        first, _ = _write_return(writer, "RMA-1", {"SKU-A": 1}, "JJD1")
        second, _ = _write_return(writer, "RMA-2", {"SKU-B": 1}, "JJD2")
        assert writer.tracking_owner("JJD1") == first.id
        assert writer.tracking_number(second, "JJD1", "DHL") == TrackingWrite(moved_from=first.id)
        assert writer.tracking_number(second, "JJD1", "DHL") == TrackingWrite()  # already its own
    with database.read() as session:
        rows = session.exec(select(ReturnTracking.tracking_number, ReturnTracking.return_id))
        assert dict(rows.all()) == {"JJD1": second.id, "JJD2": second.id}


def test_a_tracking_number_of_one_client_shop_is_not_moved_to_another_s(
    database: Database,
) -> None:
    # Given Acme's return under JJD1, and a Bolt return under JJD2, in the database
    with database.session() as session:
        writer = ReturnWriter(session)
        acme, _ = _write_return(writer, "RMA-1", {"SKU-A": 1}, "JJD1", "ACME")
        bolt, _ = _write_return(writer, "RMA-2", {"SKU-B": 1}, "JJD2", "BOLT")
    # When a later batch names JJD1 for Bolt's return (the writer loads what it touches)
    with database.session() as session:
        writer = ReturnWriter.load(session, rma_numbers={"RMA-2"}, tracking_numbers={"JJD1"})
        bolt_again = writer.find_return("RMA-2", "BOLT")
        assert bolt_again is not None
        written = writer.tracking_number(bolt_again, "JJD1", "DHL")
    # Then the writer leaves it with Acme's return and says whose it is
    assert written == TrackingWrite(held_for="ACME")
    with database.read() as session:
        rows = session.exec(select(ReturnTracking.tracking_number, ReturnTracking.return_id))
        assert dict(rows.all()) == {"JJD1": acme.id, "JJD2": bolt.id}


def test_two_shops_keep_their_own_return_and_order_under_the_same_numbers(
    database: Database,
) -> None:
    # Given the station's own shop and Acme, each with RMA-1 on order WEB-1
    with database.session() as session:
        writer = ReturnWriter(session)
        own, _ = _write_return(writer, "RMA-1", {"SKU-A": 1}, "JJD1")
        acme, _ = _write_return(writer, "RMA-1", {"SKU-B": 2}, "JJD2", "ACME")
    # When a later batch loads the numbers and writes Acme's return again
    with database.session() as session:
        writer = ReturnWriter.load(
            session, skus={"SKU-A", "SKU-B"}, order_numbers={"WEB-1"}, rma_numbers={"RMA-1"}
        )
        found = writer.find_return("RMA-1", "ACME"), writer.find_return("RMA-1")
        assert [r.id if r is not None else None for r in found] == [acme.id, own.id]
        assert writer.find_return("RMA-1", "BOLT") is None
        _write_return(writer, "RMA-1", {"SKU-B": 1}, "JJD2", "ACME")
    # Then each shop still holds exactly its own return, order and lines
    with database.read() as session:
        rows = session.exec(
            select(Return.client_code, Return.rma_number, Order.number, ReturnLine.quantity)
            .join(Order, col(Order.id) == col(Return.order_id))
            .join(ReturnLine, col(ReturnLine.return_id) == col(Return.id))
        ).all()
    assert sorted(rows, key=str) == [("ACME", "RMA-1", "WEB-1", 1), (None, "RMA-1", "WEB-1", 1)]


def test_each_shop_writes_its_own_product_under_a_shared_sku_and_gtin(
    database: Database,
) -> None:
    # Given Acme's T-shirt TSHIRT-M with GTIN 4006381333931 in the database
    gtin = "04006381333931"
    with database.session() as session:
        writer = ReturnWriter(session)
        acme = writer.product(
            "ACME", "TSHIRT-M", title="Acme tee M", category="apparel",
            unit_value=Decimal("19.90"), currency="EUR",
        )  # fmt: skip
        writer.gtin(gtin, acme)
    # When Bolt's feed writes its own TSHIRT-M (another product) with the same GTIN, and the
    # station's own shop one too (a batch loads every shop's rows with those keys)
    with database.session() as session:
        writer = ReturnWriter.load(session, skus={"TSHIRT-M"}, gtins={gtin})
        assert writer.find_product("BOLT", "TSHIRT-M") is None
        assert writer.gtin_owner("BOLT", gtin) is None
        for shop, title, price in (("BOLT", "Bolt tank top M", "7.50"), (None, "House tee", "5")):
            product = writer.product(
                shop, "TSHIRT-M", title=title, category="apparel",
                unit_value=Decimal(price), currency="EUR",
            )  # fmt: skip
            writer.gtin(gtin, product)
    # Then each shop holds its own product and GTIN; Acme's is unchanged
    with database.read() as session:
        rows = session.exec(
            select(Product.client_code, Product.title, Product.unit_value, ProductGtin.gtin).join(
                ProductGtin, col(ProductGtin.product_id) == col(Product.id)
            )
        ).all()
    assert sorted(rows, key=lambda row: row[0] or "") == [
        (None, "House tee", Decimal("5.00"), gtin),
        ("ACME", "Acme tee M", Decimal("19.90"), gtin),
        ("BOLT", "Bolt tank top M", Decimal("7.50"), gtin),
    ]


@pytest.mark.parametrize("shop", ["ACME", None])
def test_a_shop_holds_one_product_per_sku_and_per_gtin(
    database: Database, shop: str | None
) -> None:
    """The station's own shop (NULL) too, which a plain unique key would let repeat."""

    def product(sku: str) -> Product:
        return Product(
            client_code=shop, sku=sku, title=sku, category="c", unit_value=Decimal(1),
            currency="EUR",
        )  # fmt: skip

    first, gtin = product("X-1"), "00000000000017"
    with database.session() as session:
        session.add(first)
        session.add(ProductGtin(product_id=first.id, gtin=gtin, client_code=shop))
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(product("X-1"))
    other = product("Y-1")
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(other)
        session.add(ProductGtin(product_id=other.id, gtin=gtin, client_code=shop))


def test_only_the_writer_creates_rows_of_the_order_return_aggregate() -> None:
    """CSV import, the inbound pull and the demo seed all write through ReturnWriter."""
    allowed = {SOURCE / "data" / "return_writer.py", SOURCE / "data" / "models.py"}
    constructing = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in AGGREGATE
            ):
                constructing.append(f"{path.relative_to(SOURCE)}:{node.lineno} {node.func.id}")
    assert constructing == []
