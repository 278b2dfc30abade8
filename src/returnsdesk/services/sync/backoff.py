"""When to try a failed delivery again: exponential backoff with full jitter, and Retry-After.

Full jitter (a uniformly random delay between 0 and the exponential cap) spreads the retries of
many events, and of many stations, that failed together in one outage, so they do not all hit
the shop again in the same second when it comes back.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

BASE_DELAY_S = 1.0  # the cap for the first retry; doubles each attempt up to the maximum
RETRY_AFTER_CAP_S = 3600.0  # a shop asking for more than an hour is believed for an hour


def backoff_delay(
    attempts: int, *, rng: random.Random, max_s: float, base_s: float = BASE_DELAY_S
) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt (1 for the first failure)."""
    if attempts < 1:
        raise ValueError(f"attempts counts failed attempts from 1, not {attempts}")
    # min() before the power would overflow: 2.0 ** 1100 is an OverflowError.
    exponent = min(attempts - 1, 64)
    cap = min(max_s, base_s * 2.0**exponent)
    return rng.uniform(0.0, cap)


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """A ``Retry-After`` header as seconds from ``now``: delta-seconds or an HTTP date (RFC 9110).

    ``None`` for a missing or unreadable header (the caller then uses its own backoff); a date
    in the past means "now" (0). The result is capped at ``RETRY_AFTER_CAP_S``.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return min(float(int(text)), RETRY_AFTER_CAP_S)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" dates parse naive; HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    return min(max((when - now).total_seconds(), 0.0), RETRY_AFTER_CAP_S)
