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
    RecoveryCase,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    Station,
)
from returnsdesk.data.repositories import return_subject


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
    audit: Sequence[AuditEntry]  # the entries about this return, in chain order


def return_record(
    session: Session, *, rma_number: str, client_code: str | None
) -> ReturnRecord | None:
    """Shop ``client_code``'s return (None: the station's own shop's) with this RMA number,
    in any case, and everything about it; None if that shop has none. Each shop numbers its
    own returns, so the caller says whose (``services.reports.scope.evidence_shop``)."""
    return_ = session.exec(
        select(Return)
        .where(
            func.upper(Return.rma_number) == rma_number.strip().upper(),
            col(Return.client_code).is_(None)
            if client_code is None
            else col(Return.client_code) == client_code,
        )
        .order_by(col(Return.rma_number))  # one, but for numbers differing only in case
    ).first()
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
    audit = _audit_of(session, return_)
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


# What an entry about a return names of it in its details (the services that write them).
_ROW_KEYS = ("parcel_id", "refund_id", "recovery_case_id")


def _audit_of(session: Session, return_: Return) -> list[AuditEntry]:
    """The audit entries about ``return_``, and none about another shop's return of the same
    number. Entries name a client shop's return by ``return_subject`` (its number and shop),
    the station's own shop's by the bare number. Client shops' entries written before they did
    (migration 0021 up to that change) carry the bare number too: such an entry belongs to the
    return whose parcel, refund or recovery case its details name, and, naming none that is
    still there, to the station's own shop's return (the one the bare number means)."""
    subject = return_subject(return_.rma_number, return_.client_code)
    entries = session.exec(
        select(AuditEntry)
        .where(col(AuditEntry.subject).in_({subject, return_.rma_number}))
        .order_by(col(AuditEntry.sequence))
    ).all()
    owners = _row_owners(session, return_.rma_number)

    def about_it(entry: AuditEntry) -> bool:
        if return_.client_code is not None and entry.subject == subject:
            return True
        named = next(
            (
                owners[str(entry.details[key])]
                for key in _ROW_KEYS
                if str(entry.details.get(key)) in owners
            ),
            None,
        )
        return named == return_.id if named is not None else return_.client_code is None

    return [entry for entry in entries if about_it(entry)]


def _row_owners(session: Session, rma_number: str) -> dict[str, uuid.UUID]:
    """Parcel, refund and recovery case ids (as text, as details hold them) -> their return,
    over every shop's return of this number."""
    returns = select(Return.id).where(Return.rma_number == rma_number)
    owners: dict[str, uuid.UUID] = {}
    for table in (Parcel, Refund, RecoveryCase):
        rows = session.exec(
            select(table.id, table.return_id).where(col(table.return_id).in_(returns))
        ).all()
        owners.update((str(row_id), return_id) for row_id, return_id in rows if return_id)
    return owners
