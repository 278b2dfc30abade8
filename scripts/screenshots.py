"""Render the station's states offscreen into docs/screenshots/*.png (for the README).

Drives a demo station on a temporary database by keystrokes, as the GUI tests do:
``QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py``. The README's pictures
are 1440x900; every state is also rendered at the two screens the station must fit, into
docs/screenshots/1366x768/ and docs/screenshots/1920x1080/ (each on a fresh demo database).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_TEMP = Path(tempfile.mkdtemp(prefix="returnsdesk-shots-"))
os.environ["XDG_DATA_HOME"] = str(_TEMP / "data")
os.environ["XDG_CONFIG_HOME"] = str(_TEMP / "config")  # the demo's audit key, not the user's
os.environ["RETURNSDESK_SYSTEM_CONFIG"] = ""
os.environ["RETURNSDESK_USER_CONFIG"] = ""

from sqlmodel import select  # noqa: E402

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QPixmap  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget  # noqa: E402

from returnsdesk.config import load_settings  # noqa: E402
from returnsdesk.data.models import OrderLine, Product, Return, ReturnLine  # noqa: E402
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

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "docs" / "screenshots"
SIZES = [
    ((1440, 900), SHOTS),
    ((1366, 768), SHOTS / "1366x768"),
    ((1920, 1080), SHOTS / "1920x1080"),
]


def main() -> int:
    app = application()
    for size, out in SIZES:
        render(app, size, out)
    return 0


def render(app: QApplication, size: tuple[int, int], out: Path) -> None:
    """Every state, with the window sized ``size`` (as a maximized window on that screen)."""
    work = _TEMP / f"{size[0]}x{size[1]}"
    work.mkdir()
    settings = load_settings(
        environ={},
        overrides={"database.url": f"sqlite:///{work / 'demo.sqlite3'}", "ui.sounds": False},
    )
    env = open_environment(settings, demo=True)
    assert env.demo is not None
    parcels = {p.rma_number: p for p in env.demo.parcels}
    window = build_main_window(env, settings, operator_code="OP-0001")
    window.resize(*size)
    window.show()
    out.mkdir(parents=True, exist_ok=True)

    def settle() -> None:
        deadline = time.monotonic() + 10
        while (ops.busy() or window.station.busy) and time.monotonic() < deadline:
            app.processEvents()
        for _ in range(5):
            app.processEvents()
            QTest.qWait(20)

    def focus() -> QWidget:
        return QApplication.focusWidget() or window.station_view

    def scan(value: str) -> None:
        QTest.keyClicks(focus(), value)
        QTest.keyClick(focus(), Qt.Key.Key_Return)
        settle()

    def press(key: str) -> None:
        if key == "Enter":
            QTest.keyClick(focus(), Qt.Key.Key_Return)
        else:
            QTest.keyClick(focus(), key)
        QTest.qWait(120)
        settle()

    def tab(key: Qt.Key) -> None:
        """Ctrl+key, as a person switches tabs; window shortcuts work only in the active
        window, which a dialog just closed may not have given back yet."""
        window.activateWindow()
        deadline = time.monotonic() + 5
        while QApplication.activeWindow() is not window and time.monotonic() < deadline:
            app.processEvents()
        QTest.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        settle()

    def shot(name: str) -> None:
        settle()
        save(window.grab(), out / f"{name}.png")

    settle()
    shot("1-waiting-for-scan")
    serial = parcels["RMA-100003"]
    scan(serial.tracking_number)
    shot("2-return-shown")
    scan(serial.items[0].gtin)
    scan(serial.items[0].serial_numbers[0])
    press("5")
    for _ in range(4):
        press("Y")
    shot("3-grading")
    QTest.keyClick(focus(), Qt.Key.Key_Escape)
    settle()
    QTest.keyClick(focus(), Qt.Key.Key_F8)
    settle()
    shot("4-refund-summary")
    QTest.keyClick(focus(), Qt.Key.Key_Escape)
    QTest.keyClick(focus(), Qt.Key.Key_Escape)
    settle()
    happy = parcels["RMA-100001"]
    scan(happy.tracking_number)
    scan(happy.items[0].gtin)
    press("2")
    press("Enter")
    shot("5-completed")
    scan("1Z999AA10123456785")
    shot("6-error")
    scan(happy.tracking_number)
    shot("7-already-completed")
    scan("RMA-999999")  # a parcel the station has no return for: search, or receive it
    shot("14-no-return-found")
    QTest.keyClick(focus(), Qt.Key.Key_Escape)
    settle()
    other = parcels["RMA-100005"]
    scan(other.tracking_number)
    scan(parcels["RMA-100004"].items[0].gtin)  # a camera from another order: wrong item
    press("3")
    shot("15-wrong-item")
    override_shot(window, settle, out)
    press("Enter")
    QTest.keyClick(focus(), Qt.Key.Key_Escape)
    QTest.keyClick(focus(), Qt.Key.Key_Escape)
    settle()
    held = parcels["RMA-100004"]  # above EUR 500: held for a shift lead
    scan(held.tracking_number)
    for item in held.items:
        scan(item.gtin)
        for serial in item.serial_numbers[:1]:
            scan(serial)
        press("2")
        for _ in range(4):
            press("Y")
        press("Enter")
    tab(Qt.Key.Key_2)
    settle()
    QTest.qWait(400)
    settle()
    shot("8-shift-history")
    tab(Qt.Key.Key_3)
    settle()
    QTest.qWait(400)
    settle()
    shot("10-shift-lead")
    lead_confirmation_shot(window, settle, out)
    tab(Qt.Key.Key_1)
    settle()
    locked_station_shot(window, settle, out)
    tab(Qt.Key.Key_4)
    settle()
    QTest.keyClick(focus(), Qt.Key.Key_Return)
    deadline = time.monotonic() + 60
    while window.reports_view.page_count() == 0 and time.monotonic() < deadline:
        app.processEvents()
        QTest.qWait(50)
    QTest.qWait(500)
    shot("11-reports")
    tab(Qt.Key.Key_5)
    shot("16-help")
    printers_shot(window, settle, out)
    window.close()
    long_content_shots(app, env, size, out)
    camera_shot(app, env, parcels["RMA-100002"], size, work, out)
    env.database.dispose()


def save(picture: QPixmap, path: Path) -> None:
    picture.save(str(path))
    size = f"{picture.width()}x{picture.height()}"
    print(f"wrote {path.relative_to(ROOT)} ({size})")  # noqa: T201 - script output


def lead_confirmation_shot(window: MainWindow, settle: Callable[[], None], out: Path) -> None:
    """The lead's confirmation: a scanned badge has moved on to the PIN."""
    dialog = LeadBadgeDialog(
        "Approve the refund of EUR 1,239.30 for RMA-100004?",
        note_prompt="Note (optional)",
        note_required=False,
        parent=window,
    )
    dialog.resize(560, dialog.sizeHint().height())
    dialog.show()
    QTest.keyClicks(dialog.focusWidget(), "OP-0004")  # the badge field
    QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    QTest.keyClicks(dialog.focusWidget(), "13")  # the PIN field
    settle()
    save(dialog.grab(), out / "12-lead-confirmation.png")
    dialog.reject()


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
    dialog = PrintersDialog(window._service, window._settings.labels, parent=window)
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
        overrides={"database.url": str(env.database.engine.url), "ui.sounds": False},
    )
    window = build_main_window(env, settings, operator_code="OP-0002")
    window.resize(*size)
    window.show()

    def settle() -> None:
        deadline = time.monotonic() + 10
        while (ops.busy() or window.station.busy) and time.monotonic() < deadline:
            app.processEvents()
        for _ in range(5):
            app.processEvents()
            QTest.qWait(20)

    def focus() -> QWidget:
        return QApplication.focusWidget() or window.station_view

    def scan(value: str) -> None:
        QTest.keyClicks(focus(), value)
        QTest.keyClick(focus(), Qt.Key.Key_Return)
        settle()

    def press(key: str) -> None:
        QTest.keyClick(focus(), key)
        QTest.qWait(120)
        settle()

    settle()
    scan(parcel.tracking_number)
    for unit in range(3):  # two units accepted, the third graded and on screen
        scan(parcel.items[0].gtin)
        press("2")
        if unit < 2:
            QTest.keyClick(focus(), Qt.Key.Key_Return)
            settle()
    save(window.grab(), out / "19-long-content-grading.png")
    QTest.keyClick(focus(), Qt.Key.Key_Escape)
    settle()
    QTest.keyClick(focus(), Qt.Key.Key_F8)
    settle()
    save(window.grab(), out / "20-long-content-refund-summary.png")
    window.close()


def locked_station_shot(window: MainWindow, settle: Callable[[], None], out: Path) -> None:
    """The station locked after idle minutes, after a hostile badge scan was refused."""
    window.lock_station()
    settle()
    dialog = window.findChild(SignInDialog)
    assert dialog is not None
    badge = dialog.findChildren(QLineEdit)[0]
    QTest.keyClicks(badge, "<h1>BIG</h1>")
    QTest.keyClick(badge, Qt.Key.Key_Return)
    QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(
        "No active operator" in label.text() for label in dialog.findChildren(QLabel)
    ):
        settle()
    dialog.resize(560, dialog.sizeHint().height())
    settle()
    save(dialog.grab(), out / "13-station-locked.png")
    badge.clear()
    QTest.keyClicks(badge, "OP-0001")
    QTest.keyClick(badge, Qt.Key.Key_Return)
    QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    deadline = time.monotonic() + 10
    while window.locked and time.monotonic() < deadline:
        settle()


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
            "ui.sounds": False,
            "camera.source": str(frames),
            "camera.fps": 10,
        },
    )
    window = build_main_window(env, settings, operator_code="OP-0001")
    window.resize(*size)
    window.show()
    QTest.keyClicks(window.station_view, parcel.tracking_number)
    QTest.keyClick(window.station_view, Qt.Key.Key_Return)
    deadline = time.monotonic() + 10
    while window.station.state.name != "UNIT" and time.monotonic() < deadline:
        app.processEvents()
        QTest.qWait(50)
    QTest.qWait(600)
    save(window.grab(), out / "9-camera.png")
    window.close()


if __name__ == "__main__":
    sys.exit(main())
