"""Several client shops at one station (third-party logistics), without the reference shop:
each event reaches its own shop's order system only, and a report for one shop holds nothing
of another's. The shops are two ``fake_shop.FakeShop`` servers (a test double of the sync API
over real HTTP), each knowing only its own returns, so an event sent to the wrong shop would
be refused there (404) and parked. The station side is real: settings file, database, the
station service, ``returnsdesk sync --once`` and ``returnsdesk report``.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_shop import FakeShop, shop_effects
from sqlmodel import col, select

from completing import complete_parcel, hand_to_client, with_two_more_grades
from returnsdesk.cli import sync as cli_sync
from returnsdesk.config import LabelsSettings, client_token_variable, load_settings
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.models import (
    Inspection,
    Order,
    OutboxEvent,
    PrintJob,
    Product,
    Return,
    ReturnTracking,
    SyncCursor,
)
from returnsdesk.diagnostics import run_diagnostics
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.errors import ConfigError, UnknownBarcode
from returnsdesk.domain.labels import RoutingLabel, parse_label_size
from returnsdesk.domain.vocabulary import OutboxStatus
from returnsdesk.services.bootstrap import StationEnvironment, client_profiles
from returnsdesk.services.csv_import import ImportRejected, import_returns
from returnsdesk.services.demo import DemoParcel
from returnsdesk.services.labels.printers import label_output
from returnsdesk.services.labels.render import render_zpl
from returnsdesk.services.operators import sign_in
from returnsdesk.services.reports import (
    Period,
    ReportKind,
    ReportRequest,
    ReportRequestError,
    ReportSetup,
    generate_report,
)
from returnsdesk.services.station import ParcelOpened, StationService
from returnsdesk.services.sync import HttpContractConnector
from returnsdesk.services.sync.clients import ClientRouter
from returnsdesk.services.sync.connector import (
    DeliveryOutcome,
    DeliveryResult,
    KeyOutcome,
    KeyState,
    OutboxEventView,
)
from returnsdesk.services.sync.inbound import Puller, ShopPullers
from returnsdesk.services.sync.recovery import ResendRefused, resend_parked
from returnsdesk.services.views import ClientProfile, CompletionResult
from returnsdesk.station.screen import KeyHint
from sync_feed import ReturnFeedServer, remote_return
from workflow_driver import Station

TOKENS = {"ACME": "acme-token", "BOLT": "bolt-token"}


@dataclass(frozen=True)
class Worked:
    parcel: DemoParcel
    result: CompletionResult
    inspections: frozenset[str]  # ids, as the shop's stock references name them


def settings_file(tmp_path: Path, urls: dict[str, str]) -> Path:
    path = tmp_path / "clients.toml"
    path.write_text(
        f"""
[messages]
grace_minutes = 0

[clients.ACME]
name = "Acme Outdoor"
sender_name = "Acme Outdoor Returns"
from_address = "returns@acme.example"
[clients.ACME.order_system]
kind = "oscar"
url = "{urls["ACME"]}"

[clients.BOLT]
name = "Bolt Bikes"
[clients.BOLT.order_system]
kind = "oscar"
url = "{urls["BOLT"]}"
""",
        encoding="utf-8",
    )
    return path


def assign(env: StationEnvironment, rma: str, client: str) -> None:
    """The return (and its order) belongs to ``client``, its lines to products of the client's
    catalogue, as its shop's pull would write it."""
    with env.database.session() as session:
        hand_to_client(session, rma, client)


def service_for(
    env: StationEnvironment, settings_path: Path, labels: Path | None = None
) -> StationService:
    settings = load_settings(environ={"RETURNSDESK_SYSTEM_CONFIG": str(settings_path)})
    output = (
        None
        if labels is None
        else label_output(LabelsSettings(printer="pdf-folder", folder=labels, size="4x6in"))
    )
    with env.database.session() as session:
        context = sign_in(session, operator_code="OP-0001", station_code="STATION-01", pin=None)
    return StationService(
        database=env.database,
        policies=env.policies,
        context=context,
        scan_rules=env.scan_rules,
        clock=utc_now,  # the demo's dates are relative to the machine's clock
        clients=client_profiles(settings, env.policies),
        label_output=output,
    )


def work(env: StationEnvironment, service: StationService, parcel: DemoParcel) -> Worked:
    result = complete_parcel(service, parcel)
    with env.database.session() as session:
        ids = session.exec(
            select(Inspection.id).where(Inspection.parcel_id == result.parcel_id)
        ).all()
    return Worked(parcel, result, frozenset(str(i) for i in ids))


def test_an_item_scan_finds_the_open_return_s_shop_s_product_and_never_another_s(
    demo_env: StationEnvironment, tmp_path: Path
) -> None:
    # Given Acme's return, whose item Acme sells under the demo's SKU and GTIN as its own
    # product (another title), while the station's own shop sells the demo's
    a, house = two_parcels(demo_env)
    assign(demo_env, a.rma_number, "ACME")
    item = a.items[0]
    with demo_env.database.session() as session:
        acme = session.exec(
            select(Product).where(Product.sku == item.sku, Product.client_code == "ACME")
        ).one()
        acme.title = "Acme trail tee"
        session.add(acme)
    unreachable = {"ACME": "http://127.0.0.1:9", "BOLT": "http://127.0.0.1:9"}  # no pull here
    service = service_for(demo_env, settings_file(tmp_path, unreachable))
    opened = service.open_parcel(service.classify(a.rma_number))
    assert isinstance(opened, ParcelOpened)
    acme_view = opened.parcel.view

    # When its item's GTIN and SKU are scanned, then they find Acme's product
    for code in (item.gtin, item.sku):
        found = service.resolve_item(service.classify(code), acme_view)
        assert (found.sku, found.title) == (item.sku, "Acme trail tee")
    # and a house item (in the station's own catalogue, not Acme's) is no product of Acme's
    assert house.items[0].sku not in {i.sku for i in a.items}
    with pytest.raises(UnknownBarcode, match="No product of Acme Outdoor has barcode"):
        service.resolve_item(service.classify(house.items[0].gtin), acme_view)
    # while in a house return the same GTIN is the station's own product, not Acme's
    service.undo_receipt(opened.parcel.parcel_id)
    opened = service.open_parcel(service.classify(house.rma_number))
    assert isinstance(opened, ParcelOpened)
    found = service.resolve_item(service.classify(item.gtin), opened.parcel.view)
    assert found.title != "Acme trail tee"


def two_parcels(env: StationEnvironment) -> tuple[DemoParcel, DemoParcel]:
    assert env.demo is not None
    # "One apparel item" and "Two units of one item": refunded at once, nothing to approve.
    return env.demo.parcels[0], env.demo.parcels[1]


@pytest.fixture
def shops() -> Iterator[dict[str, FakeShop]]:
    with FakeShop(TOKENS["ACME"]) as acme, FakeShop(TOKENS["BOLT"]) as bolt:
        yield {"ACME": acme, "BOLT": bolt}


def test_one_station_works_two_shops_returns_and_each_shop_gets_only_its_own(
    demo_env: StationEnvironment,
    shops: dict[str, FakeShop],
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given two demo returns, one of each client shop, and shops that know only their own
    a, b = two_parcels(demo_env)
    assign(demo_env, a.rma_number, "ACME")
    assign(demo_env, b.rma_number, "BOLT")
    shops["ACME"].known_rmas = {a.rma_number}
    shops["BOLT"].known_rmas = {b.rma_number}
    path = settings_file(tmp_path, {code: shop.url for code, shop in shops.items()})
    service = service_for(demo_env, path)

    # When the station opens each parcel, it names the shop
    opened = service.open_parcel(service.classify(a.rma_number))
    assert isinstance(opened, ParcelOpened)
    assert opened.parcel.view.client_name == "Acme Outdoor"
    service.undo_receipt(opened.parcel.parcel_id)
    # and works both, then relays headless with each shop's token
    worked = {"ACME": work(demo_env, service, a), "BOLT": work(demo_env, service, b)}
    monkeypatch.setenv("RETURNSDESK_SYSTEM_CONFIG", str(path))
    for code, token in TOKENS.items():
        monkeypatch.setenv(client_token_variable(code), token)
    assert cli_sync.main(["--once", "--database", database_url]) == cli_sync.EXIT_OK

    # Then each shop holds exactly its own return's refund and stock changes
    for code, shop in shops.items():
        effects = shop_effects(shop)
        own = worked[code]
        assert {rma for rma, _, _ in effects.refunds.values()} == {own.parcel.rma_number}
        assert effects.refund_sum == own.result.refund_total.amount
        assert set(effects.stock) == own.inspections
        with shop.locked() as state:
            assert set(state.timeline) == {own.parcel.rma_number}
            assert all(call.status < 400 for call in state.calls), state.calls
    # and the station's events of each shop are delivered, none parked
    with demo_env.database.session() as session:
        rows = session.exec(
            select(OutboxEvent.client_code, OutboxEvent.status).where(
                col(OutboxEvent.client_code).is_not(None)
            )
        ).all()
    assert {code for code, _ in rows} == {"ACME", "BOLT"}
    assert OutboxStatus.NEEDS_ATTENTION not in {status for _, status in rows}


def event(client: str | None) -> OutboxEventView:
    now = utc_now()
    return OutboxEventView(
        id=uuid.uuid4(),
        sequence=1,
        event_type="return.closed",
        aggregate_id=uuid.uuid4(),
        payload={"rma_number": "RMA-1", "completed_at": now.isoformat()},
        idempotency_key=uuid.uuid4().hex,
        status=OutboxStatus.PENDING,
        attempts=0,
        last_error=None,
        created_at=now,
        next_attempt_at=now,
        delivered_at=None,
        client_code=client,
    )


class RecordingConnector:
    """A test double that takes every event and remembers it (no order system needed)."""

    def __init__(self) -> None:
        self.seen: list[str | None] = []

    def deliver(self, event: OutboxEventView) -> DeliveryResult:
        self.seen.append(event.client_code)
        return DeliveryResult.delivered()


def test_the_router_sends_an_event_to_its_own_shop_and_holds_one_whose_shop_is_not_connected() -> (
    None
):
    acme, own = RecordingConnector(), RecordingConnector()
    router = ClientRouter({"ACME": acme, None: own})

    assert router.deliver(event("ACME")).outcome is DeliveryOutcome.DELIVERED
    assert router.deliver(event(None)).outcome is DeliveryOutcome.DELIVERED
    held = router.deliver(event("BOLT"))

    assert (acme.seen, own.seen) == (["ACME"], [None])
    assert held.outcome is DeliveryOutcome.RETRY  # waits for its shop, never goes elsewhere
    assert "client BOLT" in held.detail


def session_payload(env: StationEnvironment, rma: str) -> dict[str, object]:
    with env.database.session() as session:
        jobs = session.exec(select(PrintJob)).all()
        return next(dict(j.payload) for j in jobs if j.payload["rma_number"] == rma)


def report_csv(demo_env: StationEnvironment, kind: ReportKind, client: str | None) -> str:
    setup = ReportSetup.from_settings()
    now = utc_now()
    request = ReportRequest(kind, Period.last_days(1, now, setup.zone), client_code=client)
    report = generate_report(demo_env.database, request, setup=setup, now=now)
    return "\n".join(report.csv_tables.values())


def summary_value(text: str, label: str) -> str:
    for row in csv.reader(io.StringIO(text)):
        if row and row[0] == label:
            return row[1]
    raise AssertionError(f"{label!r} not in the report")


def test_a_report_for_one_client_holds_nothing_of_another(
    demo_env: StationEnvironment, shops: dict[str, FakeShop], tmp_path: Path
) -> None:
    # Given one return worked for each client shop
    a, b = two_parcels(demo_env)
    assign(demo_env, a.rma_number, "ACME")
    assign(demo_env, b.rma_number, "BOLT")
    path = settings_file(tmp_path, {c: s.url for c, s in shops.items()})
    service = service_for(demo_env, path, labels=tmp_path / "labels")
    units = {
        "ACME": sum(i.quantity for i in a.items),
        "BOLT": sum(i.quantity for i in b.items),
    }
    work(demo_env, service, a)
    work(demo_env, service, b)

    # (each unit's routing label names its shop: Acme's its name, Bolt's has none of Acme)
    with demo_env.database.session() as session:
        titles = {
            (job.payload["rma_number"], job.payload["client"])
            for job in session.exec(select(PrintJob))
        }
    assert titles == {(a.rma_number, "Acme Outdoor"), (b.rma_number, "Bolt Bikes")}
    label = RoutingLabel.from_payload(session_payload(demo_env, a.rma_number))
    assert b"Acme Outdoor" in render_zpl(label, parse_label_size("4x6in"), 203)

    # When each shop's shift report is made
    acme = report_csv(demo_env, ReportKind.SHIFT, "ACME")
    bolt = report_csv(demo_env, ReportKind.SHIFT, "BOLT")
    everyone = report_csv(demo_env, ReportKind.SHIFT, None)

    # Then each counts its own parcel, refund and units only
    for text, code in ((acme, "ACME"), (bolt, "BOLT")):
        assert summary_value(text, "Parcels received") == "1"
        assert summary_value(text, "Refunds") == "1"
        assert summary_value(text, "Units inspected") == str(units[code])
    assert int(summary_value(everyone, "Parcels received")) >= 2
    # and names nothing of the other shop's return
    assert b.rma_number not in acme and b.customer_name not in acme
    assert a.rma_number not in bolt and a.customer_name not in bolt
    # and another shop's return is no evidence pack of this one's
    with pytest.raises(ReportRequestError, match="of client ACME"):
        generate_report(
            demo_env.database,
            ReportRequest(ReportKind.EVIDENCE, rma_number=b.rma_number, client_code="ACME"),
        )


def test_the_sync_panel_counts_what_waits_for_each_shop(
    demo_env: StationEnvironment, shops: dict[str, FakeShop], tmp_path: Path
) -> None:
    # Given one return worked for each shop, nothing relayed yet
    a, b = two_parcels(demo_env)
    assign(demo_env, a.rma_number, "ACME")
    assign(demo_env, b.rma_number, "BOLT")
    service = service_for(demo_env, settings_file(tmp_path, {c: s.url for c, s in shops.items()}))
    work(demo_env, service, a)
    work(demo_env, service, b)
    with demo_env.database.session() as session:
        held = session.exec(
            select(OutboxEvent).where(OutboxEvent.client_code == "BOLT").limit(1)
        ).one()
        held.status = OutboxStatus.NEEDS_ATTENTION
        events = session.exec(select(OutboxEvent.client_code, OutboxEvent.status)).all()

    # When the lead's Sync panel reads the outbox
    health = service.sync_health()

    # Then it counts each shop's waiting and parked events apart, as the outbox holds them
    expected = {
        code: (
            sum(1 for c, s in events if c == code and s is OutboxStatus.PENDING),
            sum(1 for c, s in events if c == code and s is OutboxStatus.NEEDS_ATTENTION),
        )
        for code in {c for c, _ in events}
    }
    shown = {w.client_code: (w.pending, w.needs_attention) for w in health.by_shop}
    assert shown == expected
    assert shown["ACME"][0] > 0 and shown["BOLT"][1] == 1
    assert health.pending == sum(p for p, _ in shown.values())


def test_a_csv_import_tags_its_returns_with_the_client_and_refuses_an_unknown_one(
    demo_env: StationEnvironment,
) -> None:
    header = "rma_number,order_number,customer_name,customer_email,currency,sku,quantity,"
    header += "unit_price,reason_code,product_title,client_code\n"
    rows = header + "RMA-C1,ORD-C1,Ann,ann@example.com,EUR,SKU-C1,1,10.00,damaged,Cup,\n"
    rows += "RMA-C2,ORD-C2,Bo,bo@example.com,EUR,SKU-C2,1,12.00,damaged,Mug,BOLT\n"

    with pytest.raises(ImportRejected, match="'BOLT' is not one of this station's clients"):
        import_returns(demo_env.database, rows, client="ACME", clients=["ACME"])
    result = import_returns(demo_env.database, rows, client="ACME", clients=["ACME", "BOLT"])

    assert sorted(result.created) == ["RMA-C1", "RMA-C2"]
    with demo_env.database.session() as session:
        tagged = {
            r.rma_number: r.client_code
            for r in session.exec(select(Return).where(col(Return.rma_number).like("RMA-C%")))
        }
        orders = {o.number: o.client_code for o in session.exec(select(Order))}
    assert tagged == {"RMA-C1": "ACME", "RMA-C2": "BOLT"}
    assert (orders["ORD-C1"], orders["ORD-C2"]) == ("ACME", "BOLT")
    # A later file naming the same numbers for another shop is that shop's own return and
    # order: Bolt's stay as they were
    again = rows.replace(",BOLT\n", ",ACME\n")
    result = import_returns(demo_env.database, again, client="ACME", clients=["ACME", "BOLT"])
    assert (sorted(result.created), result.updated) == (["RMA-C2"], ["RMA-C1"])
    with demo_env.database.session() as session:
        shops = sorted(
            (r.client_code or "", r.rma_number, o.number, o.client_code or "")
            for r, o in session.exec(
                select(Return, Order)
                .join(Order, col(Order.id) == col(Return.order_id))
                .where(col(Return.rma_number) == "RMA-C2")
            )
        )
    assert shops == [("ACME", "RMA-C2", "ORD-C2", "ACME"), ("BOLT", "RMA-C2", "ORD-C2", "BOLT")]


def test_client_settings_are_checked_as_they_are_read(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[clients.ACME]\nname = "A"\n[clients.ACME.order_system]\nkind = "oscar"\n')
    with pytest.raises(ConfigError, match="clients.ACME.order_system.url: required"):
        load_settings(environ={"RETURNSDESK_SYSTEM_CONFIG": str(path)})
    path.write_text('[clients.ACME]\nname = "A"\ntoken = "secret"\n')
    with pytest.raises(ConfigError, match="unknown key clients.ACME.token"):
        load_settings(environ={"RETURNSDESK_SYSTEM_CONFIG": str(path)})
    path.write_text('[clients.ACME.order_system]\ntoken = "secret"\n')
    with pytest.raises(ConfigError, match="keyring"):
        load_settings(environ={"RETURNSDESK_SYSTEM_CONFIG": str(path)})
    path.write_text('[clients."A B"]\nname = "A"\n')
    with pytest.raises(ConfigError, match="client code"):
        load_settings(environ={"RETURNSDESK_SYSTEM_CONFIG": str(path)})
    path.write_text('[clients."-"]\nname = "A"\n')  # "--client -" means the own shop
    with pytest.raises(ConfigError, match="beginning with a letter or digit"):
        load_settings(environ={"RETURNSDESK_SYSTEM_CONFIG": str(path)})
    assert load_settings(environ={}).clients == ()  # none: the station serves one shop


class AnsweringShop:
    """A test double of an order system asked what a key did (no server needed to say it)."""

    def __init__(self, state: KeyState) -> None:
        self.state = state
        self.asked: list[str] = []

    def key_outcome(self, key: str) -> KeyOutcome:
        self.asked.append(key)
        return KeyOutcome(self.state, "POST refunds: HTTP 404 (test)")


def test_a_lead_s_resend_of_a_client_s_event_asks_that_shop_and_no_other(
    demo_env: StationEnvironment, shops: dict[str, FakeShop], tmp_path: Path
) -> None:
    # Given a parked refund of an Acme return
    a, _ = two_parcels(demo_env)
    assign(demo_env, a.rma_number, "ACME")
    service = service_for(demo_env, settings_file(tmp_path, {c: s.url for c, s in shops.items()}))
    work(demo_env, service, a)
    with demo_env.database.session() as session:
        refund = session.exec(
            select(OutboxEvent).where(
                OutboxEvent.event_type == "refund.requested", OutboxEvent.client_code == "ACME"
            )
        ).one()
        refund.status = OutboxStatus.NEEDS_ATTENTION
        event_id, old_key = refund.id, refund.idempotency_key
    with demo_env.database.session() as session:
        lead = sign_in(session, operator_code="OP-0003", station_code="STATION-01", pin="2468")
    own, acme, bolt = (AnsweringShop(KeyState.REFUSED) for _ in range(3))

    # When the lead sends it again
    view = resend_parked(
        demo_env.database, event_id, lead, shop=own, client_shops={"ACME": acme, "BOLT": bolt}
    )

    # Then only Acme's order system was asked, and the event goes again under a new key
    assert (own.asked, acme.asked, bolt.asked) == ([], [old_key], [])
    assert view.status is OutboxStatus.PENDING and view.idempotency_key != old_key
    # and without a connection to Acme, nobody else is asked and nothing is sent again
    with demo_env.database.session() as session:
        event = session.get(OutboxEvent, event_id)
        assert event is not None
        event.status = OutboxStatus.NEEDS_ATTENTION
    with pytest.raises(ResendRefused, match="no order system"):
        resend_parked(demo_env.database, event_id, lead, shop=own, client_shops={"BOLT": bolt})
    assert (own.asked, bolt.asked) == ([], [])


def test_the_bench_names_the_parcel_s_shop_and_works_it_under_that_shop_s_policies(
    demo_env: StationEnvironment,
) -> None:
    # Given a station serving Acme, whose grading scale has two grades of its own, and Bolt
    a, b = two_parcels(demo_env)
    assign(demo_env, a.rma_number, "ACME")
    assign(demo_env, b.rma_number, "BOLT")
    with demo_env.database.session() as session:
        context = sign_in(session, operator_code="OP-0001", station_code="STATION-01", pin=None)
    service = StationService(
        database=demo_env.database,
        policies=demo_env.policies,
        context=context,
        scan_rules=demo_env.scan_rules,
        clock=utc_now,
        clients={
            "ACME": ClientProfile("Acme Outdoor", with_two_more_grades(demo_env.policies), "ACME"),
            "BOLT": ClientProfile("Bolt Bikes", demo_env.policies, "BOLT"),
        },
    )
    station = Station(service)

    # When an Acme parcel is scanned, the screen says whose it is
    screen = station.scan(a.rma_number)
    assert screen.banner.text.startswith(f"\u2068Acme Outdoor\u2069: Return {a.rma_number}:")
    assert screen.return_view is not None and screen.return_view.client_name == "Acme Outdoor"
    # and its units are graded on Acme's scale
    assert station.workflow.work is not None
    acme_grades = [g.code for g in station.workflow.work.policies.grading.grades]
    assert acme_grades[-2:] == ["G", "H"]
    # and the unit's screen offers Acme's grades and keys, not the station's
    screen = station.scan(a.items[0].gtin)
    assert screen.unit is not None
    assert [g.code for g in screen.unit.grades] == acme_grades
    assert screen.keys[0] == KeyHint(f"1-{len(acme_grades)}", "grade")
    assert f"press 1-{len(acme_grades)}" in screen.unit.prompt

    # And a Bolt parcel on the station's own scale
    opened = service.open_parcel(service.classify(b.rma_number))
    assert isinstance(opened, ParcelOpened)
    assert opened.parcel.view.client_name == "Bolt Bikes"
    bolt_grades = [
        g.code for g in service.new_inspection(opened.parcel.view).policies.grading.grades
    ]
    assert bolt_grades == acme_grades[:-2]


@dataclass
class TwoFeeds:
    """Acme's and Bolt's return feeds (loopback contract shops) and a station pulling both."""

    database: Database
    acme_feed: ReturnFeedServer
    bolt_feed: ReturnFeedServer
    pullers: ShopPullers


@pytest.fixture
def feeds(tmp_path: Path) -> Iterator[TwoFeeds]:
    database = Database(make_engine(f"sqlite:///{tmp_path / 'pull.sqlite3'}"))
    ensure_schema(database.engine)
    with (
        ReturnFeedServer("acme") as acme_feed,
        ReturnFeedServer("bolt") as bolt_feed,
        HttpContractConnector(acme_feed.base_url, "acme") as acme,
        HttpContractConnector(bolt_feed.base_url, "bolt") as bolt,
    ):
        pullers = ShopPullers(
            [Puller(database, acme, client_code="ACME"), Puller(database, bolt, client_code="BOLT")]
        )
        yield TwoFeeds(database, acme_feed, bolt_feed, pullers)
    database.dispose()


def test_each_shop_s_feed_is_pulled_with_its_own_cursor_and_keeps_its_own_numbers(
    feeds: TwoFeeds,
) -> None:
    database, acme_feed, bolt_feed = feeds.database, feeds.acme_feed, feeds.bolt_feed
    # Given two shops, and one RMA and order number both of them use
    acme_feed.publish(remote_return("RMA-1"), remote_return("RMA-2", order="A-2", tracking=()))
    bolt_feed.publish(
        remote_return("RMA-1", tracking=("1ZBOLT0001",), email="bo@example.com"),
        remote_return("RMA-3", order="B-3", tracking=()),
    )

    # When the station pulls both
    stats = feeds.pullers.pull()

    # Then each shop has its own RMA-1 on its own order WEB-1001
    assert (stats.created, stats.kept_local) == (4, 0)
    with database.session() as session:
        owners = {
            (r.client_code, r.rma_number): (o.number, o.client_code, r.customer_email)
            for r, o in session.exec(
                select(Return, Order).join(Order, col(Order.id) == col(Return.order_id))
            )
        }
        cursors = {c.feed: c.cursor for c in session.exec(select(SyncCursor))}
    assert owners == {
        ("ACME", "RMA-1"): ("WEB-1001", "ACME", "ann@example.com"),
        ("ACME", "RMA-2"): ("A-2", "ACME", "ann@example.com"),
        ("BOLT", "RMA-1"): ("WEB-1001", "BOLT", "bo@example.com"),
        ("BOLT", "RMA-3"): ("B-3", "BOLT", "ann@example.com"),
    }
    # each feed has its own cursor: a later pull asks each shop only for what is new
    assert set(cursors) == {"returns@ACME", "returns@BOLT"}
    assert feeds.pullers.pull().received == 0


def test_a_tracking_number_held_for_one_shop_is_not_moved_to_another_shop_s_return(
    feeds: TwoFeeds,
) -> None:
    database, acme_feed, bolt_feed = feeds.database, feeds.acme_feed, feeds.bolt_feed
    # Given Acme's return under a tracking number, and a Bolt return naming the same one
    # beside one of its own
    acme_feed.publish(remote_return("RMA-1", tracking=("1ZSHARED01",)))
    bolt_feed.publish(
        remote_return("RMA-2", order="B-2", tracking=("1ZSHARED01", "1ZBOLT0002")),
    )

    # When the station pulls both
    stats = feeds.pullers.pull()

    # Then the shared number stays with Acme's return, and the pull says so
    assert (stats.created, stats.kept_local) == (2, 1)
    assert stats.notes == ["RMA-2: tracking number 1ZSHARED01 is held for ACME: not taken over"]
    with database.session() as session:
        held = {
            t.tracking_number: rma
            for t, rma in session.exec(
                select(ReturnTracking, Return.rma_number).join(
                    Return, col(Return.id) == col(ReturnTracking.return_id)
                )
            )
        }
    assert held == {"1ZSHARED01": "RMA-1", "1ZBOLT0002": "RMA-2"}


def test_diagnostics_check_each_client_shop_s_own_policy_folder(tmp_path: Path) -> None:
    broken = tmp_path / "acme-policies"
    broken.mkdir()  # no policy files in it
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "d.sqlite3"}"\n'
        f'[clients.ACME]\nname = "Acme Outdoor"\npolicies = "{broken}"\n',
        encoding="utf-8",
    )
    out = io.StringIO()

    code = run_diagnostics(load_settings(environ={"RETURNSDESK_SYSTEM_CONFIG": str(path)}), out=out)

    policy_lines = [line for line in out.getvalue().splitlines() if "policies" in line]
    assert code == 1
    assert any("FAIL" in line and f"{broken} (client ACME)" in line for line in policy_lines)
    assert any("OK" in line and "(bundled): valid" in line for line in policy_lines)
