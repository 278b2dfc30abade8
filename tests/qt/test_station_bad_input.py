"""Garbage at the station: every bad scan or early key is explained and writes nothing.

Each test counts the rows of every table before and after, so "writes nothing" covers tables
added later too.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import SQLModel, func, select

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from completing import demo_parcel
from returnsdesk.data.models import Parcel, Return
from returnsdesk.domain.barcodes import gtin_check_digit, ups_check_digit
from returnsdesk.domain.vocabulary import ReturnStatus
from returnsdesk.qt.sound import Cue
from returnsdesk.qt.station_controller import State
from returnsdesk.qt.station_view import Tone
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.demo import DemoParcel
from returnsdesk.station.screen import Focus
from station_driver import Inspector

# A UPS number with a valid check digit that belongs to no return in the demo data.
UNKNOWN_UPS_BODY = "TEST01" + "90" + "0000001"
UNKNOWN_UPS = "1Z" + UNKNOWN_UPS_BODY + ups_check_digit(UNKNOWN_UPS_BODY)
# A well-formed EAN-13 under the demo's GS1 prefix that no demo product carries.
UNKNOWN_EAN_BODY = "952999900000"
UNKNOWN_EAN = UNKNOWN_EAN_BODY + gtin_check_digit(UNKNOWN_EAN_BODY)


def row_counts(env: StationEnvironment) -> dict[str, int]:
    """Rows in every table the application defines."""
    with env.database.session() as session:
        return {
            table.name: session.exec(select(func.count()).select_from(table)).one()
            for table in SQLModel.metadata.sorted_tables
        }


def wrong_check_digit(code: str) -> str:
    """The same code with its last digit (the check digit) off by one."""
    return code[:-1] + str((int(code[-1]) + 1) % 10)


def assert_readable(message: str) -> None:
    """A sentence a person can read from a standing position: short, printable, no raw dump."""
    assert message.strip()
    assert message.isprintable(), repr(message)
    assert len(message) < 200, message


# --- garbage typed by the scanner, while the station waits for a parcel ----------------------

TypedGarbage = Callable[[DemoParcel], str]
# (name, garbage made from a real demo parcel, what the message must say). One window for all:
# each case starts and ends with the station waiting for a parcel.
TYPED_GARBAGE: list[tuple[str, TypedGarbage, str]] = [
    ("ups_wrong_check_digit", lambda p: wrong_check_digit(p.tracking_number), "check digit"),
    ("ean13_wrong_check_digit", lambda p: wrong_check_digit(p.items[0].gtin), "check digit"),
    ("500_characters", lambda p: (p.tracking_number + "-") * 26 + "X" * 6, "too long"),
    ("product_before_parcel", lambda p: p.items[0].gtin, "parcel's label first"),
]


def test_garbage_scans_while_waiting_for_a_parcel_are_refused_and_write_nothing(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    view = inspector.window.station_view
    for name, make_scan, says in TYPED_GARBAGE:
        raw = make_scan(parcel)
        before = row_counts(demo_env)

        # Given the station waits for a parcel, when the scanner types garbage
        inspector.scan(raw)

        # Then the station says what is wrong, in red, and still waits for a parcel
        assert inspector.controller.state is State.IDLE, name
        assert view.message_tone() is Tone.ERROR, name
        assert says in inspector.message, (name, inspector.message)
        assert_readable(inspector.message)
        # And nothing was written
        assert row_counts(demo_env) == before, name


def test_scanner_sending_control_characters_is_refused_and_writes_nothing(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    # A keyboard cannot type these, so they come as the scanner input filter passes them on
    # (a misconfigured serial scanner or a camera decode does send them).
    view = inspector.window.station_view
    before = row_counts(demo_env)
    cases = [
        ("RMA-100\x00001", "NUL"),  # a NUL inside a real RMA number: never "repaired"
        ("\x1b[2J\x1b[H", "key no barcode holds"),  # a terminal escape: refused whole
        ("\x7f\x7f\x7f\x7f", "key no barcode holds"),  # nothing but DEL
        ("RMA-10\x1b0001", "key no barcode holds"),  # an Esc inside: never read as RMA-100001
        ("\u200bRMA-100001", "characters no barcode here uses"),  # zero-width space
    ]
    for raw, says in cases:
        inspector.window.scanner.scanned.emit(raw)
        inspector.settle()
        assert inspector.controller.state is State.IDLE, repr(raw)
        assert view.message_tone() is Tone.ERROR, repr(raw)
        assert says in inspector.message, (raw, inspector.message)
        assert_readable(inspector.message)
    assert row_counts(demo_env) == before
    with demo_env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == "RMA-100001")).one()
        assert return_.status is ReturnStatus.OPEN


def test_grade_key_before_any_parcel_or_item_is_explained_and_writes_nothing(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    view = inspector.window.station_view
    parcel = demo_parcel(demo_env, "RMA-100001")
    before = row_counts(demo_env)

    # Given no parcel is open, when the inspector presses a grade key
    inspector.press("2")
    # Then the station asks for a parcel and nothing is written
    assert inspector.controller.state is State.IDLE
    assert view.message_tone() is Tone.ERROR
    assert "Scan a parcel label to start" in inspector.message
    assert row_counts(demo_env) == before

    # Given a parcel is open (receiving it is a write of its own)
    inspector.scan(parcel.tracking_number)
    assert inspector.controller.state is State.RETURN
    received = row_counts(demo_env)
    assert received["parcels"] == before["parcels"] + 1

    # When the inspector grades before scanning an item
    inspector.press("2")
    # Then the station asks for the item first, and nothing more is written
    assert inspector.controller.state is State.RETURN
    assert view.message_tone() is Tone.ERROR
    assert inspector.message == "Scan the item before grading it."
    assert row_counts(demo_env) == received


def test_unknown_codes_while_a_parcel_is_open_keep_it_open_and_write_nothing(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    view = inspector.window.station_view
    parcel = demo_parcel(demo_env, "RMA-100001")
    inspector.scan(parcel.tracking_number)
    received = row_counts(demo_env)

    # A well-formed EAN no product carries
    inspector.scan(UNKNOWN_EAN)
    assert inspector.controller.state is State.RETURN
    assert view.message_tone() is Tone.ERROR
    assert f"No product has barcode {UNKNOWN_EAN.zfill(14)}" in inspector.message

    # Text that is neither an SKU nor a serial shipped on this return
    inspector.scan("NOT-A-PRODUCT-42")
    assert inspector.controller.state is State.RETURN
    assert view.message_tone() is Tone.ERROR
    assert "is no product or serial number on this return" in inspector.message

    # Another parcel's label while this one is open
    other = demo_parcel(demo_env, "RMA-100002")
    inspector.scan(other.tracking_number)
    assert inspector.controller.state is State.RETURN
    assert "This parcel is still open" in inspector.message
    assert parcel.rma_number in view.return_title()

    assert row_counts(demo_env) == received


def test_unknown_rma_shows_no_return_found_and_writes_nothing(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    view = inspector.window.station_view
    before = row_counts(demo_env)

    # Given the station waits, when the inspector scans an RMA no return has
    inspector.scan("RMA-999999")

    # Then the station says so, offers search or receiving it as unexpected, and writes nothing
    assert inspector.controller.state is State.NO_RETURN
    assert view.message_tone() is Tone.WARNING
    assert inspector.message == "No return found for RMA-999999."
    assert "No return found for rma RMA-999999" in view.no_return_text()
    assert row_counts(demo_env) == before
    # And the search page's own buttons are the only ones: one way back, not two
    assert view.shown_buttons() == [
        "Open selected return (Enter)",
        "Receive as unexpected parcel (F5)",
        "Back (Esc)",
    ]

    # When they step back with Esc, still nothing is written
    inspector.key(Qt.Key.Key_Escape)
    assert inspector.controller.state is State.IDLE
    assert row_counts(demo_env) == before


def test_unknown_parcel_writes_nothing_until_the_inspector_chooses_a_return(
    qtbot: QtBot, inspector: Inspector, demo_env: StationEnvironment
) -> None:
    view = inspector.window.station_view
    before = row_counts(demo_env)

    # Given a parcel arrives under a tracking number no return knows
    inspector.scan(UNKNOWN_UPS)
    assert inspector.controller.state is State.NO_RETURN
    assert view.message_tone() is Tone.WARNING
    assert inspector.message == f"No return found for {UNKNOWN_UPS}."
    assert row_counts(demo_env) == before

    # When the inspector types the first name on the packing slip (by hand, so slowly)
    assert view.focused() is Focus.SEARCH
    inspector.type("Sofia", delay=70)
    qtbot.wait(70)
    inspector.key(Qt.Key.Key_Return)

    # Then the matching return is listed, and searching wrote nothing either
    assert [row["RMA"] for row in view.search_rows()] == ["RMA-100001"]
    assert "1 returns found" in inspector.message
    assert row_counts(demo_env) == before

    # When they open it with Enter
    inspector.press("Enter")

    # Then the parcel is received for that return, under the tracking number it came with
    assert inspector.controller.state is State.RETURN
    assert "RMA-100001" in view.return_title()
    after = row_counts(demo_env)
    assert after["parcels"] == before["parcels"] + 1
    with demo_env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == "RMA-100001")).one()
        parcel = session.exec(select(Parcel).where(Parcel.return_id == return_.id)).one()
        assert (parcel.tracking_number, parcel.carrier) == (UNKNOWN_UPS, "UPS")
        assert return_.status is ReturnStatus.RECEIVED


def test_a_note_with_a_nul_character_is_refused_and_kept_to_correct(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    # Given an item under inspection (a NUL can arrive pasted from another program)
    view = inspector.window.station_view
    parcel = demo_parcel(demo_env, "RMA-100001")
    inspector.scan(parcel.tracking_number)
    inspector.scan(parcel.items[0].gtin)
    assert inspector.controller.state is State.UNIT
    received = row_counts(demo_env)
    # When the inspector pastes a note holding a NUL into the note field and keeps it
    inspector.key(Qt.Key.Key_F2)
    assert view.focused() is Focus.NOTES
    inspector.paste("scuffed\x00sole")
    inspector.key(Qt.Key.Key_Return)
    # Then the station says why, keeps the text to correct, and stores nothing of it
    assert view.message_tone() is Tone.ERROR
    assert "NUL character" in inspector.message
    assert_readable(inspector.message)
    assert view.notes_text() == "scuffed\x00sole"
    work = inspector.controller.work
    assert work is not None and work.current is not None and work.current.notes == ""
    assert row_counts(demo_env) == received


def burst(qtbot: QtBot, target: QWidget, *keys: str | Qt.Key) -> None:
    """A scanner burst: characters and keys as fast as qtbot sends them, then Enter."""
    for key in keys:
        if isinstance(key, str):
            qtbot.keyClicks(target, key)
        else:
            qtbot.keyClick(target, key)
    qtbot.keyClick(target, Qt.Key.Key_Return)


@pytest.mark.parametrize(
    "inside",
    [Qt.Key.Key_Escape, Qt.Key.Key_Tab, Qt.Key.Key_Left, Qt.Key.Key_F5],
    ids=["esc", "tab", "arrow", "f5"],
)
def test_a_key_inside_a_scanner_burst_rejects_the_whole_scan_and_changes_nothing(
    qtbot: QtBot,
    inspector: Inspector,
    demo_env: StationEnvironment,
    monkeypatch: pytest.MonkeyPatch,
    inside: Qt.Key,
) -> None:
    view = inspector.window.station_view
    cues: list[Cue] = []
    monkeypatch.setattr(inspector.controller.sounds, "play", cues.append)
    before = row_counts(demo_env)

    # Given the station waits, when the scanner's burst for RMA-100001 holds a key mid-way
    # (it once dropped the Esc and opened RMA-100001)
    burst(qtbot, QApplication.focusWidget() or view, "RMA-10", inside, "0001")
    inspector.settle()
    qtbot.wait(120)  # any key held back as a lone command would have come out by now

    # Then the whole scan is refused with a message and the error sound, and nothing changed
    assert inspector.controller.state is State.IDLE
    assert view.message_tone() is Tone.ERROR
    assert "key no barcode holds" in inspector.message, inspector.message
    assert_readable(inspector.message)
    assert cues == [Cue.SCAN_ERROR]
    assert inspector.window.current_tab() is view
    assert row_counts(demo_env) == before


def test_a_key_inside_a_burst_into_the_scan_field_is_refused_and_the_field_kept(
    qtbot: QtBot, inspector: Inspector, demo_env: StationEnvironment
) -> None:
    before = row_counts(demo_env)
    # Given the inspector opened the scan field (F4) and typed part of a code by hand
    inspector.key(Qt.Key.Key_F4)
    field = QApplication.focusWidget()
    assert isinstance(field, QLineEdit)
    qtbot.keyClicks(field, "RMA", delay=70)

    # When a scanner burst with an Esc inside arrives there
    burst(qtbot, field, "RMA-10", Qt.Key.Key_Escape, "0001")
    inspector.settle()

    # Then it is refused, the hand-typed text is back, and nothing changed
    assert inspector.controller.state is State.IDLE
    assert "key no barcode holds" in inspector.message, inspector.message
    assert field.text() == "RMA"
    assert row_counts(demo_env) == before


def test_shift_inside_a_burst_and_esc_alone_keep_their_meaning(
    qtbot: QtBot, inspector: Inspector, demo_env: StationEnvironment
) -> None:
    view = inspector.window.station_view
    # Given a scanner that presses Shift for its capitals: the scan is read as usual
    burst(qtbot, QApplication.focusWidget() or view, Qt.Key.Key_Shift, "RMA-999999")
    inspector.settle()
    assert inspector.controller.state is State.NO_RETURN
    assert inspector.message == "No return found for RMA-999999."

    # When a person presses Esc on its own, it is one step back
    qtbot.wait(120)
    inspector.key(Qt.Key.Key_Escape)
    assert inspector.controller.state is State.IDLE


def test_the_gs1_separator_inside_a_burst_reaches_the_station(
    qtbot: QtBot, inspector: Inspector
) -> None:
    scans: list[str] = []
    inspector.window.scanner.scanned.connect(scans.append)
    target = QApplication.focusWidget() or inspector.window.station_view
    # A wedge scanner types FNC1 as Ctrl+] between a GS1 barcode's variable-length fields
    qtbot.keyClicks(target, "010400638133393121SN1")
    qtbot.keyClick(target, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(target, "10LOT")
    qtbot.keyClick(target, Qt.Key.Key_Return)
    inspector.settle()

    assert scans == ["010400638133393121SN1\x1d10LOT"]
    assert "key no barcode holds" not in inspector.message


def test_a_quick_typists_backspace_in_the_search_field_still_edits(
    qtbot: QtBot, inspector: Inspector
) -> None:
    # Given a parcel with no return, the search field waiting for a name
    inspector.scan(UNKNOWN_UPS)
    view = inspector.window.station_view
    assert view.focused() is Focus.SEARCH

    # When a quick typist corrects a typo within a scanner's key gap
    inspector.type("Sofx")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backspace)
    inspector.type("ia", delay=70)

    # Then the field holds what they meant
    assert view.search_text() == "Sofia"
