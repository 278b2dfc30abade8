"""Render the station's states offscreen into docs/screenshots/*.png (for the README).

Drives a demo station on a temporary database by keystrokes, as the GUI tests do:
``QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py``. The README's pictures
are 1440x900; every state is also rendered at the two screens the station must fit, into
docs/screenshots/1366x768/ and docs/screenshots/1920x1080/ (each on a fresh demo database);
name sizes to render only those (``scripts/screenshots.py 1366x768``).

After every step it checks that the station reached the state the next picture shows (the
parcel open, the unit graded, RMA-100004 held on the lead tab...) and stops with a message,
exit code 1, instead of saving a picture of something else. The database-away picture stops a
real PostgreSQL server of its own (tests/postgres.py; Debian's postgresql package).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_TEMP = Path(tempfile.mkdtemp(prefix="returnsdesk-shots-"))
os.environ["XDG_DATA_HOME"] = str(_TEMP / "data")
os.environ["XDG_CONFIG_HOME"] = str(_TEMP / "config")  # the demo's audit key, not the user's
os.environ["RETURNSDESK_SYSTEM_CONFIG"] = ""
os.environ["RETURNSDESK_USER_CONFIG"] = ""

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the tests' demo helpers and their PostgreSQL server

from sqlmodel import select  # noqa: E402

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtGui import QPixmap  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget  # noqa: E402

from completing import (  # noqa: E402
    demo_parcel,
    known_customer,
    same_numbers_for_shop,
    same_numbers_for_shops,
    three_unit_parcel,
    trusting,
    ups_tracking,
)
from postgres import CRASH_SAFE, _cluster  # noqa: E402
from returnsdesk.config import load_settings  # noqa: E402
from returnsdesk.data.models import Order, OrderLine, Product, Return, ReturnLine  # noqa: E402
from returnsdesk.domain.vocabulary import Disposition  # noqa: E402
from returnsdesk.qt import ops  # noqa: E402
from returnsdesk.qt.app import application, build_main_window  # noqa: E402
from returnsdesk.qt.dialogs import OverrideDialog  # noqa: E402
from returnsdesk.qt.lead_view import LeadBadgeDialog  # noqa: E402
from returnsdesk.qt.main_window import MainWindow  # noqa: E402
from returnsdesk.qt.printing import PrintersDialog  # noqa: E402
from returnsdesk.qt.sign_in import SignInDialog  # noqa: E402
from returnsdesk.services.bootstrap import StationEnvironment, open_environment  # noqa: E402
from returnsdesk.services.demo import DemoParcel  # noqa: E402
from returnsdesk.services.views import ClientProfile  # noqa: E402
from returnsdesk.station.screen import State, Tone  # noqa: E402

SHOTS = ROOT / "docs" / "screenshots"
# No sounds; and a burst is one scan even if this process is paused 200 ms inside it (a busy
# machine: the scanner filter times keys as they are handled, and a burst cut by a pause would
# be read as lone keys, each a command). Lone keys then wait for the filter (Driver.press).
QUIET = {"ui.sounds": False, "scanner.max_gap_ms": 250}
SIZES = [
    ((1440, 900), SHOTS),
    ((1366, 768), SHOTS / "1366x768"),
    ((1920, 1080), SHOTS / "1920x1080"),
]


def main(argv: list[str]) -> int:
    """All sizes, or those named (``1366x768``...)."""
    app = application()
    for size, out in SIZES:
        if argv and f"{size[0]}x{size[1]}" not in argv:
            continue
        try:
            render(app, size, out)
        except ShotError as exc:
            print(f"FAILED, no picture saved: {exc}", file=sys.stderr)  # noqa: T201
            return 1
    return 0


class ShotError(Exception):
    """The station did not reach the state a picture is meant to show: no picture is saved."""


class Driver:
    """A station window driven as an inspector does (scanner bursts, lone keys), checking after
    each step that the station got where the next picture needs it."""

    def __init__(self, app: QApplication, window: MainWindow, out: Path) -> None:
        self.app, self.window, self.out = app, window, out
        self.view = window.station_view

    def settle(self) -> None:
        """Background work done and its result shown."""
        deadline = time.monotonic() + 20
        while (ops.busy() or self.window.station.busy) and time.monotonic() < deadline:
            self.app.processEvents()
        for _ in range(5):
            self.app.processEvents()
            QTest.qWait(20)

    def focus(self) -> QWidget:
        return QApplication.focusWidget() or self.view

    def scan(self, value: str) -> None:
        """A scanner burst: the characters at once, then Enter."""
        QTest.keyClicks(self.focus(), value)
        QTest.keyClick(self.focus(), Qt.Key.Key_Return)
        self.settle()

    def press(self, key: str | Qt.Key) -> None:
        """A lone key. The scanner filter holds it until it can tell it from a burst; on a
        loaded machine that takes longer than any fixed wait, so wait for the filter itself."""
        if key == "Enter":
            key = Qt.Key.Key_Return
        QTest.keyClick(self.focus(), key)
        self.until("the scanner filter to let the key through", lambda: not self.holding())
        self.settle()

    def holding(self) -> bool:
        QTest.qWait(10)
        return self.window.scanner.holding_keys()

    def tab(self, key: Qt.Key) -> None:
        """Ctrl+key, as a person switches tabs; window shortcuts work only in the active
        window, which a dialog just closed may not have given back yet."""
        self.window.activateWindow()
        self.until("the window to be active", lambda: QApplication.activeWindow() is self.window)
        QTest.keyClick(self.window, key, Qt.KeyboardModifier.ControlModifier)
        self.settle()

    def until(self, what: str, condition: Callable[[], bool], timeout: float = 20) -> None:
        """Wait for ``condition``; fail loudly, saying what the station shows instead."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise ShotError(f"{self.out.name}: waited {timeout:.0f} s for {what}; {self}")
            self.app.processEvents()
            QTest.qWait(20)

    def expect(self, what: str, condition: Callable[[], bool]) -> None:
        self.settle()
        self.until(what, condition)

    def __str__(self) -> str:
        return (
            f"the station is in {self.window.station.state.name}, banner {self.view.message()!r},"
            f" unit {self.view.unit_title()!r} {self.view.unit_prompt()!r}"
        )

    def shot(self, name: str, widget: QWidget | None = None) -> None:
        self.settle()
        save((widget or self.window).grab(), self.out / f"{name}.png")

    def banner(self, *parts: str) -> Callable[[], bool]:
        return lambda: all(part in self.view.message() for part in parts)

    def in_state(self, state: State, rma: str | None = None) -> Callable[[], bool]:
        return lambda: (
            self.window.station.state is state and (rma is None or rma in self.view.return_title())
        )

    def work_unit(self, gtin: str, serial: str | None, grade: str, *, enter: bool = True) -> None:
        """One unit: its item scanned (and serial), graded, the checklist answered yes, and
        Enter to accept it (unless ``enter`` is False: then it stays on screen)."""
        self.scan(gtin)
        self.expect(f"the unit of {gtin} under inspection", self.in_state(State.UNIT))
        if serial is not None:
            self.scan(serial)
        self.press(grade)
        while self.window.station.work is not None and "(Y / N)" in self.view.unit_prompt():
            self.press("Y")
        if enter:
            self.press("Enter")

    def work_parcel(self, parcel: DemoParcel, grade: str = "2") -> None:
        """A whole parcel, every unit, ended with Enter on the last."""
        self.scan(parcel.tracking_number)
        self.expect(f"{parcel.rma_number} open", self.in_state(State.RETURN, parcel.rma_number))
        for item in parcel.items:
            for unit in range(item.quantity):
                serials = item.serial_numbers
                self.work_unit(item.gtin, serials[unit] if serials else None, grade)
        self.expect(f"{parcel.rma_number} completed", self.in_state(State.OUTCOME))


def render(app: QApplication, size: tuple[int, int], out: Path) -> None:
    """Every state, with the window sized ``size`` (as a maximized window on that screen)."""
    work = _TEMP / f"{size[0]}x{size[1]}"
    work.mkdir()
    settings = load_settings(
        environ={},
        overrides={"database.url": f"sqlite:///{work / 'demo.sqlite3'}", **QUIET},
    )
    env = open_environment(settings, demo=True)
    assert env.demo is not None
    parcels = {p.rma_number: p for p in env.demo.parcels}
    window = build_main_window(env, settings, operator_code="OP-0001")
    window.resize(*size)
    window.show()
    out.mkdir(parents=True, exist_ok=True)
    station = Driver(app, window, out)
    view = window.station_view

    station.expect("the station waiting for a parcel", station.in_state(State.IDLE))
    station.shot("1-waiting-for-scan")
    serial = parcels["RMA-100003"]
    station.scan(serial.tracking_number)
    station.expect("RMA-100003 open", station.in_state(State.RETURN, "RMA-100003"))
    station.shot("2-return-shown")
    station.work_unit(serial.items[0].gtin, serial.items[0].serial_numbers[0], "5", enter=False)
    station.expect(
        "the unit graded E, its checklist done", lambda: "(Y / N)" not in view.unit_prompt()
    )
    station.shot("3-grading")
    station.press(Qt.Key.Key_Escape)
    station.press(Qt.Key.Key_F8)
    station.expect("the refund summary of RMA-100003", station.in_state(State.CONFIRM_CLOSE))
    station.shot("4-refund-summary")
    station.press(Qt.Key.Key_Escape)
    station.press(Qt.Key.Key_Escape)
    station.expect("RMA-100003 closed", lambda: window.station.state is not State.CONFIRM_CLOSE)
    happy = parcels["RMA-100001"]
    station.work_parcel(happy)
    station.expect("RMA-100001 done", station.banner("Done"))
    station.shot("5-completed")
    station.scan("1Z999AA10123456785")
    station.expect("the bad check digit refused", lambda: view.message_tone() is Tone.ERROR)
    station.shot("6-error")
    station.scan(happy.tracking_number)
    station.expect("RMA-100001 said completed already", station.banner("RMA-100001", "ompleted"))
    station.shot("7-already-completed")
    station.scan("RMA-999999")  # a parcel the station has no return for: search, or receive it
    station.expect("no return found for RMA-999999", station.in_state(State.NO_RETURN))
    station.shot("14-no-return-found")
    station.press(Qt.Key.Key_Escape)
    station.expect("back to waiting", station.in_state(State.IDLE))
    other = parcels["RMA-100005"]
    station.scan(other.tracking_number)
    station.expect("RMA-100005 open", station.in_state(State.RETURN, "RMA-100005"))
    station.scan(parcels["RMA-100004"].items[0].gtin)  # a camera from another order
    station.expect(
        "the camera flagged: not on this return", lambda: "not on this return" in view.unit_title()
    )
    station.press("3")
    station.shot("15-wrong-item")
    override_shot(window, station.settle, out)
    station.press("Enter")  # the wrong item to quarantine; then the parcel's own item
    station.expect("the wrong item put aside", station.in_state(State.RETURN, "RMA-100005"))
    for item in other.items:
        for _ in range(item.quantity):
            station.work_unit(item.gtin, None, "2")
    station.expect("RMA-100005 completed", station.in_state(State.OUTCOME))
    gold = parcels["RMA-100006"]  # past 30 days, inside the gold tier's 365
    station.scan(gold.tracking_number)
    station.expect(
        "RMA-100006 inside the gold window",
        lambda: "within the 365-day gold window" in view.return_details(),
    )
    station.shot("22-extended-window")
    for item in gold.items:
        for _ in range(item.quantity):
            station.work_unit(item.gtin, None, "2")
    station.expect("RMA-100006 completed", station.in_state(State.OUTCOME))
    held = parcels["RMA-100004"]  # above EUR 500: held for a shift lead
    station.work_parcel(held)
    station.tab(Qt.Key.Key_2)
    station.expect(
        "the shift history listing RMA-100004",
        lambda: any(r.rma_number == "RMA-100004" for r in window.history_view.parcels()),
    )
    station.shot("8-shift-history")
    station.tab(Qt.Key.Key_3)
    station.expect(
        "the lead tab listing RMA-100004 for approval",
        lambda: any(r.rma_number == "RMA-100004" for r in window.lead_view.held_refunds()),
    )
    station.shot("10-shift-lead")
    lead_confirmation_shot(window, station, out)
    station.tab(Qt.Key.Key_1)
    locked_station_shot(window, station, out)
    station.tab(Qt.Key.Key_4)
    QTest.keyClick(station.focus(), Qt.Key.Key_Return)
    station.until("the report's pages", lambda: window.reports_view.page_count() > 0, 60)
    QTest.qWait(500)
    station.shot("11-reports")
    station.tab(Qt.Key.Key_5)
    station.shot("16-help")
    printers_shot(window, station.settle, out)
    window.close()
    long_content_shots(app, env, size, out)
    # A parcel no other shot opens (RMA-100002 now holds the hostile content): one plain unit.
    fresh = next(
        p
        for number, p in parcels.items()
        if number > "RMA-100006" and [(i.quantity, i.serial_numbers) for i in p.items] == [(1, ())]
    )
    camera_shot(app, env, fresh, size, work, out)
    env.database.dispose()
    paid_on_receipt_shots(app, size, work, out)
    database_away_shot(app, size, out)


def save(picture: QPixmap, path: Path) -> None:
    picture.save(str(path))
    size = f"{picture.width()}x{picture.height()}"
    print(f"wrote {path.relative_to(ROOT)} ({size})")  # noqa: T201 - script output


def lead_confirmation_shot(window: MainWindow, station: Driver, out: Path) -> None:
    """A on the lead tab, RMA-100004 selected: the real confirmation, a scanned lead badge
    moved on to the PIN. Shot and cancelled while it is open (it is modal)."""
    lead = window.lead_view
    row = next(n for n, r in enumerate(lead.held_refunds()) if r.rma_number == "RMA-100004")
    lead.select_refund(row)
    shown: list[bool] = []

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, LeadBadgeDialog):
            QTimer.singleShot(20, fill)
            return
        QTest.keyClicks(dialog.focusWidget(), "OP-0003")  # the badge field
        QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
        QTest.keyClicks(dialog.focusWidget(), "13")  # the PIN field, half typed
        for _ in range(5):
            QApplication.processEvents()
            QTest.qWait(20)
        save(dialog.grab(), out / "12-lead-confirmation.png")
        shown.append(True)
        dialog.reject()

    QTimer.singleShot(0, fill)
    station.press("A")
    station.until("the lead's confirmation shot", lambda: bool(shown))


def override_shot(window: MainWindow, settle: Callable[[], None], out: Path) -> None:
    """Overriding the suggested disposition: another one by key, and why (required)."""
    dialog = OverrideDialog(Disposition.REFURBISH, parent=window)
    dialog.show()
    QTest.keyClick(dialog.focusWidget(), "3")
    QTest.keyClicks(dialog.focusWidget(), "Screen cracked <b>under</b> the film")
    settle()
    save(dialog.grab(), out / "17-override.png")
    dialog.reject()


def printers_shot(window: MainWindow, settle: Callable[[], None], out: Path) -> None:
    settings = window._settings
    dialog = PrintersDialog(
        window._service, settings.labels, font_scale=settings.ui.font_scale, parent=window
    )
    dialog.show()
    settle()
    save(dialog.grab(), out / "18-printers.png")
    dialog.reject()


def long_content_shots(
    app: QApplication, env: StationEnvironment, size: tuple[int, int], out: Path
) -> None:
    """Hostile content: a 5,000-character customer name and product title in right-to-left
    scripts, a twelve-unit line, markup in the comment; grading, then the refund summary."""
    arabic, hebrew = "شركة المستودع للإرجاع ", "מחסן החזרות "
    assert env.demo is not None
    parcel = next(p for p in env.demo.parcels if p.rma_number == "RMA-100002")
    with env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == parcel.rma_number)).one()
        return_.customer_name = ("Maximiliana " + arabic + hebrew) * 120
        session.add(return_)
        for line in session.exec(select(ReturnLine).where(ReturnLine.return_id == return_.id)):
            line.quantity = 12
            line.customer_comment = "<h1>Too big</h1> " + ("wide fit " + arabic) * 80
            order_line = session.get(OrderLine, line.order_line_id)
            assert order_line is not None
            order_line.quantity = 12
            session.add_all([line, order_line])
        product = session.exec(select(Product).where(Product.sku == parcel.items[0].sku)).one()
        product.title = ("Trail shoe, waterproof, wide fit " + arabic) * 100
        session.add(product)
    settings = load_settings(
        environ={},
        overrides={"database.url": str(env.database.engine.url), **QUIET},
    )
    window = build_main_window(env, settings, operator_code="OP-0002")
    window.resize(*size)
    window.show()
    station = Driver(app, window, out)
    station.scan(parcel.tracking_number)
    station.expect("RMA-100002 open", station.in_state(State.RETURN, parcel.rma_number))
    for unit in range(3):  # two units accepted, the third graded and on screen
        station.work_unit(parcel.items[0].gtin, None, "2", enter=unit < 2)
    station.expect("the third unit graded", lambda: "3 of 12" in window.station_view.unit_title())
    station.shot("19-long-content-grading")
    station.press(Qt.Key.Key_Escape)
    station.press(Qt.Key.Key_F8)
    station.expect("the refund summary", station.in_state(State.CONFIRM_CLOSE))
    station.shot("20-long-content-refund-summary")
    window.close()


def locked_station_shot(window: MainWindow, station: Driver, out: Path) -> None:
    """The station locked after idle minutes, after a hostile badge scan was refused."""
    window.lock_station()
    station.settle()
    dialog = window.findChild(SignInDialog)
    if dialog is None:
        raise ShotError(f"{out.name}: locking the station showed no sign-in dialog")
    badge = dialog.findChildren(QLineEdit)[0]
    QTest.keyClicks(badge, "<h1>BIG</h1>")
    QTest.keyClick(badge, Qt.Key.Key_Return)
    QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    station.until(
        "the badge refused",
        lambda: any("No active operator" in label.text() for label in dialog.findChildren(QLabel)),
    )
    dialog.resize(560, dialog.sizeHint().height())
    station.shot("13-station-locked", dialog)
    badge.clear()
    QTest.keyClicks(badge, "OP-0001")
    QTest.keyClick(badge, Qt.Key.Key_Return)
    QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    station.until("the station unlocked", lambda: not window.locked)


def camera_shot(
    app: QApplication,
    env: StationEnvironment,
    parcel: DemoParcel,
    size: tuple[int, int],
    work: Path,
    out: Path,
) -> None:
    """The station with a bench camera: recorded frames of a parcel label, item after item."""
    import cv2
    import numpy as np
    import zxingcpp

    frames = work / "frames"
    frames.mkdir()
    symbol = np.array(
        zxingcpp.create_barcode(parcel.items[0].gtin, zxingcpp.BarcodeFormat.EAN13).to_image(
            scale=4
        )
    )
    picture = np.full((720, 1280, 3), 120, dtype=np.uint8)
    top, left = 260, 420
    picture[top - 30 : top + symbol.shape[0] + 30, left - 40 : left + symbol.shape[1] + 40] = 255
    picture[top : top + symbol.shape[0], left : left + symbol.shape[1]] = symbol[:, :, None]
    for number in range(400):
        cv2.imwrite(str(frames / f"frame-{number:04d}.png"), picture)
    settings = load_settings(
        environ={},
        overrides={
            "database.url": f"sqlite:///{work / 'demo.sqlite3'}",
            **QUIET,
            "camera.source": str(frames),
            "camera.fps": 10,
        },
    )
    window = build_main_window(env, settings, operator_code="OP-0001")
    window.resize(*size)
    window.show()
    QTest.keyClicks(window.station_view, parcel.tracking_number)
    QTest.keyClick(window.station_view, Qt.Key.Key_Return)
    station = Driver(app, window, out)
    station.until("the camera's read of the item", station.in_state(State.UNIT))
    QTest.qWait(600)
    station.shot("9-camera")
    window.close()


# A shop's name as the settings may give it: markup, right-to-left text, far too long.
HOSTILE_SHOP = "<b>Bolt</b> אופניים בע״מ " + "Bikes & Parts International " * 40
# More shops of a third-party logistics desk using RMA-100003 too: fifteen in all, more than
# digit keys, some names long, one right-to-left.
MORE_SHOPS = {
    f"S{n:02d}": name
    for n, name in enumerate(
        [
            "Nordic Home & Living GmbH",
            "شركة الأزياء الحديثة للتجارة",
            "Café Noir Roasters",
            "Kinderwelt Spielwaren und Babyausstattung Versandhandel GmbH & Co. KG",
            "Trailhead Outfitters",
            "<script>alert(1)</script> Shop",
            "Zoë's Vintage Vinyl",
            "Ateliers Lumière",
            "Hardware Depot",
            "Green Leaf Garden Supplies International Holdings Ltd.",
            "Pet Palace",
            "מחסן הספרים",
            "Velo Sprint",
        ],
        start=3,
    )
}


def paid_on_receipt_shots(app: QApplication, size: tuple[int, int], work: Path, out: Path) -> None:
    """A trusted customer's parcel (the instant-refund rule on, as tests' ``trusting`` sets
    it): refunded on receipt, then graded lower, which opens a recovery case for a shift lead.
    Then a return of a client shop ([clients.ACME]), named on screen, and an RMA fifteen shops
    use: the station asks which (shops with long, hostile names), and a search lists each
    return's shop."""
    settings = load_settings(
        environ={},
        overrides={"database.url": f"sqlite:///{work / 'trust.sqlite3'}", **QUIET},
    )
    env = open_environment(settings, demo=True)
    service = trusting(env)
    known_customer(env, service, "RMA-100002")  # RMA-100001 completed: a clean return before
    acme = ClientProfile(name="Acme Outdoor", policies=env.policies, label_title="Acme Outdoor")
    with env.database.session() as session:
        shop_return = session.exec(select(Return).where(Return.rma_number == "RMA-100005")).one()
        shop_return.client_code = "ACME"  # as the shop's pull tags it
        order = session.get(Order, shop_return.order_id)
        assert order is not None
        order.client_code = "ACME"
        session.add_all([shop_return, order])
    # Bolt's RMA-100003 on its order of the same number: the demo's, as another shop's
    same_numbers_for_shop(env, demo_parcel(env, "RMA-100003"), "BOLT", ups_tracking("BOLT03", 3))
    bolt = ClientProfile(name=HOSTILE_SHOP, policies=env.policies, label_title="Bolt")
    same_numbers_for_shops(env, demo_parcel(env, "RMA-100003"), list(MORE_SHOPS))
    more = {code: ClientProfile(name, env.policies, name) for code, name in MORE_SHOPS.items()}
    clients = {"ACME": acme, "BOLT": bolt, **more}
    trusted = replace(env, policies=service.policies, clients=clients)
    window = build_main_window(trusted, settings, operator_code="OP-0001")
    window.resize(*size)
    window.show()
    station = Driver(app, window, out)
    parcel = demo_parcel(env, "RMA-100002")
    (item,) = parcel.items
    station.scan(parcel.tracking_number)
    station.expect("RMA-100002 refunded on receipt", station.banner("already issued on receipt"))
    station.shot("23-refunded-on-receipt")
    station.work_unit(item.gtin, None, "4")  # D: half deducted
    station.work_unit(item.gtin, None, "2")
    station.expect("a recovery case opened", station.banner("a recovery case is open"))
    station.tab(Qt.Key.Key_3)
    lead = window.lead_view
    station.expect(
        "the lead tab listing the recovery case of RMA-100002",
        lambda: any(case.rma_number == "RMA-100002" for case in lead.recovery_cases()),
    )
    lead.select_recovery(0)
    station.expect("the case's details", lambda: "paid on receipt" in lead.recovery_text())
    station.shot("24-lead-recovery-case")
    station.tab(Qt.Key.Key_1)
    shop = demo_parcel(env, "RMA-100005")
    station.scan(shop.tracking_number)
    station.expect("the client shop named", station.in_state(State.RETURN, "RMA-100005"))
    station.expect(
        "the client shop named",
        lambda: (
            "Acme Outdoor" in window.station_view.return_details() + window.station_view.message()
        ),
    )
    station.shot("25-client-shop")
    station.press(Qt.Key.Key_Escape)
    station.scan("RMA-100003")
    station.expect("asked which shop", station.in_state(State.CHOOSE_SHOP))
    for _ in range(12):  # down the list to shop 12, scrolled into view
        station.press(Qt.Key.Key_Down)
    station.expect("shop 12 marked", station.banner("Shop 12 of 15"))
    station.shot("26-which-shop")
    station.press(Qt.Key.Key_Escape)
    station.scan(ups_tracking("NOBODY", 9))  # a parcel no return knows: search its RMA
    station.expect("no return found", station.in_state(State.NO_RETURN))
    # Typed by hand, slower than the scanner filter's gap: not taken for a scan.
    QTest.keyClicks(station.focus(), "RMA-100003", Qt.KeyboardModifier.NoModifier, 300)
    QTest.keyClick(station.focus(), Qt.Key.Key_Return)
    station.expect("the returns of fifteen shops found", station.banner("of 15 shops"))
    station.shot("27-search-by-shop")
    station.press(Qt.Key.Key_Escape)
    window.close()
    env.database.dispose()


def database_away_shot(app: QApplication, size: tuple[int, int], out: Path) -> None:
    """The database server stopped as the inspector confirms a refund: the inspection stays,
    the station retries. A real PostgreSQL server of its own (tests/postgres.py), stopped."""
    with _cluster(CRASH_SAFE) as cluster:
        settings = load_settings(
            environ={},
            overrides={"database.url": cluster.url("postgres"), **QUIET},
        )
        env = open_environment(settings, demo=True)
        window = build_main_window(env, settings, operator_code="OP-0001")
        window.resize(*size)
        window.show()
        station = Driver(app, window, out)
        parcel = three_unit_parcel(env)
        station.scan(parcel.tracking_number)
        units = [item.gtin for item in parcel.items for _ in range(item.quantity)]
        for number, gtin in enumerate(units, start=1):
            station.work_unit(gtin, None, "2", enter=number < len(units))
        cluster.stop()
        try:
            QTest.keyClick(station.focus(), Qt.Key.Key_Return)
            station.until("the database unreachable", station.banner("Database unreachable"))
            station.until(
                "the status bar saying so", lambda: "UNREACHABLE" in window.database_line()
            )
            QTest.qWait(300)
            save(window.grab(), out / "21-database-away.png")
        finally:
            cluster.start_server()
        station.until(
            "the return completed once the server is back", station.in_state(State.OUTCOME), 30
        )
        window.close()
        env.database.dispose()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
