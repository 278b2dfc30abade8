"""Grader consistency: how often two inspectors give a unit the same grade, beyond chance.

A share of units is graded a second time, blind, by another inspector (services/regrades.py).
Each pair (first grade, second grade) goes into a confusion matrix; Cohen's kappa says how much
the two agree beyond what their grade habits alone would give:

    kappa = (p_o - p_e) / (1 - p_e)

with p_o the share of pairs that agree and p_e the agreement expected by chance, the sum over
grades of (share of first grades that are g) x (share of second grades that are g). 1 is
perfect agreement, 0 no better than chance. Computed exactly with fractions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Agreement:
    grades: tuple[str, ...]  # the rows' and columns' order
    matrix: tuple[tuple[int, ...], ...]  # [first grade][second grade] -> pairs
    pairs: int
    agreed: int
    kappa: Fraction | None  # None: no pairs, or chance agreement is total (one grade only)

    @property
    def observed(self) -> Fraction | None:
        return Fraction(self.agreed, self.pairs) if self.pairs else None


def agreement(pairs: Iterable[tuple[str, str]], grades: Sequence[str]) -> Agreement:
    """The confusion matrix and kappa of (first grade, second grade) pairs; grades not in
    ``grades`` (a code since retired from the scale) are added at the end in sorted order."""
    pairs = list(pairs)
    order = list(grades) + sorted({g for pair in pairs for g in pair} - set(grades))
    index = {grade: i for i, grade in enumerate(order)}
    matrix = [[0] * len(order) for _ in order]
    for first, second in pairs:
        matrix[index[first]][index[second]] += 1
    total = len(pairs)
    agreed = sum(matrix[i][i] for i in range(len(order)))
    kappa: Fraction | None = None
    if total:
        observed = Fraction(agreed, total)
        chance = sum(
            (Fraction(sum(matrix[i]), total) * Fraction(sum(row[i] for row in matrix), total))
            for i in range(len(order))
        )
        kappa = None if chance == 1 else (observed - chance) / (1 - chance)
    return Agreement(
        grades=tuple(order),
        matrix=tuple(tuple(row) for row in matrix),
        pairs=total,
        agreed=agreed,
        kappa=kappa,
    )


__all__ = ["Agreement", "agreement"]
