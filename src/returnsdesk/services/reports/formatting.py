"""Figures as people read them: counts with separators, money with its currency, local times."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from returnsdesk.domain.money import Money


def count(value: int) -> str:
    return f"{value:,}"


def money(amount: Decimal, currency: str) -> str:
    return Money(amount, currency).format()


def share(part: float, whole: float) -> str:
    return "–" if whole == 0 else f"{part / whole:.1%}"


def minutes(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} min"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    hours = seconds / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def when(value: datetime | None, zone: ZoneInfo) -> str:
    return "–" if value is None else f"{value.astimezone(zone):%Y-%m-%d %H:%M}"


def words(code: str) -> str:
    """A stored code as words: ``doesnt_fit`` -> ``Doesnt fit``."""
    return code.replace("_", " ").capitalize() if code else "–"
