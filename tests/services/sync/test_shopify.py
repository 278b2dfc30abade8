"""The Shopify connector against the schema-backed stand-in shop on loopback: a return pulled,
worked through the station's own services, relayed; then what the shop holds."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlmodel import select

from returnsdesk.config import MessagesSettings, load_settings
from returnsdesk.data.db import Database
from returnsdesk.data.models import Operator, Order, OutboxEvent, Refund, Return
from returnsdesk.domain.clock import fixed_clock
from returnsdesk.domain.errors import ConfigError
from returnsdesk.domain.policy import load_policies
from returnsdesk.domain.scanning import ScanRules
from returnsdesk.domain.vocabulary import OutboxStatus, ReturnStatus
from returnsdesk.paths import default_policy_dir
from returnsdesk.services.operators import sign_in
from returnsdesk.services.station import ParcelOpened, StationService
from returnsdesk.services.sync.credentials import DEFAULT_TOKEN_ENV
from returnsdesk.services.sync.inbound import Puller, PullFailed
from returnsdesk.services.sync.relay import Relay
from returnsdesk.services.sync.shopify import ShopifyConnector, payment_method, tier_of
from returnsdesk.services.sync.shopify_standin import (
    LeakyBucket,
    StandinLine,
    StandinServer,
    StandinShop,
    demo_shop,
)
from returnsdesk.services.sync.station_pull import station_connector, station_pull

SHOE, BOOT = "4006381333931", "5901234123457"
UPS = "1Z999AA10123456784"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@dataclass
class ManualClock:
    """Seconds for the shop's bucket; the relay's clock follows it from the station's ``NOW``,
    when the station queued its events."""

    seconds: float = 0.0

    def __call__(self) -> float:
        return self.seconds

    def at(self) -> datetime:
        return NOW + timedelta(seconds=self.seconds)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def shop(clock: ManualClock) -> StandinShop:
    shop = StandinShop(token="shpat-test", bucket=LeakyBucket(clock=clock))
    order = shop.add_order(
        "#1001",
        [
            StandinLine("SHOE-42", "Trail shoe", Decimal("89.00"), barcode=SHOE),
            StandinLine("BOOT-40", "Winter boot", Decimal("129.00"), barcode=BOOT),
        ],
    )
    shop.add_return(order, [("SHOE-42", 1), ("BOOT-40", 1)], tracking=UPS)
    return shop


@pytest.fixture
def server(shop: StandinShop) -> Iterator[StandinServer]:
    with shop.serve() as running:
        yield running


@pytest.fixture
def connector(server: StandinServer) -> Iterator[ShopifyConnector]:
    with ShopifyConnector(server.url, "shpat-test", timeout_s=5, sleep=lambda s: None) as shopify:
        yield shopify


def relay(database: Database, connector: ShopifyConnector, clock: ManualClock) -> Relay:
    """The station's relay: customer messages through the message deliverer (to the shop,
    which sends its own), everything else to the connector."""
    messages = station_connector(
        database, {None: connector}, MessagesSettings(grace_minutes=0), clock=clock.at
    )
    return Relay(database, messages, clock=clock.at, sleep=lambda s: None)


def work_return(database: Database, tracking: str, gtins: list[str]) -> uuid.UUID:
    """Receive the parcel, grade every unit B, complete: the station's own services."""
    with database.session() as session:
        session.add(Operator(code="OP-1", name="Ines Inspector"))
    with database.session() as session:
        context = sign_in(session, operator_code="OP-1", station_code="BENCH-1")
    service = StationService(
        database=database,
        policies=load_policies(default_policy_dir()),
        context=context,
        scan_rules=ScanRules(),
        clock=fixed_clock(NOW),
    )
    opened = service.open_parcel(service.classify(tracking))
    assert isinstance(opened, ParcelOpened)
    work = service.new_inspection(opened.parcel.view)
    for gtin in gtins:
        work.begin_unit(
            service.resolve_item(service.classify(gtin), opened.parcel.view), now=service.clock()
        )
        work.grade("2")
        while work.current is not None and work.current.step.value == "checklist":
            work.answer(True)
        work.accept(now=service.clock())
    service.complete(opened.parcel.parcel_id, work)
    return opened.parcel.view.return_id


def outbox(database: Database) -> list[OutboxEvent]:
    with database.session() as session:
        return list(session.exec(select(OutboxEvent).order_by(OutboxEvent.sequence)).all())


def station_refund_total(database: Database) -> Decimal:
    with database.session() as session:
        return session.exec(select(Refund)).one().total


def test_a_pulled_return_worked_at_the_station_is_processed_once_in_the_shop(
    database: Database,
    shop: StandinShop,
    connector: ShopifyConnector,
    clock: ManualClock,
) -> None:
    # Given the shop's OPEN return pulled into an empty station database
    stats = Puller(database, connector).pull()
    assert stats.created == 1
    with database.session() as session:
        pulled = session.exec(select(Return)).one()
    assert (pulled.rma_number, pulled.status, pulled.customer_name) == (
        "#1001-R1",
        ReturnStatus.OPEN,
        "Dana Customer",
    )
    assert connector.throttle is not None and connector.throttle.maximum_available == 2000

    # When an inspector works it and the relay delivers the outbox
    work_return(database, UPS, [SHOE, BOOT])
    delivered = relay(database, connector, clock).drain()

    # Then every event is delivered and the shop holds one processed return and one refund
    assert delivered.parked == delivered.retried == 0
    assert {e.status for e in outbox(database)} == {OutboxStatus.DELIVERED}
    assert len(shop.processed) == 1
    assert [r["amount"] for r in shop.refunds] == [station_refund_total(database)]
    (shop_return,) = shop.orders[0]["returns"]
    assert shop_return["status"] == "CLOSED"
    dispositions = [
        d["dispositionType"]
        for line in shop.processed[0]["input"]["returnLineItems"]
        for d in line["dispositions"]
    ]
    assert len(dispositions) == 2
    restocked = dispositions.count("RESTOCKED")
    assert shop.stock("SHOE-42") + shop.stock("BOOT-40") == restocked
    keys = {e.idempotency_key for e in outbox(database)}
    assert all(key[1] in keys for key in shop._idempotent)  # every mutation under a station key

    # When every event is sent again with its same key (a lost answer, a restored backup)
    with database.session() as session:
        session.exec(
            update(OutboxEvent).values(status=OutboxStatus.PENDING, next_attempt_at=clock.at())
        )
    relay(database, connector, clock).drain()

    # Then Shopify replays its first answers: nothing doubles
    assert len(shop.processed) == 1
    assert len(shop.refunds) == 1
    assert shop.stock("SHOE-42") + shop.stock("BOOT-40") == restocked
    assert shop.replayed == len(shop._idempotent) > 0


def test_the_station_queues_its_events_on_its_own_clock(
    database: Database, connector: ShopifyConnector
) -> None:
    # Given a station whose clock says NOW, far from the machine's
    Puller(database, connector).pull()
    # When a return is received and completed there
    work_return(database, UPS, [SHOE, BOOT])
    # Then every event it queued is stamped NOW and due NOW: a relay on the same clock sends
    # them at once, and none waits for (or jumps ahead of) the machine's time
    events = outbox(database)
    assert {e.event_type for e in events} >= {"return.received", "refund.requested"}
    assert {(e.created_at, e.next_attempt_at) for e in events} == {(NOW, NOW)}


def test_shopifys_user_errors_park_the_event_with_its_message(
    database: Database, shop: StandinShop, connector: ShopifyConnector, clock: ManualClock
) -> None:
    Puller(database, connector).pull()
    # The shop already refunded most of the order by hand: the station's refund is too much.
    order = shop.orders[0]
    order["refunds"].append({"amount": Decimal("200.00")})
    work_return(database, UPS, [SHOE, BOOT])

    relay(database, connector, clock).drain()

    parked = [e for e in outbox(database) if e.status is OutboxStatus.NEEDS_ATTENTION]
    assert [e.event_type for e in parked] == ["refund.requested"]
    assert parked[0].last_error is not None
    assert "exceeds the refundable amount" in parked[0].last_error
    assert shop.processed == []


def test_throttled_by_cost_backs_off_then_succeeds(
    database: Database, shop: StandinShop, connector: ShopifyConnector, clock: ManualClock
) -> None:
    Puller(database, connector).pull()
    work_return(database, UPS, [SHOE, BOOT])
    shop.bucket.take(shop.bucket.available)  # the bucket is empty

    first = relay(database, connector, clock).drain()
    waiting = [e for e in outbox(database) if e.status is OutboxStatus.PENDING]
    (throttled,) = [e for e in waiting if "THROTTLED" in (e.last_error or "")]
    # The customer's message waits behind its return's refund; nothing else was tried.
    assert first.retried == 2 and [e.event_type for e in waiting] == [
        "refund.requested",
        "return.closed",
        "customer.message",  # inspection finished
        "customer.message",  # refund issued
    ], [(e.event_type, e.last_error) for e in waiting]
    # The wait asked for is the time the bucket needs for the call's cost at 100 points/s.
    assert throttled.next_attempt_at.replace(tzinfo=UTC) > clock.at()

    clock.seconds += 60  # the bucket refills; the retry comes due
    relay(database, connector, clock).drain()
    assert {e.status for e in outbox(database)} == {OutboxStatus.DELIVERED}
    assert len(shop.processed) == 1 and len(shop.refunds) == 1


def test_a_503_and_a_429_are_retried_with_the_same_key(
    database: Database, shop: StandinShop, connector: ShopifyConnector, clock: ManualClock
) -> None:
    Puller(database, connector).pull()
    work_return(database, UPS, [SHOE, BOOT])
    shop.fail_next = [(503, {}), (429, {"Retry-After": "4"})]

    relay(database, connector, clock).drain()
    assert "HTTP 503" in (outbox(database)[0].last_error or "") or any(
        "HTTP 503" in (e.last_error or "") for e in outbox(database)
    )
    clock.seconds += 600
    relay(database, connector, clock).drain()
    assert any("HTTP 429" in (e.last_error or "") for e in outbox(database))
    clock.seconds += 600
    relay(database, connector, clock).drain()

    assert {e.status for e in outbox(database)} == {OutboxStatus.DELIVERED}
    assert len(shop.processed) == 1 and len(shop.refunds) == 1


def test_a_wrong_token_is_refused_by_the_shop(
    database: Database, server: StandinServer, shop: StandinShop
) -> None:
    with (
        ShopifyConnector(server.url, "wrong", timeout_s=5) as wrong,
        pytest.raises(PullFailed, match="HTTP 401.*access token"),
    ):
        Puller(database, wrong).pull()
    assert shop.requests == 1


def test_a_station_set_up_for_shopify_pulls_through_the_shopify_connector(
    database: Database, server: StandinServer
) -> None:
    settings = load_settings(
        environ={},
        overrides={"order_system.kind": "shopify", "order_system.url": server.url},
    )
    pull = station_pull(settings.order_system, database, environ={DEFAULT_TOKEN_ENV: "shpat-test"})
    assert pull is not None
    try:
        assert pull.pull().created == 1
    finally:
        pull.close()
    with pytest.raises(ConfigError, match="api_version: Shopify versions look like 2026-10"):
        load_settings(environ={}, overrides={"order_system.api_version": "latest"})


def test_the_demo_shop_dates_its_return_just_before_now() -> None:
    # The demo's return must stay inside the refund policy whenever the demo is run.
    shop = demo_shop("standin-token", datetime(2031, 1, 10, 15, 30, tzinfo=UTC))
    (order,) = shop.orders
    assert order["createdAt"] == "2031-01-08T15:30:00Z"
    assert [r["createdAt"] for r in order["returns"]] == ["2031-01-09T15:30:00Z"]


def test_the_customers_locale_and_payment_gateway_come_with_the_order(
    database: Database, shop: StandinShop, connector: ShopifyConnector
) -> None:
    # Given a second order, of a customer in Austria who paid through Shopify Payments
    order = shop.add_order(
        "#1002",
        [StandinLine("SOCK-1", "Wool socks", Decimal("12.00"), barcode="4006381333948")],
        locale="de-AT",
        gateway="shopify_payments",
    )
    shop.add_return(order, [("SOCK-1", 1)], tracking="1Z999AA10123456791")

    Puller(database, connector).pull()

    # Then the station writes to them in German and states the card's lead time; the first
    # order's "manual" gateway is a method of its own (the default lead time, unless set)
    with database.session() as session:
        orders = {
            o.number: (o.customer_language, o.payment_method) for o in session.exec(select(Order))
        }
    assert orders == {"#1001": ("en", "manual"), "#1002": ("de-AT", "card")}


def test_a_customer_tagged_with_a_tier_has_that_tier(
    database: Database, shop: StandinShop, connector: ShopifyConnector
) -> None:
    # Given a second order, of a customer tagged by a loyalty app
    order = shop.add_order(
        "#1002",
        [StandinLine("SOCK-1", "Wool socks", Decimal("12.00"), barcode="4006381333948")],
        tags=("newsletter", "Tier: Gold"),
    )
    shop.add_return(order, [("SOCK-1", 1)], tracking="1Z999AA10123456791")

    Puller(database, connector).pull()

    # Then the return carries the tier as refunds.toml names tiers; the untagged customer none
    with database.session() as session:
        tiers = {r.rma_number: r.customer_tier for r in session.exec(select(Return))}
    assert sorted(tiers.values(), key=lambda tier: tier or "") == [None, "gold"]


@pytest.mark.parametrize(
    ("tags", "tier"),
    [
        (["tier:gold"], "gold"),
        (["VIP", " TIER:Platinum Plus "], "platinum plus"),
        (["tier:", "tier:" + "g" * 33, "tier:silver"], "silver"),  # empty, too long: skipped
        (["gold", "frontier:gold"], None),
        ([], None),
    ],
)
def test_a_tier_tag_names_the_tier(tags: list[str], tier: str | None) -> None:
    assert tier_of(tags) == tier


@pytest.mark.parametrize(
    ("gateways", "method"),
    [
        (["shopify_payments"], "card"),
        (["Shopify Payments"], "card"),
        (["gift_card", "paypal"], "paypal"),
        (["Bank Deposit"], "bank_transfer"),
        (["Klarna"], "klarna"),
        (["gift_card"], None),
        ([], None),
    ],
)
def test_a_gateway_is_named_by_its_payment_method(gateways: list[str], method: str | None) -> None:
    assert payment_method(gateways) == method
