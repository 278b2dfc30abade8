"""Disposition and recovery: where returned units went, what they are worth, how fast."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from returnsdesk.data import report_queries as q
from returnsdesk.domain.vocabulary import Disposition
from returnsdesk.services.reports.content import Facts, Heading, ReportContent, Table, Text
from returnsdesk.services.reports.formatting import count, duration, share
from returnsdesk.services.reports.request import ReportSetup
from returnsdesk.services.reports.shift import channel_tables

Step = Callable[[str], None]


def build(
    connection: Connection, scope: q.Scope, setup: ReportSetup, content: ReportContent, step: Step
) -> None:
    blocks = content.blocks
    step("Dispositions")
    rows = q.channels(connection, scope)
    units = {d: sum(r.units for r in rows if r.disposition is d) for d in Disposition}
    total = sum(units.values())
    blocks.append(
        Facts(
            "shares",
            "Share of units by channel",
            [("Units dispositioned", count(total))]
            + [
                (f"{d.label}", f"{share(units[d], total)} ({count(units[d])})") for d in Disposition
            ],
        )
    )
    blocks.append(Heading("Value recovered by channel"))
    table, chart = channel_tables(rows, setup.recovery_rates, "value-by-channel")
    blocks.extend([chart, table])
    rates = ", ".join(f"{d.value} {setup.recovery_rates[d]:.0%}" for d in Disposition)
    blocks.append(
        Text(
            "Value recovered = the units' resale value (products.unit_value, as catalogued when"
            " each unit was completed) times the channel's recovery rate from settings"
            f" ([reports] recovery_rates: {rates})."
        )
    )

    step("Processing time")
    blocks.append(Heading("Processing time: parcel received to refund"))
    median, p90, refunds = q.processing_seconds(connection, scope)
    blocks.append(
        Facts(
            "processing-time",
            "Processing time",
            [
                ("Refunds in the period", count(refunds)),
                ("Median", duration(median)),
                ("90th percentile", duration(p90)),
            ],
        )
    )
    blocks.append(
        Table(
            "processing-by-category",
            "Median processing time by category",
            ("Category", "Refunds", "Median"),
            [(c, count(n), duration(m)) for c, m, n in q.processing_by_category(connection, scope)],
            numeric=frozenset({1, 2}),
        )
    )
