"""Queries behind customer messages: what a message lists, which messages a return has, and
whether one may go yet (``services.messages``)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from decimal import Decimal

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
from returnsdesk.domain.vocabulary import OutboxStatus, ReturnStatus


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


def paid_lines(session: Session, *, refund_id: uuid.UUID) -> list[tuple[RefundLine, str, str]]:
    """The refund's lines above zero with their SKU and product title, by title then unit."""
    rows = session.execute(_paid_lines(), {"refund_id": refund_id}).all()
    return [(line, sku, title) for line, sku, title in rows]


@functools.cache
def _paid_lines() -> Select[RefundLine, str, str]:
    # Built once (data/returns._statement: building a statement costs more than running it).
    return (
        sa_select(RefundLine, col(ReturnLine.sku), col(Product.title))
        .join(ReturnLine, col(ReturnLine.id) == col(RefundLine.return_line_id))
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .join(Product, col(Product.id) == col(OrderLine.product_id))
        .where(
            col(RefundLine.refund_id) == bindparam("refund_id"), col(RefundLine.amount) > Decimal(0)
        )
        .order_by(col(Product.title), col(RefundLine.unit_index))
    )


def parcel_units(
    session: Session, *, parcel_id: uuid.UUID
) -> list[tuple[Inspection, str | None, RefundLine | None, str | None]]:
    """Each unit inspected in the parcel, with its return line's SKU (None: an item that was
    not in the return), its refund line (None: not refunded) and its product's title (None:
    unknown to the catalogue)."""
    rows = session.execute(_parcel_units(), {"parcel_id": parcel_id}).all()
    return [(inspection, sku, line, title) for inspection, sku, line, title in rows]


@functools.cache
def _parcel_units() -> Select[Inspection, str, RefundLine, str]:
    # The line's product, else the one scanned: both of the return's shop (an SKU alone could
    # name another shop's product).
    product_id = func.coalesce(col(OrderLine.product_id), col(Inspection.product_id))
    return (
        sa_select(Inspection, col(ReturnLine.sku), RefundLine, col(Product.title))
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
