"""The return window that applies to one return, and what the station says about it.

refunds.toml ``[windows]`` may give a product category or a customer tier a longer window than
the return's own (``policy.ReturnWindows``); the longest wins. The station judges a parcel by
that window plus the transit grace days, the same way on the screen as in the refund review.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class WindowBasis(Enum):
    RETURN = "return"  # the return's own, as the shop set it
    CATEGORY = "category"  # a category of a returned product
    TIER = "tier"  # the customer's tier


@dataclass(frozen=True)
class ReturnWindow:
    days: int
    basis: WindowBasis = WindowBasis.RETURN
    name: str = ""  # the category or tier that gave the window (text from the shop)

    def __str__(self) -> str:
        if self.basis is WindowBasis.RETURN:
            return f"{self.days}-day return window"
        return f"{self.days}-day {self.name} window"

    @property
    def why(self) -> str:
        """Where a longer window comes from ("customer tier"); "" for the return's own."""
        if self.basis is WindowBasis.TIER:
            return "customer tier"
        if self.basis is WindowBasis.CATEGORY:
            return "product category"
        return ""

    def is_late(self, days_since_delivery: int | None, *, grace_days: int) -> bool:
        """Past the window and the grace days for the trip back. No delivery date means the shop
        authorised the return without one: nothing to check."""
        return days_since_delivery is not None and days_since_delivery > self.days + grace_days

    def verdict(self, days_since_delivery: int | None, *, grace_days: int) -> str:
        """One plain sentence for the station screen."""
        if days_since_delivery is None:
            return "Not delivered yet: no return window to check"
        days = _days(days_since_delivery)
        why = f" ({self.why})" if self.why else ""
        transit = f" + {_days(grace_days)} in transit" if grace_days else ""
        if self.is_late(days_since_delivery, grace_days=grace_days):
            named = f"{self.name} " if self.name else ""
            window = f"{named}window {_days(self.days)}{transit}"
            return f"Returned {days} after delivery, {window}: OUTSIDE"
        if days_since_delivery > self.days:
            return f"{days} since delivery: within the {self}{why}{transit}"
        return f"{days} since delivery, within the {self}{why}"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


TIER_LIMIT = 32  # returns.customer_tier


def customer_tier(text: str | None) -> str | None:
    """A tier as the shop writes it ("Gold ") the way refunds.toml names it ("gold"); None for
    none. Every import path reads tiers through this, so a policy key matches them all; each
    refuses or skips one longer than ``TIER_LIMIT`` in its own way."""
    if text is None:
        return None
    return " ".join(text.split()).casefold() or None
