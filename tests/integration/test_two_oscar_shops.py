"""Two client shops at one desk, with two real django-oscar shops: one station pulls both, works
a return of each through the station service, relays, and each shop holds exactly its own
refund and stock changes (and its own customer's messages, in its own name).

Both shops start from the same seeded template, and keep its order and RMA numbers: two shops
of one desk may share them (every Shopify store starts at #1001), and the station keeps each
shop's own, asking which shop when a scan matches both. Only the second shop's tracking numbers
are renamed: those are the carriers', unique across shops. Their SKUs (and GTINs) stay the same
but name other goods: the second shop's products get other titles and prices, and the station
keeps each shop's product apart.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select

from integration.oscar_shop import OscarShop, ShopUnavailable, unavailable
from returnsdesk.config import Settings, client_token_variable, load_settings
from returnsdesk.data.models import (
    Inspection,
    Operator,
    OutboxEvent,
    Parcel,
    Product,
    Return,
    StockMovement,
)
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.inspection import UnitStep
from returnsdesk.domain.vocabulary import OperatorRole, OutboxStatus
from returnsdesk.services.bootstrap import StationEnvironment, open_environment
from returnsdesk.services.operators import sign_in
from returnsdesk.services.station import ParcelOpened, StationService, WhichShop
from returnsdesk.services.sync.station_pull import station_pull, station_relay

pytestmark = pytest.mark.slow

SHOE = "5012345000015"
JACKET = "5012345000022"
OPERATOR = "OP-3PL"
# The same seeded return, under the same RMA and order number, in both shops: a shoe and two
# jackets, 208.99 GBP refunded at grade B.
RMA = "RMA-000101"
RENAME_SECOND_SHOP = """
from django.db.models import F
from oscar.core.loading import get_model
from returnsdesk_oscar.models import ReturnTracking
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
for p in Product.objects.all():
    Product.objects.filter(pk=p.pk).update(title="Bolt " + p.get_title())
StockRecord.objects.update(price=F("price") * 2)
for t in ReturnTracking.objects.all():
    ReturnTracking.objects.filter(pk=t.pk).update(number="B" + t.number[1:])
"""


@pytest.fixture(scope="module")
def two_shops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, OscarShop]]:
    try:
        acme = OscarShop.start(tmp_path_factory.mktemp("oscar-acme"))
    except ShopUnavailable as reason:
        raise unavailable(reason) from None
    with acme, OscarShop.start(tmp_path_factory.mktemp("oscar-bolt")) as bolt:
        bolt.manage("shell", "-c", RENAME_SECOND_SHOP)
        yield {"ACME": acme, "BOLT": bolt}


def station_settings(tmp_path: Path, shops: dict[str, OscarShop]) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[database]
url = "sqlite:///{tmp_path / "station.sqlite3"}"

[messages]
grace_minutes = 0

[clients.ACME]
name = "Acme Outdoor"
[clients.ACME.order_system]
kind = "oscar"
url = "{shops["ACME"].base_url}"

[clients.BOLT]
name = "Bolt Bikes"
sender_name = "Bolt Bikes Customer Care"
[clients.BOLT.order_system]
kind = "oscar"
url = "{shops["BOLT"].base_url}"
""",
        encoding="utf-8",
    )
    return load_settings(environ={"RETURNSDESK_SYSTEM_CONFIG": str(path)})


def open_by_rma(service: StationService, shop: str) -> ParcelOpened:
    """Scan the RMA both shops use: the station asks which shop; the inspector picks ``shop``."""
    scan = service.classify(RMA)
    asked = service.open_parcel(scan)
    assert isinstance(asked, WhichShop), asked
    assert [(o.client_code, o.shop_name) for o in asked.options] == [
        ("ACME", "Acme Outdoor"),
        ("BOLT", "Bolt Bikes"),
    ]
    assert asked.options[0].order_number == asked.options[1].order_number
    chosen = next(option for option in asked.options if option.client_code == shop)
    opened = service.open_parcel(scan, shop=chosen)
    assert isinstance(opened, ParcelOpened), opened
    return opened


def work_return(service: StationService, shop: str) -> list[str]:
    """Open the shop's parcel by its RMA, grade each unit B with every check passed, complete;
    the titles of the products its scans found."""
    opened = open_by_rma(service, shop)
    view = opened.parcel.view
    work = service.new_inspection(view)
    titles = []
    for gtin in (SHOE, JACKET, JACKET):
        product = service.resolve_item(service.classify(gtin), view)
        titles.append(product.title)
        work.begin_unit(product, now=service.clock())
        work.grade("2")
        while work.current is not None and work.current.step is UnitStep.CHECKLIST:
            work.answer(True)
        work.accept(now=service.clock())
    service.complete(opened.parcel.parcel_id, work)
    return titles


def products_by_shop(env: StationEnvironment, sku: str) -> dict[str | None, tuple[str, Decimal]]:
    with env.database.read() as session:
        rows = session.exec(select(Product).where(Product.sku == sku)).all()
    return {p.client_code: (p.title, p.unit_value) for p in rows}


def moved_products(env: StationEnvironment, shop: str) -> list[tuple[str | None, str, str]]:
    """(shop, SKU, title) of the product each stock movement of the shop's return names."""
    with env.database.read() as session:
        rows = session.exec(
            select(Product.client_code, Product.sku, Product.title)
            .select_from(StockMovement)
            .join(Product, col(Product.id) == col(StockMovement.product_id))
            .join(Inspection, col(Inspection.id) == col(StockMovement.inspection_id))
            .join(Parcel, col(Parcel.id) == col(Inspection.parcel_id))
            .join(Return, col(Return.id) == col(Parcel.return_id))
            .where(Return.rma_number == RMA, Return.client_code == shop)
        ).all()
    return sorted((code, sku, title) for code, sku, title in rows)


def undelivered(env: StationEnvironment) -> list[tuple[str | None, str, OutboxStatus]]:
    with env.database.session() as session:
        rows = session.exec(
            select(OutboxEvent.client_code, OutboxEvent.event_type, OutboxEvent.status).where(
                col(OutboxEvent.status) != OutboxStatus.DELIVERED,
                col(OutboxEvent.client_code).is_not(None),
            )
        ).all()
    return [tuple(row) for row in rows]


def test_one_station_works_a_return_of_each_of_two_oscar_shops_and_each_books_only_its_own(
    two_shops: dict[str, OscarShop], tmp_path: Path
) -> None:
    settings = station_settings(tmp_path, two_shops)
    tokens = {client_token_variable(code): shop.token for code, shop in two_shops.items()}
    env = open_environment(settings, demo=False)
    try:
        with env.database.session() as session:
            session.add(
                Operator(code=OPERATOR, name="Tia Third-party", role=OperatorRole.INSPECTOR)
            )

        # Given a station that pulls both shops
        pull = station_pull(
            settings.order_system, env.database, environ=tokens, clients=settings.clients
        )
        assert pull is not None
        try:
            stats = pull.pull()
        finally:
            pull.close()
        shop_returns = len(two_shops["ACME"].demo["returns"])
        assert stats.created == 2 * shop_returns
        with env.database.session() as session:
            tagged = sorted(
                (r.client_code or "", r.rma_number) for r in session.exec(select(Return))
            )
        # each shop's returns, under the same RMA numbers
        numbers = sorted(rma for code, rma in tagged if code == "ACME")
        assert len(numbers) == shop_returns and RMA in numbers
        assert sorted(rma for code, rma in tagged if code == "BOLT") == numbers
        assert len(tagged) == 2 * shop_returns
        # and each shop's catalogue: the same SKUs, other goods at other prices
        shoes, jackets = products_by_shop(env, SHOE), products_by_shop(env, JACKET)
        assert set(shoes) == set(jackets) == {"ACME", "BOLT"}
        for products in (shoes, jackets):
            (acme_title, acme_value), (bolt_title, bolt_value) = products["ACME"], products["BOLT"]
            assert bolt_title == f"Bolt {acme_title}" and bolt_value == 2 * acme_value

        # When an inspector works one return of each shop; the screen names the shop
        with env.database.session() as session:
            context = sign_in(session, operator_code=OPERATOR, station_code="STATION-01", pin=None)
        service = StationService(
            database=env.database,
            policies=env.policies,
            context=context,
            scan_rules=env.scan_rules,
            clock=utc_now,  # the shops' dates are the machine's: the windows are open today
            clients=env.clients,
        )
        opened = open_by_rma(service, "BOLT")
        assert opened.parcel.view.client_name == "Bolt Bikes"
        service.undo_receipt(opened.parcel.parcel_id)
        scanned = {shop: work_return(service, shop) for shop in ("ACME", "BOLT")}
        # Each return's scans found its own shop's goods; its stock movements name exactly them
        for code in ("ACME", "BOLT"):
            titles = [shoes[code][0], jackets[code][0], jackets[code][0]]
            assert scanned[code] == titles
            assert moved_products(env, code) == sorted(
                (code, sku, title)
                for sku, title in zip((SHOE, JACKET, JACKET), titles, strict=True)
            )

        # and the station's relay runs until both shops have everything
        relay = station_relay(
            settings.order_system,
            env.database,
            environ=tokens,
            messages=settings.messages,
            clients=settings.clients,
        )
        assert relay is not None
        relay.start()
        try:
            deadline = time.monotonic() + 90
            while undelivered(env) and time.monotonic() < deadline:
                time.sleep(0.5)
        finally:
            relay.close()
        assert undelivered(env) == []

        # Then each shop holds exactly its own refund, under the station's key,
        with env.database.session() as session:
            keys = {
                e.client_code: e.idempotency_key
                for e in session.exec(
                    select(OutboxEvent).where(OutboxEvent.event_type == "refund.requested")
                )
            }
        for code, shop in two_shops.items():
            assert shop.refund_events(RMA) == [(Decimal("208.99"), keys[code])]
            # and only its own units back in stock: one shoe and two jackets, not twice that
            assert (shop.num_in_stock(SHOE), shop.num_in_stock(JACKET)) == (13, 10)
        # and its own customer's messages, in its own name
        acme_mail, bolt_mail = two_shops["ACME"].emails(), two_shops["BOLT"].emails()
        assert acme_mail and bolt_mail
        for mail, own, other in (
            (acme_mail, "Acme Outdoor", "Bolt Bikes"),
            (bolt_mail, "Bolt Bikes Customer Care", "Acme Outdoor"),
        ):
            bodies = [str(m.get_body(("html",)).get_content()) for m in mail]
            assert all(own in body and other not in body for body in bodies)
            assert all(RMA in m["Subject"] for m in mail)
    finally:
        env.database.dispose()
