"""The customer's "My returns" page in a real browser, after a return was worked at the station.

The station pulls the shop's returns, works RMA-000101 (the demo customer's) through its own
services, and relays the outbox, messages included, to the shop. Then headless chromium signs
in as that customer and reads the page: every step of the timeline at the time the station
recorded it, and the day the money should arrive as the station computed it.

With RETURNSDESK_UPDATE_SCREENSHOTS=1 the page's picture is also written to
docs/screenshots/my-returns.png (for the README); otherwise only to the test's folder.
"""

from __future__ import annotations

import os
import shutil
import struct
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from sqlmodel import col, select

from completing import station_service
from integration.browser import headless_chromium
from integration.oscar_shop import REPO_ROOT, OscarShop
from returnsdesk.config import MessagesSettings, load_settings
from returnsdesk.data.models import Operator, OutboxEvent, Return
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.vocabulary import OperatorRole, OutboxStatus, RefundStatus
from returnsdesk.services.bootstrap import StationEnvironment, open_environment
from returnsdesk.services.messages.queue import MESSAGE_EVENT
from returnsdesk.services.messages.render import MessageRenderer
from returnsdesk.services.station import ParcelOpened, StationService
from returnsdesk.services.sync import HttpContractConnector, Relay
from returnsdesk.services.sync.inbound import Puller
from returnsdesk.services.sync.station_pull import station_connector

pytestmark = pytest.mark.slow

RMA = "RMA-000101"  # the demo customer's return: a shoe and two jackets
TRACKING = "1Z999AA10123456784"
UNITS = ("5012345000015", "5012345000022", "5012345000022")
CUSTOMER_EMAIL, CUSTOMER_PASSWORD = "shopper@example.com", "shopper"  # the seed's "shopper"
OPERATOR = "OP-WEB"
SCREENSHOT = REPO_ROOT / "docs" / "screenshots" / "my-returns.png"


class SteppingClock:
    """The relay's clock: the machine's time (the shop dates its demo returns by it), moved
    ahead only when the relay waits for something due later."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utc_now() + self.offset

    def reach(self, moment: datetime) -> None:
        self.offset += max(moment - self(), timedelta(0))


@pytest.fixture
def station(tmp_path: Path) -> Iterator[StationEnvironment]:
    settings = load_settings(
        environ={},
        overrides={"database.url": f"sqlite:///{tmp_path / 'station.sqlite3'}", "ui.sounds": False},
    )
    env = open_environment(settings, demo=False)
    with env.database.session() as session:
        session.add(Operator(code=OPERATOR, name="Wes Web", role=OperatorRole.INSPECTOR))
    yield env
    env.database.dispose()


def work_return(service: StationService) -> RefundStatus:
    """Receive the parcel and grade every unit B (like new), as an inspector would."""
    opened = service.open_parcel(service.classify(TRACKING))
    assert isinstance(opened, ParcelOpened)
    work = service.new_inspection(opened.parcel.view)
    for gtin in UNITS:
        product = service.resolve_item(service.classify(gtin), opened.parcel.view)
        work.begin_unit(product, now=service.clock())
        work.grade("2")
        while work.current is not None and work.current.step.value == "checklist":
            work.answer(True)
        work.accept(now=service.clock())
    return service.complete(opened.parcel.parcel_id, work).refund_status


def relay_everything(relay: Relay, clock: SteppingClock, station: StationEnvironment) -> None:
    for _ in range(100):
        stats = relay.run_once()
        if stats.claimed == 0:
            if stats.next_due_at is None:
                break
            clock.reach(stats.next_due_at)
    with station.database.session() as session:
        left = session.exec(
            select(OutboxEvent.event_type, OutboxEvent.last_error).where(
                OutboxEvent.status != OutboxStatus.DELIVERED
            )
        ).all()
    assert left == [], left


def shown(moment: datetime) -> str:
    """A time as the page shows it (Django's "j M Y, H:i", the shop's zone is UTC)."""
    at = moment.astimezone(UTC)
    return f"{at.day} {at:%b %Y, %H:%M}"


def shown_day(day: date, month: str = "%b") -> str:
    return f"{day.day} {day.strftime(month)} {day.year}"


def sign_in(driver: WebDriver, root_url: str) -> None:
    driver.get(f"{root_url}/accounts/login/?next=/accounts/returns/")
    driver.find_element(By.ID, "id_login-username").send_keys(CUSTOMER_EMAIL)
    driver.find_element(By.ID, "id_login-password").send_keys(CUSTOMER_PASSWORD)
    driver.find_element(By.NAME, "login_submit").click()
    WebDriverWait(driver, 30).until(lambda d: d.current_url.endswith("/accounts/returns/"))


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_the_customer_sees_the_timeline_and_refund_date_the_station_worked_out(
    oscar_shop: OscarShop, checked_api: str, station: StationEnvironment, tmp_path: Path
) -> None:
    messages = MessagesSettings(grace_minutes=0, from_address="returns@shop.example")
    clock = SteppingClock()
    with HttpContractConnector(checked_api, oscar_shop.token, timeout_s=30) as shop_api:
        # Given the shop's returns at the station, and RMA-000101 worked there
        Puller(station.database, shop_api).pull()
        service = station_service(station, operator_code=OPERATOR)
        assert work_return(service) is RefundStatus.APPROVED

        # When the relay has delivered everything, messages included
        relay = Relay(
            station.database,
            station_connector(station.database, {None: shop_api}, messages, clock=clock),
            clock=clock,
            max_backoff_s=5,
        )
        relay_everything(relay, clock, station)

    # What the station recorded and computed
    with station.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == RMA)).one()
        sent = session.exec(
            select(OutboxEvent)
            .where(OutboxEvent.event_type == MESSAGE_EVENT)
            .order_by(col(OutboxEvent.sequence))
        ).all()
        requested_at = return_.created_at
    # The shop said how Alice paid and which language she reads: the card's lead time applies
    assert {(e.payload["payment_method"], e.payload["language"]) for e in sent} == {
        ("card", "en-GB")
    }
    kinds = [event.payload["kind"] for event in sent]
    assert kinds == ["parcel_received", "inspection_finished", "refund_issued"]
    at = {event.payload["kind"]: datetime.fromisoformat(event.payload["at"]) for event in sent}
    issued = next(event for event in sent if event.payload["kind"] == "refund_issued")
    expected_by = MessageRenderer(messages).render(issued.payload, issued.idempotency_key)
    assert expected_by.refund_expected_by is not None
    money_by = expected_by.refund_expected_by

    # Then the customer, signed in, sees each step at the station's time and the same date
    with headless_chromium() as driver:
        sign_in(driver, oscar_shop.root_url)
        card = driver.find_element(By.CSS_SELECTOR, f'section[data-rma="{RMA}"]')
        steps = {
            li.get_attribute("data-step"): li
            for li in card.find_elements(By.CSS_SELECTOR, "li.returnsdesk-step")
        }
        assert list(steps) == ["requested", "received", "inspected", "refunded"]
        assert all("done" in (li.get_attribute("class") or "") for li in steps.values())
        assert shown(requested_at) in steps["requested"].text
        assert shown(at["parcel_received"]) in steps["received"].text
        assert shown(at["inspection_finished"]) in steps["inspected"].text
        assert shown(at["refund_issued"]) in steps["refunded"].text
        assert f"money expected by {shown_day(money_by)}" in steps["refunded"].text
        banner = card.find_element(By.CSS_SELECTOR, ".returnsdesk-refund-date").text
        assert banner == f"Your refund should arrive by {shown_day(money_by, '%B')}."
        # And a customer's page shows their own returns only (Bob's RMA-000102 is not there)
        assert [
            s.get_attribute("data-rma")
            for s in driver.find_elements(By.CSS_SELECTOR, "section.returnsdesk-return")
        ] == [RMA]

        driver.execute_script("window.scrollTo(0, 0)")
        viewport = driver.execute_script("return [window.innerWidth, window.innerHeight]")
        picture = tmp_path / "my-returns.png"
        assert driver.save_screenshot(str(picture))
    assert list(png_size(picture)) == viewport
    if os.environ.get("RETURNSDESK_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(picture, SCREENSHOT)
