"""Keyboard-wedge burst detection: a scanner's keys a few ms apart versus a person typing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from returnsdesk.scan.wedge import UNEXPECTED_KEY, BurstDetector, KeyTimes


def type_keys(detector: BurstDetector, text: str, *, start_ms: float, gap_ms: float) -> float:
    """Feed ``text`` one key per ``gap_ms``; returns the time of the last key."""
    t = start_ms
    for i, ch in enumerate(text):
        t = start_ms + i * gap_ms
        detector.feed_char(ch, t)
    return t


def test_scanner_burst_ending_in_enter_is_a_scan() -> None:
    detector = BurstDetector()

    last = type_keys(detector, "1Z999AA10123456784", start_ms=1000, gap_ms=4)

    assert detector.feed_enter(last + 4) == "1Z999AA10123456784"
    assert detector.pending == ""


def test_human_typing_is_never_a_scan() -> None:
    detector = BurstDetector()

    last = type_keys(detector, "RMA-100001", start_ms=1000, gap_ms=120)

    assert detector.feed_enter(last + 30) is None


def test_a_scan_right_after_typing_drops_the_typed_keys() -> None:
    # Given a person who typed "23" slowly, then a scan of an RMA label
    detector = BurstDetector()
    type_keys(detector, "23", start_ms=0, gap_ms=200)

    # When the scanner's burst starts 300 ms later
    last = type_keys(detector, "RMA-100001", start_ms=500, gap_ms=5)

    # Then only the burst is the scan
    assert detector.feed_enter(last + 5) == "RMA-100001"


def test_one_slow_key_inside_a_burst_splits_it() -> None:
    detector = BurstDetector()
    type_keys(detector, "ABCD", start_ms=0, gap_ms=5)
    detector.feed_char("E", 200)

    assert detector.pending == "E"
    assert detector.feed_enter(205) is None  # shorter than min_length


def test_enter_too_long_after_the_last_key_is_not_a_scan() -> None:
    # Given a scanner without an Enter suffix, and a person pressing Enter afterwards
    detector = BurstDetector()
    last = type_keys(detector, "4006381333931", start_ms=0, gap_ms=3)

    assert detector.feed_enter(last + 51) is None
    assert detector.pending == ""


def test_gap_equal_to_the_limit_still_belongs_to_the_burst() -> None:
    detector = BurstDetector(max_gap_ms=50)
    last = type_keys(detector, "ABCD", start_ms=0, gap_ms=50)

    assert detector.feed_enter(last + 50) == "ABCD"


def test_short_bursts_are_rollover_not_scans() -> None:
    detector = BurstDetector(min_length=4)
    last = type_keys(detector, "th", start_ms=0, gap_ms=10)

    assert detector.feed_enter(last + 10) is None


def test_thresholds_are_configurable() -> None:
    # Given a slow Bluetooth scanner: 80 ms between keys, short badge codes
    detector = BurstDetector(min_length=2, max_gap_ms=100)
    last = type_keys(detector, "42", start_ms=0, gap_ms=80)

    assert detector.feed_enter(last + 80) == "42"


def test_timestamps_going_backwards_break_the_burst() -> None:
    detector = BurstDetector()
    type_keys(detector, "ABCD", start_ms=1000, gap_ms=5)
    detector.feed_char("E", 900)

    assert detector.pending == "E"
    assert detector.feed_enter(800) is None


def test_burst_in_progress_follows_the_last_key() -> None:
    detector = BurstDetector(max_gap_ms=50)
    assert not detector.is_burst_in_progress(0)

    detector.feed_char("A", 100)

    assert detector.is_burst_in_progress(140)
    assert not detector.is_burst_in_progress(151)
    assert detector.pending == "A"


def test_reset_forgets_pending_keys() -> None:
    detector = BurstDetector()
    type_keys(detector, "ABCDE", start_ms=0, gap_ms=5)

    detector.reset()

    assert detector.pending == ""
    assert not detector.is_burst_in_progress(25)
    assert detector.feed_enter(25) is None


def test_keys_without_text_are_ignored() -> None:
    detector = BurstDetector()
    type_keys(detector, "ABCD", start_ms=0, gap_ms=5)
    detector.feed_char("", 500)

    assert detector.feed_enter(20) == "ABCD"


@pytest.mark.parametrize(
    "kwargs",
    [{"min_length": 0}, {"max_gap_ms": 0}, {"max_gap_ms": -5}, {"max_gap_ms": float("nan")}],
)
def test_thresholds_must_make_sense(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        BurstDetector(**kwargs)


_keys = st.text(min_size=1, max_size=40)


@given(_keys, st.lists(st.floats(min_value=50.001, max_value=10_000), min_size=40, max_size=40))
def test_property_keys_slower_than_the_gap_never_make_a_scan(text: str, gaps: list[float]) -> None:
    detector = BurstDetector(max_gap_ms=50)
    t = 0.0
    for ch, gap in zip(text, gaps, strict=False):
        t += gap
        detector.feed_char(ch, t)

    assert detector.feed_enter(t + 1) is None


# Gaps stay below the limit by a margin: summed float timestamps round at the last digit.
@given(_keys, st.lists(st.floats(min_value=0, max_value=49), min_size=41, max_size=41))
def test_property_a_fast_burst_returns_exactly_its_keys(text: str, gaps: list[float]) -> None:
    detector = BurstDetector(min_length=1, max_gap_ms=50)
    t = 1000.0
    for ch, gap in zip(text, gaps, strict=False):
        t += gap
        detector.feed_char(ch, t)

    assert detector.feed_enter(t + gaps[-1]) == text


def test_a_key_that_is_no_character_inside_a_burst_spoils_the_scan() -> None:
    # Given a scanner half way through RMA-100113, when an Esc (or an arrow) arrives in the burst
    detector = BurstDetector()
    last = type_keys(detector, "RMA-10", start_ms=1000, gap_ms=4)
    assert detector.feed_other_key(last + 4) is True  # swallowed: it is no command
    last = type_keys(detector, "0113", start_ms=last + 8, gap_ms=4)

    # Then the scan carries a marker where the key was, so it is refused, never read without it
    assert detector.feed_enter(last + 4) == f"RMA-10{UNEXPECTED_KEY}0113"


def test_a_key_that_is_no_character_outside_a_burst_is_a_persons_key() -> None:
    detector = BurstDetector()
    assert detector.feed_other_key(1000) is False  # Esc alone: one step back
    last = type_keys(detector, "2", start_ms=2000, gap_ms=4)
    assert detector.feed_other_key(last + 200) is False  # a grade key, then Esc much later
    assert detector.pending == "2"


# --- when a key was typed: the event's timestamp, not the time it was handled ----------------


def test_keys_handled_together_after_a_pause_keep_the_gaps_they_were_typed_with() -> None:
    # Given a person's keys stamped 150 ms apart by the window system (its own clock base),
    # all handled in the same millisecond after a 400 ms pause
    times = KeyTimes()
    typed = [times.typed_at(86_400_000 + i * 150, handled_ms=5_000.4) for i in range(4)]
    detector = BurstDetector()
    for ch, t in zip("1234", typed, strict=True):
        detector.feed_char(ch, t)

    # Then they are 150 ms apart, and four digits with Enter are no scan
    assert [b - a for a, b in zip(typed, typed[1:], strict=False)] == [150, 150, 150]
    assert detector.feed_enter(typed[-1] + 150) is None


def test_a_key_without_a_timestamp_is_put_on_the_window_systems_clock() -> None:
    # Given a key stamped 1,000 handled at 50,002 (monotonic): the clocks are 49,002 ms apart
    times = KeyTimes()
    assert times.typed_at(1_000, handled_ms=50_002.0) == 1_000
    # and one handled sooner after it was typed: 49,001
    assert times.typed_at(1_010, handled_ms=50_011.0) == 1_010

    # Then a key with no timestamp (made by Qt's test library) is timed by its handling,
    # moved by the smallest offset seen
    assert times.typed_at(0, handled_ms=50_020.0) == pytest.approx(1_019)


def test_without_any_timestamp_the_handling_time_stands_in() -> None:
    times = KeyTimes()

    assert times.typed_at(0, handled_ms=123.5) == 123.5


def test_a_window_system_clock_that_wrapped_is_taken_afresh() -> None:
    # Given the offset from keys stamped near the 32-bit wrap of the X server's ms clock
    times = KeyTimes(rebase_after_ms=600_000)
    times.typed_at(2**32 - 100, handled_ms=10_000.0)
    # When the stamps start again from 0 (the wrap): the next stamped key sets the offset
    assert times.typed_at(20, handled_ms=10_120.0) == 20

    # Then keys without a stamp are timed against the new offset, not the old one
    assert times.typed_at(0, handled_ms=10_125.0) == pytest.approx(25)
