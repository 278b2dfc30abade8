"""Grader consistency: blind second gradings, and how well inspectors agree.

When a parcel is completed, each graded unit is picked with the probability of the grading
policy's ``[regrade] share_percent`` (``draw`` is injected: tests pick exactly the units they
mean). A picked unit waits in the queue for another inspector, who finds it by its routing
label, grades it without seeing the first grade or who gave it, and records the grade
(``returnsdesk regrade next|record``). The second grade changes nothing about the unit's
refund or disposition: it measures the graders. Leads read the agreement per inspector, the
confusion matrix and Cohen's kappa (``consistency``; the shift report's "Grader consistency").
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session

from returnsdesk.data import regrades as queue
from returnsdesk.data.db import Database
from returnsdesk.data.models import Regrade
from returnsdesk.data.repositories import append_audit
from returnsdesk.domain.agreement import Agreement, agreement
from returnsdesk.domain.errors import WrongStep
from returnsdesk.domain.policy import GradingScale
from returnsdesk.services.views import StationContext

Draw = Callable[[], float]  # uniform in [0, 1), e.g. random.random


@dataclass(frozen=True)
class RegradeTask:
    """A unit to grade again: what the second inspector may see (never the first grade)."""

    regrade_id: uuid.UUID
    license_plate: str
    sku: str
    title: str
    queued_at: datetime
    waiting: int  # units in the queue this inspector may grade, this one included


@dataclass(frozen=True)
class InspectorAgreement:
    inspector: str  # name (badge) of the first grader
    regraded: int
    agreed: int


@dataclass(frozen=True)
class Consistency:
    """Second gradings recorded in a period (for the report and the lead's view)."""

    agreement: Agreement
    by_inspector: tuple[InspectorAgreement, ...]  # by name


def queue_regrades(
    session: Session,
    *,
    units: Iterable[tuple[uuid.UUID, str]],
    operator_id: uuid.UUID,
    percent: Decimal,
    draw: Draw,
    now: datetime,
) -> int:
    """Pick units (inspection id, grade) just graded by ``operator_id``; returns how many."""
    if percent <= 0:
        return 0
    share = percent / 100
    picked = 0
    for inspection_id, grade in units:
        if Decimal(draw()) < share:
            session.add(
                Regrade(
                    inspection_id=inspection_id,
                    first_operator_id=operator_id,
                    first_grade=grade,
                    queued_at=now,
                )
            )
            picked += 1
    return picked


def next_regrade(session: Session, *, operator_id: uuid.UUID) -> RegradeTask | None:
    """The oldest unit waiting for a second grade that ``operator_id`` did not grade first."""
    found = queue.oldest_waiting(session, operator_id=operator_id)
    if found is None:
        return None
    regrade, inspection, product = found
    return RegradeTask(
        regrade_id=regrade.id,
        license_plate=inspection.license_plate or "",
        sku=inspection.sku_scanned or "",
        title=product.title if product is not None else "",
        queued_at=regrade.queued_at,
        waiting=queue.count_waiting(session, operator_id=operator_id),
    )


def record_regrade(
    session: Session,
    *,
    license_plate: str,
    grade_key_or_code: str,
    grading: GradingScale,
    ctx: StationContext,
    now: datetime,
) -> str:
    """Record the second grade (a grade key "2" or code "B") of the unit with that label;
    returns the grade code. Refuses a unit not in the queue, graded again already, or graded
    first by the same inspector."""
    plate = license_plate.strip().upper()
    row = queue.regrade_of_unit(session, plate)
    if row is None:
        raise WrongStep(f"Unit {plate[:20]!r} is not waiting for a second grade.")
    if row.grade is not None:
        raise WrongStep(f"Unit {plate} was graded a second time already.")
    if row.first_operator_id == ctx.operator_id:
        raise WrongStep(f"You graded unit {plate} first: another inspector grades it again.")
    wanted = grade_key_or_code.strip()
    grade = grading.by_key(wanted) or next(
        (g for g in grading.grades if g.code.upper() == wanted.upper()), None
    )
    if grade is None:
        codes = ", ".join(f"{g.key}={g.code}" for g in grading.grades)
        raise WrongStep(f"No grade {wanted[:8]!r}. Grades: {codes}.")
    row.grade = grade.code
    row.operator_id = ctx.operator_id
    row.station_id = ctx.station_id
    row.regraded_at = now
    session.add(row)
    append_audit(
        session,
        action="unit.regraded",
        subject=plate,
        details={"regrade_id": str(row.id), "grade": grade.code},
        operator_id=ctx.operator_id,
        station_id=ctx.station_id,
    )
    return grade.code


def consistency_of(
    rows: list[tuple[str, str, str, str]], grades: Sequence[str] = ()
) -> Consistency:
    """Agreement over ``rows`` (``consistency_rows``); the matrix lists ``grades`` in order,
    then any other grade found, sorted."""
    per: dict[str, list[int]] = {}
    for name, code, first_grade, second_grade in rows:
        tally = per.setdefault(f"{name} ({code})", [0, 0])
        tally[0] += 1
        tally[1] += first_grade == second_grade
    return Consistency(
        agreement=agreement(((f, s) for _n, _c, f, s in rows), grades),
        by_inspector=tuple(
            InspectorAgreement(who, regraded, agreed)
            for who, (regraded, agreed) in sorted(per.items())
        ),
    )


def consistency(
    database: Database, *, start: datetime, end: datetime, grading: GradingScale
) -> Consistency:
    """The lead's view: second gradings recorded in [start, end) at every station."""
    with database.engine.connect() as connection:
        rows = queue.consistency_rows(connection, start=start, end=end)
    return consistency_of(rows, grading.codes)


__all__ = [
    "Consistency",
    "Draw",
    "InspectorAgreement",
    "RegradeTask",
    "consistency",
    "consistency_of",
    "next_regrade",
    "queue_regrades",
    "record_regrade",
]
