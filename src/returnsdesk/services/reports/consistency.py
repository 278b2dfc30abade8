"""The shift report's "Grader consistency": units graded a second time, blind, by another
inspector (services/regrades.py), compared with their first grade over the period."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from returnsdesk.data import report_queries as q
from returnsdesk.data.regrades import consistency_rows
from returnsdesk.services import regrades
from returnsdesk.services.reports.content import Facts, Heading, ReportContent, Table, Text
from returnsdesk.services.reports.formatting import count, share

Step = Callable[[str], None]


def build(connection: Connection, scope: q.Scope, content: ReportContent, step: Step) -> None:
    step("Grader consistency")
    rows = consistency_rows(
        connection, start=scope.period.start, end=scope.period.end, station_id=scope.station_id
    )
    found = regrades.consistency_of(rows)
    result = found.agreement
    blocks = content.blocks
    blocks.append(Heading("Grader consistency"))
    blocks.append(
        Text(
            "Units picked at random when their parcel was completed and graded again, blind, by"
            " another inspector; second gradings recorded in the period. Cohen's kappa: 1 is"
            " full agreement, 0 no better than chance; below 0.6 is worth a retraining."
        )
    )
    kappa = "–" if result.kappa is None else f"{float(result.kappa):.2f}"
    blocks.append(
        Facts(
            "grader-consistency",
            "Agreement",
            [
                ("Units graded twice", count(result.pairs)),
                ("Same grade both times", count(result.agreed)),
                ("Agreement", share(result.agreed, result.pairs)),
                ("Cohen's kappa", kappa),
            ],
        )
    )
    blocks.append(
        Table(
            "grader-agreement",
            "Agreement per inspector (first grade by them, second by another)",
            ("Inspector", "Units graded again", "Same grade", "Agreement"),
            [
                (i.inspector, count(i.regraded), count(i.agreed), share(i.agreed, i.regraded))
                for i in found.by_inspector
            ],
            numeric=frozenset({1, 2, 3}),
            widths=(2.2, 1.0, 1.0, 1.0),
        )
    )
    grades = result.grades
    blocks.append(
        Table(
            "grade-confusion",
            "Grade confusion matrix (rows: first grade, columns: second grade)",
            ("First \\ second", *grades, "Total"),
            [
                (grade, *(count(n) for n in row), count(sum(row)))
                for grade, row in zip(grades, result.matrix, strict=True)
            ],
            numeric=frozenset(range(1, len(grades) + 2)),
        )
    )
