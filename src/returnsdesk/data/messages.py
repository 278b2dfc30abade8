"""Queries behind customer messages: what a message lists, which messages a return has, and
whether one may go yet (``services.messages``)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, exists, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from returnsdesk.data.models import (
    Inspection,
    OrderLine,
    OutboxEvent,
    Parcel,
    Product,
    RefundLine,
    Return,
    ReturnLine,
)
from returnsdesk.domain.vocabulary import InspectionOutcome, OutboxStatus, ReturnStatus


def announced_lines(session: Session, *, return_id: uuid.UUID) -> list[tuple[ReturnLine, str]]:
    """The return's lines with their product's title, by title then SKU."""
    return list(
        session.exec(
            select(ReturnLine, Product.title)
            .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
            .join(Product, col(Product.id) == col(OrderLine.product_id))
            .where(ReturnLine.return_id == return_id)
            .order_by(col(Product.title), col(ReturnLine.sku))
        ).all()
    )


@dataclass(frozen=True, slots=True)
class PaidLine:
    """A refund line above zero as the customer's "refund issued" message lists it."""

    unit_index: int
    gross: Decimal
    deduction: Decimal
    deduction_reason: str
    amount: Decimal
    sku: str
    title: str


def paid_lines(session: Session, *, refund_id: uuid.UUID) -> list[PaidLine]:
    """The refund's lines above zero with their SKU and product title, by title then unit.
    Plain columns, as ``parcel_units``."""
    rows = session.connection().execute(_paid_lines(), {"refund_id": refund_id})
    return [PaidLine(*row) for row in rows]


@functools.cache
def _paid_lines() -> Select[int, Decimal, Decimal, str, Decimal, str, str]:
    # Built once (data/returns._statement: building a statement costs more than running it).
    return (
        sa_select(
            col(RefundLine.unit_index),
            col(RefundLine.gross),
            col(RefundLine.deduction),
            col(RefundLine.deduction_reason),
            col(RefundLine.amount),
            col(ReturnLine.sku),
            col(Product.title),
        )
        .join(ReturnLine, col(ReturnLine.id) == col(RefundLine.return_line_id))
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .join(Product, col(Product.id) == col(OrderLine.product_id))
        .where(
            col(RefundLine.refund_id) == bindparam("refund_id"), col(RefundLine.amount) > Decimal(0)
        )
        .order_by(col(Product.title), col(RefundLine.unit_index))
    )


@dataclass(frozen=True, slots=True)
class ParcelUnit:
    """A unit inspected in a parcel as the customer's messages list it: plain columns (ORM
    objects for the inspection and its refund line cost a completion more than the read)."""

    return_line_id: uuid.UUID | None  # None: an item that was not in the return
    outcome: InspectionOutcome
    sku_scanned: str | None
    grade: str | None
    flags: list[str]
    notes: str
    line_sku: str | None  # the return line's SKU (None: not in the return)
    title: str | None  # the product's (None: unknown to the catalogue)
    refund_line_id: uuid.UUID | None  # None: not refunded
    gross: Decimal | None
    deduction: Decimal | None
    deduction_reason: str | None
    amount: Decimal | None


def parcel_units(session: Session, *, parcel_id: uuid.UUID) -> list[ParcelUnit]:
    """Each unit inspected in the parcel, with its return line's SKU, its product's title and
    its refund line's amounts, if any."""
    rows = session.connection().execute(_parcel_units(), {"parcel_id": parcel_id})
    return [ParcelUnit(*row) for row in rows]


@functools.cache
def _parcel_units() -> Select[*tuple[Any, ...]]:
    # The line's product, else the one scanned: both of the return's shop (an SKU alone could
    # name another shop's product).
    product_id = func.coalesce(col(OrderLine.product_id), col(Inspection.product_id))
    return (
        sa_select(
            col(Inspection.return_line_id),
            col(Inspection.outcome),
            col(Inspection.sku_scanned),
            col(Inspection.grade),
            col(Inspection.flags),
            col(Inspection.notes),
            col(ReturnLine.sku),
            col(Product.title),
            col(RefundLine.id),
            col(RefundLine.gross),
            col(RefundLine.deduction),
            col(RefundLine.deduction_reason),
            col(RefundLine.amount),
        )
        .join(ReturnLine, col(ReturnLine.id) == col(Inspection.return_line_id), isouter=True)
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id), isouter=True)
        .join(Product, col(Product.id) == product_id, isouter=True)
        .join(RefundLine, col(RefundLine.inspection_id) == col(Inspection.id), isouter=True)
        .where(col(Inspection.parcel_id) == bindparam("parcel_id"))
    )


def returns_by_rma_number(session: Session, *, rma_number: str) -> Sequence[Return]:
    """The returns with this RMA number (one per shop at most), read without a lock."""
    return session.exec(select(Return).where(Return.rma_number == rma_number)).all()


def events_of_stream(
    session: Session, *, aggregate_id: uuid.UUID, event_type: str
) -> Sequence[OutboxEvent]:
    """The stream's events of one type in the order they were queued."""
    return session.exec(
        select(OutboxEvent)
        .where(OutboxEvent.aggregate_id == aggregate_id, OutboxEvent.event_type == event_type)
        .order_by(col(OutboxEvent.sequence))
    ).all()


def first_undelivered_before(
    session: Session, *, aggregate_id: uuid.UUID, sequence: int
) -> str | None:
    """The type of the stream's first event before ``sequence`` not delivered yet, if any."""
    return session.exec(
        select(OutboxEvent.event_type)
        .where(
            col(OutboxEvent.aggregate_id) == aggregate_id,
            col(OutboxEvent.sequence) < sequence,
            col(OutboxEvent.status) != OutboxStatus.DELIVERED,
        )
        .order_by(col(OutboxEvent.sequence))
        .limit(1)
    ).first()


def receipt_stands(session: Session, *, parcel_id: uuid.UUID, return_id: uuid.UUID) -> bool:
    """Whether the parcel is still received for that return, and the return not cancelled."""
    return bool(
        session.exec(
            select(
                exists().where(
                    col(Parcel.id) == parcel_id,
                    col(Parcel.return_id) == return_id,
                    col(Return.id) == col(Parcel.return_id),
                    col(Return.status) != ReturnStatus.CANCELLED,
                )
            )
        ).one()
    )
