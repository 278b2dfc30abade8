"""Inspection figures for a period from the hourly tallies plus the raw rows at its edges.

A period's whole UTC hours are read from the tally tables (``data.tally_tables``); the minutes
before its first whole hour and after its last (a shift starting at 06:30, a zone with a
half-hour offset) are grouped from ``inspections`` by the same query that fills the tallies
(``data.tallies``). Both parts have the tally's columns, so a report sums ``units`` over their
union as if it were one table, and the result is exact for any period. (One difference: a
tally keeps a product's category and resale value as they were when the unit was completed;
the edges read today's catalogue.) A client shop's report reads its own rows of each tally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Subquery, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from returnsdesk.data.models import Parcel, Return
from returnsdesk.data.tallies import (
    CHECKLISTS,
    DEDUCTIONS,
    NOTES,
    UNITS,
    Tally,
    covering,
)

if TYPE_CHECKING:
    from returnsdesk.data.report_queries import Scope


def of_client(parcel_column: Any, client_code: str) -> ColumnElement[bool]:
    """Rows of a parcel received for one client shop's returns (an unexpected parcel belongs
    to no shop). The parcel is wrapped so that SQLite reads the period's rows by their time
    index and checks each against the shop's parcels; given the bare column it walked all of
    the shop's parcels instead, for every week (0.85 s a week on 200,000 inspections)."""
    parcels = (
        select(col(Parcel.id))
        .join(Return, col(Return.id) == col(Parcel.return_id))
        .where(col(Return.client_code) == client_code)
    )
    found: ColumnElement[bool] = func.coalesce(parcel_column, parcel_column).in_(parcels)
    return found


def _tallied(scope: Scope, tally: Tally) -> Subquery:
    period = scope.period
    return covering(
        tally, period.start, period.end, station_id=scope.station_id, shop=scope.client_code
    )


def units(scope: Scope) -> Subquery:
    """``unit_tallies`` rows covering the scope: outcome, grade, reason_code, disposition,
    flags, currency, units, resale_value."""
    return _tallied(scope, UNITS)


def checklists(scope: Scope) -> Subquery:
    """``checklist_tallies`` rows covering the scope: category, answers, units."""
    return _tallied(scope, CHECKLISTS)


def notes(scope: Scope) -> Subquery:
    """``note_tallies`` rows covering the scope: note, units."""
    return _tallied(scope, NOTES)


def deductions(scope: Scope) -> Subquery:
    """``deduction_tallies`` rows covering the scope (refunds made in the period, parcels
    received at the station): reason, currency, units, deducted."""
    return _tallied(scope, DEDUCTIONS)
