"""One writer for the order/return aggregate: products and their GTINs, orders and their lines,
returns with their lines and tracking numbers.

Every source of returns writes through it: the CSV import, the order system's inbound pull and
the demo seed. What each source may change (the shop owns its catalogue, a CSV never moves a
GTIN, a return received at the station keeps its lines) stays with the source; how the rows are
found, created, updated and kept consistent with each other is decided here, once.

The writer keeps every row it has read or written by its natural key (shop and SKU, shop and
GTIN, the shop's order number and RMA, tracking number), so a product on several returns of one
batch is one product, and a batch reads what it touches in a few queries (``ReturnWriter.load``)
instead of one per row. It only adds to the session; the caller's transaction commits.

Several client shops: each has its own catalogue (``Product.client_code``), so a product or GTIN
is written and found in the shop's own only, and one shop's feed never renames or reprices
another shop's product that happens to share its SKU. Order and RMA numbers are each shop's own
too (two shops may both have RMA-1001: ``Shop``), so every lookup and upsert names the shop
(``client_code``; None: the station's own). Tracking numbers are the carriers', unique across
shops: one held for one shop's return is never moved to another shop's (``tracking_number``
leaves it and says whose it is).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, select

from returnsdesk.data.models import (
    Order,
    OrderLine,
    Product,
    ProductGtin,
    Return,
    ReturnLine,
    ReturnTracking,
)

M = TypeVar("M", bound=SQLModel)
Shop = str | None  # a client shop's code ([clients.<code>]); None: the station's own shop


@dataclass(frozen=True)
class TrackingWrite:
    """What ``ReturnWriter.tracking_number`` did."""

    moved_from: uuid.UUID | None = None  # the return of the same shop it named before
    held_for: str | None = None  # not written: the other shop that holds it ("" the station's)


@dataclass(frozen=True)
class ReturnLineValues:
    """One line of a return as a source states it: what of which order line, and why."""

    order_line: OrderLine
    quantity: int
    reason_code: str
    comment: str = ""


class ReturnWriter:
    """Upserts the order/return aggregate in the caller's session (see the module docstring).

    ``ReturnWriter(session)`` knows no rows: for a database with none (the demo seed), or a
    caller that loads nothing. ``ReturnWriter.load(session, ...)`` reads the rows a batch
    touches first.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._products: dict[tuple[str | None, str], Product] = {}  # by (shop, SKU)
        self._gtins: dict[tuple[str | None, str], ProductGtin] = {}  # by (shop, GTIN)
        self._orders: dict[tuple[Shop, str], Order] = {}  # by (shop, number)
        self._order_lines: dict[uuid.UUID, list[OrderLine]] = {}  # by order id
        self._returns: dict[tuple[Shop, str], Return] = {}  # by (shop, RMA)
        self._return_lines: dict[uuid.UUID, list[ReturnLine]] = {}  # by return id
        self._tracking: dict[str, ReturnTracking] = {}
        self._tracking_shop: dict[str, str | None] = {}  # the client code of its return

    @classmethod
    def load(
        cls,
        session: Session,
        *,
        skus: Collection[str] = (),
        gtins: Collection[str] = (),
        order_numbers: Collection[str] = (),
        rma_numbers: Collection[str] = (),
        tracking_numbers: Collection[str] = (),
    ) -> ReturnWriter:
        """A writer that knows the rows with these keys (products and GTINs of every shop,
        orders and returns of every shop with those numbers), the lines of those orders and
        returns, and every tracking number of those returns: a few queries for a whole batch."""
        writer = cls(session)
        for order in session.exec(select(Order).where(col(Order.number).in_(order_numbers))):
            writer._orders[order.client_code, order.number] = order
            writer._order_lines[order.id] = []
        for line in session.exec(
            select(OrderLine).where(col(OrderLine.order_id).in_(list(writer._order_lines)))
        ):
            writer._order_lines[line.order_id].append(line)
        for return_ in session.exec(select(Return).where(col(Return.rma_number).in_(rma_numbers))):
            writer._returns[return_.client_code, return_.rma_number] = return_
            writer._return_lines[return_.id] = []
        for return_line in session.exec(
            select(ReturnLine).where(col(ReturnLine.return_id).in_(list(writer._return_lines)))
        ):
            writer._return_lines[return_line.return_id].append(return_line)
        for tracking, shop in session.exec(
            select(ReturnTracking, col(Return.client_code))
            .join(Return, col(Return.id) == col(ReturnTracking.return_id))
            .where(
                col(ReturnTracking.tracking_number).in_(tracking_numbers)
                | col(ReturnTracking.return_id).in_(list(writer._return_lines))
            )
        ):
            writer._tracking[tracking.tracking_number] = tracking
            writer._tracking_shop[tracking.tracking_number] = shop
        for product in session.exec(select(Product).where(col(Product.sku).in_(skus))):
            writer._products[product.client_code, product.sku] = product
        for gtin in session.exec(select(ProductGtin).where(col(ProductGtin.gtin).in_(gtins))):
            writer._gtins[gtin.client_code, gtin.gtin] = gtin
        return writer

    # --- what is there -----------------------------------------------------------------------

    def find_product(self, client_code: str | None, sku: str) -> Product | None:
        """The shop's product with this SKU (``client_code`` None: the station's own shop)."""
        return self._products.get((client_code, sku))

    def gtin_owner(self, client_code: str | None, gtin: str) -> uuid.UUID | None:
        """The shop's product a GTIN belongs to, if any."""
        row = self._gtins.get((client_code, gtin))
        return row.product_id if row is not None else None

    def find_order(self, number: str, client_code: Shop = None) -> Order | None:
        """The shop's order with this number, if any."""
        return self._orders.get((client_code, number))

    def lines_of_order(self, order: Order) -> list[OrderLine]:
        return list(self._order_lines[order.id])

    def find_return(self, rma_number: str, client_code: Shop = None) -> Return | None:
        """The shop's return with this RMA, if any."""
        return self._returns.get((client_code, rma_number))

    def lines_of_return(self, return_: Return) -> list[ReturnLine]:
        return list(self._return_lines[return_.id])

    def tracking_owner(self, number: str) -> uuid.UUID | None:
        """The return a tracking number belongs to, if any."""
        row = self._tracking.get(number)
        return row.return_id if row is not None else None

    # --- writing -----------------------------------------------------------------------------

    def product(self, client_code: str | None, sku: str, **values: Any) -> Product:
        """The shop's product with this SKU, created or updated with ``values``."""
        key = (client_code, sku)
        product = _upsert(
            Product, self._products.get(key), client_code=client_code, sku=sku, **values
        )
        self._products[key] = product
        self.session.add(product)
        return product

    def gtin(self, gtin: str, product: Product) -> None:
        """The GTIN names this product in its shop (from now on, if it named another there)."""
        key = (product.client_code, gtin)
        row = self._gtins.get(key)
        if row is None:
            row = self._gtins[key] = ProductGtin(
                gtin=gtin, product_id=product.id, client_code=product.client_code
            )
        row.product_id = product.id  # part of the row's key: the ORM updates it in place
        self.session.add(row)

    def order(self, number: str, client_code: Shop = None, **values: Any) -> Order:
        """The shop's order with this number, created or updated with ``values``."""
        existing = self._orders.get((client_code, number))
        order = _upsert(Order, existing, number=number, client_code=client_code, **values)
        if existing is None:
            self._orders[client_code, number] = order
            self._order_lines[order.id] = []
        self.session.add(order)
        return order

    def renumber_order(self, order: Order, number: str) -> None:
        """Give an order written under a provisional number its own (the demo numbers its orders
        by the time they were placed, once all exist)."""
        del self._orders[order.client_code, order.number]
        order.number = number
        self._orders[order.client_code, number] = order

    def order_line(self, order: Order, line: OrderLine | None, **values: Any) -> OrderLine:
        """``line`` (one of the order's, as the source matched it) updated, or a new line of the
        order when it is None."""
        row = _upsert(OrderLine, line, order_id=order.id, **values)
        if line is None:
            self._order_lines[order.id].append(row)
        self.session.add(row)
        return row

    def return_(self, rma_number: str, client_code: Shop = None, **values: Any) -> Return:
        """The shop's return with this RMA, created or updated with ``values``."""
        existing = self._returns.get((client_code, rma_number))
        return_ = _upsert(
            Return, existing, rma_number=rma_number, client_code=client_code, **values
        )
        if existing is None:
            self._returns[client_code, rma_number] = return_
            self._return_lines[return_.id] = []
        self.session.add(return_)
        return return_

    def set_return_lines(self, return_: Return, lines: Sequence[ReturnLineValues]) -> None:
        """The return's lines become these, one per order line: lines kept keep their ids, lines
        no longer wanted are deleted (only for a return nothing was inspected against)."""
        wanted = {line.order_line.id: line for line in lines}
        current = self._return_lines[return_.id]
        for gone in [row for row in current if row.order_line_id not in wanted]:
            self.session.delete(gone)
            current.remove(gone)
        by_order_line = {row.order_line_id: row for row in current}
        for order_line_id, line in wanted.items():
            existing = by_order_line.get(order_line_id)
            row = _upsert(
                ReturnLine,
                existing,
                return_id=return_.id,
                order_line_id=order_line_id,
                sku=line.order_line.sku,
                quantity=line.quantity,
                reason_code=line.reason_code,
                customer_comment=line.comment,
            )
            if existing is None:
                current.append(row)
            self.session.add(row)

    def tracking_number(self, return_: Return, number: str, carrier: str) -> TrackingWrite:
        """The return arrives under this tracking number; says which return of the same shop it
        named before, if another (the caller decides whether a source may move it: check
        ``tracking_owner``). A number held for another shop's return is left as it is."""
        row = self._tracking.get(number)
        if row is not None and row.return_id != return_.id:
            shop = self._tracking_shop.get(number)
            if shop != return_.client_code:
                return TrackingWrite(held_for=shop or "")
        before = row.return_id if row is not None else None
        if row is None:
            row = self._tracking[number] = ReturnTracking(
                tracking_number=number, return_id=return_.id, carrier=carrier
            )
        row.return_id = return_.id
        row.carrier = carrier
        self._tracking_shop[number] = return_.client_code
        self.session.add(row)
        return TrackingWrite(moved_from=before if before != return_.id else None)

    def drop_tracking_except(self, return_: Return, keep: Collection[str]) -> None:
        """Delete the return's tracking numbers not in ``keep``."""
        for row in list(self._tracking.values()):
            if row.return_id == return_.id and row.tracking_number not in keep:
                self.session.delete(row)
                del self._tracking[row.tracking_number]
                self._tracking_shop.pop(row.tracking_number, None)


def _upsert(model: type[M], row: M | None, **values: Any) -> M:
    """``row`` with ``values`` set, or a new ``model`` made of them when there is no row."""
    if row is None:
        return model(**values)
    for name, value in values.items():
        setattr(row, name, value)
    return row
