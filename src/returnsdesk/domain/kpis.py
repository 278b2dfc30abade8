"""The returns KPIs a shop's managers ask for: what each figure means, from additive counts.

Counts (``KpiCounts``) are read from the database per week and add up to the whole period;
every figure is a ratio of them, so the period's figure and each week's agree by construction.

* **Return rate**: units on returns opened in the period / units on orders placed in it
  (all stations: sales and return requests belong to no station).
* **Processing time**: mean seconds from the parcel received to its refund, over the refunds
  made in the period.
* **Cost per return**: (inspection hours x labour rate + handling cost x returns +
  refurbishment cost x units sent to refurbishment) / returns, over the returns refunded in
  the period; inspection hours are the units' started-to-finished times.
* **Refund accuracy**: the share of the period's refunds with none of these findings:
  *rejected* (a lead turned the held refund down), *parked* (the order system refused a
  refund event and it waits for a person), *resent* (a parked refund event sent again under a
  new key), *regraded* (a blind re-grade of one of its units found another grade), or a
  *recovery case*: paid on receipt, the inspection found less; open, or closed as recovered
  from the customer, written off or disputed by the customer (one finding by its state).
* **Recovery rate**: value recovered (resale value x the channel's recovery rate) / resale
  value of the units dispositioned in the period: the goods' value, so money a lead recovers
  from a customer (a recovery case) is not in it; its cases count under refund accuracy.
* **Kept in stock**: units restocked or refurbished / units dispositioned (the rest are
  liquidated or recycled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from zoneinfo import ZoneInfo

from returnsdesk.domain.money import Money
from returnsdesk.domain.vocabulary import Disposition

KEPT = frozenset({Disposition.RESTOCK, Disposition.REFURBISH})


class Finding(StrEnum):
    """What puts a refund's accuracy in question, as the database records it."""

    REJECTED = "rejected"
    PARKED = "parked"
    RESENT = "resent"
    REGRADED = "regraded"
    # A recovery case (paid on receipt, inspection found less), by its state: a lead closes it
    # with a resolution (vocabulary.RecoveryResolution, the same words).
    RECOVERY_OPEN = "recovery_open"
    RECOVERED = "recovered"
    WRITTEN_OFF = "written_off"
    DISPUTED = "disputed"

    @property
    def label(self) -> str:
        return {
            Finding.REJECTED: "Rejected by a lead",
            Finding.PARKED: "Refused by the order system (parked)",
            Finding.RESENT: "Sent again under a new key",
            Finding.REGRADED: "Re-grade found another grade",
            Finding.RECOVERY_OPEN: "Paid on receipt, found less: case open",
            Finding.RECOVERED: "Paid on receipt, recovered from the customer",
            Finding.WRITTEN_OFF: "Paid on receipt, written off",
            Finding.DISPUTED: "Paid on receipt, disputed by the customer",
        }[self]


@dataclass(frozen=True)
class KpiCosts:
    """What a return costs the site (``[reports]`` settings), all in one currency."""

    labour_per_hour: Money
    handling_per_return: Money
    refurbishment_per_unit: Money

    def __post_init__(self) -> None:
        currencies = {
            self.labour_per_hour.currency,
            self.handling_per_return.currency,
            self.refurbishment_per_unit.currency,
        }
        if len(currencies) != 1:
            raise ValueError(f"all costs need one currency, not {', '.join(sorted(currencies))}")

    @property
    def currency(self) -> str:
        return self.labour_per_hour.currency


def parse_cost(text: str) -> Money:
    """``"32.50 EUR"``: a non-negative amount and its ISO 4217 currency."""
    amount, _, currency = text.strip().partition(" ")
    try:
        money = Money(Decimal(amount), currency.strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f'{text!r} is not an amount like "32.50 EUR"') from None
    if money.amount < 0:
        raise ValueError(f"{text!r}: a cost cannot be negative")
    return money


def parse_costs(labour_rate: str, handling_cost: str, refurbishment_cost: str) -> KpiCosts:
    return KpiCosts(
        parse_cost(labour_rate), parse_cost(handling_cost), parse_cost(refurbishment_cost)
    )


def _ratio(part: float, whole: float) -> float | None:
    return None if whole == 0 else part / whole


def _added(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    return {key: a.get(key, 0) + b.get(key, 0) for key in {*a, *b}}


@dataclass(frozen=True)
class KpiCounts:
    """Additive counts behind the KPIs, for a week or a whole period."""

    units_ordered: int = 0
    units_returned: int = 0
    refunds: int = 0
    processing_seconds: float = 0.0
    inspection_seconds: float = 0.0
    refurbished_on_refunds: int = 0
    refunds_with_findings: int = 0
    findings: Mapping[str, int] = field(default_factory=dict)  # Finding -> refunds
    units_by_channel: Mapping[str, int] = field(default_factory=dict)  # Disposition -> units
    # (disposition, currency) -> summed resale value of the units dispositioned there
    resale: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)

    def __add__(self, other: KpiCounts) -> KpiCounts:
        resale = {
            key: self.resale.get(key, Decimal(0)) + other.resale.get(key, Decimal(0))
            for key in {*self.resale, *other.resale}
        }
        return KpiCounts(
            self.units_ordered + other.units_ordered,
            self.units_returned + other.units_returned,
            self.refunds + other.refunds,
            self.processing_seconds + other.processing_seconds,
            self.inspection_seconds + other.inspection_seconds,
            self.refurbished_on_refunds + other.refurbished_on_refunds,
            self.refunds_with_findings + other.refunds_with_findings,
            _added(self.findings, other.findings),
            _added(self.units_by_channel, other.units_by_channel),
            resale,
        )

    @property
    def return_rate(self) -> float | None:
        return _ratio(self.units_returned, self.units_ordered)

    @property
    def processing_mean_seconds(self) -> float | None:
        return _ratio(self.processing_seconds, self.refunds)

    def cost_per_return(self, costs: KpiCosts) -> Money | None:
        if self.refunds == 0:
            return None
        hours = Decimal(repr(self.inspection_seconds)) / 3600
        total = (
            costs.labour_per_hour * hours
            + costs.handling_per_return * self.refunds
            + costs.refurbishment_per_unit * self.refurbished_on_refunds
        )
        return Money(total.amount / self.refunds, costs.currency).rounded()

    @property
    def refund_accuracy(self) -> float | None:
        return _ratio(self.refunds - self.refunds_with_findings, self.refunds)

    def currencies(self) -> list[str]:
        return sorted({currency for _, currency in self.resale if currency})

    def recovery(
        self, rates: Mapping[Disposition, Decimal], currency: str
    ) -> tuple[Decimal, Decimal]:
        """Resale value of the units dispositioned, and the value recovered, in ``currency``."""
        resale = recovered = Decimal(0)
        for (disposition, each), value in self.resale.items():
            if each == currency:
                resale += value
                recovered += value * rates[Disposition(disposition)]
        return resale, recovered

    def recovery_rate(self, rates: Mapping[Disposition, Decimal]) -> float | None:
        """Value recovered / resale value; None without units or across several currencies
        (a ratio of sums in different currencies means nothing: the report shows each)."""
        currencies = self.currencies()
        if len(currencies) != 1:
            return None
        resale, recovered = self.recovery(rates, currencies[0])
        return None if resale == 0 else float(recovered / resale)

    @property
    def units_dispositioned(self) -> int:
        return sum(self.units_by_channel.values())

    @property
    def kept_share(self) -> float | None:
        kept = sum(self.units_by_channel.get(d.value, 0) for d in KEPT)
        return _ratio(kept, self.units_dispositioned)


@dataclass(frozen=True)
class Week:
    """A week (Monday 00:00 local time) cut to the period it lies in: [start, end)."""

    start: datetime
    end: datetime
    monday: datetime  # the week's own start, local time, for its label
    partial: bool

    @property
    def label(self) -> str:
        return f"{self.monday:%d %b}" + ("*" if self.partial else "")


def weeks(start: datetime, end: datetime, zone: ZoneInfo) -> list[Week]:
    """The weeks that [start, end) touches, each cut to it, in order."""
    local = start.astimezone(zone)
    day = local.date() - timedelta(days=local.weekday())
    found: list[Week] = []
    while True:
        monday = datetime.combine(day, time(), zone)
        following = datetime.combine(day + timedelta(days=7), time(), zone)
        if monday >= end:
            break
        cut_start, cut_end = max(monday, start), min(following, end)
        found.append(Week(cut_start, cut_end, monday, (cut_start, cut_end) != (monday, following)))
        day += timedelta(days=7)
    return found
