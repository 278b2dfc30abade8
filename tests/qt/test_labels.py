"""Routing labels at the station: printed when a unit is finished, shown in the status bar,
found and reprinted from the shift history, and a test print from the Printers dialog
(Ctrl+Shift+P; Ctrl+P prints reports).

The station's "Zebra" is a real TCP listener on 127.0.0.1 (tests/zpl_listener.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import select

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from returnsdesk.config import Settings, load_settings
from returnsdesk.data.models import Inspection, Parcel, PrintJob, Return
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.qt.printing import PrintersDialog
from returnsdesk.qt.station_controller import State
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.demo import DemoParcel
from station_driver import Inspector
from zpl_listener import ZplListener, free_port


@pytest.fixture
def zebra() -> Iterator[ZplListener]:
    with ZplListener() as listener:
        yield listener


@pytest.fixture
def printer_port(zebra: ZplListener) -> int:
    return zebra.port


@pytest.fixture
def settings(database_url: str, printer_port: int) -> Settings:
    return load_settings(
        environ={},
        overrides={
            "database.url": database_url,
            "ui.sounds": False,
            "labels.printer": "zpl-tcp",
            "labels.host": "127.0.0.1",
            "labels.port": printer_port,
            "labels.timeout_s": 1.0,
        },
    )


def demo_parcel(env: StationEnvironment, scenario: str) -> DemoParcel:
    assert env.demo is not None
    return next(p for p in env.demo.parcels if p.scenario.startswith(scenario))


def plates_of(env: StationEnvironment, rma: str) -> list[str]:
    with env.database.session() as session:
        rows = session.exec(
            select(Inspection.license_plate)
            .join(Parcel, Parcel.id == Inspection.parcel_id)  # type: ignore[arg-type]
            .join(Return, Return.id == Parcel.return_id)  # type: ignore[arg-type]
            .where(Return.rma_number == rma, Inspection.outcome == "inspected")
        ).all()
    return [plate for plate in rows if plate is not None]


def finish_one_item_return(inspector: Inspector, parcel: DemoParcel) -> None:
    inspector.scan(parcel.tracking_number)
    inspector.scan(parcel.items[0].gtin)
    inspector.press("2")
    inspector.press("Enter")
    assert inspector.controller.state is State.OUTCOME


def finish_and_print(
    qtbot: QtBot, inspector: Inspector, env: StationEnvironment, zebra: ZplListener
) -> tuple[DemoParcel, str]:
    """Finish a one-item return; returns it and its unit's plate once the label is out."""
    parcel = demo_parcel(env, "One apparel item")
    finish_one_item_return(inspector, parcel)
    qtbot.waitUntil(lambda: len(zebra.jobs) == 1, timeout=10_000)
    (plate,) = plates_of(env, parcel.rma_number)
    return parcel, plate


def status_text(window: MainWindow) -> str:
    return window.printing.status.text()


def test_finishing_a_unit_prints_its_routing_label(
    qtbot: QtBot, inspector: Inspector, demo_env: StationEnvironment, zebra: ZplListener
) -> None:
    # When the inspector finishes the return's one unit, then the Zebra receives its routing
    # label, with the plate recorded on the inspection
    parcel, plate = finish_and_print(qtbot, inspector, demo_env, zebra)
    zpl = zebra.jobs[0].decode()
    assert f"^FD{plate}^FS" in zpl and "^BCN," in zpl
    assert f"^FDRMA {parcel.rma_number}^FS" in zpl
    assert f"^FDSKU {parcel.items[0].sku}^FS" in zpl
    assert "^FDB^FS" in zpl and "^FDRESTOCK^FS" in zpl
    # And the status bar says all labels printed (the print worker's change notice)
    window = inspector.window
    qtbot.waitUntil(lambda: "Labels: all printed" in status_text(window), timeout=5_000)
    assert f"printer 127.0.0.1:{zebra.port}" in status_text(window)


def test_the_first_units_label_prints_before_the_parcel_is_done(
    qtbot: QtBot, inspector: Inspector, demo_env: StationEnvironment, zebra: ZplListener
) -> None:
    parcel = demo_parcel(demo_env, "Two units of one item")

    inspector.scan(parcel.tracking_number)
    inspector.scan(parcel.items[0].gtin)
    inspector.press("2")
    inspector.press("Enter")

    # The parcel is still open, and the first unit's label is out already
    assert inspector.controller.state is State.RETURN
    qtbot.waitUntil(lambda: len(zebra.jobs) == 1, timeout=10_000)

    inspector.scan(parcel.items[0].gtin)
    inspector.press("2")
    inspector.press("Enter")
    qtbot.waitUntil(lambda: len(zebra.jobs) == 2, timeout=10_000)
    plates = plates_of(demo_env, parcel.rma_number)
    assert sorted(plates) == sorted(
        next(p for p in plates if f"^FD{p}^FS" in job.decode()) for job in zebra.jobs
    )


class TestPrinterOffline:
    @pytest.fixture
    def printer_port(self) -> int:
        return free_port()  # nothing listens: connection refused, like a printer switched off

    def test_the_label_waits_and_the_status_bar_says_why(
        self, qtbot: QtBot, inspector: Inspector, demo_env: StationEnvironment, printer_port: int
    ) -> None:
        finish_one_item_return(inspector, demo_parcel(demo_env, "One apparel item"))

        window = inspector.window
        expected = f"Labels: 1 waiting — printer 127.0.0.1:{printer_port} offline"

        # Told by the print worker's change notice after its failed try, not by polling
        qtbot.waitUntil(lambda: status_text(window).startswith(expected), timeout=10_000)
        with demo_env.database.session() as session:
            (job,) = session.exec(select(PrintJob)).all()
        assert job.status.value == "queued" and job.attempts >= 1


def test_scanning_a_label_plate_finds_the_unit_and_ctrl_r_reprints_it(
    qtbot: QtBot, inspector: Inspector, demo_env: StationEnvironment, zebra: ZplListener
) -> None:
    parcel, plate = finish_and_print(qtbot, inspector, demo_env, zebra)
    window = inspector.window

    # When the inspector scans the label's plate between parcels
    inspector.scan(plate)

    # Then the shift history shows the unit's parcel
    history = window.history_view
    assert window.current_tab() is history
    assert history.search_text() == plate
    qtbot.waitUntil(lambda: len(history.parcels()) == 1, timeout=5_000)
    assert history.parcels()[0].rma_number == parcel.rma_number
    qtbot.waitUntil(lambda: plate in history.labels_text(), timeout=5_000)
    assert "printed" in history.labels_text()
    # And Ctrl+R prints the same label again
    qtbot.keyClick(
        QApplication.focusWidget() or history, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.waitUntil(lambda: len(zebra.jobs) == 2, timeout=10_000)
    assert zebra.jobs[1] == zebra.jobs[0]
    assert history.reprint_notice() == f"Reprinting 1 label: {plate}"


def test_the_printers_dialog_opens_with_ctrl_shift_p_and_test_prints(
    qtbot: QtBot, window: MainWindow, zebra: ZplListener
) -> None:
    outcomes: list[str] = []
    poll = QTimer()
    poll.setInterval(50)
    deadline = time.monotonic() + 20

    def drive_the_dialog() -> None:
        """Runs inside the dialog's exec(): press T, wait for the answer, close with Esc."""
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PrintersDialog):
            return
        if time.monotonic() > deadline:  # fail with what was seen rather than hang
            outcomes.append(f"gave up waiting: {dialog.outcome()!r}")
            poll.stop()
            dialog.reject()
        elif not outcomes:
            # The T shortcut works in the active window; offscreen, activation can lag a tick.
            if QApplication.activeWindow() is not dialog:
                dialog.activateWindow()
                return
            outcomes.append("opened")
            qtbot.keyClick(dialog, Qt.Key.Key_T)
        elif "Test label sent" in dialog.outcome():
            outcomes.append(dialog.outcome())
            poll.stop()
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    poll.timeout.connect(drive_the_dialog)
    poll.start()
    qtbot.keyClick(
        window,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )

    assert outcomes == ["opened", f"Test label sent to printer 127.0.0.1:{zebra.port}."]
    (label,) = zebra.wait_for(1)
    assert "^FDTEST PRINT^FS" in label.decode() and "^BCN," in label.decode()
