"""The returns KPIs: the figures for a period with their weekly trend (report and dashboard).

``read_kpis`` gives plain data (the dashboard tab draws it); ``build`` turns the same data into
report blocks with line and column charts (the PDF and its CSV tables). What each figure means
is written in ``domain.kpis`` and, for readers, in ``DEFINITIONS`` below.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import Connection

from returnsdesk.data import report_queries as q
from returnsdesk.data.db import Database
from returnsdesk.data.kpi_queries import Window, kpi_counts, recovery_cases, refund_findings
from returnsdesk.domain.kpis import Finding, KpiCosts, KpiCounts, Week, weeks
from returnsdesk.domain.money import Money
from returnsdesk.domain.vocabulary import Disposition, RecoveryResolution
from returnsdesk.services.reports.content import Chart, Facts, Heading, ReportContent, Table, Text
from returnsdesk.services.reports.formatting import count, duration, money
from returnsdesk.services.reports.reading import snapshot
from returnsdesk.services.reports.request import Period, ReportSetup
from returnsdesk.services.reports.scope import resolve_scope

Step = Callable[[str], None]

DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "Return rate",
        "Units on returns opened in the period / units on orders placed in it (all stations:"
        " sales and return requests belong to no station).",
    ),
    (
        "Processing time",
        "Mean time from the parcel received at a station to its refund, over the refunds made"
        " in the period.",
    ),
    (
        "Cost per return",
        "(Inspection hours × labour rate + handling cost × returns + refurbishment cost × units"
        " sent to refurbishment) / returns, over the returns refunded in the period; inspection"
        " hours are each unit's time from scan to finished. Rates: [reports] labour_rate,"
        " handling_cost, refurbishment_cost.",
    ),
    (
        "Refund accuracy",
        "Share of the period's refunds with no finding: rejected by a lead (held, then turned"
        " down), refused by the order system and parked now, sent again under a new key after"
        " a refusal, a blind re-grade of one of its units found another grade, or, paid on"
        " receipt, the inspection found less (a recovery case, open or closed as recovered,"
        " written off or disputed). A parked event retried or resolved in place is in the"
        " audit trail only and no longer counts.",
    ),
    (
        "Recovery rate",
        "Value recovered / resale value of the units dispositioned in the period; value"
        " recovered = resale value × the channel's recovery rate ([reports] recovery_rates)."
        " Money recovered from customers (recovery cases) counts under refund accuracy.",
    ),
    (
        "Kept in stock",
        "Units restocked or refurbished / units dispositioned (the rest are liquidated or"
        " recycled).",
    ),
)


@dataclass(frozen=True)
class KpiFigures:
    """One row of figures (the period, or one week) as numbers; None where undefined."""

    label: str
    counts: KpiCounts
    return_rate: float | None
    processing_hours: float | None
    cost_per_return: Money | None
    refund_accuracy: float | None
    recovery_rate: float | None
    kept_share: float | None

    @classmethod
    def of(cls, label: str, counts: KpiCounts, setup: ReportSetup) -> KpiFigures:
        seconds = counts.processing_mean_seconds
        return cls(
            label,
            counts,
            counts.return_rate,
            None if seconds is None else seconds / 3600,
            counts.cost_per_return(setup.costs),
            counts.refund_accuracy,
            counts.recovery_rate(setup.recovery_rates),
            counts.kept_share,
        )


@dataclass(frozen=True)
class KpiData:
    period_label: str
    station: str  # "all stations" or the station's code
    total: KpiFigures
    weeks: list[KpiFigures]  # oldest first; a label ending in * is a week cut by the period
    costs: KpiCosts


def compute(connection: Connection, scope: q.Scope, setup: ReportSetup, station: str) -> KpiData:
    period = scope.period
    # Findings are few: read once for the period, then cut to each week.
    found = refund_findings(connection, _window(scope, period.start, period.end))
    rows: list[tuple[Week, KpiCounts]] = [
        (week, kpi_counts(connection, _window(scope, week.start, week.end), found))
        for week in weeks(period.start, period.end, setup.zone)
    ]
    total = sum((counts for _, counts in rows), KpiCounts())
    return KpiData(
        period.label,
        station,
        KpiFigures.of("Period", total, setup),
        [KpiFigures.of(week.label, counts, setup) for week, counts in rows],
        setup.costs,
    )


def _window(scope: q.Scope, start: datetime, end: datetime) -> Window:
    return Window(start, end, scope.station_id, scope.client_code)


def read_kpis(
    database: Database,
    period: Period,
    station_code: str | None,
    setup: ReportSetup,
    client_code: str | None = None,
) -> KpiData:
    """The KPIs for the dashboard (one client shop's returns, if ``client_code``): one
    read-only snapshot, safe on a worker thread."""
    with snapshot(database) as connection:
        scope = resolve_scope(connection, period, station_code, client_code)
        return compute(connection, scope, setup, station_code or "all stations")


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def hours(value: float | None) -> str:
    return duration(None if value is None else value * 3600)


def cost(value: Money | None) -> str:
    return "–" if value is None else value.format()


HEADLINES: tuple[tuple[str, Callable[[KpiFigures], str]], ...] = (
    ("Return rate", lambda f: percent(f.return_rate)),
    ("Processing time", lambda f: hours(f.processing_hours)),
    ("Cost per return", lambda f: cost(f.cost_per_return)),
    ("Refund accuracy", lambda f: percent(f.refund_accuracy)),
    ("Recovery rate", lambda f: percent(f.recovery_rate)),
    ("Kept in stock", lambda f: percent(f.kept_share)),
)


def _pct(value: float | None) -> float:
    return math.nan if value is None else round(value * 100, 2)


def _number(value: float | Money | None) -> float:
    if value is None:
        return math.nan
    return round(float(value.amount if isinstance(value, Money) else value), 2)


# Chart title, the axis's top (None: fitted), value per week (drawing only: percentages as
# 0-100, hours, money as a float; NaN where a week has no such figure).
TRENDS: tuple[tuple[str, float | None, Callable[[KpiFigures], float]], ...] = (
    ("Return rate by week (%)", 100, lambda f: _pct(f.return_rate)),
    ("Processing time by week (hours)", None, lambda f: _number(f.processing_hours)),
    ("Cost per return by week", None, lambda f: _number(f.cost_per_return)),
    ("Refund accuracy by week (%)", 100, lambda f: _pct(f.refund_accuracy)),
    ("Recovery rate by week (%)", 100, lambda f: _pct(f.recovery_rate)),
    ("Kept in stock by week (%)", 100, lambda f: _pct(f.kept_share)),
)


def build(
    connection: Connection, scope: q.Scope, setup: ReportSetup, content: ReportContent, step: Step
) -> None:
    step("KPIs by week")
    data = compute(connection, scope, setup, "")
    total, blocks = data.total, content.blocks
    blocks.append(
        Facts("kpis", "Returns KPIs for the period", [(n, show(total)) for n, show in HEADLINES])
    )
    counts = total.counts
    blocks.append(
        Facts(
            "kpi-counts",
            "What the figures are made of",
            [
                ("Units ordered", count(counts.units_ordered)),
                ("Units on returns opened", count(counts.units_returned)),
                ("Refunds made", count(counts.refunds)),
                (
                    "Inspection hours on refunded returns",
                    f"{counts.inspection_seconds / 3600:,.1f}",
                ),
                (
                    "Units sent to refurbishment (refunded returns)",
                    count(counts.refurbished_on_refunds),
                ),
                ("Refunds with a finding", count(counts.refunds_with_findings)),
                ("Units dispositioned", count(counts.units_dispositioned)),
            ],
        )
    )
    labels = tuple(week.label for week in data.weeks)
    blocks.append(Heading("Trends by week"))
    if any(week.partial for week in weeks(scope.period.start, scope.period.end, setup.zone)):
        blocks.append(Text("Weeks start on Monday (site time); * marks a week the period cuts."))
    for title, top, value in TRENDS:
        kind: Literal["line", "columns"] = "columns" if title.startswith("Cost") else "line"
        values = tuple(value(week) for week in data.weeks)
        blocks.append(Chart(kind, title, labels, values, value_max=top))
    blocks.append(
        Table(
            "kpis-by-week",
            "KPIs by week",
            ("Week", *(name for name, _ in HEADLINES), "Refunds"),
            [
                (week.label, *(show(week) for _, show in HEADLINES), count(week.counts.refunds))
                for week in data.weeks
            ],
            numeric=frozenset(range(1, len(HEADLINES) + 2)),
            widths=(0.9, 0.8, 0.9, 1.1, 0.9, 0.9, 0.9, 0.8),
        )
    )
    step("Refund findings")
    blocks.append(
        Table(
            "refund-findings",
            "Refunds with a finding (a refund may have several)",
            ("Finding", "Refunds"),
            [(f.label, count(counts.findings.get(f.value, 0))) for f in Finding],
            numeric=frozenset({1}),
        )
    )
    step("Recovery cases")
    period = scope.period
    cases = recovery_cases(connection, _window(scope, period.start, period.end))
    blocks.append(_recovery_cases_table(cases))
    units = counts.units_dispositioned
    blocks.append(
        Table(
            "units-by-channel",
            "Units by channel",
            ("Channel", "Units", "Share"),
            [
                (
                    d.label,
                    count(counts.units_by_channel.get(d.value, 0)),
                    percent(counts.units_by_channel.get(d.value, 0) / units if units else None),
                )
                for d in Disposition
            ],
            numeric=frozenset({1, 2}),
        )
    )
    blocks.append(_recovery_table(counts, setup))
    costs = data.costs
    blocks.append(
        Facts(
            "kpi-costs",
            "Costs used ([reports] settings)",
            [
                ("Labour rate per hour", costs.labour_per_hour.format()),
                ("Handling cost per return", costs.handling_per_return.format()),
                ("Refurbishment cost per unit", costs.refurbishment_per_unit.format()),
            ],
        )
    )
    blocks.append(Heading("What the figures mean"))
    blocks.extend(Text(f"{name}: {text}") for name, text in DEFINITIONS)


def _recovery_cases_table(
    cases: list[tuple[RecoveryResolution | None, str, Decimal, Decimal]],
) -> Table:
    """Refunds paid on receipt that inspection found too high, by what the lead did: how many,
    and the money at stake (paid beyond what inspection refunds), per currency."""
    rows: list[tuple[str, ...]] = []
    for state in (None, *RecoveryResolution):
        stake: dict[str, Decimal] = {}
        found = [(c, paid, inspected) for r, c, paid, inspected in cases if r is state]
        for currency, paid, inspected in found:
            stake[currency] = stake.get(currency, Decimal(0)) + max(paid - inspected, Decimal(0))
        shown = ", ".join(money(amount, c) for c, amount in sorted(stake.items())) or "–"
        rows.append(("Open" if state is None else state.label, count(len(found)), shown))
    return Table(
        "recovery-cases",
        "Refunds paid on receipt that inspection found too high (recovery cases)",
        ("Case", "Refunds", "At stake"),
        rows,
        numeric=frozenset({1, 2}),
    )


def _recovery_table(counts: KpiCounts, setup: ReportSetup) -> Table:
    rows: list[tuple[str, ...]] = []
    for currency in counts.currencies():
        resale, recovered = counts.recovery(setup.recovery_rates, currency)
        rate = None if resale == 0 else float(recovered / resale)
        rows.append((currency, money(resale, currency), money(recovered, currency), percent(rate)))
    return Table(
        "recovery-by-currency",
        "Recovery by currency",
        ("Currency", "Resale value", "Value recovered", "Recovery rate"),
        rows,
        numeric=frozenset({1, 2, 3}),
    )
