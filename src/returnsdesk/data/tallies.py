"""How inspections become report tallies (``data.tally_tables``), in one definition.

Each ``*_facts`` query groups raw inspections (or refund lines) exactly as its tally table
does; it fills the tallies when a parcel is completed (``record_tallies``, same transaction),
back-fills them in migrations 0008 and 0022 (the same SQL, written out there), and gives
reports the partial hours at the edges of a period. Every row is counted for the client shop of
its parcel's return (``client_key``), so one shop's figures are read from its own tally rows.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Executable,
    Float,
    Integer,
    Select,
    String,
    Subquery,
    Table,
    and_,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement, Label
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import SQLModel, col

from returnsdesk.data.models import (
    DispositionDecision,
    Inspection,
    Parcel,
    Product,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
)
from returnsdesk.data.tally_tables import (
    OWN_SHOP,
    ChecklistTally,
    DeductionTally,
    NoteTally,
    ReturnTally,
    UnitTally,
)
from returnsdesk.data.types import UTCDateTime
from returnsdesk.domain.vocabulary import Disposition, InspectionOutcome


class hour_start(FunctionElement[Any]):  # noqa: N801 - reads as a SQL function
    """A UTC timestamp cut down to its whole hour, on SQLite and PostgreSQL."""

    type = UTCDateTime()
    inherit_cache = True


@compiles(hour_start, "sqlite")
def _hour_sqlite(element: hour_start, compiler: Any, **kw: Any) -> str:
    # UTCDateTime stores naive UTC text, 'YYYY-MM-DD HH:MM:SS.ffffff', on SQLite.
    (stamp,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(substr({stamp}, 1, 13) || ':00:00.000000')"


@compiles(hour_start)
def _hour_default(element: hour_start, compiler: Any, **kw: Any) -> str:
    (stamp,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(date_trunc('hour', {stamp} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"


def _text(column: Any) -> ColumnElement[str]:
    return cast(column, String)


def client_key() -> ColumnElement[str]:
    """The tallies' ``client_code`` of a row, in a facts query (which joins the row's parcel's
    return, if any): the return's shop, or ``OWN_SHOP``. Compared with a code it also keeps
    SQLite off the shop's index, so a period's rows are read by their time first."""
    return func.coalesce(col(Return.client_code), OWN_SHOP)


def _of_parcel(query: Select[Any], parcel: Any) -> Select[Any]:
    """``query`` joined to the parcel (by ``parcel``) and its return, when it has one. Left
    joins: SQLite keeps the written order, starting from the rows the ``where`` picks."""
    return query.outerjoin(Parcel, col(Parcel.id) == parcel).outerjoin(
        Return, col(Return.id) == col(Parcel.return_id)
    )


def unit_facts(where: ColumnElement[bool]) -> Select[Any]:
    """Rows shaped like ``unit_tallies`` for the inspections matching ``where``."""
    hour = hour_start(col(Inspection.finished_at))
    keys: tuple[Label[Any], ...] = (
        hour.label("hour"),
        col(Inspection.station_id).label("station_id"),
        client_key().label("client_code"),
        _text(col(Inspection.outcome)).label("outcome"),
        func.coalesce(col(Inspection.grade), "").label("grade"),
        func.coalesce(col(ReturnLine.reason_code), "").label("reason_code"),
        func.coalesce(_text(col(DispositionDecision.disposition)), "").label("disposition"),
        _text(col(Inspection.flags)).label("flags"),
        func.coalesce(col(Product.currency), "").label("currency"),
    )
    query = select(
        *keys,
        func.count().label("units"),
        func.coalesce(func.sum(col(Product.unit_value)), Decimal(0)).label("resale_value"),
    ).select_from(Inspection)
    return (
        _of_parcel(query, col(Inspection.parcel_id))
        .outerjoin(ReturnLine, col(ReturnLine.id) == col(Inspection.return_line_id))
        .outerjoin(
            DispositionDecision, col(DispositionDecision.inspection_id) == col(Inspection.id)
        )
        .outerjoin(Product, col(Product.id) == col(Inspection.product_id))
        .where(where)
        .group_by(*(key.element for key in keys))
    )


def checklist_facts(where: ColumnElement[bool]) -> Select[Any]:
    """Rows shaped like ``checklist_tallies``: inspected units of catalogued products."""
    keys: tuple[Label[Any], ...] = (
        hour_start(col(Inspection.finished_at)).label("hour"),
        col(Inspection.station_id).label("station_id"),
        client_key().label("client_code"),
        col(Product.category).label("category"),
        _text(col(Inspection.checklist)).label("answers"),
    )
    query = select(*keys, func.count().label("units")).select_from(Inspection)
    return (
        _of_parcel(query, col(Inspection.parcel_id))
        .join(Product, col(Product.id) == col(Inspection.product_id))
        .where(where, col(Inspection.outcome) == InspectionOutcome.INSPECTED)
        .group_by(*(key.element for key in keys))
    )


NOTE_KEY_CHARACTERS = 500  # notes are told apart by their start: a key PostgreSQL can index


def note_key() -> ColumnElement[str]:
    return func.lower(func.trim(func.substr(col(Inspection.notes), 1, NOTE_KEY_CHARACTERS)))


def note_facts(where: ColumnElement[bool]) -> Select[Any]:
    """Rows shaped like ``note_tallies``: units with a note, per trimmed lower-cased note (its
    first ``NOTE_KEY_CHARACTERS``)."""
    keys: tuple[Label[Any], ...] = (
        hour_start(col(Inspection.finished_at)).label("hour"),
        col(Inspection.station_id).label("station_id"),
        client_key().label("client_code"),
        note_key().label("note"),
    )
    query = select(*keys, func.count().label("units")).select_from(Inspection)
    return (
        _of_parcel(query, col(Inspection.parcel_id))
        .where(where, note_key() != "")
        .group_by(*(key.element for key in keys))
    )


def deduction_facts(where: ColumnElement[bool]) -> Select[Any]:
    """Rows shaped like ``deduction_tallies``: refund lines with a deduction, by the hour their
    refund was made and the station that received the parcel."""
    keys: tuple[Label[Any], ...] = (
        hour_start(col(Refund.created_at)).label("hour"),
        col(Parcel.station_id).label("station_id"),
        client_key().label("client_code"),
        col(RefundLine.deduction_reason).label("reason"),
        col(RefundLine.currency).label("currency"),
    )
    return (
        select(
            *keys,
            func.count().label("units"),
            func.sum(col(RefundLine.deduction)).label("deducted"),
        )
        .select_from(RefundLine)
        .join(Refund, col(Refund.id) == col(RefundLine.refund_id))
        .join(Parcel, col(Parcel.id) == col(Refund.parcel_id))
        .outerjoin(Return, col(Return.id) == col(Parcel.return_id))
        .where(where, col(RefundLine.deduction) > Decimal(0))
        .group_by(*(key.element for key in keys))
    )


class elapsed_seconds(FunctionElement[float]):  # noqa: N801 - reads as a SQL function
    """``end - start`` in seconds, as a float, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(elapsed_seconds, "sqlite")
def _elapsed_sqlite(element: elapsed_seconds, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(elapsed_seconds)
def _elapsed_default(element: elapsed_seconds, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS DOUBLE PRECISION)"


def _whole(seconds: Any) -> ColumnElement[int]:
    return cast(func.round(seconds), Integer)


def return_facts(where: ColumnElement[bool]) -> Select[Any]:
    """Rows shaped like ``return_tallies``: refunds by the hour they were made and the station
    that received the parcel, with the parcel's processing and inspection seconds and its
    units sent to refurbishment (per refund first, then grouped: portable to PostgreSQL)."""
    units = col(Inspection.parcel_id) == col(Refund.parcel_id)
    inspection_seconds = (
        select(
            func.coalesce(
                func.sum(elapsed_seconds(col(Inspection.started_at), col(Inspection.finished_at))),
                0.0,
            )
        )
        .where(units)
        .scalar_subquery()
    )
    refurbished = (
        select(func.count())
        .select_from(Inspection)
        .join(DispositionDecision, col(DispositionDecision.inspection_id) == col(Inspection.id))
        .where(units, col(DispositionDecision.disposition) == Disposition.REFURBISH)
        .scalar_subquery()
    )
    each = (
        select(
            hour_start(col(Refund.created_at)).label("hour"),
            col(Parcel.station_id).label("station_id"),
            client_key().label("client_code"),
            _whole(elapsed_seconds(col(Parcel.received_at), col(Refund.created_at))).label(
                "processing"
            ),
            _whole(inspection_seconds).label("inspection"),
            refurbished.label("refurbished"),
        )
        .select_from(Refund)
        .join(Parcel, col(Parcel.id) == col(Refund.parcel_id))
        .outerjoin(Return, col(Return.id) == col(Parcel.return_id))
        .where(where)
        .subquery()
    )
    return select(
        each.c.hour,
        each.c.station_id,
        each.c.client_code,
        func.count().label("refunds"),
        func.sum(each.c.processing).label("processing_seconds"),
        func.sum(each.c.inspection).label("inspection_seconds"),
        func.sum(each.c.refurbished).label("refurbished_units"),
    ).group_by(each.c.hour, each.c.station_id, each.c.client_code)


@dataclass(frozen=True)
class Tally:
    """A tally table, the query that fills it, and where its rows come from."""

    model: type[SQLModel]
    facts: Callable[[ColumnElement[bool]], Select[Any]]
    sums: tuple[str, ...]  # the columns added up when a group is already there
    parcel: Any  # the parcel the counted rows belong to
    time: Any  # the moment that puts a row in its hour
    station: Any  # the station a row counts for

    @property
    def table(self) -> Table:
        return self.model.__table__  # type: ignore[attr-defined, no-any-return]


_UNIT = (col(Inspection.parcel_id), col(Inspection.finished_at), col(Inspection.station_id))
UNITS = Tally(UnitTally, unit_facts, ("units", "resale_value"), *_UNIT)
CHECKLISTS = Tally(ChecklistTally, checklist_facts, ("units",), *_UNIT)
NOTES = Tally(NoteTally, note_facts, ("units",), *_UNIT)
DEDUCTIONS = Tally(
    DeductionTally,
    deduction_facts,
    ("units", "deducted"),
    col(Refund.parcel_id),
    col(Refund.created_at),
    col(Parcel.station_id),
)


RETURNS = Tally(
    ReturnTally,
    return_facts,
    ("refunds", "processing_seconds", "inspection_seconds", "refurbished_units"),
    col(Refund.parcel_id),
    col(Refund.created_at),
    col(Parcel.station_id),
)
TALLIES = (UNITS, CHECKLISTS, NOTES, DEDUCTIONS, RETURNS)

_HOUR = timedelta(hours=1)


def hour_split(
    start: datetime, end: datetime
) -> tuple[tuple[datetime, datetime] | None, list[tuple[datetime, datetime]]]:
    """The whole UTC hours inside [start, end), if any, and the partial ranges left over."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    first = start.replace(minute=0, second=0, microsecond=0)
    if first < start:
        first += _HOUR
    last = end.replace(minute=0, second=0, microsecond=0)
    if last <= first:
        return None, [(start, end)]
    edges = [(a, b) for a, b in ((start, first), (last, end)) if a < b]
    return (first, last), edges


def covering(
    tally: Tally,
    start: datetime,
    end: datetime,
    *,
    station_id: uuid.UUID | None,
    shop: str | None,
) -> Subquery:
    """The tally's rows for [start, end): its whole UTC hours from the table, the minutes at
    the edges grouped from the raw rows by ``tally.facts`` (same columns: exact for any
    period). At one station (None: all) and for one shop's key (a client code or
    ``OWN_SHOP``; None: every shop's rows, which add up to the warehouse's figures)."""
    hours, edges = hour_split(start, end)
    table = tally.table
    parts: list[Select[Any]] = []
    if hours is not None:
        rows = [table.c.hour >= hours[0], table.c.hour < hours[1]]
        if station_id is not None:
            rows.append(table.c.station_id == station_id)
        if shop is not None:
            rows.append(table.c.client_code == shop)
        parts.append(select(*table.c).where(*rows))
    if edges:
        raw = [or_(*(and_(tally.time >= a, tally.time < b) for a, b in edges))]
        if station_id is not None:
            raw.append(tally.station == station_id)
        if shop is not None:
            raw.append(client_key() == shop)
        parts.append(tally.facts(and_(*raw)))
    return parts[0].subquery() if len(parts) == 1 else union_all(*parts).subquery()


def record_tallies(connection: Connection, parcel_id: uuid.UUID) -> None:
    """Add the parcel's inspections and refund lines to every tally, in the transaction that
    writes them (``complete_parcel``, once per parcel: counting a row twice would double it)."""
    for statement in _tally_upserts(connection.dialect.name):
        connection.execute(statement, {"parcel_id": parcel_id})


@functools.cache
def _tally_upserts(dialect_name: str) -> tuple[Executable, ...]:
    """The five INSERT .. SELECT .. ON CONFLICT statements, built once per dialect: building
    them per completion cost more than running them (measured: about a third of complete()).
    PostgreSQL runs the five as one statement (data-modifying WITH clauses: each upserts a
    table of its own, reading rows the transaction wrote before), a round trip instead of
    five; SQLite has no INSERT inside WITH."""
    # Imported here: the PostgreSQL dialect costs a SQLite station 40 ms of its start.
    if dialect_name == "sqlite":
        from sqlalchemy.dialects import sqlite as dialect
    else:
        from sqlalchemy.dialects import postgresql as dialect  # type: ignore[no-redef]
    statements: list[Executable] = []
    for tally in TALLIES:
        query = tally.facts(tally.parcel == bindparam("parcel_id", type_=tally.parcel.type))
        names = [column.name for column in query.selected_columns]
        insert = dialect.insert(tally.table).from_select(names, query)
        statements.append(
            insert.on_conflict_do_update(
                index_elements=[column.name for column in tally.table.primary_key],
                set_={name: tally.table.c[name] + insert.excluded[name] for name in tally.sums},
            )
        )
    if dialect_name == "postgresql":
        upserts = [
            statement.cte(f"upsert_{tally.table.name}")  # type: ignore[attr-defined]
            for tally, statement in zip(TALLIES, statements, strict=True)
        ]
        return (select(literal(1)).add_cte(*upserts),)
    return tuple(statements)
