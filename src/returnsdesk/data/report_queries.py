"""Aggregating queries: counting, summing and medians happen in the database.

Every query takes the report's read snapshot (``services.reports.reading.snapshot``), a
period and an optional station, and returns a few rows per group, never one row per
inspection. Money columns hold scaled integers (``ExactDecimal``): ``SUM`` adds the integers
exactly and the column type turns each group's sum into a ``Decimal`` once; groups are always
split by currency.

Medians use window functions (``row_number``/``count`` over a partition), which SQLite (3.25+)
and PostgreSQL both run: the middle row or two of each group are picked in SQL, so Python sees
one value per inspector, not their inspections. ``percentile_cont`` would be shorter but
SQLite has none.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    Float,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col

from returnsdesk.data import report_tallies as tallied
from returnsdesk.data.models import (
    AuditEntry,
    Inspection,
    Operator,
    Order,
    OrderLine,
    OutboxEvent,
    Parcel,
    Product,
    Refund,
    Return,
    ReturnLine,
    Station,
)
from returnsdesk.data.report_tallies import of_client
from returnsdesk.domain.vocabulary import (
    Disposition,
    InspectionFlag,
    InspectionOutcome,
    OutboxStatus,
    RefundStatus,
)

EXCEPTION_ROWS = 200  # exception parcels listed (a readable print-out); the count is complete
PENDING_ROWS = 200  # returns waiting for approval listed, oldest first


class Span(Protocol):
    """A report's period (``services.reports.request.Period``): [start, end), and its name."""

    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...
    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class Scope:
    """The rows a report looks at: a period and, optionally, one station (by id) and one
    client shop (a report for one shop holds nothing of another's)."""

    period: Span
    station_id: uuid.UUID | None
    client_code: str | None = None  # None: every shop's returns

    def when(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.period.start, column < self.period.end)

    def at(self, station_column: Any) -> ColumnElement[bool]:
        return literal(True) if self.station_id is None else station_column == self.station_id

    def of(self, client_column: Any) -> ColumnElement[bool]:
        """Rows of the scope's client (an order's or return's own ``client_code``)."""
        return literal(True) if self.client_code is None else client_column == self.client_code

    def of_parcel(self, parcel_column: Any) -> ColumnElement[bool]:
        """Rows of a parcel received for one of the scope's client's returns (an unexpected
        parcel belongs to no shop: it is in no client's report)."""
        if self.client_code is None:
            return literal(True)
        return of_client(parcel_column, self.client_code)


def station_id(connection: Connection, *, code: str) -> uuid.UUID | None:
    """The station with this code, in any case."""
    return connection.execute(
        select(col(Station.id)).where(func.upper(Station.code) == code.strip().upper())
    ).scalar_one_or_none()


def station_codes(connection: Connection) -> list[str]:
    return list(connection.execute(select(col(Station.code)).order_by(col(Station.code))).scalars())


def clients_of_rma(connection: Connection, *, rma_number: str) -> list[str | None]:
    """The client shops with a return of this RMA number, in any case (None: the station's
    own shop); each shop numbers its own returns."""
    return list(
        connection.execute(
            select(col(Return.client_code)).where(
                func.upper(col(Return.rma_number)) == rma_number.strip().upper()
            )
        ).scalars()
    )


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet ``condition`` (0, not NULL, when there are none)."""
    return _sum_if(condition, literal(1))


def _sum_if(condition: ColumnElement[bool], value: Any) -> ColumnElement[int]:
    """The sum of ``value`` over the rows that meet ``condition`` (0 when there are none)."""
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


class seconds_between(FunctionElement[float]):  # noqa: N801 - reads as a SQL function
    """``end - start`` in seconds, as a float, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True

    def __init__(self, start: Any, end: Any) -> None:
        super().__init__(start, end)


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between)
def _seconds_default(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


# --- shift ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Volume:
    parcels_received: int
    unexpected_parcels: int
    units_inspected: int
    units_missing: int


def volume(connection: Connection, scope: Scope) -> Volume:
    parcels = connection.execute(
        select(
            func.count(),
            _count_if(col(Parcel.unexpected).is_(True)),
        ).where(
            scope.when(col(Parcel.received_at)),
            scope.at(col(Parcel.station_id)),
            scope.of_parcel(col(Parcel.id)),
        )
    ).one()
    tally = tallied.units(scope)
    units = connection.execute(
        select(
            _sum_if(tally.c.outcome == InspectionOutcome.INSPECTED, tally.c.units),
            _sum_if(tally.c.outcome == InspectionOutcome.MISSING, tally.c.units),
        )
    ).one()
    return Volume(int(parcels[0]), int(parcels[1]), int(units[0]), int(units[1]))


@dataclass(frozen=True)
class InspectorRow:
    name: str
    code: str
    units: int
    median_minutes: float | None


def _unit_seconds() -> ColumnElement[float]:
    return seconds_between(col(Inspection.started_at), col(Inspection.finished_at))


def inspectors(connection: Connection, scope: Scope) -> list[InspectorRow]:
    """Units and median minutes per inspector, most units first: one ranked pass over the
    period's inspections (``median_by`` counts the units too), then the few names."""
    inspected = and_(
        col(Inspection.outcome) == InspectionOutcome.INSPECTED,
        scope.when(col(Inspection.finished_at)),
        scope.at(col(Inspection.station_id)),
        scope.of_parcel(col(Inspection.parcel_id)),
    )
    medians = median_by(connection, col(Inspection.operator_id), _unit_seconds(), inspected)
    names = connection.execute(
        select(col(Operator.id), col(Operator.name), col(Operator.code)).where(
            col(Operator.id).in_(list(medians))
        )
    ).all()
    rows = [
        InspectorRow(name, code, medians[op_id][1], medians[op_id][0] / 60)
        for op_id, name, code in names
    ]
    rows.sort(key=lambda r: (-r.units, r.code))
    return rows


def median_by(
    connection: Connection, group: Any, value: ColumnElement[Any], where: ColumnElement[bool]
) -> dict[Any, tuple[float, int]]:
    """The median of ``value`` and the number of values, per ``group``, in one ranked pass."""
    values = _values(value, where, group)
    g, v = values.c.g, values.c.v
    ranked = select(
        g,
        v,
        func.row_number().over(partition_by=g, order_by=v).label("rn"),
        # Same window as row_number, whole partition as frame: one sort, not two.
        func.count().over(partition_by=g, order_by=v, rows=(None, None)).label("n"),
    ).subquery()
    middle = (ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2  # floor division: 1 or 2 middle rows
    rows = connection.execute(
        select(ranked.c.g, func.avg(ranked.c.v), func.max(ranked.c.n))
        .where(ranked.c.rn.in_(middle))
        .group_by(ranked.c.g)
    ).all()
    return {g: (float(v), int(n)) for g, v, n in rows}


def _values(value: ColumnElement[Any], where: ColumnElement[bool], group: Any = None) -> Any:
    """The values to rank (and their group), computed once in a subquery: ranking by the
    expression itself evaluated it again for the sort (20% more CPU for the shift's medians)."""
    columns = [cast(value, Float).label("v")]
    if group is not None:
        columns.insert(0, group.label("g"))
    return select(*columns).where(where, value.is_not(None)).subquery()


def percentiles(
    connection: Connection, value: ColumnElement[Any], where: ColumnElement[bool]
) -> tuple[float | None, float | None, int]:
    """Median and 90th percentile (nearest rank) of ``value``, and how many values there
    were, from one ranked pass."""
    values = _values(value, where)
    ranked = select(
        values.c.v,
        func.row_number().over(order_by=values.c.v).label("rn"),
        func.count().over(order_by=values.c.v, rows=(None, None)).label("n"),  # one sort
    ).subquery()
    v, rn, n = ranked.c.v, ranked.c.rn, ranked.c.n
    median, p90, count = connection.execute(
        select(
            func.avg(case((rn.in_(((n + 1) // 2, (n + 2) // 2)), v))),
            func.max(case((rn == (9 * n + 9) // 10, v))),
            func.max(n),
        )
    ).one()
    return (
        None if median is None else float(median),
        None if p90 is None else float(p90),
        int(count or 0),
    )


def grades(connection: Connection, scope: Scope) -> list[tuple[str, int]]:
    tally = tallied.units(scope)
    rows = connection.execute(
        select(tally.c.grade, func.sum(tally.c.units))
        .where(tally.c.outcome == InspectionOutcome.INSPECTED)
        .group_by(tally.c.grade)
        .order_by(tally.c.grade)
    ).all()
    return [(grade or "?", int(count)) for grade, count in rows]


@dataclass(frozen=True)
class ChannelRow:
    disposition: Disposition
    currency: str
    units: int
    resale_value: Decimal  # sum of the units' products.unit_value when they were completed


def channels(connection: Connection, scope: Scope) -> list[ChannelRow]:
    """Units and their resale value per disposition and currency (catalogued units)."""
    tally = tallied.units(scope)
    rows = connection.execute(
        select(
            tally.c.disposition,
            tally.c.currency,
            func.sum(tally.c.units),
            func.sum(tally.c.resale_value),  # ExactDecimal: integer sum, Decimal once
        )
        .where(tally.c.disposition != "", tally.c.currency != "")
        .group_by(tally.c.disposition, tally.c.currency)
    ).all()
    found = [ChannelRow(Disposition(d), cur, int(n), value) for d, cur, n, value in rows]
    order = list(Disposition)
    return sorted(found, key=lambda r: (order.index(r.disposition), r.currency))


def _refund_scope(scope: Scope) -> ColumnElement[bool]:
    return and_(
        scope.when(col(Refund.created_at)),
        scope.at(col(Parcel.station_id)),
        scope.of_parcel(col(Parcel.id)),
    )


@dataclass(frozen=True)
class RefundRow:
    status: RefundStatus
    currency: str
    count: int
    total: Decimal


def refunds(connection: Connection, scope: Scope) -> list[RefundRow]:
    rows = connection.execute(
        select(col(Refund.status), col(Refund.currency), func.count(), func.sum(col(Refund.total)))
        .join(Parcel, col(Parcel.id) == col(Refund.parcel_id))
        .where(_refund_scope(scope))
        .group_by(col(Refund.status), col(Refund.currency))
        .order_by(col(Refund.status), col(Refund.currency))
    ).all()
    return [RefundRow(RefundStatus(s), cur, int(n), total) for s, cur, n, total in rows]


@dataclass(frozen=True)
class DeductionRow:
    reason: str
    currency: str
    units: int
    deducted: Decimal


def deductions(connection: Connection, scope: Scope) -> list[DeductionRow]:
    tally = tallied.deductions(scope)
    deducted = func.sum(tally.c.deducted)  # ExactDecimal: integer sum, Decimal once
    rows = connection.execute(
        select(tally.c.reason, tally.c.currency, func.sum(tally.c.units), deducted)
        .group_by(tally.c.reason, tally.c.currency)
        .order_by(deducted.desc())
    ).all()
    return [DeductionRow(reason or "(no reason)", cur, int(n), d) for reason, cur, n, d in rows]


def flag_counts(connection: Connection, scope: Scope) -> dict[InspectionFlag, int]:
    tally = tallied.units(scope)
    # Flags are a JSON list of fixed enum words; matching the quoted word in the stored text
    # works the same on SQLite's JSON text and PostgreSQL's json, without JSON functions.
    sums = [
        _sum_if(tally.c.flags.like(f'%"{flag.value}"%'), tally.c.units) for flag in InspectionFlag
    ]
    row = connection.execute(select(*sums)).one()
    return {flag: int(count) for flag, count in zip(InspectionFlag, row, strict=True)}


@dataclass(frozen=True)
class ExceptionRow:
    at: datetime
    tracking_number: str
    rma_number: str | None
    sku: str | None
    flags: tuple[str, ...]
    operator: str
    note: str


def exception_parcels(
    connection: Connection, scope: Scope, limit: int = EXCEPTION_ROWS
) -> tuple[list[ExceptionRow], int]:
    """Flagged units and unexpected parcels, newest first (at most ``limit``), and the total."""
    # Literals, not parameters: SQLite then reads the partial index of flagged units.
    flagged = cast(col(Inspection.flags), String).not_in(
        [literal_column("'[]'"), literal_column("'null'")]
    )
    units: Any = (
        select(
            col(Inspection.finished_at).label("at"),
            col(Parcel.tracking_number).label("tracking"),
            col(Return.rma_number).label("rma"),
            func.coalesce(col(Inspection.sku_scanned), col(ReturnLine.sku)).label("sku"),
            cast(col(Inspection.flags), String).label("flags"),
            col(Operator.name).label("operator"),
            col(Inspection.notes).label("note"),
        )
        .join(Parcel, col(Parcel.id) == col(Inspection.parcel_id))
        .outerjoin(Return, col(Return.id) == col(Parcel.return_id))
        .outerjoin(ReturnLine, col(ReturnLine.id) == col(Inspection.return_line_id))
        .join(Operator, col(Operator.id) == col(Inspection.operator_id))
        .where(
            flagged,
            scope.when(col(Inspection.finished_at)),
            scope.at(col(Inspection.station_id)),
            scope.of_parcel(col(Inspection.parcel_id)),
        )
    )
    unexpected: Any = (
        select(
            col(Parcel.received_at).label("at"),
            col(Parcel.tracking_number).label("tracking"),
            literal(None, String).label("rma"),
            literal(None, String).label("sku"),
            literal('["unexpected_parcel"]', String).label("flags"),
            col(Operator.name).label("operator"),
            col(Parcel.note).label("note"),
        )
        .join(Operator, col(Operator.id) == col(Parcel.operator_id))
        .where(
            col(Parcel.unexpected),
            scope.when(col(Parcel.received_at)),
            scope.at(col(Parcel.station_id)),
            scope.of_parcel(col(Parcel.id)),
        )
    )
    both = units.union_all(unexpected).subquery()
    # One pass: the window counts every row before LIMIT keeps the newest (0 rows: none).
    found = connection.execute(
        select(both, func.count().over().label("total"))
        .order_by(both.c.at.desc(), both.c.tracking)
        .limit(limit)
    ).all()
    total = int(found[0].total) if found else 0
    rows = [tuple(row)[:-1] for row in found]
    return [
        ExceptionRow(
            at=at,
            tracking_number=tracking,
            rma_number=rma,
            sku=sku,
            flags=_flag_words(flags),
            operator=operator,
            note=note or "",
        )
        for at, tracking, rma, sku, flags, operator, note in rows
    ], total


def _flag_words(text: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


@dataclass(frozen=True)
class PendingApproval:
    rma_number: str
    customer: str
    total: Decimal
    currency: str
    reason: str
    since: datetime


def pending_approvals(
    connection: Connection,
    station_id: uuid.UUID | None,
    limit: int = PENDING_ROWS,
    client_code: str | None = None,
) -> tuple[list[PendingApproval], int]:
    """Refunds waiting for a shift lead now, whatever the period: the oldest ``limit``, and
    how many there are in all (of one client shop's returns, if ``client_code``)."""
    station = literal(True) if station_id is None else col(Parcel.station_id) == station_id
    client = literal(True) if client_code is None else col(Return.client_code) == client_code
    waiting = and_(col(Refund.status) == RefundStatus.PENDING_APPROVAL, station, client)
    total = connection.execute(
        select(func.count())
        .select_from(Refund)
        .join(Parcel, col(Parcel.id) == col(Refund.parcel_id))
        .join(Return, col(Return.id) == col(Refund.return_id))
        .where(waiting)
    ).scalar_one()
    rows = connection.execute(
        select(
            col(Return.rma_number),
            col(Return.customer_name),
            col(Refund.total),
            col(Refund.currency),
            col(Refund.status_reason),
            col(Refund.created_at),
        )
        .join(Return, col(Return.id) == col(Refund.return_id))
        .join(Parcel, col(Parcel.id) == col(Refund.parcel_id))
        .where(waiting)
        .order_by(col(Refund.created_at))
        .limit(limit)
    ).all()
    return [PendingApproval(*row) for row in rows], int(total)


@dataclass(frozen=True)
class OutboxBacklog:
    pending: int
    needs_attention: int
    oldest: datetime | None


def outbox_backlog(connection: Connection, client_code: str | None = None) -> OutboxBacklog:
    """Events not yet with their order system (one client shop's, if ``client_code``)."""
    client = literal(True) if client_code is None else col(OutboxEvent.client_code) == client_code
    row = connection.execute(
        select(
            _count_if(col(OutboxEvent.status) == OutboxStatus.PENDING),
            _count_if(col(OutboxEvent.status) == OutboxStatus.NEEDS_ATTENTION),
            func.min(col(OutboxEvent.created_at)),
        ).where(col(OutboxEvent.status) != OutboxStatus.DELIVERED, client)
    ).one()
    return OutboxBacklog(int(row[0]), int(row[1]), row[2])


@dataclass(frozen=True)
class AuditHead:
    sequence: int
    entry_hash: str
    at: datetime
    algorithm: str  # "hmac-sha256" (keyed), or "sha256" from before migration 0009


def audit_head(connection: Connection) -> AuditHead | None:
    row = connection.execute(
        select(
            col(AuditEntry.sequence),
            col(AuditEntry.entry_hash),
            col(AuditEntry.at),
            col(AuditEntry.algorithm),
        )
        .order_by(col(AuditEntry.sequence).desc())
        .limit(1)
    ).first()
    return None if row is None else AuditHead(int(row[0]), row[1], row[2], row[3])


# --- insights ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    key: str
    sold: int
    returned: int

    @property
    def rate(self) -> float | None:
        return None if self.sold == 0 else self.returned / self.sold


@dataclass(frozen=True)
class ProductUnits:
    sku: str
    category: str
    size: str | None
    sold: int
    returned_by_reason: tuple[tuple[str, int], ...]  # (reason code, units) on returns opened

    @property
    def returned(self) -> int:
        return sum(units for _, units in self.returned_by_reason)


def units_by_product(connection: Connection, scope: Scope) -> list[ProductUnits]:
    """Units sold (orders placed in the period) and returned (returns opened in the period,
    per stated reason) per product, in one pass over orders and one over returns; products
    with neither are left out. Rolling these up by category, size, SKU (``rates_by``) or
    category and reason (``reasons_by_category``) then touches at most one row per catalogue
    product and reason. The station filter does not apply: sales and return requests belong
    to no station."""
    sold = (
        select(
            col(OrderLine.product_id).label("product_id"),
            func.sum(col(OrderLine.quantity)).label("q"),
        )
        .select_from(Order)
        .join(OrderLine, col(OrderLine.order_id) == col(Order.id))
        .where(scope.when(col(Order.placed_at)), scope.of(col(Order.client_code)))
        .group_by(col(OrderLine.product_id))
        .subquery()
    )
    returned = (
        select(
            col(OrderLine.product_id).label("product_id"),
            col(ReturnLine.reason_code).label("reason"),
            func.sum(col(ReturnLine.quantity)).label("q"),
        )
        .select_from(Return)
        .join(ReturnLine, col(ReturnLine.return_id) == col(Return.id))
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .where(scope.when(col(Return.created_at)), scope.of(col(Return.client_code)))
        .group_by(col(OrderLine.product_id), col(ReturnLine.reason_code))
        .subquery()
    )
    rows = connection.execute(
        select(
            col(Product.id),
            col(Product.sku),
            col(Product.category),
            col(Product.size),
            func.coalesce(sold.c.q, 0),
            returned.c.reason,
            func.coalesce(returned.c.q, 0),
        )
        .outerjoin(sold, sold.c.product_id == col(Product.id))
        .outerjoin(returned, returned.c.product_id == col(Product.id))
        .where(or_(sold.c.q.is_not(None), returned.c.q.is_not(None)))
    ).all()
    found: dict[Any, tuple[str, str, str | None, int]] = {}
    reasons: dict[Any, list[tuple[str, int]]] = {}
    for product_id, sku, category, size, units_sold, reason, units_returned in rows:
        found[product_id] = (sku, category, size, int(units_sold))
        if reason is not None:
            reasons.setdefault(product_id, []).append((reason, int(units_returned)))
    return [
        ProductUnits(sku, category, size, units_sold, tuple(sorted(reasons.get(product_id, []))))
        for product_id, (sku, category, size, units_sold) in found.items()
    ]


def rates_by(products: list[ProductUnits], key: str, limit: int | None = None) -> list[RateRow]:
    """``units_by_product`` rolled up by ``"sku"``, ``"category"`` or ``"size"``, most
    returned first."""
    sold: dict[str, int] = {}
    returned: dict[str, int] = {}
    for product in products:
        value = getattr(product, key)
        name = "(none)" if value is None else str(value)
        sold[name] = sold.get(name, 0) + product.sold
        returned[name] = returned.get(name, 0) + product.returned
    rows = [RateRow(name, sold[name], returned[name]) for name in sold]
    rows.sort(key=lambda r: (-r.returned, -r.sold, r.key))
    return rows if limit is None else rows[:limit]


def reasons_by_category(products: list[ProductUnits]) -> list[tuple[str, str, int]]:
    """(category, stated reason, units returned), by category, most units first."""
    units: dict[tuple[str, str], int] = {}
    for product in products:
        for reason, n in product.returned_by_reason:
            key = (product.category, reason)
            units[key] = units.get(key, 0) + n
    rows = [(category, reason, n) for (category, reason), n in units.items()]
    rows.sort(key=lambda r: (r[0], -r[2], r[1]))
    return rows


def stated_vs_found(connection: Connection, scope: Scope) -> list[tuple[str, str, int]]:
    """(customer's reason, inspection grade, units) for inspected units on a return line."""
    tally = tallied.units(scope)
    rows = connection.execute(
        select(tally.c.reason_code, tally.c.grade, func.sum(tally.c.units))
        .where(tally.c.outcome == InspectionOutcome.INSPECTED, tally.c.reason_code != "")
        .group_by(tally.c.reason_code, tally.c.grade)
    ).all()
    return [(reason, grade or "?", int(n)) for reason, grade, n in rows]


def checklist_answers(connection: Connection, scope: Scope) -> list[tuple[str, str, int]]:
    """(category, checklist JSON text, units): distinct answer sets, counted in SQL.

    There are few distinct answer sets (questions x yes/no), so unpacking the JSON of each
    group in Python stays bounded whatever the number of inspections.
    """
    tally = tallied.checklists(scope)
    rows = connection.execute(
        select(tally.c.category, tally.c.answers, func.sum(tally.c.units)).group_by(
            tally.c.category, tally.c.answers
        )
    ).all()
    return [(category, text or "{}", int(n)) for category, text, n in rows]


def frequent_notes(connection: Connection, scope: Scope, limit: int = 15) -> list[tuple[str, int]]:
    tally = tallied.notes(scope)
    units = func.sum(tally.c.units)
    rows = connection.execute(
        select(tally.c.note, units)
        .group_by(tally.c.note)
        .order_by(units.desc(), tally.c.note)
        .limit(limit)
    ).all()
    return [(text, int(n)) for text, n in rows]


# --- recovery ---------------------------------------------------------------------------------


def processing_seconds(
    connection: Connection, scope: Scope
) -> tuple[float | None, float | None, int]:
    """Median and p90 seconds from parcel received to refund, for refunds in the period."""
    value = seconds_between(col(Parcel.received_at), col(Refund.created_at))
    where = and_(
        col(Refund.parcel_id) == col(Parcel.id),
        _refund_scope(scope),
    )
    return percentiles(connection, value, where)


def processing_by_category(connection: Connection, scope: Scope) -> list[tuple[str, float, int]]:
    """Median seconds from parcel received to refund, and refunds, per category returned.

    A refund counts once in each category among its return's lines.
    """
    pairs = (
        select(
            col(Refund.id).label("refund_id"),
            col(Product.category).label("category"),
            seconds_between(col(Parcel.received_at), col(Refund.created_at)).label("seconds"),
        )
        .distinct()
        .join(Parcel, col(Parcel.id) == col(Refund.parcel_id))
        .join(ReturnLine, col(ReturnLine.return_id) == col(Refund.return_id))
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .join(Product, col(Product.id) == col(OrderLine.product_id))
        .where(_refund_scope(scope))
        .subquery()
    )
    medians = median_by(connection, pairs.c.category, pairs.c.seconds, literal(True))
    return [(category, *medians[category]) for category in sorted(medians)]
