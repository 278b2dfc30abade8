"""Units finished in a parcel that is not completed yet, kept in the database.

The parcel's completion writes the inspections in one transaction (``inspection.py``). Until
then, each finished unit is a draft row, so a station that crashes or restarts mid-parcel, or
another station that scans the same parcel, carries on with the units already done, under the
same unit ids and therefore the same license plates as their printed labels.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, delete, select

from returnsdesk.data.models import UnitDraft
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
    deleted = session.execute(
        delete(UnitDraft)
        .where(col(UnitDraft.parcel_id) == parcel_id)
        .returning(col(UnitDraft.unit_id))
    )
    return set(deleted.scalars())
