"""End to end with the real django-oscar shop: pull its returns into a fresh station database,
work a return in the station window by scanner and keys, relay the outbox, then read Oscar's
own database for the refund and the stock. Also: the cursor, and broken answers while pulling.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import select

from integration.oscar_shop import OscarShop
from returnsdesk.config import Settings, load_settings
from returnsdesk.data.models import Operator, OrderLine, OutboxEvent, Refund, Return
from returnsdesk.domain.inspection import UnitStep
from returnsdesk.domain.vocabulary import OperatorRole, OutboxStatus, ReturnStatus
from returnsdesk.qt import ops
from returnsdesk.qt.app import build_main_window
from returnsdesk.qt.station_controller import State
from returnsdesk.services.bootstrap import StationEnvironment, open_environment
from returnsdesk.services.sync import HttpContractConnector
from returnsdesk.services.sync.credentials import DEFAULT_TOKEN_ENV
from returnsdesk.services.sync.inbound import Puller, PullFailed
from returnsdesk.services.sync.remote import MalformedAnswer
from services.sync.loopback import LoopbackService, QuietServer
from station_driver import Inspector
from table_snapshot import table_rows

pytestmark = pytest.mark.slow

SHOE = "5012345000015"
JACKET = "5012345000022"
OPERATOR = "OP-E2E"


@pytest.fixture
def station_env(tmp_path: Path) -> Iterator[tuple[StationEnvironment, Settings]]:
    """A fresh, empty station database with one inspector: nothing but what the pull brings."""
    settings = load_settings(
        environ={},
        overrides={"database.url": f"sqlite:///{tmp_path / 'station.sqlite3'}", "ui.sounds": False},
    )
    env = open_environment(settings, demo=False)
    with env.database.session() as session:
        session.add(Operator(code=OPERATOR, name="Erin End-to-end", role=OperatorRole.INSPECTOR))
    yield env, settings
    env.database.dispose()


def shop_line_refs(shop: OscarShop, rma: str) -> dict[str, str]:
    found = shop.request("GET", f"/returns/lookup?rma={rma}").json()
    return {line["sku"]: line["line_ref"] for line in found["lines"]}


def returns_stored(env: StationEnvironment) -> int:
    with env.database.session() as session:
        return len(session.exec(select(Return)).all())


def undelivered(env: StationEnvironment) -> int:
    with env.database.session() as session:
        return len(
            session.exec(
                select(OutboxEvent).where(OutboxEvent.status != OutboxStatus.DELIVERED)
            ).all()
        )


def grade_unit(inspector: Inspector, gtin: str) -> None:
    inspector.scan(gtin)
    inspector.press("2")  # B, like new
    work = inspector.controller.work
    while work is not None and work.current is not None and work.current.step is UnitStep.CHECKLIST:
        inspector.press("Y")
    inspector.press("Enter")


def test_a_return_pulled_from_oscar_is_worked_in_the_window_and_oscar_books_it_exactly(
    oscar_shop: OscarShop,
    checked_api: str,
    station_env: tuple[StationEnvironment, Settings],
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env, _ = station_env
    shoes_before, jackets_before = oscar_shop.num_in_stock(SHOE), oscar_shop.num_in_stock(JACKET)
    assert (shoes_before, jackets_before) == (12, 8)  # the seeded stock

    # Given a station window pointed at the shop: it pulls and relays on its own
    monkeypatch.setenv(DEFAULT_TOKEN_ENV, oscar_shop.token)
    settings = load_settings(
        environ={},
        overrides={
            "database.url": str(env.database.engine.url),
            "ui.sounds": False,
            "order_system.kind": "oscar",
            "order_system.url": checked_api,  # the shop, behind the contract check
        },
    )
    window = build_main_window(env, settings, operator_code=OPERATOR)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.station_view.setFocus()

    # Then the shop's returns arrive in the empty station database, with the shop's line refs
    qtbot.waitUntil(lambda: returns_stored(env) == len(oscar_shop.demo["returns"]), timeout=60_000)
    with env.database.session() as session:
        refs = {line.sku: line.line_ref for line in session.exec(select(OrderLine))}
    assert {SHOE: refs[SHOE], JACKET: refs[JACKET]} == shop_line_refs(oscar_shop, "RMA-000101")

    # When an inspector works RMA-000101 (a shoe and two jackets) by scanner and keys
    inspector = Inspector(qtbot, window)
    inspector.scan("1Z999AA10123456784")
    assert inspector.controller.state is State.RETURN
    for gtin in (SHOE, JACKET, JACKET):
        grade_unit(inspector, gtin)
    assert inspector.controller.state is State.OUTCOME, inspector.message
    assert "approved" in inspector.message
    ops.wait_for_all()

    # Then the window's relay delivers every event, nothing parked (the refund named Oscar's
    # lines), and the status bar says so
    qtbot.waitUntil(lambda: undelivered(env) == 0, timeout=60_000)
    qtbot.waitUntil(lambda: "all delivered" in window.sync_line(), timeout=15_000)
    window.close()

    with env.database.session() as session:
        events = session.exec(select(OutboxEvent)).all()
        assert {e.status for e in events} == {OutboxStatus.DELIVERED}
        refund = session.exec(select(Refund)).one()
        refund_key = next(e.idempotency_key for e in events if e.event_type == "refund.requested")
    # Oscar holds one refund payment event of exactly the station's total, under its key:
    # grade B loses nothing, so 89.99 + 2 x 59.50
    assert refund.total == Decimal("208.9900")
    assert oscar_shop.refund_events("RMA-000101") == [(Decimal("208.99"), refund_key)]
    # and one more unit in stock per unit received
    assert oscar_shop.num_in_stock(SHOE) == 13
    assert oscar_shop.num_in_stock(JACKET) == 10
    assert oscar_shop.request("GET", "/returns/lookup?rma=RMA-000101").json()["status"] == "closed"
    # And Oscar emailed the customer once, after booking the refund it announces
    with env.database.session() as session:
        customer = session.exec(select(Return).where(Return.rma_number == "RMA-000101")).one()
    (sent,) = oscar_shop.emails()
    assert sent["To"] == customer.customer_email
    assert sent["Subject"] == "Your return RMA-000101: refunded"
    body = sent.get_content()
    assert "We have inspected your return RMA-000101 and refunded 208.99 GBP." in body
    assert "Total: 208.99 GBP" in body


def test_a_return_changed_in_oscar_after_a_pull_comes_with_the_next_pull(
    oscar_shop: OscarShop, checked_api: str, station_env: tuple[StationEnvironment, Settings]
) -> None:
    env, _ = station_env
    with HttpContractConnector(checked_api, oscar_shop.token, timeout_s=30) as shop_api:
        puller = Puller(env.database, shop_api, page_size=2)
        first = puller.pull()
        assert first.pages >= 2 and first.created == 4

        # When the shop cancels RMA-000103 after that pull
        cancelled = oscar_shop.request(
            "POST",
            "/returns/RMA-000103/status",
            body={"status": "cancelled", "at": "2026-11-23T09:00:00Z", "note": "customer kept it"},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert cancelled.status == 200
        second = puller.pull()

    # Then the next pull brings that return, and only it
    assert (second.received, second.updated, second.created) == (1, 1, 0)
    with env.database.session() as session:
        found = session.exec(select(Return).where(Return.rma_number == "RMA-000103")).one()
    assert found.status is ReturnStatus.CANCELLED


class _BreakingFront(QuietServer):
    """A real HTTP server in front of the shop: passes GETs through, or breaks them."""

    upstream: str
    mode: str  # "pass", "500" or "truncate" (the shop's answer cut in half: malformed JSON)


class _FrontHandler(BaseHTTPRequestHandler):
    server: _BreakingFront

    def do_GET(self) -> None:
        if self.server.mode == "500":
            status, body = 500, b"<h1>Server Error (500)</h1>"
        else:
            request = urllib.request.Request(
                self.server.upstream + self.path,
                headers={"Authorization": self.headers["Authorization"], "Accept": "*/*"},
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    status, body = answer.status, answer.read()
            except urllib.error.HTTPError as error:
                status, body = error.code, error.read()
            if self.server.mode == "truncate":
                body = body[: len(body) // 2]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


@pytest.fixture
def breaking_front(oscar_shop: OscarShop) -> Iterator[_BreakingFront]:
    server = _BreakingFront(("127.0.0.1", 0), _FrontHandler)
    server.upstream, server.mode = oscar_shop.root_url, "pass"
    with LoopbackService(server, name="breaking-front"):
        yield server


def test_a_broken_answer_while_pulling_changes_nothing_and_says_what_broke(
    oscar_shop: OscarShop,
    station_env: tuple[StationEnvironment, Settings],
    breaking_front: _BreakingFront,
) -> None:
    env, _ = station_env
    host, port = breaking_front.server_address[:2]
    with HttpContractConnector(f"http://{host!s}:{port}", oscar_shop.token) as shop_api:
        puller = Puller(env.database, shop_api)
        puller.pull()
        before = table_rows(env.database.engine)

        # When a return changes in the shop, but the answers on the way are broken
        moved = oscar_shop.request(
            "POST",
            "/returns/RMA-000102/status",
            body={"status": "cancelled", "at": "2026-11-23T09:00:00Z"},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert moved.status == 200
        breaking_front.mode = "500"
        with pytest.raises(PullFailed, match=r"^GET /returns/changes: HTTP 500 <h1>Server Error"):
            puller.pull()
        breaking_front.mode = "truncate"
        with pytest.raises(MalformedAnswer, match="HTTP 200 but the body is not JSON"):
            puller.pull()

        # Then the station's database is as it was, cursor included
        assert table_rows(env.database.engine) == before

        # And once the answers are whole again, the change arrives
        breaking_front.mode = "pass"
        assert puller.pull().updated == 1
    with env.database.session() as session:
        found = session.exec(select(Return).where(Return.rma_number == "RMA-000102")).one()
    assert found.status is ReturnStatus.CANCELLED
