"""The weight check: a parcel weighed at the bench against what was shipped in it.

An empty box, or a box with a part missing, weighs less than the goods the customer said they
sent back. The expected weight is the products' weights times the quantities returned plus a
packaging allowance (refunds.toml ``[weight_check]``); a parcel lighter than that by more than
the policy's tolerance is flagged ``underweight``. Only a parcel that is too light is flagged:
customers pack in anything, so a heavy parcel says nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# Grams per unit a scale may report in (MT-SICS sends the unit after the value).
GRAMS_PER_UNIT: dict[str, Decimal] = {
    "mg": Decimal("0.001"),
    "g": Decimal(1),
    "kg": Decimal(1000),
    "t": Decimal(1_000_000),
    "oz": Decimal("28.349523125"),
    "lb": Decimal("453.59237"),
}


@dataclass(frozen=True)
class Weight:
    """A stable reading of the scale, in grams."""

    grams: Decimal

    @classmethod
    def of(cls, value: Decimal, unit: str) -> Weight:
        """``value`` in ``unit`` (g, kg, lb, ...); raises ``KeyError`` for a unit not known."""
        return cls(value * GRAMS_PER_UNIT[unit])

    @property
    def whole_grams(self) -> int:
        return int(self.grams.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class WeightCheck:
    """The policy: what packaging adds at least, and how much lighter a parcel may be."""

    # The least a returned parcel's packaging weighs (a mailer bag, a label), added to the
    # goods' weight. Customers re-use boxes of every size, so this is a floor, not an average.
    packaging_grams: int = 50
    # Share of the goods' shipped weight that may be missing before the parcel is flagged:
    # catalogue weights are rounded, tags and inserts are thrown away, scales drift.
    tolerance_percent: Decimal = Decimal(25)

    def judge(self, *, measured_grams: int, contents_grams: int | None) -> Weighing:
        """The verdict on a parcel weighing ``measured_grams``; ``contents_grams`` None means
        a product's weight is not known, and then nothing is flagged."""
        if contents_grams is None or contents_grams <= 0:
            return Weighing(measured_grams, None, None)
        allowed_short = Decimal(contents_grams) * self.tolerance_percent / 100
        floor = Decimal(contents_grams + self.packaging_grams) - allowed_short
        return Weighing(
            measured_grams,
            contents_grams + self.packaging_grams,
            int(floor.quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        )


@dataclass(frozen=True)
class Weighing:
    """A parcel's weight and what was expected of it."""

    measured_grams: int
    expected_grams: int | None  # goods plus packaging; None: a product's weight is not known
    lowest_grams: int | None  # the least it may weigh before it is flagged

    @property
    def underweight(self) -> bool:
        return self.lowest_grams is not None and self.measured_grams < self.lowest_grams

    @property
    def short_grams(self) -> int:
        """How much lighter than expected (0 when it weighs as much or more)."""
        if self.expected_grams is None:
            return 0
        return max(0, self.expected_grams - self.measured_grams)

    def describe(self) -> str:
        """One line for the screen, e.g. "Parcel 0.412 kg, expected 1.250 kg: 0.838 kg light"."""
        weighed = f"Parcel weighs {kilograms(self.measured_grams)}"
        if self.expected_grams is None:
            return f"{weighed}; a product's weight is not known, so it is not checked."
        expected = f"expected {kilograms(self.expected_grams)} with packaging"
        if self.underweight:
            return (
                f"{weighed}, {expected}: {kilograms(self.short_grams)} too light"
                " (empty box or a part missing?)."
            )
        return f"{weighed}, {expected}: weight plausible."


def contents_grams(weights_and_quantities: Iterable[tuple[int, int]]) -> int | None:
    """The goods' weight from (grams per unit, units) pairs; None if any weight is unknown (0)."""
    total = 0
    for grams, quantity in weights_and_quantities:
        if grams <= 0:
            return None
        total += grams * quantity
    return total


def kilograms(grams: int) -> str:
    return f"{Decimal(grams) / 1000:.3f} kg"


__all__ = ["GRAMS_PER_UNIT", "Weighing", "Weight", "WeightCheck", "contents_grams", "kilograms"]
