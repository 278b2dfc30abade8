"""Named shifts: parsing, midnight crossing, daylight saving, recovery rates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from returnsdesk.domain.shifts import (
    day_window,
    parse_recovery_rates,
    parse_shift,
    parse_shifts,
    site_zone,
)
from returnsdesk.domain.vocabulary import Disposition

BERLIN = site_zone("Europe/Berlin")


def test_a_night_shift_ends_on_the_next_day() -> None:
    night = parse_shift("Night = 22:00-06:00")

    assert night.name == "night" and night.crosses_midnight
    assert night.window(date(2026, 11, 22), BERLIN) == (
        datetime(2026, 11, 22, 21, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 5, 0, tzinfo=UTC),
    )


def test_a_shift_over_the_clock_change_lasts_as_long_as_it_really_did() -> None:
    night = parse_shift("night=22:00-06:00")

    start, end = night.window(date(2026, 10, 24), BERLIN)  # clocks go back on 25 Oct 2026

    assert (end - start).total_seconds() == 9 * 3600


def test_a_local_day_in_utc() -> None:
    assert day_window(date(2026, 7, 1), BERLIN) == (
        datetime(2026, 6, 30, 22, 0, tzinfo=UTC),
        datetime(2026, 7, 1, 22, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("early 06:00-14:00", "is not a shift like"),
        ("early=6-14", "is not a shift like"),
        ("early=25:00-14:00", "hours run 00-23"),
        ("early=06:00-06:00", "cannot start and end at the same time"),
    ],
)
def test_bad_shifts_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_shift(text)


def test_a_shift_named_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="named twice"):
        parse_shifts(("early=06:00-14:00", "EARLY=07:00-15:00"))


def test_unknown_time_zones_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone name"):
        site_zone("Mars/Olympus")


def test_recovery_rates_need_every_disposition_between_0_and_1() -> None:
    rates = parse_recovery_rates(("restock=1", "refurbish=0.6", "liquidate=0.25", "recycle=0"))
    assert rates[Disposition.LIQUIDATE] == Decimal("0.25")

    with pytest.raises(ValueError, match="no recovery rate for recycle"):
        parse_recovery_rates(("restock=1", "refurbish=0.6", "liquidate=0.25"))
    with pytest.raises(ValueError, match="between 0 and 1"):
        parse_recovery_rates(("restock=1.5", "refurbish=0.6", "liquidate=0.25", "recycle=0"))
    with pytest.raises(ValueError, match="not a rate like"):
        parse_recovery_rates(("resell=1",))
