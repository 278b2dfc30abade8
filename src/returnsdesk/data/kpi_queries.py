"""The counts behind the returns KPIs (``domain.kpis``) for one window of time, in SQL.

Inspection and refund figures come from the hourly tallies (``data.tally_tables``) for the
window's whole UTC hours and from the raw rows, grouped by the query that fills the tallies,
for the minutes at its edges: exact for any window (``tallies.covering``, as for the other
reports); one client shop's from its own tally rows. Units ordered and returned are summed from
orders and returns (they are written by the order-system sync, not by completion, so not
tallied); refund findings are read from the few rows that record them (rejected refunds, parked
events, key replacements, re-grades), never by scanning every refund.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, Subquery, and_, func, literal, select, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from returnsdesk.data.models import (
    Inspection,
    Order,
    OrderLine,
    OutboxEvent,
    OutboxKeyReplacement,
    Parcel,
    RecoveryCase,
    Refund,
    Regrade,
    Return,
    ReturnLine,
)
from returnsdesk.data.tallies import RETURNS, UNITS, Tally, covering
from returnsdesk.domain.kpis import Finding, KpiCounts
from returnsdesk.domain.vocabulary import (
    InspectionOutcome,
    OutboxStatus,
    RecoveryResolution,
    RefundStatus,
)


@dataclass(frozen=True)
class Window:
    """[start, end) in aware datetimes, at one station (its id) or all (None), for one client
    shop's returns (its code) or every shop's (None)."""

    start: datetime
    end: datetime
    station_id: uuid.UUID | None = None
    client_code: str | None = None

    def of(self, client_column: Any) -> ColumnElement[bool]:
        return literal(True) if self.client_code is None else client_column == self.client_code

    def counts(self, station_id: uuid.UUID | None, client_code: str | None) -> bool:
        """Whether a row read without the filters (station and shop) belongs to the window."""
        return (self.station_id is None or station_id == self.station_id) and (
            self.client_code is None or client_code == self.client_code
        )

    def when(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.start, column < self.end)


def _tallied(window: Window, tally: Tally) -> Subquery:
    return covering(
        tally, window.start, window.end, station_id=window.station_id, shop=window.client_code
    )


@dataclass(frozen=True)
class Findings:
    """Refunds with a finding: when each was made, and which findings (``refund_findings``)."""

    refunds: dict[uuid.UUID, tuple[datetime, frozenset[str]]]

    def within(self, window: Window) -> list[frozenset[str]]:
        return [kinds for made, kinds in self.refunds.values() if window.start <= made < window.end]


def kpi_counts(
    connection: Connection, window: Window, findings: Findings | None = None
) -> KpiCounts:
    """Every count the KPIs need for the window, in one read transaction's snapshot.

    ``findings`` read once for a longer period (one pass instead of one per week) are cut to
    the window here; None reads the window's own."""
    ordered = connection.execute(
        select(func.coalesce(func.sum(col(OrderLine.quantity)), 0))
        .select_from(Order)
        .join(OrderLine, col(OrderLine.order_id) == col(Order.id))
        .where(window.when(col(Order.placed_at)), window.of(col(Order.client_code)))
    ).scalar_one()
    returned = connection.execute(
        select(func.coalesce(func.sum(col(ReturnLine.quantity)), 0))
        .select_from(Return)
        .join(ReturnLine, col(ReturnLine.return_id) == col(Return.id))
        .where(window.when(col(Return.created_at)), window.of(col(Return.client_code)))
    ).scalar_one()
    work = _tallied(window, RETURNS)
    refunds, processing, inspection, refurbished = connection.execute(
        select(
            func.coalesce(func.sum(work.c.refunds), 0),
            func.coalesce(func.sum(work.c.processing_seconds), 0.0),
            func.coalesce(func.sum(work.c.inspection_seconds), 0.0),
            func.coalesce(func.sum(work.c.refurbished_units), 0),
        )
    ).one()
    units = _tallied(window, UNITS)
    channels = connection.execute(
        select(
            units.c.disposition,
            units.c.currency,
            func.sum(units.c.units),
            func.sum(units.c.resale_value),
        )
        .where(units.c.outcome == InspectionOutcome.INSPECTED.value, units.c.disposition != "")
        .group_by(units.c.disposition, units.c.currency)
    ).all()
    by_channel: dict[str, int] = {}
    resale: dict[tuple[str, str], Decimal] = {}
    for disposition, currency, count, value in channels:
        by_channel[disposition] = by_channel.get(disposition, 0) + int(count)
        if currency:
            resale[(disposition, currency)] = Decimal(value)
    found = (findings or refund_findings(connection, window)).within(window)
    per_finding: dict[str, int] = {}
    for kinds in found:
        for kind in kinds:
            per_finding[kind] = per_finding.get(kind, 0) + 1
    return KpiCounts(
        units_ordered=int(ordered),
        units_returned=int(returned),
        refunds=int(refunds),
        processing_seconds=float(processing),
        inspection_seconds=float(inspection),
        refurbished_on_refunds=int(refurbished),
        refunds_with_findings=len(found),
        findings=per_finding,
        units_by_channel=by_channel,
        resale=resale,
    )


def refund_findings(connection: Connection, window: Window) -> Findings:
    """The window's refunds (made in it, parcel received at the station) with a finding, and
    which (``domain.kpis.Finding``). Each part names its refunds by ``IN (subquery)`` over the
    few rows that record the finding: SQLite then looks those refunds up by key instead of
    scanning the window's refunds for each (6.5 s -> well under 0.1 s on the bench file)."""
    refund_event = col(OutboxEvent.event_type).like("refund.%")
    parked = select(col(OutboxEvent.aggregate_id)).where(
        col(OutboxEvent.status) == OutboxStatus.NEEDS_ATTENTION, refund_event
    )
    resent = (
        select(col(OutboxEvent.aggregate_id))
        .select_from(OutboxKeyReplacement)
        .join(OutboxEvent, col(OutboxEvent.id) == col(OutboxKeyReplacement.event_id))
        .where(refund_event)
    )
    regraded = (
        select(col(Inspection.parcel_id))
        .select_from(Regrade)
        .join(Inspection, col(Inspection.id) == col(Regrade.inspection_id))
        .where(col(Regrade.grade).is_not(None), col(Regrade.grade) != col(Regrade.first_grade))
    )
    open_case = col(RecoveryCase.closed_at).is_(None)
    rules: list[tuple[Finding, ColumnElement[bool]]] = [
        (Finding.REJECTED, col(Refund.status) == RefundStatus.REJECTED),
        (Finding.PARKED, col(Refund.return_id).in_(parked)),
        (Finding.RESENT, col(Refund.return_id).in_(resent)),
        (Finding.REGRADED, col(Refund.parcel_id).in_(regraded)),
        (Finding.RECOVERY_OPEN, col(Refund.id).in_(_recovery_cases(open_case))),
        # Closed: the finding is named as the resolution (``Finding`` has each one's word).
        *(
            (
                Finding(resolution.value),
                col(Refund.id).in_(_recovery_cases(col(RecoveryCase.resolution) == resolution)),
            )
            for resolution in RecoveryResolution
        ),
    ]
    # The station (and shop) is checked here, not in SQL: given a station, SQLite would walk
    # all of its parcels instead (0.3 s a part for 30 days on the bench file).
    parts = [
        select(
            col(Refund.id),
            col(Refund.created_at),
            literal(finding.value),
            col(Parcel.station_id),
            col(Return.client_code),
        )
        .select_from(Refund)
        .join(Parcel, col(Parcel.id) == col(Refund.parcel_id))
        .join(Return, col(Return.id) == col(Refund.return_id))
        .where(rule, window.when(col(Refund.created_at)))
        for finding, rule in rules
    ]
    found: dict[uuid.UUID, tuple[datetime, frozenset[str]]] = {}
    for refund_id, made, kind, station_id, client_code in connection.execute(union_all(*parts)):
        if window.counts(station_id, client_code):
            kinds = found[refund_id][1] if refund_id in found else frozenset()
            found[refund_id] = (made, kinds | {kind})
    return Findings(found)


def _recovery_cases(state: ColumnElement[bool]) -> Select[uuid.UUID]:
    """The refunds (paid on receipt) whose recovery case is in ``state``."""
    return select(col(RecoveryCase.refund_id)).where(state)


def recovery_cases(
    connection: Connection, window: Window
) -> list[tuple[RecoveryResolution | None, str, Decimal, Decimal]]:
    """The recovery cases of the window's refunds (made in it): resolution (None: open),
    currency, paid on receipt, what inspection refunds. Few rows: only refunds paid on receipt
    that inspection found too high."""
    rows = connection.execute(
        select(
            col(RecoveryCase.resolution),
            col(RecoveryCase.currency),
            col(RecoveryCase.paid),
            col(RecoveryCase.inspected),
            col(Parcel.station_id),
            col(Return.client_code),
        )
        .select_from(RecoveryCase)
        .join(Refund, col(Refund.id) == col(RecoveryCase.refund_id))
        .join(Parcel, col(Parcel.id) == col(Refund.parcel_id))
        .join(Return, col(Return.id) == col(Refund.return_id))
        .where(window.when(col(Refund.created_at)))
    )
    return [
        (resolution, currency, paid, inspected)
        for resolution, currency, paid, inspected, station_id, client_code in rows
        if window.counts(station_id, client_code)
    ]
