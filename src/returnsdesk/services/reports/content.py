"""What a report says, independent of how it is drawn: the PDF and the CSV files read the same.

A report is a title plus blocks in reading order. Tables carry text cells already formatted
for people (money with its currency, counts with separators); charts carry plain numbers used
only to draw bars and slices, never for a figure a reader copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Text:
    text: str  # plain text from anywhere; escaped when drawn


@dataclass(frozen=True)
class Table:
    name: str  # file name of its CSV, e.g. "refunds-by-reason"
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    numeric: frozenset[int] = frozenset()  # column indexes aligned right
    widths: tuple[float, ...] | None = None  # relative widths; None: equal
    empty: str = "None in this period."


@dataclass(frozen=True)
class Facts:
    """Key figures as label/value pairs, drawn as a compact two-column table."""

    name: str
    title: str
    items: list[tuple[str, str]]

    def as_table(self) -> Table:
        return Table(self.name, self.title, ("Figure", "Value"), list(self.items), frozenset({1}))


@dataclass(frozen=True)
class Chart:
    kind: Literal["bar", "pie", "line", "columns"]  # line, columns: one value per week
    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]  # drawing only; NaN: no value (a gap in a line)
    value_max: float | None = None  # the value axis's top (100 for percentages); None: fitted


@dataclass(frozen=True)
class Photo:
    path: Path
    caption: str
    available: bool  # False: the file is missing or altered; the caption says so


Block = Heading | Text | Table | Facts | Chart | Photo


@dataclass
class ReportContent:
    title: str
    filter_text: str  # printed on every page: what the report covers
    blocks: list[Block] = field(default_factory=list)

    def tables(self) -> list[Table]:
        """Every table, facts included, for the CSV export."""
        found: list[Table] = []
        for block in self.blocks:
            if isinstance(block, Table):
                found.append(block)
            elif isinstance(block, Facts):
                found.append(block.as_table())
        return found
