"""What happened: a completed return's outcome and the shift history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from sqlmodel import Session

from returnsdesk.data import history as queries
from returnsdesk.data import returns
from returnsdesk.data.models import RefundLine
from returnsdesk.domain.money import Money
from returnsdesk.domain.policy import RefundPolicy
from returnsdesk.services.intake import load_return_view
from returnsdesk.services.views import HistoryRow, OutcomeUnit, ReturnOutcome


def return_outcome(
    session: Session, record: returns.ReturnRecord, *, refunds: RefundPolicy, now: datetime
) -> ReturnOutcome:
    return_ = record.return_
    view = load_return_view(record, refunds=refunds, now=now)
    refund = queries.refund_of(session, return_.id)
    titles = {line.line_id: line.title for line in view.lines}
    refund_lines: dict[uuid.UUID, RefundLine] = {}  # by inspection
    operator_name = station_code = ""
    if refund is not None:
        for refund_line in queries.refund_lines(session, refund.id):
            if refund_line.inspection_id is not None:
                refund_lines[refund_line.inspection_id] = refund_line
        operator_name = queries.operator_name(session, refund.operator_id)
        station_code = queries.station_code_of_parcel(session, refund.parcel_id)
    rows = queries.inspections_of_return(session, return_.id)
    units = tuple(
        OutcomeUnit(
            description=(
                titles.get(inspection.return_line_id, inspection.sku_scanned or "")
                if inspection.return_line_id is not None
                else f"{inspection.sku_scanned} (not on this return)"
            ),
            sku=inspection.sku_scanned or "",
            grade=inspection.grade,
            disposition=decision.disposition if decision is not None else None,
            location=decision.location if decision is not None else None,
            flags=tuple(inspection.flags),
            amount=_money(refund_lines.get(inspection.id), "amount"),
            paid=_money(refund_lines.get(inspection.id), "gross"),
            deduction=_money(refund_lines.get(inspection.id), "deduction"),
            deduction_reason=(
                refund_lines[inspection.id].deduction_reason
                if inspection.id in refund_lines
                else ""
            ),
        )
        for inspection, decision in rows
    )
    return ReturnOutcome(
        view=view,
        completed_at=return_.completed_at,
        refund_total=Money(refund.total, refund.currency) if refund is not None else None,
        refund_status=refund.status if refund is not None else None,
        refund_status_reason=refund.status_reason if refund is not None else "",
        operator_name=operator_name,
        station_code=station_code,
        units=units,
    )


def shift_history(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    text: str = "",
    station_id: uuid.UUID | None = None,
    limit: int = 500,
) -> list[HistoryRow]:
    """Parcels received in [since, until), newest first, optionally filtered by free text."""
    rows = queries.parcels_received(
        session, since=since, until=until, text=text.strip(), station_id=station_id, limit=limit
    )
    operator_names = queries.operator_names(session)
    parcel_ids = [parcel.id for parcel, *_ in rows]
    flags_by_parcel = queries.unit_flags(session, parcel_ids) if parcel_ids else {}
    photo_counts = queries.photo_counts(session, parcel_ids) if parcel_ids else {}
    history: list[HistoryRow] = []
    for parcel, return_, refund, units in rows:
        parcel_flags = set(flags_by_parcel.get(parcel.id, ()))
        if parcel.unexpected:
            parcel_flags.add("unexpected_parcel")
        history.append(
            HistoryRow(
                parcel_id=parcel.id,
                received_at=parcel.received_at,
                completed_at=parcel.completed_at,
                tracking_number=parcel.tracking_number,
                rma_number=return_.rma_number if return_ is not None else None,
                customer_name=return_.customer_name if return_ is not None else "",
                status=parcel.status,
                units_inspected=int(units),
                refund_total=Money(refund.total, refund.currency) if refund is not None else None,
                refund_status=refund.status if refund is not None else None,
                flags=tuple(sorted(parcel_flags)),
                operator_name=operator_names.get(parcel.operator_id, ""),
                photos=photo_counts.get(parcel.id, 0),
            )
        )
    return history


def _money(
    line: RefundLine | None, column: Literal["amount", "gross", "deduction"]
) -> Money | None:
    return None if line is None else Money(getattr(line, column), line.currency)
