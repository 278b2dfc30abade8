"""Scanner bursts survive a station process that pauses inside them.

A pause (a full garbage collection, a loaded machine) queues the rest of a burst: its keys then
arrive late and bunched, or the lone-key timer fires before they are handled. Key events carry
the time they were typed (``QKeyEvent.timestamp()``), and that time tells a burst from a person.
Events here are posted as the window system delivers them, each with its own timestamp, on a
clock base of its own (the X server's, not the station's).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from completing import demo_parcel
from returnsdesk.qt.scanner import ScanInputFilter
from returnsdesk.qt.station_controller import State
from returnsdesk.services.bootstrap import StationEnvironment
from station_driver import Inspector

TRACKING = "1Z999AA10123456784"
X_SERVER_BASE_MS = 86_400_123  # an X server started a day ago: no relation to our clock
SCANNER_GAP_MS = 5
PERSON_GAP_MS = 150
PAUSE_S = 0.3  # what a full collection of a large heap took in the window process


def post_keys(target: QWidget, keys: str, *, typed_at_ms: int, gap_ms: int = SCANNER_GAP_MS) -> int:
    """Queue key presses as typed ``gap_ms`` apart ('\\n' is Enter); returns the next time."""
    t = typed_at_ms
    for ch in keys:
        if ch == "\n":
            event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier(0))
        else:
            event = QKeyEvent(
                QEvent.Type.KeyPress, Qt.Key(ord(ch.upper())), Qt.KeyboardModifier(0), ch
            )
        event.setTimestamp(t)
        QCoreApplication.postEvent(target, event)
        t += gap_ms
    return t


class Station:
    """A window with the scanner filter attached, recording what it told apart."""

    def __init__(self, qtbot: QtBot) -> None:
        self.window = QWidget()
        self.body = QLabel("waiting for a parcel", self.window)
        self.body.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        QVBoxLayout(self.window).addWidget(self.body)
        qtbot.addWidget(self.window)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.window.activateWindow()
        self.body.setFocus()
        qtbot.waitUntil(self.body.hasFocus)
        self.filter = ScanInputFilter(self.window)
        self.filter.attach()
        self.scans: list[str] = []
        self.commands: list[str] = []
        self.filter.scanned.connect(self.scans.append)
        self.filter.command.connect(self.commands.append)

    def post(self, keys: str, *, typed_at_ms: int, gap_ms: int) -> int:
        return post_keys(self.body, keys, typed_at_ms=typed_at_ms, gap_ms=gap_ms)


@pytest.fixture
def station(qtbot: QtBot) -> Iterator[Station]:
    desk = Station(qtbot)
    yield desk
    desk.filter.detach()


def pause_gui_thread() -> None:
    """The GUI thread stalls, as in a full garbage collection: nothing is handled meanwhile."""
    time.sleep(PAUSE_S)


def test_a_burst_queued_behind_a_pause_arrives_as_one_scan(qtbot: QtBot, station: Station) -> None:
    # Given the scanner's first key was handled at once
    t = station.post(TRACKING[0], typed_at_ms=X_SERVER_BASE_MS, gap_ms=SCANNER_GAP_MS)
    QCoreApplication.processEvents()
    # When the station pauses while the scanner types the rest, and catches up afterwards
    station.post(TRACKING[1:] + "\n", typed_at_ms=t, gap_ms=SCANNER_GAP_MS)
    pause_gui_thread()
    qtbot.waitUntil(
        lambda: not station.filter.holding_keys() and bool(station.scans), timeout=5_000
    )

    # Then it is one scan of the whole tracking number, and no key became a command
    assert station.scans == [TRACKING]
    assert station.commands == []


def test_four_digits_typed_by_hand_and_delivered_together_are_no_scan(
    qtbot: QtBot, station: Station
) -> None:
    # Given the station paused while a person typed four digits and Enter (a scan, if the time
    # they were handled were taken for the time they were typed)
    station.post("1234\n", typed_at_ms=X_SERVER_BASE_MS, gap_ms=PERSON_GAP_MS)
    pause_gui_thread()

    # When they are handled in one go
    qtbot.waitUntil(lambda: len(station.commands) == 5, timeout=5_000)

    # Then they stay the person's keys, in order: nothing is a scan
    assert station.commands == ["1", "2", "3", "4", "Enter"]
    assert station.scans == []


def test_the_lone_key_timer_firing_before_the_queued_burst_does_not_split_it(
    qtbot: QtBot, station: Station
) -> None:
    # Given the scanner's first key was handled and is held back to tell it from a person's key
    t = station.post(TRACKING[0], typed_at_ms=X_SERVER_BASE_MS, gap_ms=SCANNER_GAP_MS)
    QCoreApplication.processEvents()
    assert station.filter.holding_keys()
    # When the station pauses past the hold, and the rest of the burst is delivered only after
    # the hold's timer has fired (it is due first; the rest is queued right behind it)
    QTimer.singleShot(
        100,
        lambda: station.post(TRACKING[1:] + "\n", typed_at_ms=t, gap_ms=SCANNER_GAP_MS),
    )
    pause_gui_thread()
    qtbot.waitUntil(
        lambda: not station.filter.holding_keys() and bool(station.scans), timeout=5_000
    )

    # Then the first key is no grade command: the whole number is one scan
    assert station.commands == []
    assert station.scans == [TRACKING]


def test_a_lone_key_is_still_a_command_after_its_hold(qtbot: QtBot, station: Station) -> None:
    # Given a person presses a grade key, with nothing queued behind it
    station.post("2", typed_at_ms=X_SERVER_BASE_MS, gap_ms=PERSON_GAP_MS)

    # Then after the hold it is a command, even when the hold's timer fired late
    QCoreApplication.processEvents()
    pause_gui_thread()
    qtbot.waitUntil(lambda: not station.filter.holding_keys(), timeout=5_000)
    assert station.commands == ["2"]
    assert station.scans == []


def test_a_lone_key_then_a_burst_after_a_pause_keeps_both(qtbot: QtBot, station: Station) -> None:
    # Given a person pressed 2, and the scanner read a parcel 100 ms later, all during a pause
    t = station.post("2", typed_at_ms=X_SERVER_BASE_MS, gap_ms=100)
    station.post(TRACKING + "\n", typed_at_ms=t, gap_ms=SCANNER_GAP_MS)
    pause_gui_thread()

    qtbot.waitUntil(lambda: bool(station.scans), timeout=5_000)

    # Then the 2 is a command and the burst one scan, in the order they were typed
    assert station.commands == ["2"]
    assert station.scans == [TRACKING]


def test_the_station_opens_the_parcel_whose_scan_a_pause_interrupted(
    qtbot: QtBot, inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    target = QApplication.focusWidget() or inspector.window
    # Given the station waits for a parcel and has handled the scanner's first key
    t = post_keys(target, parcel.tracking_number[0], typed_at_ms=X_SERVER_BASE_MS)
    QCoreApplication.processEvents()
    # When it pauses while the scanner types the rest, the hold's timer due before the keys
    rest = parcel.tracking_number[1:] + "\n"
    QTimer.singleShot(100, lambda: post_keys(target, rest, typed_at_ms=t))
    pause_gui_thread()
    qtbot.waitUntil(lambda: not inspector.window.scanner.holding_keys(), timeout=5_000)
    inspector.settle()

    # Then the parcel's return is open, as after any scan of its label
    assert inspector.controller.state is State.RETURN
    assert parcel.rma_number in inspector.window.station_view.return_title()
