"""Units finished in a parcel that is not completed yet, kept in the database.

The parcel's completion writes the inspections in one transaction (``inspection.py``). Until
then, each finished unit is a draft row, so a station that crashes or restarts mid-parcel, or
another station that scans the same parcel, carries on with the units already done, under the
same unit ids and therefore the same license plates as their printed labels.
"""

from __future__ import annotations

import functools
import uuid

from sqlalchemy import bindparam, delete
from sqlalchemy.sql.dml import ReturningDelete
from sqlmodel import Session, col, select

from returnsdesk.data.models import UnitDraft, table_of
from returnsdesk.domain.inspection import InspectedUnit


def save_unit(
    session: Session,
    *,
    parcel_id: uuid.UUID,
    unit: InspectedUnit,
    station_id: uuid.UUID,
    operator_id: uuid.UUID,
) -> None:
    """Record (or replace) a finished unit in the caller's transaction."""
    draft = session.get(UnitDraft, unit.unit_id) or UnitDraft(
        unit_id=unit.unit_id,
        parcel_id=parcel_id,
        station_id=station_id,
        operator_id=operator_id,
    )
    draft.payload = unit.to_record()
    session.add(draft)


def finished_units(session: Session, parcel_id: uuid.UUID) -> list[InspectedUnit]:
    rows = session.exec(
        select(UnitDraft)
        .where(UnitDraft.parcel_id == parcel_id)
        .order_by(col(UnitDraft.created_at))
    ).all()
    return [InspectedUnit.from_record(row.payload) for row in rows]


def clear(session: Session, parcel_id: uuid.UUID) -> set[uuid.UUID]:
    """The parcel is being completed: its drafts become inspections. Returns the ids of the
    units deleted, so the completion can see any it did not know of (and roll back)."""
    deleted = session.connection().execute(_clear(), {"parcel_id": parcel_id})
    return set(deleted.scalars())


@functools.cache
def _clear() -> ReturningDelete[uuid.UUID]:
    # Built once (data/returns._statement: building a statement costs more than running it).
    drafts = table_of(UnitDraft)
    return (
        delete(drafts)
        .where(drafts.c.parcel_id == bindparam("parcel_id"))
        .returning(drafts.c.unit_id)
    )
