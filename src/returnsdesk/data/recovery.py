"""Queries of recovery cases: refunds paid on receipt that inspection found too high."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from returnsdesk.data.models import Operator, Order, RecoveryCase, Refund, Return


def open_cases(
    session: Session, *, limit: int
) -> list[tuple[RecoveryCase, Return, str, datetime, str | None]]:
    """Recovery cases no lead has closed, oldest first, with their return, order number, when
    the refund was released and who opened the case (None: opened before that was recorded)."""
    rows = session.execute(
        sa_select(
            RecoveryCase, Return, col(Order.number), col(Refund.created_at), col(Operator.name)
        )
        .join(Return, col(Return.id) == col(RecoveryCase.return_id))
        .join(Order, col(Order.id) == col(Return.order_id))
        .join(Refund, col(Refund.id) == col(RecoveryCase.refund_id))
        .outerjoin(Operator, col(Operator.id) == col(RecoveryCase.opened_by))
        .where(col(RecoveryCase.closed_at).is_(None))
        .order_by(col(RecoveryCase.opened_at))
        .limit(limit)
    ).all()
    return [
        (case, return_, number, released, opener)
        for case, return_, number, released, opener in rows
    ]


def lock_case(session: Session, case_id: uuid.UUID) -> RecoveryCase | None:
    """The case, locked until the transaction ends: a second lead closing it meanwhile waits,
    then reads it closed (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises anyway)."""
    return session.get(RecoveryCase, case_id, with_for_update=True, populate_existing=True)
