"""Named shifts ("early = 06:00-14:00") and the UTC window one shift covers on one day.

Pure standard library: ``zoneinfo`` turns the site's wall-clock times into UTC, so a shift on
the day clocks change is as long as it really was (7 or 9 hours), and a night shift that
crosses midnight ends on the next calendar day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from returnsdesk.domain.vocabulary import Disposition

_SHIFT = re.compile(
    r"^\s*([A-Za-z][\w-]{0,31})\s*=\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$"
)


@dataclass(frozen=True, slots=True)
class Shift:
    name: str
    start: time
    end: time  # at or before ``start``: the shift ends on the next day

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def window(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The shift starting on ``day`` (site-local), as a half-open UTC range."""
        start = datetime.combine(day, self.start, tzinfo=zone)
        end_day = day + timedelta(days=1) if self.crosses_midnight else day
        end = datetime.combine(end_day, self.end, tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def __str__(self) -> str:
        return f"{self.name} {self.start:%H:%M}-{self.end:%H:%M}"


def parse_shift(text: str) -> Shift:
    """``"night = 22:00-06:00"`` as a ``Shift``; ``ValueError`` with a readable message."""
    match = _SHIFT.match(text)
    if match is None:
        raise ValueError(f'{text!r} is not a shift like "early = 06:00-14:00"')
    name, start_h, start_m, end_h, end_m = match.groups()
    try:
        start = time(int(start_h), int(start_m))
        end = time(int(end_h), int(end_m))
    except ValueError:
        raise ValueError(f"{text!r}: hours run 00-23 and minutes 00-59") from None
    if start == end:
        raise ValueError(f"{text!r}: a shift cannot start and end at the same time")
    return Shift(name.lower(), start, end)


def parse_shifts(texts: tuple[str, ...]) -> dict[str, Shift]:
    shifts: dict[str, Shift] = {}
    for text in texts:
        shift = parse_shift(text)
        if shift.name in shifts:
            raise ValueError(f"shift {shift.name!r} is named twice")
        shifts[shift.name] = shift
    return shifts


def site_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f'{name!r} is no time zone name like "Europe/Berlin"') from None


def day_window(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Site-local midnight to midnight, in UTC."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def parse_recovery_rates(texts: tuple[str, ...]) -> dict[Disposition, Decimal]:
    """``"refurbish=0.60"`` entries: the share of a unit's resale value each channel recovers.

    Every disposition needs a rate between 0 and 1, so a report never silently counts a
    channel at full value.
    """
    rates: dict[Disposition, Decimal] = {}
    for text in texts:
        name, _, number = text.partition("=")
        try:
            disposition = Disposition(name.strip().lower())
            rate = Decimal(number.strip())
        except (ValueError, InvalidOperation):
            raise ValueError(f'{text!r} is not a rate like "refurbish=0.60"') from None
        if not rate.is_finite() or not 0 <= rate <= 1:
            raise ValueError(f"{text!r}: the rate must be between 0 and 1")
        rates[disposition] = rate
    missing = [d.value for d in Disposition if d not in rates]
    if missing:
        raise ValueError(f"no recovery rate for {', '.join(missing)}")
    return rates
