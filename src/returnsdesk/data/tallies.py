"""How inspections become report tallies (``data.tally_tables``), in one definition.

Each ``*_facts`` query groups raw inspections exactly as its tally table does; it fills the
tallies when a parcel is completed (``record_tallies``, same transaction), back-fills them in
migration 0008 (the same SQL, written out there), and gives reports the partial hours at the
edges of a period.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, String, cast, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement, Label
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import SQLModel, col

from returnsdesk.data.models import DispositionDecision, Inspection, Product, ReturnLine
from returnsdesk.data.tally_tables import ChecklistTally, NoteTally, UnitTally
from returnsdesk.data.types import UTCDateTime
from returnsdesk.domain.vocabulary import InspectionOutcome


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


def unit_facts(where: ColumnElement[bool]) -> Select[Any]:
    """Rows shaped like ``unit_tallies`` for the inspections matching ``where``."""
    hour = hour_start(col(Inspection.finished_at))
    keys: tuple[Label[Any], ...] = (
        hour.label("hour"),
        col(Inspection.station_id).label("station_id"),
        _text(col(Inspection.outcome)).label("outcome"),
        func.coalesce(col(Inspection.grade), "").label("grade"),
        func.coalesce(col(ReturnLine.reason_code), "").label("reason_code"),
        func.coalesce(_text(col(DispositionDecision.disposition)), "").label("disposition"),
        _text(col(Inspection.flags)).label("flags"),
        func.coalesce(col(Product.currency), "").label("currency"),
    )
    return (
        select(
            *keys,
            func.count().label("units"),
            func.coalesce(func.sum(col(Product.unit_value)), Decimal(0)).label("resale_value"),
        )
        .select_from(Inspection)
        .outerjoin(ReturnLine, col(ReturnLine.id) == col(Inspection.return_line_id))
        .outerjoin(
            DispositionDecision, col(DispositionDecision.inspection_id) == col(Inspection.id)
        )
        .outerjoin(Product, col(Product.sku) == col(Inspection.sku_scanned))
        .where(where)
        .group_by(*(key.element for key in keys))
    )


def checklist_facts(where: ColumnElement[bool]) -> Select[Any]:
    """Rows shaped like ``checklist_tallies``: inspected units of catalogued products."""
    keys: tuple[Label[Any], ...] = (
        hour_start(col(Inspection.finished_at)).label("hour"),
        col(Inspection.station_id).label("station_id"),
        col(Product.category).label("category"),
        _text(col(Inspection.checklist)).label("answers"),
    )
    return (
        select(*keys, func.count().label("units"))
        .select_from(Inspection)
        .join(Product, col(Product.sku) == col(Inspection.sku_scanned))
        .where(where, col(Inspection.outcome) == InspectionOutcome.INSPECTED)
        .group_by(*(key.element for key in keys))
    )


def note_key() -> ColumnElement[str]:
    return func.lower(func.trim(col(Inspection.notes)))


def note_facts(where: ColumnElement[bool]) -> Select[Any]:
    """Rows shaped like ``note_tallies``: units with a note, per trimmed lower-cased note."""
    keys: tuple[Label[Any], ...] = (
        hour_start(col(Inspection.finished_at)).label("hour"),
        col(Inspection.station_id).label("station_id"),
        note_key().label("note"),
    )
    return (
        select(*keys, func.count().label("units"))
        .select_from(Inspection)
        .where(where, note_key() != "")
        .group_by(*(key.element for key in keys))
    )


TALLIES: tuple[tuple[type[SQLModel], Any, tuple[str, ...]], ...] = (
    (UnitTally, unit_facts, ("units", "resale_value")),
    (ChecklistTally, checklist_facts, ("units",)),
    (NoteTally, note_facts, ("units",)),
)


def record_tallies(connection: Connection, where: ColumnElement[bool]) -> None:
    """Add the inspections matching ``where`` to every tally, in the caller's transaction.

    Call it once per inspection, in the transaction that writes it (``complete_parcel``):
    counting a row twice would double it."""
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    for model, facts, sums in TALLIES:
        table = model.__table__  # type: ignore[attr-defined]
        query = facts(where)
        names = [column.name for column in query.selected_columns]
        insert = dialect.insert(table).from_select(names, query)
        connection.execute(
            insert.on_conflict_do_update(
                index_elements=[column.name for column in table.primary_key],
                set_={name: table.c[name] + insert.excluded[name] for name in sums},
            )
        )
