"""Migration 0022: products shared by several shops' orders are split into one per shop."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from returnsdesk.data.db import make_engine
from returnsdesk.data.models import (
    Inspection,
    Operator,
    Order,
    OrderLine,
    Parcel,
    Product,
    ProductGtin,
    Return,
    Station,
    StockMovement,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
GTIN = "04006381333931"


def _insert(engine: Engine, model: Any, **values: Any) -> uuid.UUID | None:
    """A row written with only the columns the older schema has (the table's own types)."""
    if "id" in model.__table__.c:
        values.setdefault("id", uuid.uuid4())
    with engine.begin() as db:
        db.execute(model.__table__.insert().values(**values))
    return values.get("id")


def _product(engine: Engine, sku: str, title: str) -> uuid.UUID:
    return _insert(
        engine, Product, sku=sku, title=title, category="apparel", unit_value=Decimal("19.90"),
        currency="EUR", weight_grams=200, serialised=False,
    )  # fmt: skip


def _order(engine: Engine, number: str, shop: str | None, product: uuid.UUID) -> uuid.UUID:
    order = _insert(
        engine, Order, number=number, customer_name="Ada", customer_email="ada@example.com",
        currency="EUR", placed_at=AT, client_code=shop,
    )  # fmt: skip
    _insert(
        engine, OrderLine, order_id=order, product_id=product, sku="TSHIRT-M", quantity=1,
        unit_price=Decimal("19.90"), currency="EUR", serial_numbers=[],
    )  # fmt: skip
    return order


def _unit(engine: Engine, parcel: uuid.UUID, sku: str, who: dict[str, uuid.UUID]) -> uuid.UUID:
    """A unit inspected in the parcel under ``sku``, put back in stock."""
    unit = _insert(
        engine, Inspection, parcel_id=parcel, operator_id=who["operator"],
        station_id=who["station"], outcome="inspected", sku_scanned=sku, checklist={}, notes="",
        flags=[], started_at=AT, finished_at=AT,
    )  # fmt: skip
    _insert(
        engine, StockMovement, sku=sku, location="A-1", quantity_delta=1,
        reason="return_restock", inspection_id=unit, created_at=AT,
    )  # fmt: skip
    return unit


def test_a_product_on_two_shops_orders_becomes_one_product_per_shop(
    url_on_each_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ini = Config(str(REPO_ROOT / "alembic.ini"))
    config = Config()
    config.set_main_option("script_location", ini.get_main_option("script_location") or "")
    monkeypatch.setenv("RETURNSDESK_DATABASE_URL", url_on_each_backend)
    command.upgrade(config, "0021")
    engine = make_engine(url_on_each_backend)
    try:
        # Given, before the migration, TSHIRT-M (one product, one GTIN) sold by the station's
        # own shop and by Acme, a completed return of each, and in Acme's parcel a wrong item:
        # a MUG only the own shop sells
        who = {
            "station": _insert(engine, Station, code="S1", name="Station 1", created_at=AT),
            "operator": _insert(
                engine,
                Operator,
                code="OP-1",
                name="Op",
                role="inspector",
                active=True,
                failed_pin_attempts=0,
                created_at=AT,
            ),  # fmt: skip
        }
        tee, mug = _product(engine, "TSHIRT-M", "Tee M"), _product(engine, "MUG", "Mug")
        _insert(engine, ProductGtin, gtin=GTIN, product_id=tee)
        units = {}
        for shop, number in ((None, "WEB-1"), ("ACME", "ACME-1")):
            order = _order(engine, number, shop, tee)
            return_ = _insert(
                engine, Return, rma_number=f"RMA-{number}", order_id=order, customer_name="Ada",
                customer_email="ada@example.com", status="completed", created_at=AT,
                policy_window_days=30, client_code=shop,
            )  # fmt: skip
            parcel = _insert(
                engine, Parcel, return_id=return_, tracking_number=f"T-{number}", carrier="UPS",
                station_id=who["station"], operator_id=who["operator"], received_at=AT,
                status="completed", unexpected=False, note="",
            )  # fmt: skip
            units[shop] = [_unit(engine, parcel, "TSHIRT-M", who)]
        units["ACME"].append(_unit(engine, parcel, "MUG", who))
        _order(engine, "WEB-2", None, mug)

        # When it is upgraded
        command.upgrade(config, "head")

        # Then each shop has its own TSHIRT-M and GTIN, with the same values; the own shop's
        # is the product it was, and Acme has its own MUG for the unit it scanned
        with engine.connect() as db:
            products = {
                (row.client_code, row.sku): row
                for row in db.execute(select(Product.__table__)).all()  # type: ignore[attr-defined]
            }
            gtins = sorted(
                (row.client_code or "", row.product_id)
                for row in db.execute(select(ProductGtin.__table__)).all()  # type: ignore[attr-defined]
            )
            named = {
                row.id: row.product_id
                for row in db.execute(select(Inspection.__table__)).all()  # type: ignore[attr-defined]
            }
            moved = {
                row.inspection_id: row.product_id
                for row in db.execute(select(StockMovement.__table__)).all()  # type: ignore[attr-defined]
            }
        assert sorted(products, key=lambda key: (key[0] or "", key[1])) == [
            (None, "MUG"), (None, "TSHIRT-M"), ("ACME", "MUG"), ("ACME", "TSHIRT-M"),
        ]  # fmt: skip
        acme_tee, acme_mug = products["ACME", "TSHIRT-M"], products["ACME", "MUG"]
        assert products[None, "TSHIRT-M"].id == tee and products[None, "MUG"].id == mug
        assert (acme_tee.title, acme_tee.unit_value, acme_tee.weight_grams) == (
            "Tee M", Decimal("19.90"), 200,
        )  # fmt: skip
        assert gtins == [("", tee), ("ACME", acme_tee.id)]
        # and each order's line, unit and stock movement names its own shop's product
        with engine.connect() as db:
            line_products = sorted(
                (shop or "", number, product)
                for shop, number, product in db.execute(
                    select(
                        Order.__table__.c.client_code,  # type: ignore[attr-defined]
                        Order.__table__.c.number,  # type: ignore[attr-defined]
                        OrderLine.__table__.c.product_id,  # type: ignore[attr-defined]
                    ).join(
                        OrderLine.__table__,  # type: ignore[attr-defined]
                        OrderLine.__table__.c.order_id == Order.__table__.c.id,  # type: ignore[attr-defined]
                    )
                ).all()
            )
        assert line_products == [
            ("", "WEB-1", tee), ("", "WEB-2", mug), ("ACME", "ACME-1", acme_tee.id),
        ]  # fmt: skip
        expected = {
            units[None][0]: tee,
            units["ACME"][0]: acme_tee.id,
            units["ACME"][1]: acme_mug.id,
        }
        assert named == expected
        assert moved == expected

        # and a second product under a shop's SKU or GTIN is refused, the own shop's too
        for shop in (None, "ACME"):
            with pytest.raises(IntegrityError):
                _insert(
                    engine, Product, client_code=shop, sku="TSHIRT-M", title="again",
                    category="apparel", unit_value=Decimal(1), currency="EUR", weight_grams=0,
                    serialised=False,
                )  # fmt: skip
            with pytest.raises(IntegrityError):
                _insert(engine, ProductGtin, gtin=GTIN, product_id=mug, client_code=shop)
    finally:
        engine.dispose()
