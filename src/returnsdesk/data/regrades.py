"""The queries of grader consistency (``services.regrades``): the blind re-grade queue and the
second gradings recorded in a period."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from returnsdesk.data.models import Inspection, Operator, Product, Regrade


def _waiting_for(operator_id: uuid.UUID) -> ColumnElement[bool]:
    """Units waiting for a second grade that ``operator_id`` did not grade first."""
    return and_(col(Regrade.grade).is_(None), col(Regrade.first_operator_id) != operator_id)


def oldest_waiting(
    session: Session, *, operator_id: uuid.UUID
) -> tuple[Regrade, Inspection, Product | None] | None:
    """The oldest unit ``operator_id`` may grade again, with its inspection and product."""
    found = session.exec(
        select(Regrade, Inspection, Product)
        .join(Inspection, col(Inspection.id) == col(Regrade.inspection_id))
        .join(Product, col(Product.id) == col(Inspection.product_id), isouter=True)
        .where(_waiting_for(operator_id))
        .order_by(col(Regrade.queued_at), col(Regrade.id))
        .limit(1)
    ).first()
    return None if found is None else (found[0], found[1], found[2])


def count_waiting(session: Session, *, operator_id: uuid.UUID) -> int:
    return session.exec(
        select(func.count()).select_from(Regrade).where(_waiting_for(operator_id))
    ).one()


def regrade_of_unit(session: Session, license_plate: str) -> Regrade | None:
    """The queued (or recorded) second grading of the unit with that routing label."""
    return session.exec(
        select(Regrade)
        .join(Inspection, col(Inspection.id) == col(Regrade.inspection_id))
        .where(col(Inspection.license_plate) == license_plate)
    ).first()


def consistency_rows(
    connection: Connection,
    *,
    start: datetime,
    end: datetime,
    station_id: uuid.UUID | None = None,
) -> list[tuple[str, str, str, str]]:
    """(first grader's name, badge, first grade, second grade) of second gradings recorded in
    [start, end), at ``station_id`` (where the unit was first graded) or anywhere."""
    first = aliased(Operator)
    query = (
        select(col(first.name), col(first.code), col(Regrade.first_grade), col(Regrade.grade))
        .join(first, col(first.id) == col(Regrade.first_operator_id))
        .where(
            col(Regrade.grade).is_not(None),
            col(Regrade.regraded_at) >= start,
            col(Regrade.regraded_at) < end,
        )
    )
    if station_id is not None:
        query = query.join(Inspection, col(Inspection.id) == col(Regrade.inspection_id)).where(
            col(Inspection.station_id) == station_id
        )
    return [(n, c, f, s or "") for n, c, f, s in connection.execute(query).all()]
