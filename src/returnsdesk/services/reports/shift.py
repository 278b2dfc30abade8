"""The shift report: what came in, who inspected what, where it went, what it cost."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import Connection

from returnsdesk.data import report_queries as q
from returnsdesk.domain.vocabulary import Disposition, InspectionFlag
from returnsdesk.services.reports import consistency
from returnsdesk.services.reports.content import Chart, Facts, Heading, ReportContent, Table
from returnsdesk.services.reports.formatting import count, minutes, money, share, when, words
from returnsdesk.services.reports.request import ReportSetup

Step = Callable[[str], None]


def channel_tables(
    rows: list[q.ChannelRow], rates: dict[Disposition, Decimal], name: str
) -> tuple[Table, Chart]:
    """Units, resale value and value recovered per disposition (shift and recovery reports)."""
    total_units = sum(r.units for r in rows)
    table = Table(
        name,
        "Disposition mix and value recovered",
        ("Disposition", "Units", "Share", "Resale value", "Recovery rate", "Value recovered"),
        [
            (
                r.disposition.label,
                count(r.units),
                share(r.units, total_units),
                money(r.resale_value, r.currency),
                f"{rates[r.disposition]:.0%}",
                money(r.resale_value * rates[r.disposition], r.currency),
            )
            for r in rows
        ],
        numeric=frozenset({1, 2, 3, 4, 5}),
        widths=(1.3, 0.8, 0.8, 1.4, 1.0, 1.4),
    )
    units: dict[str, int] = {}
    for r in rows:
        units[r.disposition.label] = units.get(r.disposition.label, 0) + r.units
    chart = Chart(
        "pie", "Units by disposition", tuple(units), tuple(float(v) for v in units.values())
    )
    return table, chart


def build(
    connection: Connection, scope: q.Scope, setup: ReportSetup, content: ReportContent, step: Step
) -> None:
    zone = setup.zone
    blocks = content.blocks
    step("Counting parcels and units")
    volume = q.volume(connection, scope)
    refunds = q.refunds(connection, scope)
    backlog = q.outbox_backlog(connection, scope.client_code)
    # The audit chain and the graders' agreement are the warehouse's, not one shop's.
    head = q.audit_head(connection) if scope.client_code is None else None
    blocks.append(
        Facts(
            "summary",
            "Summary",
            [
                ("Parcels received", count(volume.parcels_received)),
                ("Unexpected parcels (no return found)", count(volume.unexpected_parcels)),
                ("Units inspected", count(volume.units_inspected)),
                ("Units missing (expected, not in the parcel)", count(volume.units_missing)),
                ("Refunds", count(sum(r.count for r in refunds))),
                *(
                    (
                        f"Refunded, {words(r.status.value).lower()} ({r.currency})",
                        money(r.total, r.currency),
                    )
                    for r in refunds
                ),
                ("Events not yet synced (all stations)", count(backlog.pending)),
                ("Events needing attention (all stations)", count(backlog.needs_attention)),
                ("Oldest unsynced event", when(backlog.oldest, zone)),
                *(
                    [("Audit chain head", "no entries" if head is None else f"#{head.sequence:,}")]
                    if scope.client_code is None
                    else []
                ),
            ],
        )
    )
    if head is not None:
        blocks.append(
            Facts(
                "audit-head",
                "Audit chain head",
                [
                    ("Sequence", f"{head.sequence:,}"),
                    ("Recorded", when(head.at, zone)),
                    (f"Entry hash ({head.algorithm.upper()})", head.entry_hash),
                ],
            )
        )

    step("Inspectors and grades")
    blocks.append(Heading("Inspectors"))
    inspectors = q.inspectors(connection, scope)
    blocks.append(
        Table(
            "inspectors",
            "Units per inspector",
            ("Inspector", "Badge", "Units", "Median time per unit"),
            [(r.name, r.code, count(r.units), minutes(r.median_minutes)) for r in inspectors],
            numeric=frozenset({2, 3}),
            widths=(2.4, 1.0, 0.8, 1.3),
        )
    )
    grades = q.grades(connection, scope)
    graded = sum(n for _, n in grades)
    blocks.append(
        Chart(
            "bar",
            "Grade distribution (units)",
            tuple(g for g, _ in grades),
            tuple(float(n) for _, n in grades),
        )
    )
    blocks.append(
        Table(
            "grades",
            "Grades",
            ("Grade", "Units", "Share"),
            [(g, count(n), share(n, graded)) for g, n in grades],
            numeric=frozenset({1, 2}),
        )
    )

    step("Dispositions and refunds")
    blocks.append(Heading("Dispositions"))
    table, chart = channel_tables(
        q.channels(connection, scope), setup.recovery_rates, "dispositions"
    )
    blocks.extend([chart, table])
    blocks.append(Heading("Refunds"))
    blocks.append(
        Table(
            "refunds",
            "Refunds by status",
            ("Status", "Currency", "Refunds", "Total"),
            [
                (words(r.status.value), r.currency, count(r.count), money(r.total, r.currency))
                for r in refunds
            ],
            numeric=frozenset({2, 3}),
        )
    )
    blocks.append(
        Table(
            "deductions",
            "Deductions by reason",
            ("Reason", "Units", "Deducted"),
            [
                (d.reason, count(d.units), money(d.deducted, d.currency))
                for d in q.deductions(connection, scope)
            ],
            numeric=frozenset({1, 2}),
            widths=(3.0, 0.8, 1.2),
        )
    )
    pending, waiting = q.pending_approvals(
        connection, scope.station_id, client_code=scope.client_code
    )
    shown = "" if waiting == len(pending) else f", oldest {len(pending):,} listed"
    blocks.append(
        Table(
            "pending-approval",
            f"Returns waiting for approval now ({waiting:,}{shown})",
            ("RMA", "Customer", "Refund", "Why", "Since"),
            [
                (
                    p.rma_number,
                    p.customer,
                    money(p.total, p.currency),
                    p.reason,
                    when(p.since, zone),
                )
                for p in pending
            ],
            numeric=frozenset({2}),
            widths=(1.1, 1.5, 1.0, 2.2, 1.1),
        )
    )

    step("Exceptions")
    blocks.append(Heading("Exceptions"))
    flags = q.flag_counts(connection, scope)
    blocks.append(
        Facts(
            "exception-counts",
            "Exceptions",
            [
                *((f.label, count(flags[f])) for f in InspectionFlag),
                ("Unexpected parcels", count(volume.unexpected_parcels)),
            ],
        )
    )
    rows, total = q.exception_parcels(connection, scope)
    title = "Parcels with exceptions"
    if total > len(rows):
        title += f" (newest {len(rows):,} of {total:,})"
    blocks.append(
        Table(
            "exceptions",
            title,
            ("Time", "Tracking", "RMA", "SKU", "Exception", "Inspector", "Note"),
            [
                (
                    when(r.at, zone),
                    r.tracking_number,
                    r.rma_number or "–",
                    r.sku or "–",
                    ", ".join(words(f) for f in r.flags),
                    r.operator,
                    r.note,
                )
                for r in rows
            ],
            widths=(1.1, 2.0, 1.0, 1.0, 1.0, 1.0, 1.2),
        )
    )
    if scope.client_code is None:
        consistency.build(connection, scope, content, step)
