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

Several client shops (``[clients.<code>]``): each has a ``Puller`` of its own, with its own
cursor (feed ``returns@<code>``), and tags what it writes with its ``client_code``. Order and
RMA numbers are each shop's own: a shop's return is found and written by (shop, number), so
two shops may both send RMA-1001 and the station keeps both. Tracking numbers are the
carriers', unique across shops: one held for another client's return is not taken over; it is
logged and counted in ``PullStats.kept_local`` (the rest of the return is written).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlmodel import Session

from returnsdesk.data import sync_cursors
from returnsdesk.data.db import Database
from returnsdesk.data.models import (
    Order,
    OrderLine,
    Product,
    Return,
)
from returnsdesk.data.return_writer import ReturnLineValues, ReturnWriter
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

    def plus(self, other: PullStats) -> PullStats:
        """Both pulls' counts together (several shops' feeds read in one round)."""
        return PullStats(
            pages=self.pages + other.pages,
            received=self.received + other.received,
            created=self.created + other.created,
            updated=self.updated + other.updated,
            stale=self.stale + other.stale,
            kept_local=self.kept_local + other.kept_local,
            cursor=other.cursor,
            notes=[*self.notes, *other.notes],
        )

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
        client_code: str | None = None,  # the client shop this feed is; None: the station's
    ) -> None:
        if not 1 <= page_size <= 500:
            raise ValueError("page_size must be 1 to 500 (the contract's limit)")
        self._database = database
        self._feed = feed
        self._page_size = page_size
        self._clock = clock
        self.client_code = client_code
        self._feed_name = RETURNS_FEED if client_code is None else f"{RETURNS_FEED}@{client_code}"
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
        with self._database.read() as session:
            return sync_cursors.read_cursor(session, self._feed_name)

    def run_forever(
        self,
        stop_event: threading.Event,
        *,
        interval_s: float,
        after_each: Callable[[], object] | None = None,
    ) -> None:
        """Pull every ``interval_s`` until ``stop_event`` is set; failures are logged, not fatal."""
        _pull_forever(self.pull, stop_event, interval_s, after_each)

    # --- applying ------------------------------------------------------------------------------

    def _apply_page(self, session: Session, page: ChangesPage, stats: PullStats) -> None:
        items = page.items
        writer = ReturnWriter.load(
            session,
            skus={line.sku for r in items for line in r.order.lines},
            gtins={gtin for r in items for line in r.order.lines for gtin in line.product.gtins},
            order_numbers={r.order.number for r in items},
            rma_numbers={r.rma_number for r in items},
            tracking_numbers={number for r in items for number, _ in r.tracking},
        )
        # Everything the page touches was read above; no query may flush half-applied rows.
        with session.no_autoflush:
            for remote in items:
                stats.received += 1
                _apply_remote_return(writer, remote, stats, self.client_code)
        sync_cursors.store_cursor(
            session, self._feed_name, page.next_cursor, pulled_at=self._clock()
        )


class ShopPullers:
    """Several client shops' feeds (``[clients.<code>]``), read one after the other."""

    def __init__(self, pullers: list[Puller]) -> None:
        self.pullers = pullers

    def pull(self, stop_event: threading.Event | None = None) -> PullStats:
        """Every feed; one that fails holds no other back, and the first failure is raised once
        all were read (``PullFailed`` / ``MalformedAnswer``, nothing of its broken page kept)."""
        total, failure = PullStats(), None
        for puller in self.pullers:
            if stop_event is not None and stop_event.is_set():
                break
            try:
                total = total.plus(puller.pull(stop_event))
            except OperatorError as exc:
                failure = failure or exc
        if failure is not None:
            raise failure
        return total

    def run_forever(
        self,
        stop_event: threading.Event,
        *,
        interval_s: float,
        after_each: Callable[[], object] | None = None,
    ) -> None:
        _pull_forever(self.pull, stop_event, interval_s, after_each)


def _pull_forever(
    pull: Callable[[threading.Event], object],
    stop_event: threading.Event,
    interval_s: float,
    after_each: Callable[[], object] | None,
) -> None:
    while not stop_event.is_set():
        try:
            pull(stop_event)
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


def _apply_remote_return(
    writer: ReturnWriter, remote: RemoteReturn, stats: PullStats, client_code: str | None
) -> None:
    """Upsert one return with its order and products, by the merge rule in the module doc."""
    existing = writer.find_return(remote.rma_number, client_code)
    if (
        existing is not None
        and existing.remote_updated_at is not None
        and remote.updated_at <= existing.remote_updated_at
    ):
        stats.stale += 1
        return
    # Optional in the contract: a shop that does not say keeps what the station knows.
    optional = {
        name: value
        for name, value in (
            ("customer_language", remote.order.customer_language),
            ("payment_method", remote.order.payment_method),
        )
        if value is not None
    }
    order = writer.order(
        remote.order.number,
        customer_name=remote.order.customer_name,
        customer_email=remote.order.customer_email,
        currency=remote.order.currency,
        placed_at=remote.order.placed_at,
        delivered_at=remote.order.delivered_at,
        client_code=client_code,
        **optional,
    )
    lines_by_ref = _upsert_order_lines(writer, order, remote.order)
    first_seen: dict[str, Any] = {"created_at": remote.created_at} if existing is None else {}
    return_ = writer.return_(
        remote.rma_number,
        order_id=order.id,
        customer_name=remote.order.customer_name,
        customer_email=remote.order.customer_email,
        policy_window_days=remote.policy_window_days,
        customer_tier=remote.customer_tier,
        remote_updated_at=remote.updated_at,
        client_code=client_code,
        **first_seen,
    )
    if existing is None:
        stats.created += 1
    else:
        stats.updated += 1
    if return_.status is ReturnStatus.OPEN:
        _take_shop_state(writer, return_, remote, lines_by_ref, stats)
    else:
        _keep_station_state(writer, return_, remote, lines_by_ref, stats)


def _take_shop_state(
    writer: ReturnWriter,
    return_: Return,
    remote: RemoteReturn,
    lines_by_ref: dict[str, OrderLine],
    stats: PullStats,
) -> None:
    status = _STATUS_WHILE_OPEN[remote.status]
    if status is ReturnStatus.COMPLETED:
        return_.completed_at = remote.updated_at
    return_.status = status
    # An open return has no inspections or refund lines yet: its lines may be replaced.
    writer.set_return_lines(
        return_,
        [
            ReturnLineValues(
                order_line=lines_by_ref[line.line_ref],
                quantity=line.quantity,
                reason_code=line.reason_code,
                comment=line.comment,
            )
            for line in remote.lines
        ],
    )
    writer.drop_tracking_except(return_, {number for number, _ in remote.tracking})
    _add_tracking(writer, return_, remote, stats)


def _keep_station_state(
    writer: ReturnWriter,
    return_: Return,
    remote: RemoteReturn,
    lines_by_ref: dict[str, OrderLine],
    stats: PullStats,
) -> None:
    _add_tracking(writer, return_, remote, stats)
    disagreements = []
    if remote.status == "cancelled" and return_.status is not ReturnStatus.CANCELLED:
        disagreements.append(f"cancelled in the order system, but {return_.status.value} here")
    local = {(row.order_line_id, row.quantity) for row in writer.lines_of_return(return_)}
    shop = {(lines_by_ref[line.line_ref].id, line.quantity) for line in remote.lines}
    if local != shop:
        disagreements.append("its lines changed in the order system after the parcel came in")
    if disagreements:
        note = f"{return_.rma_number}: {'; '.join(disagreements)}: kept as the station recorded it"
        log.warning("Pull: %s", note)
        stats.kept_local += 1
        stats.notes.append(note)


def _add_tracking(
    writer: ReturnWriter, return_: Return, remote: RemoteReturn, stats: PullStats
) -> None:
    for number, carrier in remote.tracking:
        written = writer.tracking_number(return_, number, carrier)
        if written.held_for is not None:
            owner = written.held_for or "the station's own shop"
            note = f"{return_.rma_number}: tracking number {number} is held for {owner}"
            note += ": not taken over"
            log.warning("Pull (client %s): %s", return_.client_code, note)
            stats.kept_local += 1
            stats.notes.append(note)
        elif written.moved_from is not None:
            log.info("Tracking %s moves to %s (order system)", number, return_.rma_number)


def _upsert_order_lines(
    writer: ReturnWriter, order: Order, remote: RemoteOrder
) -> dict[str, OrderLine]:
    existing = writer.lines_of_order(order)
    by_ref = {line.line_ref: line for line in existing if line.line_ref is not None}
    # Lines written before the station knew the shop's references (CSV import) are adopted
    # by SKU, so returns already pointing at them keep their lines.
    unreferenced = [line for line in existing if line.line_ref is None]
    result: dict[str, OrderLine] = {}
    for remote_line in remote.lines:
        product = _upsert_product(writer, remote_line.product, remote.currency, order.client_code)
        found = by_ref.get(remote_line.line_ref)
        if found is None:
            found = next((u for u in unreferenced if u.sku == remote_line.sku), None)
            if found is not None:
                unreferenced.remove(found)
        result[remote_line.line_ref] = writer.order_line(
            order,
            found,
            line_ref=remote_line.line_ref,
            product_id=product.id,
            sku=remote_line.sku,
            quantity=remote_line.quantity,
            unit_price=remote_line.unit_price,
            currency=remote.currency,
            serial_numbers=list(remote_line.serial_numbers),
        )
    return result


def _upsert_product(
    writer: ReturnWriter, remote: RemoteProduct, currency: str, client_code: str | None
) -> Product:
    """The feed's shop's product: a feed writes its own shop's catalogue and no other's."""
    product = writer.product(
        client_code,
        remote.sku,
        title=remote.title,
        category=remote.category,
        unit_value=remote.unit_value,
        currency=currency,
        serialised=remote.serialised,
    )
    for gtin in remote.gtins:
        writer.gtin(gtin, product)
    return product
