"""Return reasons and product insights, for merchandising: what comes back, and why.

Return rate = units on returns opened in the period / units on orders placed in the period,
per SKU, category and size (``products.size``; products without sizes show "(none)").
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

from sqlalchemy import Connection

from returnsdesk.data import report_queries as q
from returnsdesk.services.reports.content import Chart, Heading, ReportContent, Table, Text
from returnsdesk.services.reports.formatting import count, share, words
from returnsdesk.services.reports.request import ReportSetup

Step = Callable[[str], None]
TOP_SKUS = 25


def _rate_table(name: str, title: str, key: str, rows: list[q.RateRow]) -> Table:
    return Table(
        name,
        title,
        (key, "Units sold", "Units returned", "Return rate"),
        [(r.key, count(r.sold), count(r.returned), share(r.returned, r.sold)) for r in rows],
        numeric=frozenset({1, 2, 3}),
        widths=(2.2, 1.0, 1.0, 1.0),
    )


def build(
    connection: Connection, scope: q.Scope, setup: ReportSetup, content: ReportContent, step: Step
) -> None:
    blocks = content.blocks
    blocks.append(
        Text(
            "Return rate: units on returns opened in the period divided by units on orders placed"
            " in the period. Sales and return requests belong to no station, so the rates cover"
            " every station; inspection findings follow the station filter."
        )
    )
    step("Return rates by category and size")
    blocks.append(Heading("Return rates"))
    products = q.units_by_product(connection, scope)
    categories = q.rates_by(products, "category")
    blocks.append(
        Chart(
            "bar",
            "Units returned by category",
            tuple(r.key for r in categories),
            tuple(float(r.returned) for r in categories),
        )
    )
    blocks.append(_rate_table("rate-by-category", "By category", "Category", categories))
    sizes = q.rates_by(products, "size")
    blocks.append(_rate_table("rate-by-size", "By size", "Size", sizes))
    skus = q.rates_by(products, "sku", limit=TOP_SKUS)
    blocks.append(_rate_table("rate-by-sku", f"Most returned SKUs (top {TOP_SKUS})", "SKU", skus))

    step("Reasons")
    blocks.append(Heading("Reasons customers gave"))
    reasons = q.reasons_by_category(products)
    totals: Counter[str] = Counter()
    for _, reason, units in reasons:
        totals[reason] += units
    blocks.append(
        Chart(
            "pie",
            "Stated reasons (units)",
            tuple(words(r) for r in totals),
            tuple(float(v) for v in totals.values()),
        )
    )
    by_category: Counter[str] = Counter()
    for category, _, units in reasons:
        by_category[category] += units
    blocks.append(
        Table(
            "reasons-by-category",
            "Stated reasons by category",
            ("Category", "Reason", "Units", "Share of category"),
            [(c, words(r), count(n), share(n, by_category[c])) for c, r, n in reasons],
            numeric=frozenset({2, 3}),
        )
    )

    step("Stated reasons against inspection")
    found = q.stated_vs_found(connection, scope)
    grades = sorted({g for _, g, _ in found})
    matrix: dict[str, Counter[str]] = {}
    for reason, grade, units in found:
        matrix.setdefault(reason, Counter())[grade] += units
    blocks.append(Heading("What inspection found"))
    blocks.append(
        Table(
            "stated-vs-found",
            "Stated reason against grade found (units inspected)",
            ("Stated reason", *(f"Grade {g}" for g in grades), "Units"),
            [
                (words(reason), *(count(row[g]) for g in grades), count(sum(row.values())))
                for reason, row in sorted(matrix.items())
            ],
            numeric=frozenset(range(1, len(grades) + 2)),
        )
    )

    step("Defect patterns")
    failed: Counter[tuple[str, str]] = Counter()
    asked: Counter[tuple[str, str]] = Counter()
    for category, text, units in q.checklist_answers(connection, scope):
        answers = json.loads(text)
        if not isinstance(answers, dict):
            continue
        for question, answer in answers.items():
            asked[category, question] += units
            if answer is False:
                failed[category, question] += units
    blocks.append(
        Table(
            "defect-patterns",
            "Checklist questions answered No (defect patterns)",
            ("Category", "Question", "Answered No", "Asked", "Share No"),
            [
                (
                    c,
                    words(question),
                    count(n),
                    count(asked[c, question]),
                    share(n, asked[c, question]),
                )
                for (c, question), n in failed.most_common(20)
            ],
            numeric=frozenset({2, 3, 4}),
            widths=(1.1, 2.2, 1.0, 0.9, 0.9),
        )
    )
    blocks.append(
        Table(
            "frequent-notes",
            "Most frequent inspection notes",
            ("Note", "Units"),
            [(note, count(n)) for note, n in q.frequent_notes(connection, scope)],
            numeric=frozenset({1}),
            widths=(4.0, 0.8),
        )
    )
