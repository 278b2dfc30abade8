"""Outbox housekeeping: delivered events are kept for a while (for the Sync panel and audits
of what reached the shop), then deleted so the table stays small.

Customer messages are kept longer (``messages.keep_days``): they are the lead's record of
what a customer was told and when, and what a resend copies."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from returnsdesk.data import outbox
from returnsdesk.data.db import Database
from returnsdesk.services.messages.queue import MESSAGE_EVENT

log = logging.getLogger(__name__)


def prune_delivered(
    database: Database, *, keep_days: int, now: datetime, keep_message_days: int | None = None
) -> int:
    """Delete events delivered more than ``keep_days`` ago (customer messages: more than
    ``keep_message_days`` ago, if given); pending and parked ones stay.

    The newest event always stays: sequences are the current maximum + 1
    (``repositories.add_outbox_event``), and must never count back to numbers used before.
    """
    message_days = keep_days if keep_message_days is None else keep_message_days
    if keep_days < 1 or message_days < 1:
        raise ValueError("keep_days and keep_message_days must be at least 1")
    cutoff = now - timedelta(days=keep_days)
    message_cutoff = now - timedelta(days=message_days)
    with database.session() as session:
        pruned = outbox.delete_delivered_before(
            session, cutoff, kept_longer=MESSAGE_EVENT, kept_longer_cutoff=message_cutoff
        )
    if pruned:
        log.info("Pruned %d outbox events delivered before %s", pruned, cutoff.isoformat())
    return pruned
