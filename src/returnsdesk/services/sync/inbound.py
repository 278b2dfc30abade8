"""Inbound sync: the order system's returns, with their orders, customers and products, pulled
into the station's database by a cursor, so scans resolve locally and the station works offline.

``Puller.pull`` reads ``GET /returns/changes`` page by page from the stored cursor. Each page is
checked whole first (``remote.parse_changes_page``); then its returns and the cursor after it
are written in ONE transaction. A broken page (an HTTP error, malformed JSON, a field out of
shape) raises before anything is written, and the cursor stays where it was, so the next pull
asks for the same page again. Orders, customers and products travel inside their return: the
station only needs what a parcel can bring back.

The merge rule (what wins when the shop and the station disagree):

* The shop owns its catalogue and orders: products, GTINs, orders, order lines (with the
  shop's ``line_ref``), customer names and e-mails are updated from every newer version.
* A version is applied only if its ``updated_at`` is newer than the one last applied
  (``returns.remote_updated_at``); the feed is at-least-once, so replays and older versions
  arriving late are skipped.
* The station owns what happened at the bench. A return it has received, completed or
  cancelled is never moved back by the shop: its status, return lines and completion stay as
  the station wrote them (the shop hears of them through the outbox). Tracking numbers are
  still added (a re-labelled parcel must scan), never removed. Each disagreement the station
  keeps (a cancellation in the shop after the parcel arrived here, changed lines) is logged
  and counted in ``PullStats.kept_local``.
* While the return is still open locally, the shop's version is taken whole: its lines and
  tracking numbers, and its status: ``cancelled`` cancels it here, ``inspected``/``closed``
  (done elsewhere) completes it here without a refund, so a late parcel shows as completed.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlmodel import Session, col, select

from returnsdesk.data.db import Database
from returnsdesk.data.models import (
    Order,
    OrderLine,
    Product,
    ProductGtin,
    Return,
    ReturnLine,
    ReturnTracking,
    SyncCursor,
)
from returnsdesk.domain.clock import Clock, utc_now
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.vocabulary import ReturnStatus
from returnsdesk.services.sync.remote import (
    ChangesPage,
    RemoteOrder,
    RemoteProduct,
    RemoteReturn,
    parse_changes_page,
)
from returnsdesk.services.upsert import upsert

log = logging.getLogger(__name__)

RETURNS_FEED = "returns"

# The shop's status -> the station's, for a return still open at the station.
_STATUS_WHILE_OPEN = {
    "authorised": ReturnStatus.OPEN,
    "received": ReturnStatus.OPEN,  # received elsewhere: this station may still get the parcel
    "inspected": ReturnStatus.COMPLETED,
    "closed": ReturnStatus.COMPLETED,
    "cancelled": ReturnStatus.CANCELLED,
}


class PullFailed(OperatorError):
    """The order system could not be read (unreachable, an error answer); nothing changed."""


class ReturnFeed(Protocol):
    def fetch_return_changes(self, cursor: str, limit: int) -> object:
        """The decoded JSON of one ``/returns/changes`` page; raises ``PullFailed``."""
        ...


@dataclass
class PullStats:
    pages: int = 0
    received: int = 0  # returns in the pages read
    created: int = 0
    updated: int = 0
    stale: int = 0  # not newer than the version already applied: skipped
    kept_local: int = 0  # the station's state kept over the shop's (see the merge rule)
    cursor: str = ""
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.received} returns read in {self.pages} pages: {self.created} new, "
            f"{self.updated} updated, {self.stale} already up to date, "
            f"{self.kept_local} kept as the station recorded them"
        )


class Puller:
    def __init__(
        self,
        database: Database,
        feed: ReturnFeed,
        *,
        page_size: int = 100,
        clock: Clock = utc_now,
    ) -> None:
        if not 1 <= page_size <= 500:
            raise ValueError("page_size must be 1 to 500 (the contract's limit)")
        self._database = database
        self._feed = feed
        self._page_size = page_size
        self._clock = clock
        self._lock = threading.Lock()  # one pull at a time per station process

    def pull(self, stop_event: threading.Event | None = None) -> PullStats:
        """Read pages until the feed has nothing more (or ``stop_event`` is set).

        Raises ``PullFailed`` or ``MalformedAnswer`` at the first bad page; pages before it
        are kept, each with its cursor.
        """
        stats = PullStats()
        with self._lock:
            cursor = self.cursor()
            while True:
                page = parse_changes_page(self._feed.fetch_return_changes(cursor, self._page_size))
                with self._database.session() as session:
                    self._apply_page(session, page, stats)
                stats.pages += 1
                moved = page.next_cursor != cursor
                cursor = page.next_cursor
                if not page.has_more or not moved:
                    break
                if stop_event is not None and stop_event.is_set():
                    break
        stats.cursor = cursor
        log.info("Pulled returns: %s", stats.summary())
        return stats

    def cursor(self) -> str:
        with self._database.session() as session:
            row = session.get(SyncCursor, RETURNS_FEED)
            return row.cursor if row is not None else ""

    def run_forever(
        self,
        stop_event: threading.Event,
        *,
        interval_s: float,
        after_each: Callable[[], object] | None = None,
    ) -> None:
        """Pull every ``interval_s`` until ``stop_event`` is set; failures are logged, not fatal."""
        while not stop_event.is_set():
            try:
                self.pull(stop_event)
            except OperatorError as exc:
                log.warning("Pull from the order system failed: %s", exc)
            except Exception:  # noqa: BLE001 - a locked database must not end the loop
                log.exception("Pull from the order system failed")
            if after_each is not None:
                try:
                    after_each()
                except Exception:  # noqa: BLE001
                    log.exception("Sync housekeeping failed")
            stop_event.wait(interval_s)

    # --- applying ------------------------------------------------------------------------------

    def _apply_page(self, session: Session, page: ChangesPage, stats: PullStats) -> None:
        known = _Known.load(session, page.items)
        # Everything the page touches was read above; no query may flush half-applied rows.
        with session.no_autoflush:
            for remote in page.items:
                stats.received += 1
                _apply_remote_return(session, known, remote, stats)
        row = session.get(SyncCursor, RETURNS_FEED) or SyncCursor(feed=RETURNS_FEED)
        row.cursor = page.next_cursor
        row.pulled_at = self._clock()
        session.add(row)


@dataclass
class _Known:
    """The station's rows a page touches, read in a few queries and kept up to date while the
    page is applied (so a product on several returns of one page is one product)."""

    products: dict[str, Product]
    gtins: dict[str, ProductGtin]
    orders: dict[str, Order]
    order_lines: dict[uuid.UUID, list[OrderLine]]  # by order id
    returns: dict[str, Return]
    return_lines: dict[uuid.UUID, list[ReturnLine]]  # by return id
    tracking: dict[str, ReturnTracking]

    @classmethod
    def load(cls, session: Session, items: Sequence[RemoteReturn]) -> _Known:
        skus = {line.sku for r in items for line in r.order.lines}
        gtins = {gtin for r in items for line in r.order.lines for gtin in line.product.gtins}
        numbers = {r.order.number for r in items}
        rmas = {r.rma_number for r in items}
        orders = {
            o.number: o for o in session.exec(select(Order).where(col(Order.number).in_(numbers)))
        }
        returns = {
            r.rma_number: r
            for r in session.exec(select(Return).where(col(Return.rma_number).in_(rmas)))
        }
        order_lines: dict[uuid.UUID, list[OrderLine]] = {o.id: [] for o in orders.values()}
        for line in session.exec(
            select(OrderLine).where(col(OrderLine.order_id).in_(list(order_lines)))
        ):
            order_lines[line.order_id].append(line)
        return_lines: dict[uuid.UUID, list[ReturnLine]] = {r.id: [] for r in returns.values()}
        for return_line in session.exec(
            select(ReturnLine).where(col(ReturnLine.return_id).in_(list(return_lines)))
        ):
            return_lines[return_line.return_id].append(return_line)
        tracking_numbers = {number for r in items for number, _ in r.tracking}
        tracking_query = select(ReturnTracking).where(
            col(ReturnTracking.tracking_number).in_(tracking_numbers)
            | col(ReturnTracking.return_id).in_(list(return_lines))
        )
        return cls(
            products={
                p.sku: p for p in session.exec(select(Product).where(col(Product.sku).in_(skus)))
            },
            gtins={
                g.gtin: g
                for g in session.exec(select(ProductGtin).where(col(ProductGtin.gtin).in_(gtins)))
            },
            orders=orders,
            order_lines=order_lines,
            returns=returns,
            return_lines=return_lines,
            tracking={t.tracking_number: t for t in session.exec(tracking_query)},
        )


def _apply_remote_return(
    session: Session, known: _Known, remote: RemoteReturn, stats: PullStats
) -> None:
    """Upsert one return with its order and products, by the merge rule in the module doc."""
    existing = known.returns.get(remote.rma_number)
    if (
        existing is not None
        and existing.remote_updated_at is not None
        and remote.updated_at <= existing.remote_updated_at
    ):
        stats.stale += 1
        return
    order = _upsert_order(session, known, remote.order)
    lines_by_ref = _upsert_order_lines(session, known, order, remote.order)
    if existing is None:
        return_ = Return(
            rma_number=remote.rma_number,
            order_id=order.id,
            customer_name=remote.order.customer_name,
            customer_email=remote.order.customer_email,
            created_at=remote.created_at,
        )
        known.returns[remote.rma_number] = return_
        known.return_lines[return_.id] = []
        stats.created += 1
    else:
        return_ = existing
        stats.updated += 1
    return_.order_id = order.id
    return_.customer_name = remote.order.customer_name
    return_.customer_email = remote.order.customer_email
    return_.policy_window_days = remote.policy_window_days
    return_.remote_updated_at = remote.updated_at
    session.add(return_)
    if return_.status is ReturnStatus.OPEN:
        _take_shop_state(session, known, return_, remote, lines_by_ref)
    else:
        _keep_station_state(session, known, return_, remote, lines_by_ref, stats)


def _take_shop_state(
    session: Session,
    known: _Known,
    return_: Return,
    remote: RemoteReturn,
    lines_by_ref: dict[str, OrderLine],
) -> None:
    status = _STATUS_WHILE_OPEN[remote.status]
    if status is ReturnStatus.COMPLETED:
        return_.completed_at = remote.updated_at
    return_.status = status
    session.add(return_)
    wanted = {lines_by_ref[line.line_ref].id: line for line in remote.lines}
    current = known.return_lines[return_.id]
    for gone in [row for row in current if row.order_line_id not in wanted]:
        session.delete(gone)  # an open return has no inspections or refund lines yet
        current.remove(gone)
    by_order_line = {row.order_line_id: row for row in current}
    for order_line_id, line in wanted.items():
        existing = by_order_line.get(order_line_id)
        row = upsert(
            ReturnLine,
            existing,
            return_id=return_.id,
            order_line_id=order_line_id,
            sku=line.sku,
            quantity=line.quantity,
            reason_code=line.reason_code,
            customer_comment=line.comment,
        )
        if existing is None:
            current.append(row)
        session.add(row)
    numbers = {number for number, _ in remote.tracking}
    for tracking in list(known.tracking.values()):
        if tracking.return_id == return_.id and tracking.tracking_number not in numbers:
            session.delete(tracking)
            del known.tracking[tracking.tracking_number]
    _add_tracking(session, known, return_, remote)


def _keep_station_state(
    session: Session,
    known: _Known,
    return_: Return,
    remote: RemoteReturn,
    lines_by_ref: dict[str, OrderLine],
    stats: PullStats,
) -> None:
    _add_tracking(session, known, return_, remote)
    disagreements = []
    if remote.status == "cancelled" and return_.status is not ReturnStatus.CANCELLED:
        disagreements.append(f"cancelled in the order system, but {return_.status.value} here")
    local = {(row.order_line_id, row.quantity) for row in known.return_lines[return_.id]}
    shop = {(lines_by_ref[line.line_ref].id, line.quantity) for line in remote.lines}
    if local != shop:
        disagreements.append("its lines changed in the order system after the parcel came in")
    if disagreements:
        note = f"{return_.rma_number}: {'; '.join(disagreements)}: kept as the station recorded it"
        log.warning("Pull: %s", note)
        stats.kept_local += 1
        stats.notes.append(note)


def _add_tracking(session: Session, known: _Known, return_: Return, remote: RemoteReturn) -> None:
    for number, carrier in remote.tracking:
        row = known.tracking.get(number)
        if row is None:
            row = ReturnTracking(tracking_number=number, return_id=return_.id, carrier=carrier)
            known.tracking[number] = row
        elif row.return_id != return_.id:
            log.info("Tracking %s moves to %s (order system)", number, return_.rma_number)
        row.return_id = return_.id
        row.carrier = carrier
        session.add(row)


def _upsert_order(session: Session, known: _Known, remote: RemoteOrder) -> Order:
    existing = known.orders.get(remote.number)
    order = upsert(
        Order,
        existing,
        number=remote.number,
        customer_name=remote.customer_name,
        customer_email=remote.customer_email,
        currency=remote.currency,
        placed_at=remote.placed_at,
        delivered_at=remote.delivered_at,
    )
    # Optional in the contract: a shop that does not say keeps what the station knows.
    if remote.customer_language is not None:
        order.customer_language = remote.customer_language
    if remote.payment_method is not None:
        order.payment_method = remote.payment_method
    if existing is None:
        known.orders[remote.number] = order
        known.order_lines[order.id] = []
    session.add(order)
    return order


def _upsert_order_lines(
    session: Session, known: _Known, order: Order, remote: RemoteOrder
) -> dict[str, OrderLine]:
    existing = known.order_lines[order.id]
    by_ref = {line.line_ref: line for line in existing if line.line_ref is not None}
    # Lines written before the station knew the shop's references (CSV import) are adopted
    # by SKU, so returns already pointing at them keep their lines.
    unreferenced = [line for line in existing if line.line_ref is None]
    result: dict[str, OrderLine] = {}
    for remote_line in remote.lines:
        product = _upsert_product(session, known, remote_line.product, remote.currency)
        found = by_ref.get(remote_line.line_ref)
        if found is None:
            found = next((u for u in unreferenced if u.sku == remote_line.sku), None)
            if found is not None:
                unreferenced.remove(found)
        line = upsert(
            OrderLine,
            found,
            order_id=order.id,
            line_ref=remote_line.line_ref,
            product_id=product.id,
            sku=remote_line.sku,
            quantity=remote_line.quantity,
            unit_price=remote_line.unit_price,
            currency=remote.currency,
            serial_numbers=list(remote_line.serial_numbers),
        )
        if found is None:
            existing.append(line)
        session.add(line)
        result[remote_line.line_ref] = line
    return result


def _upsert_product(
    session: Session, known: _Known, remote: RemoteProduct, currency: str
) -> Product:
    product = upsert(
        Product,
        known.products.get(remote.sku),
        sku=remote.sku,
        title=remote.title,
        category=remote.category,
        unit_value=remote.unit_value,
        currency=currency,
        serialised=remote.serialised,
    )
    known.products[remote.sku] = product
    session.add(product)
    for gtin in remote.gtins:
        row = known.gtins.get(gtin)
        if row is None:
            row = ProductGtin(gtin=gtin, product_id=product.id)
            known.gtins[gtin] = row
        row.product_id = product.id
        session.add(row)
    return product
