"""What a report is asked for: its kind, its period, one station or all, or one return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from returnsdesk.config import ReportsSettings
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.kpis import KpiCosts, parse_costs
from returnsdesk.domain.shifts import (
    Shift,
    day_window,
    parse_recovery_rates,
    parse_shifts,
    site_zone,
)
from returnsdesk.domain.vocabulary import Disposition


class ReportRequestError(OperatorError):
    """A report that cannot be made as asked (unknown RMA, station or shift, bad range)."""


class ReportKind(StrEnum):
    SHIFT = "shift"
    INSIGHTS = "insights"
    RECOVERY = "recovery"
    KPIS = "kpis"
    EVIDENCE = "evidence"

    @property
    def heading(self) -> str:
        return {
            ReportKind.SHIFT: "Shift report",
            ReportKind.INSIGHTS: "Return reasons and product insights",
            ReportKind.RECOVERY: "Disposition and recovery",
            ReportKind.KPIS: "Returns KPIs",
            ReportKind.EVIDENCE: "Evidence pack",
        }[self]


@dataclass(frozen=True)
class Period:
    """A half-open range [start, end) of aware datetimes, with how a person would name it."""

    start: datetime
    end: datetime
    label: str

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ReportRequestError("A report period needs times with a time zone.")
        if self.end <= self.start:
            raise ReportRequestError(
                f"The period ends ({self.end:%Y-%m-%d %H:%M}) before it starts "
                f"({self.start:%Y-%m-%d %H:%M})."
            )

    @classmethod
    def day(cls, day: date, zone: ZoneInfo) -> Period:
        start, end = day_window(day, zone)
        return cls(start, end, f"{day:%a %d %b %Y} ({zone.key})")

    @classmethod
    def shift(cls, day: date, shift: Shift, zone: ZoneInfo) -> Period:
        start, end = shift.window(day, zone)
        return cls(
            start,
            end,
            f"{shift.name} shift {shift.start:%H:%M}-{shift.end:%H:%M}"
            f" on {day:%a %d %b %Y} ({zone.key})",
        )

    @classmethod
    def between(cls, start: datetime, end: datetime, zone: ZoneInfo) -> Period:
        if start.tzinfo is None or end.tzinfo is None:
            raise ReportRequestError("Give --from and --to with a UTC offset, e.g. 06:00+01:00.")
        shown = f"{start.astimezone(zone):%Y-%m-%d %H:%M} to {end.astimezone(zone):%Y-%m-%d %H:%M}"
        return cls(start.astimezone(UTC), end.astimezone(UTC), f"{shown} ({zone.key})")

    @classmethod
    def last_days(cls, days: int, now: datetime, zone: ZoneInfo) -> Period:
        if days < 1:
            raise ReportRequestError("The number of days must be 1 or more.")
        start = now - timedelta(days=days)
        return cls(start, now, f"last {days} days to {now.astimezone(zone):%Y-%m-%d %H:%M}")


@dataclass(frozen=True)
class ReportRequest:
    kind: ReportKind
    period: Period | None = None  # every kind but the evidence pack
    station_code: str | None = None  # None: all stations
    rma_number: str | None = None  # the evidence pack's return
    # One client shop's returns only ([clients.<code>]); None: every shop's. For the evidence
    # pack: whose RMA it is (None: the one shop that has it).
    client_code: str | None = None
    # The evidence pack of the station's own shop's return, where a client uses the number too.
    own_shop: bool = False

    def __post_init__(self) -> None:
        if self.kind is ReportKind.EVIDENCE:
            if not (self.rma_number or "").strip():
                raise ReportRequestError("An evidence pack needs the return's RMA number.")
        elif self.period is None:
            raise ReportRequestError(f"A {self.kind.heading.lower()} needs a period.")
        if self.own_shop and (self.kind is not ReportKind.EVIDENCE or self.client_code):
            raise ReportRequestError(
                "Only an evidence pack is made for the station's own shop alone;"
                " other reports are every shop's or one client shop's."
            )

    @property
    def filter_text(self) -> str:
        station = f"station {self.station_code}" if self.station_code else "all stations"
        client = f" · client {self.client_code}" if self.client_code else ""
        if self.own_shop:
            client = " · the station's own shop"
        if self.kind is ReportKind.EVIDENCE:
            return f"Return {self.rma_number}{client}"
        assert self.period is not None
        return f"{self.period.label} · {station}{client}"


@dataclass(frozen=True)
class ReportSetup:
    """The site's side of a report: its clock, shifts, recovery rates and photo folder."""

    zone: ZoneInfo
    shifts: dict[str, Shift]
    recovery_rates: dict[Disposition, Decimal]
    costs: KpiCosts = field(default_factory=lambda: _costs(ReportsSettings()))
    photo_root: Path | None = None  # None: the station's default photo folder
    generated_by: str = ""  # the station that generated it, for the page header

    @classmethod
    def from_settings(
        cls,
        reports: ReportsSettings | None = None,
        *,
        photo_root: Path | None = None,
        generated_by: str = "",
    ) -> ReportSetup:
        """From the ``[reports]`` settings (validated at load; the defaults when None)."""
        reports = reports or ReportsSettings()
        return cls(
            zone=site_zone(reports.time_zone),
            shifts=parse_shifts(reports.shifts),
            recovery_rates=parse_recovery_rates(reports.recovery_rates),
            costs=_costs(reports),
            photo_root=photo_root,
            generated_by=generated_by,
        )

    def shift(self, name: str) -> Shift:
        found = self.shifts.get(name.strip().lower())
        if found is None:
            known = ", ".join(self.shifts) or "none configured"
            raise ReportRequestError(f"No shift named {name!r} (known: {known}).")
        return found


def _costs(reports: ReportsSettings) -> KpiCosts:
    return parse_costs(reports.labour_rate, reports.handling_cost, reports.refurbishment_cost)
