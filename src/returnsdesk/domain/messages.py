"""Customer messages in the warehouse's words: their kinds, and when the money arrives.

Pure: the public holidays come in as a set of dates (services/messages reads them from the
``holidays`` package for the warehouse's country).
"""

from __future__ import annotations

import re
from collections.abc import Container
from datetime import date, timedelta
from enum import StrEnum

_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_NOT_A_WORD = re.compile(r"[\s\-]+")


class MessageKind(StrEnum):
    PARCEL_RECEIVED = "parcel_received"
    INSPECTION_FINISHED = "inspection_finished"
    REFUND_ISSUED = "refund_issued"  # only once the refund is released (approved)
    REFUND_HELD = "refund_held"  # a person reviews it: no amount is promised
    ACTION_NEEDED = "action_needed"  # wrong item, empty box, serial mismatch, refund refused


def parse_lead_times(texts: tuple[str, ...]) -> dict[str, int]:
    """``"card=5"`` entries: business days from release until the money reaches the customer."""
    times: dict[str, int] = {}
    for text in texts:
        name, sep, number = text.partition("=")
        method = name.strip().lower()
        try:
            days = int(number.strip())
        except ValueError:
            days = -1
        if not sep or not method or not 0 <= days <= 60:
            raise ValueError(f'{text!r} is not a lead time like "card=5" (0 to 60 business days)')
        times[method] = days
    return times


def add_business_days(start: date, days: int, holidays: Container[date]) -> date:
    """The business day ``days`` business days after ``start`` (Monday to Friday, no holiday).

    With 0 days: ``start`` itself when it is a business day, else the next one.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    # Released on a weekend or holiday: the count still starts from that day (Saturday plus
    # one business day is Monday, as Friday plus one is), and 0 days means the next open day.
    while days == 0 and (current.weekday() >= 5 or current in holidays):
        current += timedelta(days=1)
    for _ in range(days):
        current += timedelta(days=1)
        while current.weekday() >= 5 or current in holidays:
            current += timedelta(days=1)
    return current


def language_tag(value: str | None) -> str | None:
    """A customer's language as the order system or a file gives it, as a BCP 47 tag.

    "de_DE" and " de-de " become "de-DE"; anything that is no tag (a language's name, junk)
    is None: not known, so the customer is written to in the default language.
    """
    text = (value or "").strip().replace("_", "-")
    if not text or len(text) > 16 or not _LANGUAGE_TAG.match(text):
        return None
    first, *rest = text.split("-")
    return "-".join([first.lower(), *(p.upper() if len(p) == 2 else p for p in rest)])


def payment_method_word(value: str | None) -> str | None:
    """A payment method as a lead-time key: "Bank transfer" and "bank-transfer" are
    "bank_transfer"; empty is None (not known: the default lead time applies)."""
    text = _NOT_A_WORD.sub("_", (value or "").strip().lower()).strip("_")
    return text[:32] or None
