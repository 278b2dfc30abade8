"""Queries over operators and stations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from returnsdesk.data.models import Operator, Station
from returnsdesk.domain.vocabulary import LEAD_ROLES


def station_by_code(session: Session, code: str) -> Station | None:
    return session.exec(select(Station).where(Station.code == code)).first()


def operator_by_code(session: Session, code: str) -> Operator | None:
    """The operator with this badge code, as typed or scanned (case and spaces ignored)."""
    return session.exec(
        select(Operator).where(func.upper(Operator.code) == code.strip().upper())
    ).first()


def lock_operator_by_code(session: Session, code: str) -> Operator | None:
    """The operator with this badge code, locked until the transaction ends (an administrator
    changing them at another terminal waits, then reads the change)."""
    return session.exec(
        select(Operator)
        .where(func.upper(Operator.code) == code.strip().upper())
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def lock_leads(session: Session) -> None:
    """Lock every shift lead's and admin's row, in one order (so two changes never deadlock),
    before a change that could leave no active lead: a concurrent one waits, then counts the
    leads after this one's change."""
    session.exec(
        select(Operator.id)
        .where(col(Operator.role).in_(sorted(LEAD_ROLES)))
        .order_by(col(Operator.id))
        .with_for_update()
    ).all()


def get_operator(session: Session, operator_id: uuid.UUID) -> Operator | None:
    return session.get(Operator, operator_id)


def count_failed_pin(session: Session, operator: Operator) -> int:
    """One more wrong PIN, counted in one UPDATE (so two stations' failures both count);
    returns the count now."""
    session.execute(
        update(Operator)
        .where(col(Operator.id) == operator.id)
        .values(failed_pin_attempts=col(Operator.failed_pin_attempts) + 1)
    )
    session.refresh(operator)
    return operator.failed_pin_attempts


def all_operators(session: Session) -> Sequence[Operator]:
    return session.exec(select(Operator).order_by(Operator.code)).all()


def other_active_leads(session: Session, operator_id: uuid.UUID) -> int:
    """How many active shift leads or admins there are besides this operator."""
    return session.exec(
        select(func.count())
        .select_from(Operator)
        .where(
            Operator.active,
            Operator.id != operator_id,
            Operator.role.in_(sorted(LEAD_ROLES)),  # type: ignore[attr-defined]
        )
    ).one()
