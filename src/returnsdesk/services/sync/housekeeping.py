"""Outbox housekeeping: delivered events are kept for a while (for the Sync panel and audits
of what reached the shop), then deleted so the table stays small."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from returnsdesk.data import outbox
from returnsdesk.data.db import Database

log = logging.getLogger(__name__)


def prune_delivered(database: Database, *, keep_days: int, now: datetime) -> int:
    """Delete events delivered more than ``keep_days`` ago; pending and parked ones stay.

    The newest event always stays: sequences are the current maximum + 1
    (``repositories.add_outbox_event``), and must never count back to numbers used before.
    """
    if keep_days < 1:
        raise ValueError("keep_days must be at least 1")
    cutoff = now - timedelta(days=keep_days)
    with database.session() as session:
        pruned = outbox.delete_delivered_before(session, cutoff)
    if pruned:
        log.info("Pruned %d outbox events delivered before %s", pruned, cutoff.isoformat())
    return pruned
