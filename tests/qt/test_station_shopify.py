"""A station set up for Shopify works a return end to end against the stand-in shop.

The stand-in (``services/sync/shopify_standin.py``) executes Shopify's real Admin schema on
loopback. The window pulls the shop's OPEN return, an inspector works it by scans and keys, the
window's relay delivers the outbox, and the shop then holds one processed return, one refund
and the inventory changes, each under the station's keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from PySide6.QtWidgets import QApplication

from returnsdesk.config import load_settings
from returnsdesk.data.models import Inspection, Operator, OutboxEvent, Refund, Return
from returnsdesk.domain.clock import fixed_clock
from returnsdesk.domain.vocabulary import OutboxStatus, RefundStatus, ReturnStatus
from returnsdesk.qt import ops
from returnsdesk.qt.app import build_main_window
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.qt.station_controller import State
from returnsdesk.services.bootstrap import StationEnvironment, open_environment
from returnsdesk.services.sync.credentials import DEFAULT_TOKEN_ENV
from returnsdesk.services.sync.shopify_standin import StandinLine, StandinServer, StandinShop
from station_driver import Inspector

TOKEN = "shpat-station-window"
SHOE, JACKET = "4006381333931", "5901234123457"
UPS = "1Z999AA10123456784"
# The station's clock. The window's relay runs on the machine's, which is later: the events
# the station queues at NOW are due for it at once.
NOW = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def shop() -> StandinShop:
    shop = StandinShop(token=TOKEN)
    order = shop.add_order(
        "#1001",
        [
            StandinLine(
                "SHOE-42", "Trail shoe, 42", Decimal("89.00"), barcode=SHOE, product_type="footwear"
            ),
            StandinLine(
                "JACKET-M",
                "Rain jacket, M",
                Decimal("129.00"),
                barcode=JACKET,
                product_type="apparel",
            ),
        ],
        at="2025-03-01T10:00:00Z",
    )
    shop.add_return(
        order, [("SHOE-42", 1), ("JACKET-M", 1)], tracking=UPS, at="2025-03-02T09:00:00Z"
    )
    return shop


@pytest.fixture
def server(shop: StandinShop) -> Iterator[StandinServer]:
    with shop.serve() as running:
        yield running


@pytest.fixture
def station(
    qtbot: QtBot, tmp_path: Path, server: StandinServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[MainWindow, StationEnvironment]]:
    """The station window, set up for Shopify at the stand-in, with its token in the
    environment (as IT would set it, or the keyring)."""
    monkeypatch.setenv(DEFAULT_TOKEN_ENV, TOKEN)
    settings = load_settings(
        environ={},
        overrides={
            "database.url": f"sqlite:///{tmp_path / 'station.sqlite3'}",
            "ui.sounds": False,
            "order_system.kind": "shopify",
            "order_system.url": server.url,
        },
    )
    env = open_environment(settings, demo=False)
    with env.database.session() as session:
        session.add(Operator(code="OP-1", name="Ines Inspector"))
    window = build_main_window(env, settings, operator_code="OP-1", clock=fixed_clock(NOW))
    qtbot.addWidget(window)
    window.resize(1366, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.station_view.setFocus()
    try:
        yield window, env
    finally:
        window.close()
        ops.wait_for_all()
        QApplication.processEvents()
        env.database.dispose()


def outbox(env: StationEnvironment) -> list[OutboxEvent]:
    with env.database.session() as session:
        return list(session.exec(select(OutboxEvent).order_by(col(OutboxEvent.sequence))))


def test_a_shopify_return_is_pulled_worked_at_the_window_and_booked_once_in_the_shop(
    qtbot: QtBot, shop: StandinShop, station: tuple[MainWindow, StationEnvironment]
) -> None:
    window, env = station

    # Given the window has pulled the shop's OPEN return in the background
    def pulled() -> list[str]:
        with env.database.session() as session:
            return list(session.exec(select(Return.rma_number)))

    qtbot.waitUntil(lambda: pulled() == ["#1001-R1"], timeout=30_000)
    assert window.pull_error is None

    # When the inspector scans the parcel's UPS label
    inspector = Inspector(qtbot, window)
    inspector.scan(UPS)
    assert inspector.controller.state is State.RETURN
    assert "#1001-R1" in window.station_view.return_title()
    # and grades the shoe B (like new), answering the shoe checklist, and accepts it
    inspector.scan(SHOE)
    assert inspector.controller.state is State.UNIT
    inspector.press("2")
    inspector.press("Y")
    inspector.press("Enter")
    assert inspector.controller.state is State.RETURN
    # and grades the jacket D (damaged), which also confirms the refund
    inspector.scan(JACKET)
    inspector.press("4")
    prompt = window.station_view.unit_prompt()
    assert "LIQUIDATE" in prompt and "to accept and confirm the refund" in prompt
    inspector.press("Enter")

    # Then the station shows the refund approved
    assert inspector.controller.state is State.OUTCOME
    assert "approved" in inspector.message
    with env.database.session() as session:
        refund = session.exec(select(Refund)).one()
        assert refund.status is RefundStatus.APPROVED and refund.total > 0
        assert session.exec(select(Return)).one().status is ReturnStatus.COMPLETED
        jacket = session.exec(select(Inspection).where(Inspection.grade == "D")).one()

    # And the window's relay delivers every event to the shop
    qtbot.waitUntil(
        lambda: {e.status for e in outbox(env)} == {OutboxStatus.DELIVERED}, timeout=30_000
    )
    qtbot.waitUntil(lambda: window.sync_line() == "Sync: all delivered", timeout=5_000)

    # And the shop holds exactly one processed return, closed, with both dispositions
    assert [p["return"] for p in shop.processed] == ["#1001-R1"]
    (shop_return,) = shop.orders[0]["returns"]
    assert shop_return["status"] == "CLOSED"
    dispositions = sorted(
        d["dispositionType"]
        for line in shop.processed[0]["input"]["returnLineItems"]
        for d in line["dispositions"]
    )
    assert dispositions == ["NOT_RESTOCKED", "RESTOCKED"]
    # And one refund of the station's total
    assert [r["amount"] for r in shop.refunds] == [refund.total]
    # And the inventory changes: the shoe back on sale, the jacket counted damaged, once
    assert (shop.stock("SHOE-42"), shop.stock("JACKET-M")) == (1, 0)
    assert shop.stock("JACKET-M", "damaged") == 1
    assert [a["input"]["referenceDocumentUri"] for a in shop.adjustments] == [
        f"gid://returnsdesk/Inspection/{jacket.id}"
    ]
    # All under the station's own keys
    applied = set(shop.snapshot_for_tests()["keys"])
    assert applied and applied <= {e.idempotency_key for e in outbox(env)}
