"""What time it is, as a parameter (GUIDE.md 16: time is a parameter).

Code that needs "now" takes a ``Clock``; the application passes ``utc_now`` and tests pass a
clock of their own, so no test depends on today's date (``pytest --clock-ahead YEARS`` runs the
suite with the machine's clock moved, and fails any code that still reads it directly).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The machine's time, timezone-aware UTC: the one production clock."""
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always says ``moment`` (timezone-aware)."""
    if moment.tzinfo is None:
        raise ValueError("a clock's time must be timezone-aware")
    return lambda: moment
