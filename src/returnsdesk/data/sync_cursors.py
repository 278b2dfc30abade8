"""Where each inbound feed was read up to."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from returnsdesk.data.models import SyncCursor


def read_cursor(session: Session, feed: str) -> str:
    """The feed's stored cursor; "" before its first page."""
    row = session.get(SyncCursor, feed)
    return row.cursor if row is not None else ""


def store_cursor(session: Session, feed: str, cursor: str, *, pulled_at: datetime) -> None:
    row = session.get(SyncCursor, feed) or SyncCursor(feed=feed)
    row.cursor = cursor
    row.pulled_at = pulled_at
    session.add(row)
