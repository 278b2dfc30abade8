"""Everything recorded about one return, read for its evidence pack (``services.reports``).

One return is a bounded number of rows, so plain ORM reads are fine here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from returnsdesk.data.models import (
    AuditEntry,
    DispositionDecision,
    Inspection,
    Operator,
    Order,
    OrderLine,
    Parcel,
    Photo,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    Station,
)


@dataclass(frozen=True, slots=True)
class ReturnRecord:
    return_: Return
    order: Order
    operator_names: dict[uuid.UUID, str]  # "Name (CODE)" of every operator
    station_codes: dict[uuid.UUID, str]
    lines: Sequence[tuple[ReturnLine, OrderLine]]  # by SKU
    parcels: Sequence[Parcel]  # by receipt
    units: Sequence[tuple[Inspection, DispositionDecision | None]]  # by finish
    refund: Refund | None
    refund_lines: Sequence[tuple[RefundLine, ReturnLine]]  # by SKU, then unit
    photos: Sequence[Photo]  # by when taken
    audit: Sequence[AuditEntry]  # the entries about the RMA, in chain order


def return_record(
    session: Session, *, rma_number: str, client_code: str | None = None
) -> ReturnRecord | None:
    """The return with this RMA number (in any case) and everything about it; None if none.
    ``client_code``: the shop whose RMA it is, where several shops number their own."""
    query = select(Return).where(func.upper(Return.rma_number) == rma_number.strip().upper())
    if client_code is not None:
        query = query.where(Return.client_code == client_code)
    return_ = session.exec(query).first()
    if return_ is None:
        return None
    order = session.get(Order, return_.order_id)
    assert order is not None  # foreign key
    names = {o.id: f"{o.name} ({o.code})" for o in session.exec(select(Operator))}
    stations = {s.id: s.code for s in session.exec(select(Station))}
    lines = session.exec(
        select(ReturnLine, OrderLine)
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .where(ReturnLine.return_id == return_.id)
        .order_by(col(ReturnLine.sku))
    ).all()
    parcels = session.exec(
        select(Parcel).where(Parcel.return_id == return_.id).order_by(col(Parcel.received_at))
    ).all()
    parcel_ids = [p.id for p in parcels]
    units = session.exec(
        select(Inspection, DispositionDecision)
        .outerjoin(
            DispositionDecision, col(DispositionDecision.inspection_id) == col(Inspection.id)
        )
        .where(col(Inspection.parcel_id).in_(parcel_ids))
        .order_by(col(Inspection.finished_at))
    ).all()
    refund = session.exec(select(Refund).where(Refund.return_id == return_.id)).first()
    refund_lines = (
        session.exec(
            select(RefundLine, ReturnLine)
            .join(ReturnLine, col(ReturnLine.id) == col(RefundLine.return_line_id))
            .where(RefundLine.refund_id == refund.id)
            .order_by(col(ReturnLine.sku), col(RefundLine.unit_index))
        ).all()
        if refund is not None
        else []
    )
    photos = session.exec(
        select(Photo).where(col(Photo.parcel_id).in_(parcel_ids)).order_by(col(Photo.taken_at))
    ).all()
    audit = session.exec(
        select(AuditEntry)
        .where(AuditEntry.subject == return_.rma_number)
        .order_by(col(AuditEntry.sequence))
    ).all()
    return ReturnRecord(
        return_=return_,
        order=order,
        operator_names=names,
        station_codes=stations,
        lines=lines,
        parcels=parcels,
        units=units,
        refund=refund,
        refund_lines=refund_lines,
        photos=photos,
        audit=audit,
    )
