"""Inbound pull against a real HTTP feed: what lands locally, the cursor, the merge rule, and
broken answers that change nothing. The reference shop's own feed: tests/integration."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from returnsdesk.data.db import Database
from returnsdesk.data.models import (
    Operator,
    Order,
    OrderLine,
    OutboxEvent,
    Product,
    ProductGtin,
    Return,
    ReturnLine,
    ReturnTracking,
)
from returnsdesk.domain.clock import fixed_clock
from returnsdesk.domain.errors import ReturnCancelled
from returnsdesk.domain.policy import load_policies
from returnsdesk.domain.scanning import ScanRules
from returnsdesk.domain.vocabulary import ReturnStatus
from returnsdesk.paths import default_policy_dir
from returnsdesk.services.operators import sign_in
from returnsdesk.services.station import ParcelOpened, StationService
from returnsdesk.services.sync import ContractCall, HttpContractConnector, plan_call
from returnsdesk.services.sync.inbound import Puller, PullFailed
from returnsdesk.services.sync.relay import event_view
from returnsdesk.services.sync.remote import MalformedAnswer
from sync_feed import T0, ReturnFeedServer, remote_return
from table_snapshot import table_rows

SHOE = "4006381333931"
BOOT = "5901234123457"
UPS = "1Z999AA10123456784"


@pytest.fixture
def feed() -> Iterator[ReturnFeedServer]:
    with ReturnFeedServer() as server:
        yield server


@pytest.fixture
def connector(feed: ReturnFeedServer) -> Iterator[HttpContractConnector]:
    with HttpContractConnector(feed.base_url, feed.token, timeout_s=5) as http:
        yield http


def puller(database: Database, connector: HttpContractConnector, page_size: int = 100) -> Puller:
    return Puller(database, connector, page_size=page_size)


def station(database: Database) -> StationService:
    with database.session() as session:
        session.add(Operator(code="OP-1", name="Ines Inspector"))
    with database.session() as session:
        context = sign_in(session, operator_code="OP-1", station_code="BENCH-1")
    return StationService(
        database=database,
        policies=load_policies(default_policy_dir()),
        context=context,
        scan_rules=ScanRules(),
        # The feed's returns were delivered at T0 - 5 days with a 30-day window.
        clock=fixed_clock(T0 + timedelta(days=2)),
    )


def work_return(service: StationService, tracking: str, gtins: list[str]) -> uuid.UUID:
    """Receive the parcel, grade every unit B, complete: the station's own services."""
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


def return_row(database: Database, rma: str) -> Return:
    with database.session() as session:
        found = session.exec(select(Return).where(Return.rma_number == rma)).one()
    return found


# --- what a pull brings ------------------------------------------------------------------------


def test_a_pull_brings_returns_with_orders_customers_and_products_and_scans_resolve_offline(
    database: Database, feed: ReturnFeedServer, connector: HttpContractConnector
) -> None:
    # Given a shop with two returns, one of them of two lines
    feed.publish(
        remote_return("RMA-1"),
        remote_return(
            "RMA-2", order="WEB-1002", tracking=("JJD000390007827312345",),
            lines=(("L7", SHOE, 1), ("L8", BOOT, 2)), minutes=1,
        ),
    )  # fmt: skip

    # When the station pulls, page by page
    stats = puller(database, connector, page_size=1).pull()

    # Then everything is local: products with their GTINs, orders with the shop's line refs
    assert (stats.pages, stats.created, stats.updated) == (2, 2, 0)
    with database.session() as session:
        shoe = session.exec(select(Product).where(Product.sku == SHOE)).one()
        assert (shoe.title, shoe.category, str(shoe.unit_value)) == (
            f"Product {SHOE}",
            "footwear",
            "45.0000",
        )
        gtin = session.exec(select(ProductGtin).where(ProductGtin.gtin == "0" + SHOE)).one()
        assert gtin.product_id == shoe.id
        order = session.exec(select(Order).where(Order.number == "WEB-1002")).one()
        lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
        assert sorted((line.line_ref, line.sku, str(line.unit_price)) for line in lines) == [
            ("L7", SHOE, "40.0000"),
            ("L8", BOOT, "40.0000"),
        ]
        assert (order.customer_name, order.customer_email) == ("Ann Example", "ann@example.com")

    # And with the shop gone, a parcel scan still finds its return and the item its line
    feed.__exit__()
    service = station(database)
    opened = service.open_parcel(service.classify("JJD000390007827312345"))
    assert isinstance(opened, ParcelOpened)
    view = opened.parcel.view
    assert view.rma_number == "RMA-2"
    assert sorted((line.sku, line.quantity) for line in view.lines) == [(SHOE, 1), (BOOT, 2)]
    assert service.resolve_item(service.classify(BOOT), view).sku == BOOT


def test_the_cursor_brings_only_what_changed_since_the_last_pull(
    database: Database, feed: ReturnFeedServer, connector: HttpContractConnector
) -> None:
    feed.publish(remote_return("RMA-1"), remote_return("RMA-2", order="WEB-1002", tracking=()))
    puller(database, connector).pull()
    first_cursor = feed.requests[-1]

    # When RMA-1 changes in the shop (a new e-mail) and the station pulls again
    feed.publish(remote_return("RMA-1", minutes=5, email="ann@new.example"))
    stats = puller(database, connector).pull()

    # Then only RMA-1 came, asked for from the stored cursor, and it was updated
    assert feed.requests[-1]["cursor"] == ["2"] and first_cursor["cursor"] == [""]
    assert (stats.received, stats.updated, stats.created) == (1, 1, 0)
    assert return_row(database, "RMA-1").customer_email == "ann@new.example"
    # A third pull finds nothing new and changes nothing
    before = table_rows(database.engine)
    assert puller(database, connector).pull().received == 0
    assert table_rows(database.engine) == before


def test_a_replayed_or_older_version_is_not_applied(
    database: Database, feed: ReturnFeedServer, connector: HttpContractConnector
) -> None:
    feed.publish(
        remote_return("RMA-1", minutes=5, email="new@example.com"),
        remote_return("RMA-1", minutes=1, email="old@example.com"),  # arrives late
        remote_return("RMA-1", minutes=5, email="new@example.com"),  # at least once
    )
    stats = puller(database, connector).pull()
    assert (stats.created, stats.stale) == (1, 2)
    assert return_row(database, "RMA-1").customer_email == "new@example.com"


# --- the merge rule ----------------------------------------------------------------------------


def test_work_done_at_the_station_is_not_overwritten_by_the_shops_older_state(
    database: Database, feed: ReturnFeedServer, connector: HttpContractConnector
) -> None:
    # Given a return pulled and completed at the station, before the relay told the shop
    feed.publish(remote_return("RMA-1", lines=(("L1", SHOE, 1),)))
    puller(database, connector).pull()
    return_id = work_return(station(database), UPS, [SHOE])
    with database.session() as session:
        lines_before = session.exec(select(ReturnLine).where(ReturnLine.return_id == return_id))
        lines_before_rows = sorted((r.id, r.order_line_id, r.quantity) for r in lines_before)

    # When the shop, still unaware, cancels it, changes its lines and adds a label
    feed.publish(
        remote_return(
            "RMA-1", status="cancelled", minutes=9, lines=(("L1", SHOE, 2), ("L2", BOOT, 1)),
            tracking=(UPS, "1Z999AA10123456791"), email="ann@new.example",
        )
    )  # fmt: skip
    stats = puller(database, connector).pull()

    # Then the station keeps what it recorded: completed, the same lines
    found = return_row(database, "RMA-1")
    assert found.status is ReturnStatus.COMPLETED
    with database.session() as session:
        lines_after = session.exec(select(ReturnLine).where(ReturnLine.return_id == return_id))
        assert sorted((r.id, r.order_line_id, r.quantity) for r in lines_after) == lines_before_rows
        # And takes what is the shop's: the customer, the new label, the new order line
        assert session.get(ReturnTracking, "1Z999AA10123456791") is not None
        assert session.exec(select(OrderLine).where(OrderLine.line_ref == "L2")).one().sku == BOOT
    assert found.customer_email == "ann@new.example"
    assert stats.kept_local == 1
    assert "RMA-1: cancelled in the order system, but completed here" in stats.notes[0]


def test_a_return_still_open_here_takes_the_shops_state(
    database: Database, feed: ReturnFeedServer, connector: HttpContractConnector
) -> None:
    feed.publish(remote_return("RMA-1"), remote_return("RMA-2", order="WEB-2", tracking=()))
    puller(database, connector).pull()

    feed.publish(
        remote_return("RMA-1", minutes=3, lines=(("L2", BOOT, 1),), tracking=("961234567890",)),
        remote_return("RMA-2", order="WEB-2", tracking=(), status="cancelled", minutes=3),
    )
    stats = puller(database, connector).pull()

    assert stats.kept_local == 0
    assert return_row(database, "RMA-2").status is ReturnStatus.CANCELLED
    # and its parcel, should it still come, is not received against it
    service = station(database)
    with pytest.raises(ReturnCancelled, match="RMA-2 was cancelled by the shop"):
        service.open_parcel(service.classify("RMA-2"))
    one = return_row(database, "RMA-1")
    with database.session() as session:
        lines = session.exec(select(ReturnLine).where(ReturnLine.return_id == one.id)).all()
        assert [(line.sku, line.quantity) for line in lines] == [(BOOT, 1)]
        assert session.get(ReturnTracking, UPS) is None  # replaced by the shop's new label
        assert session.get(ReturnTracking, "961234567890") is not None


# --- broken answers ----------------------------------------------------------------------------


def _unit_price_as_number() -> bytes:
    item = remote_return("RMA-9", order="WEB-9", tracking=(), minutes=20)
    item["order"]["lines"][0]["unit_price"] = 40.0
    return json.dumps({"items": [item], "next_cursor": "9", "has_more": False}).encode()


def _customer_name_with_a_nul() -> bytes:
    item = remote_return("RMA-9", order="WEB-9", tracking=(), minutes=20)
    item["order"]["customer"]["name"] = "Ann\x00Example"
    return json.dumps({"items": [item], "next_cursor": "9", "has_more": False}).encode()


def _tracking_number_too_long_to_store() -> bytes:
    item = remote_return("RMA-9", order="WEB-9", tracking=("1Z" + "9" * 63,), minutes=20)
    return json.dumps({"items": [item], "next_cursor": "9", "has_more": False}).encode()


def _tier_too_long_to_store() -> bytes:
    item = remote_return("RMA-9", order="WEB-9", tracking=(), minutes=20)
    item["customer_tier"] = "g" * 33
    return json.dumps({"items": [item], "next_cursor": "9", "has_more": False}).encode()


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (500, b"<h1>Server Error</h1>", PullFailed, "GET /returns/changes: HTTP 500 <h1>Server"),
        (200, b'{"items": [', MalformedAnswer,
         "GET /returns/changes: HTTP 200 but the body is not JSON"),
        (200, b'{"items": {}, "next_cursor": "", "has_more": false}', MalformedAnswer,
         "returns/changes.items: expected a list"),
        (200, _unit_price_as_number(), MalformedAnswer,
         "returns/changes item 0 (RMA-9).order.lines[0].unit_price: expected a money string"),
        (200, _customer_name_with_a_nul(), MalformedAnswer,
         "returns/changes item 0 (RMA-9).order.customer.name: holds a NUL character"),
        (200, _tracking_number_too_long_to_store(), MalformedAnswer,
         "returns/changes item 0 (RMA-9).tracking_numbers[0].number: longer than 64 characters"),
        (200, _tier_too_long_to_store(), MalformedAnswer,
         "returns/changes item 0 (RMA-9).customer_tier: longer than 32 characters"),
    ],
)  # fmt: skip
def test_a_broken_answer_changes_nothing_and_says_what_broke(
    database: Database,
    feed: ReturnFeedServer,
    connector: HttpContractConnector,
    status: int,
    body: bytes,
    error: type[Exception],
    message: str,
) -> None:
    # Given a station that pulled once
    feed.publish(remote_return("RMA-1"))
    pull = puller(database, connector)
    pull.pull()
    cursor = pull.cursor()
    before = table_rows(database.engine)

    # When the shop changes a return but its next answer is broken
    feed.publish(remote_return("RMA-1", minutes=4, email="changed@example.com"))
    feed.break_next(status, body)
    with pytest.raises(error, match="^" + re.escape(message)):
        pull.pull()

    # Then nothing changed, not even the cursor, and the next good pull gets the change
    assert table_rows(database.engine) == before
    assert pull.cursor() == cursor
    assert pull.pull().updated == 1
    assert return_row(database, "RMA-1").customer_email == "changed@example.com"


def test_a_wrong_token_is_reported_as_such(database: Database, feed: ReturnFeedServer) -> None:
    with (
        HttpContractConnector(feed.base_url, "wrong", timeout_s=5) as http,
        pytest.raises(
            PullFailed,
            match="HTTP 401 not_authenticated: token required .check the order-system token",
        ),
    ):
        Puller(database, http).pull()


# --- refunds name the shop's lines -------------------------------------------------------------


def test_a_refund_names_the_shops_order_lines(
    database: Database, feed: ReturnFeedServer, connector: HttpContractConnector
) -> None:
    feed.publish(remote_return("RMA-1", lines=(("L7", SHOE, 1), ("L8", BOOT, 1))))
    puller(database, connector).pull()
    work_return(station(database), UPS, [SHOE, BOOT])

    with database.session() as session:
        refund = session.exec(
            select(OutboxEvent).where(OutboxEvent.event_type == "refund.requested")
        ).one()
        call = plan_call(event_view(refund))
    assert isinstance(call, ContractCall)
    sent = {(line["sku"], line["line_ref"]) for line in call.body["lines"]}
    assert sent == {(SHOE, "L7"), (BOOT, "L8")}


def order_row(database: Database, number: str) -> Order:
    with database.session() as session:
        return session.exec(select(Order).where(Order.number == number)).one()


def test_the_customers_language_and_payment_method_come_with_the_order(
    database: Database, feed: ReturnFeedServer, connector: HttpContractConnector
) -> None:
    # Given a shop that names the language and payment method in its own spelling, and one
    # that names neither, and one whose language is no tag
    german = remote_return("RMA-1")
    german["order"] |= {"customer_language": "de_de", "payment_method": "Bank-Transfer"}
    silent = remote_return("RMA-2", order="WEB-1002", tracking=())
    junk = remote_return("RMA-3", order="WEB-1003", tracking=())
    junk["order"] |= {"customer_language": "Deutsch!", "payment_method": None}
    feed.publish(german, silent, junk)

    puller(database, connector).pull()

    # Then the station keeps them as a tag and a lead-time key, and "not known" as None
    first = order_row(database, "WEB-1001")
    assert (first.customer_language, first.payment_method) == ("de-DE", "bank_transfer")
    second = order_row(database, "WEB-1002")
    assert (second.customer_language, second.payment_method) == (None, None)
    third = order_row(database, "WEB-1003")
    assert (third.customer_language, third.payment_method) == (None, None)

    # And a later version that does not say them keeps what the station knows
    feed.publish(remote_return("RMA-1", minutes=5, email="ann@new.example"))
    puller(database, connector).pull()
    again = order_row(database, "WEB-1001")
    assert (again.customer_language, again.payment_method) == ("de-DE", "bank_transfer")
    assert again.customer_email == "ann@new.example"


def test_the_customers_tier_comes_with_each_version_of_the_return(
    database: Database, feed: ReturnFeedServer, connector: HttpContractConnector
) -> None:
    # Given a shop that names a tier in its own spelling, one that sends null, one that omits it
    gold = remote_return("RMA-1") | {"customer_tier": " Gold "}
    null = remote_return("RMA-2", order="WEB-1002", tracking=()) | {"customer_tier": None}
    feed.publish(gold, null, remote_return("RMA-3", order="WEB-1003", tracking=()))

    puller(database, connector).pull()

    # Then the station keeps the tier as refunds.toml names tiers, and no tier as None
    tiers = [return_row(database, rma).customer_tier for rma in ("RMA-1", "RMA-2", "RMA-3")]
    assert tiers == ["gold", None, None]
    # And a later version that names no tier means the customer has none any more
    feed.publish(remote_return("RMA-1", minutes=5))
    puller(database, connector).pull()
    assert return_row(database, "RMA-1").customer_tier is None
