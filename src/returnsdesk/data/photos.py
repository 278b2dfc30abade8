"""Queries over photo evidence."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from returnsdesk.data.models import Photo


def photos(
    session: Session, *, parcel_id: uuid.UUID | None = None, since: datetime | None = None
) -> Sequence[Photo]:
    """Photos (of one parcel and its units, taken at or after ``since``), oldest first."""
    query = select(Photo).order_by(col(Photo.taken_at), col(Photo.id))
    if since is not None:
        query = query.where(col(Photo.taken_at) >= since)
    if parcel_id is not None:
        query = query.where(Photo.parcel_id == parcel_id)
    return session.exec(query).all()
