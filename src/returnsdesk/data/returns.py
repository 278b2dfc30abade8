"""Queries over the return aggregate: finding a return from a parcel scan, its expected lines,
its open parcel, search. Lookups that precede a write lock the return (PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` already serialises writers), so a transaction reads it once, fresh."""

from __future__ import annotations

import enum
import functools
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, Update, bindparam, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from returnsdesk.data.models import (
    Order,
    OrderLine,
    Parcel,
    Photo,
    PrintJob,
    Product,
    ProductGtin,
    Refund,
    Return,
    ReturnLine,
    ReturnTracking,
    UnitDraft,
    table_of,
)
from returnsdesk.domain.vocabulary import ParcelStatus, ReturnStatus


def get_return(session: Session, return_id: uuid.UUID) -> Return | None:
    return session.get(Return, return_id)


def client_of_parcel(session: Session, parcel_id: uuid.UUID) -> str | None:
    """The client shop of the parcel's return (None: the station's own shop, or no return)."""
    return session.exec(
        select(Return.client_code)
        .join(Parcel, col(Parcel.return_id) == col(Return.id))
        .where(Parcel.id == parcel_id)
    ).first()


def get_parcel(session: Session, parcel_id: uuid.UUID) -> Parcel | None:
    return session.get(Parcel, parcel_id)


def lock_return(session: Session, return_id: uuid.UUID) -> Return | None:
    """The return, locked against another station receiving or completing it meanwhile."""
    return session.get(Return, return_id, with_for_update=True, populate_existing=True)


@dataclass(frozen=True, slots=True)
class LockedParcel:
    """A parcel with its return (locked, read fresh), the return's order and its refund (one
    released on receipt, before completion), as ``lock_parcel_return`` reads them."""

    parcel: Parcel
    return_: Return
    order: Order
    refund: Refund | None


def lock_parcel_return(session: Session, parcel_id: uuid.UUID) -> LockedParcel | None:
    """The parcel with its return, locked as ``lock_return`` and read fresh, the return's
    order and refund, in one statement (four round trips before, on every unit saved and
    completion); None when there is no such parcel or it is linked to no return."""
    row = session.execute(_lock_parcel_return(), {"parcel_id": parcel_id}).first()
    return None if row is None else LockedParcel(row[0], row[1], row[2], row[3])


@functools.cache
def _lock_parcel_return() -> Select[Parcel, Return, Order, Refund]:
    # Built once, as ``_statement`` below.
    return (
        sa_select(Parcel, Return, Order, Refund)
        .join(Return, col(Return.id) == col(Parcel.return_id))
        .join(Order, col(Order.id) == col(Return.order_id))
        .outerjoin(Refund, col(Refund.return_id) == col(Return.id))
        .where(col(Parcel.id) == bindparam("parcel_id"))
        .with_for_update(of=Return)
        .execution_options(populate_existing=True)
    )


def mark_completed(session: Session, *, parcel: Parcel, return_: Return, now: datetime) -> None:
    """The parcel and its return completed at ``now``: two UPDATEs built once, run as Core.
    The loaded objects are set to match without being marked changed: the ORM's flush of the
    two cost a completion more than the statements themselves (issue 16)."""
    connection = session.connection()
    connection.execute(_mark_completed(Parcel), {"key": parcel.id, "now": now})
    connection.execute(_mark_completed(Return), {"key": return_.id, "now": now})
    set_committed_value(parcel, "status", ParcelStatus.COMPLETED)
    set_committed_value(parcel, "completed_at", now)
    set_committed_value(return_, "status", ReturnStatus.COMPLETED)
    set_committed_value(return_, "completed_at", now)


@functools.cache
def _mark_completed(model: type[Parcel] | type[Return]) -> Update:
    table = table_of(model)
    status = ParcelStatus.COMPLETED if model is Parcel else ReturnStatus.COMPLETED
    return (
        update(table)
        .where(table.c.id == bindparam("key"))
        .values(status=status, completed_at=bindparam("now", type_=table.c.completed_at.type))
    )


@dataclass(frozen=True, slots=True)
class ExpectedRow:
    """One expected line of a return as its screen and an instant refund use it: the return
    line, what was ordered and the product. Plain data read as columns: ORM objects for them
    cost a third of a PostgreSQL lookup's Python time, and nothing writes through them."""

    line_id: uuid.UUID
    sku: str
    quantity: int
    reason_code: str
    customer_comment: str
    unit_price: Decimal  # paid per unit, in ``currency`` (the order line's)
    currency: str
    serial_numbers: list[str]  # as shipped
    title: str
    category: str
    unit_value: Decimal  # the product's resale value, in ``value_currency``
    value_currency: str
    serialised: bool
    weight_grams: int


# ExpectedRow's fields, in order, as the lookup statement reads them.
_EXPECTED_COLUMNS = (
    col(ReturnLine.id),
    col(ReturnLine.sku),
    col(ReturnLine.quantity),
    col(ReturnLine.reason_code),
    col(ReturnLine.customer_comment),
    col(OrderLine.unit_price),
    col(OrderLine.currency),
    col(OrderLine.serial_numbers),
    col(Product.title),
    col(Product.category),
    col(Product.unit_value),
    col(Product.currency),
    col(Product.serialised),
    col(Product.weight_grams),
)
# Tracking numbers come back joined in one column; carriers' numbers and feeds' never hold it.
_TRACKING_SEPARATOR = "\x1f"  # ASCII unit separator


# The station's own shop (client_code NULL) first, then client shops by code.
_BY_SHOP = (col(Return.client_code).is_not(None), col(Return.client_code))


@dataclass(frozen=True)
class ReturnRecord:
    """A return with what its screen shows: its order, expected lines (with what was ordered
    and the product, by SKU) and tracking numbers. Read in one statement."""

    return_: Return
    order: Order
    lines: tuple[ExpectedRow, ...]
    tracking_numbers: tuple[str, ...]


class _Key(enum.Enum):
    """What a parcel scan (or the station, for a return it holds) finds returns by."""

    TRACKING = "tracking"
    RMA = "rma"
    ORDER = "order"
    RETURN_ID = "return_id"


class _Shops(enum.Enum):
    """Which shops' returns a lookup keeps: all, only the listed client shops, or those and
    the station's own."""

    ALL = "all"
    CLIENTS = "clients"
    CLIENTS_AND_OWN = "clients and own"


def _where(key: _Key) -> ColumnElement[bool]:
    value: BindParameter[Any] = bindparam("value")
    if key is _Key.TRACKING:
        by_tracking = select(ReturnTracking.return_id).where(
            ReturnTracking.tracking_number == value
        )
        return col(Return.id).in_(by_tracking)
    if key is _Key.RMA:
        return col(Return.rma_number) == value
    if key is _Key.ORDER:
        return col(Order.number) == value
    return col(Return.id) == value


@functools.cache
def _statement(key: _Key, *, lock: bool, shops: _Shops) -> Select[Any]:
    """The one statement reading returns whole, built once per shape: building it is most of
    a lookup's cost on SQLite (0.58 ms median against 1.14 built anew, same run), and a
    statement held keeps SQLAlchemy's compiled form found at once. Parameters: ``value``
    (the number scanned, or the return's id) and ``codes`` (client shops, when filtered)."""
    tracking = (
        select(func.aggregate_strings(col(ReturnTracking.tracking_number), _TRACKING_SEPARATOR))
        .where(ReturnTracking.return_id == Return.id)
        .scalar_subquery()
    )
    statement = (
        sa_select(Return, Order, tracking, *_EXPECTED_COLUMNS)
        .join(Order, col(Order.id) == col(Return.order_id))
        .outerjoin(ReturnLine, col(ReturnLine.return_id) == col(Return.id))
        .outerjoin(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .outerjoin(Product, col(Product.id) == col(OrderLine.product_id))
        .where(_where(key))
        .order_by(*_BY_SHOP, col(Return.created_at).desc(), col(Return.id), col(ReturnLine.sku))
    )
    if shops is not _Shops.ALL:
        of_clients: ColumnElement[bool] = col(Return.client_code).in_(
            bindparam("codes", expanding=True)
        )
        if shops is _Shops.CLIENTS_AND_OWN:
            of_clients = or_(of_clients, col(Return.client_code).is_(None))
        statement = statement.where(of_clients)
    if lock:  # read fresh, whatever this session read before
        statement = statement.with_for_update(of=Return).execution_options(populate_existing=True)
    return statement


def _records(
    session: Session,
    key: _Key,
    value: object,
    *,
    lock: bool,
    client_codes: Collection[str | None] | None = None,
) -> list[ReturnRecord]:
    """The returns found by ``key`` = ``value``, by shop (the station's own first), then newest
    first, each read whole in ONE statement: a parcel scan costs the server one round trip after
    BEGIN (three before, five by tracking number). ``client_codes``: only those shops' (None:
    the station's own). ``lock`` locks the returns (not their orders, which other returns
    share) against another station receiving or completing them meanwhile."""
    parameters: dict[str, object] = {"value": value}
    shops = _Shops.ALL
    if client_codes is not None:
        parameters["codes"] = [code for code in client_codes if code is not None]
        shops = _Shops.CLIENTS_AND_OWN if None in client_codes else _Shops.CLIENTS
    rows = session.execute(_statement(key, lock=lock, shops=shops), parameters).all()
    by_return: dict[uuid.UUID, tuple[Return, Order, list[ExpectedRow], str | None]] = {}
    for return_, order, joined, *line in rows:
        _, _, lines, _ = by_return.setdefault(return_.id, (return_, order, [], joined))
        if line[0] is not None:  # a return line (its order line and product are foreign keys)
            lines.append(ExpectedRow(*line))
    return [
        ReturnRecord(
            return_=return_,
            order=order,
            lines=tuple(lines),
            tracking_numbers=tuple(sorted(joined.split(_TRACKING_SEPARATOR))) if joined else (),
        )
        for return_, order, lines, joined in by_return.values()
    ]


def record_by_tracking(session: Session, tracking_number: str) -> ReturnRecord | None:
    """The return a carrier's tracking number belongs to, locked."""
    found = _records(session, _Key.TRACKING, tracking_number, lock=True)
    return found[0] if found else None


def records_by_rma(
    session: Session, rma_number: str, *, client_codes: Collection[str | None] | None = None
) -> list[ReturnRecord]:
    """The returns with this RMA, locked: one per shop that uses the number (RMA numbers are
    each shop's own), the station's own first; ``client_codes``: only those shops'."""
    return _records(session, _Key.RMA, rma_number, lock=True, client_codes=client_codes)


def records_of_order(
    session: Session, order_number: str, *, client_codes: Collection[str | None] | None = None
) -> list[ReturnRecord]:
    """The returns of the orders with this number (one order per shop that uses the number),
    locked, by shop as ``records_by_rma``, then newest first."""
    return _records(session, _Key.ORDER, order_number, lock=True, client_codes=client_codes)


def record_of(session: Session, return_: Return) -> ReturnRecord:
    """The whole record of a return already read (and locked, where it needs to be)."""
    found = _records(session, _Key.RETURN_ID, return_.id, lock=False)
    assert found, return_.id  # the caller holds the row
    return found[0]


def order_of(session: Session, return_: Return) -> Order:
    order = session.get(Order, return_.order_id)
    assert order is not None  # foreign key
    return order


def open_parcel_of(session: Session, return_id: uuid.UUID) -> Parcel | None:
    """The return's parcel received and not completed yet, if any."""
    return session.exec(
        select(Parcel).where(Parcel.return_id == return_id, Parcel.status == ParcelStatus.OPEN)
    ).first()


def work_on_parcel(session: Session, parcel_id: uuid.UUID) -> tuple[int, int, int]:
    """What was done on an open parcel so far: (units finished, photos, labels queued)."""

    def count(table: type[UnitDraft] | type[Photo] | type[PrintJob]) -> int:
        return session.exec(
            select(func.count()).select_from(table).where(table.parcel_id == parcel_id)
        ).one()

    return count(UnitDraft), count(Photo), count(PrintJob)


def search_returns(
    session: Session, needle: str, *, limit: int
) -> Sequence[tuple[Return, str, int]]:
    """Returns whose RMA, order number, customer name or email contains ``needle``, with their
    order number and unit count; open ones first, then newest."""
    pattern = f"%{needle.replace('%', '').replace('_', '')}%"
    units = (
        select(func.coalesce(func.sum(ReturnLine.quantity), 0))
        .where(ReturnLine.return_id == Return.id)
        .scalar_subquery()
    )
    return session.exec(
        select(Return, Order.number, units)
        .join(Order, col(Order.id) == col(Return.order_id))
        .where(
            or_(
                col(Return.rma_number).ilike(pattern),
                col(Order.number).ilike(pattern),
                col(Return.customer_name).ilike(pattern),
                col(Return.customer_email).ilike(pattern),
            )
        )
        .order_by(col(Return.status), col(Return.created_at).desc())
        .limit(limit)
    ).all()


# --- listings (the demo sheet) -------------------------------------------------------------------


def has_orders(session: Session) -> bool:
    return session.exec(select(Order.id).limit(1)).first() is not None


def order_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Order)).one()


def open_returns(session: Session) -> Sequence[Return]:
    return session.exec(select(Return).where(Return.status == ReturnStatus.OPEN)).all()


def first_tracking(
    session: Session, return_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ReturnTracking]:
    """Each return's lowest tracking number."""
    first: dict[uuid.UUID, ReturnTracking] = {}
    for row in session.exec(
        select(ReturnTracking)
        .where(col(ReturnTracking.return_id).in_(return_ids))
        .order_by(col(ReturnTracking.tracking_number))
    ):
        first.setdefault(row.return_id, row)
    return first


def lines_of_returns(
    session: Session, return_ids: Sequence[uuid.UUID]
) -> Sequence[tuple[ReturnLine, OrderLine, Product]]:
    """The returns' lines with their order line and product, by SKU."""
    return session.exec(
        select(ReturnLine, OrderLine, Product)
        .join(OrderLine, col(ReturnLine.order_line_id) == col(OrderLine.id))
        .join(Product, col(OrderLine.product_id) == col(Product.id))
        .where(col(ReturnLine.return_id).in_(return_ids))
        .order_by(col(ReturnLine.sku))
    ).all()


def first_gtin(session: Session, product_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Each product's lowest GTIN."""
    first: dict[uuid.UUID, str] = {}
    for row in session.exec(
        select(ProductGtin)
        .where(col(ProductGtin.product_id).in_(product_ids))
        .order_by(col(ProductGtin.gtin))
    ):
        first.setdefault(row.product_id, row.gtin)
    return first
