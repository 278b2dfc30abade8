"""Write helpers every service transaction uses: the outbox and the audit trail.

Both add to the caller's session, so an event or audit entry commits or rolls back together with
the change it describes (one transaction per user action, see ``db.py``).

Sequences are the current maximum + 1. On SQLite that is safe because every transaction starts
with ``BEGIN IMMEDIATE``: writers run one at a time, so no two read the same maximum. On
PostgreSQL two concurrent transactions could read the same maximum: one station's user action
would then fail on the unique ``sequence`` and the audit chain would fork. So there a
transaction takes an advisory lock before it appends, held until it commits or rolls back:
appending transactions take turns, as on SQLite (tests/services/test_completion_concurrency.py).
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, func, select

from returnsdesk.data.models import AuditEntry, OutboxEvent
from returnsdesk.data.types import utcnow

GENESIS_HASH = "0" * 64  # the previous_hash of the first audit entry


@dataclass(frozen=True, slots=True)
class AuditVerification:
    ok: bool
    entries_checked: int  # up to and including the first broken entry, if any
    first_broken_sequence: int | None


def to_json_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` as plain JSON data: Decimal and UUID as strings, datetimes as ISO 8601 UTC.

    Stored JSON must read back exactly as written (the audit hash depends on it), so values
    json.dumps would change silently are refused: non-string keys, NaN and infinities.
    """
    return {_json_key(key): _json_value(value) for key, value in payload.items()}


# Fixed numbers, the same in every station, naming PostgreSQL advisory locks (``take_turns``).
APPEND_LOCK = 0x52455455524E53  # appending outbox events and audit entries (module docstring)
CLAIM_LOCK = 0x52454C4159  # the outbox relay claiming events (services/sync/relay.py)


def take_turns(session: Session, lock: int) -> None:
    """On PostgreSQL, wait until no other transaction holds ``lock``, and hold it to the end of
    this one: transactions taking it run one at a time, as every writer does on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})


def add_outbox_event(
    session: Session, *, event_type: str, aggregate_id: uuid.UUID, payload: dict[str, Any]
) -> OutboxEvent:
    """Queue an event for the order system in the caller's transaction."""
    take_turns(session, APPEND_LOCK)
    last = session.exec(select(func.max(col(OutboxEvent.sequence)))).one()
    event = OutboxEvent(
        sequence=(last or 0) + 1,
        event_type=event_type,
        aggregate_id=aggregate_id,
        payload=to_json_payload(payload),
        # Made once and stored: every delivery attempt sends the same key, so the order system
        # can drop duplicates when a reply was lost and the relay retries.
        idempotency_key=uuid.uuid4().hex,
    )
    session.add(event)
    return event


def append_audit(
    session: Session,
    *,
    action: str,
    subject: str,
    details: dict[str, Any],
    operator_id: uuid.UUID | None,
    station_id: uuid.UUID | None,
) -> AuditEntry:
    """Append an entry to the hash chain in the caller's transaction."""
    take_turns(session, APPEND_LOCK)
    last = session.exec(
        select(AuditEntry.sequence, AuditEntry.entry_hash)
        .order_by(col(AuditEntry.sequence).desc())
        .limit(1)
    ).first()
    sequence, previous_hash = last if last is not None else (0, GENESIS_HASH)
    entry = AuditEntry(
        id=uuid.uuid4(),
        sequence=sequence + 1,
        at=utcnow(),
        operator_id=operator_id,
        station_id=station_id,
        action=action,
        subject=subject,
        details=to_json_payload(details),
        previous_hash=previous_hash,
        entry_hash="",
    )
    entry.entry_hash = _entry_hash(entry)
    session.add(entry)
    return entry


def verify_audit_chain(session: Session) -> AuditVerification:
    """Recompute the chain from the first entry; stop at the first entry that does not fit.

    Detects edited, inserted, reordered and deleted entries, except deletion of the newest ones
    (compare ``entries_checked`` with a count kept elsewhere, e.g. a printed shift report).
    """
    checked = 0
    expected_previous = GENESIS_HASH
    # yield_per streams the rows; the session's identity map holds them only weakly.
    entries = session.exec(
        select(AuditEntry).order_by(col(AuditEntry.sequence)).execution_options(yield_per=500)
    )
    try:
        for entry in entries:
            checked += 1
            if (
                entry.sequence != checked
                or entry.previous_hash != expected_previous
                or entry.entry_hash != _entry_hash(entry)
            ):
                return AuditVerification(
                    ok=False, entries_checked=checked, first_broken_sequence=entry.sequence
                )
            expected_previous = entry.entry_hash
    finally:
        entries.close()  # on PostgreSQL a server-side cursor, open until closed
    return AuditVerification(ok=True, entries_checked=checked, first_broken_sequence=None)


def _entry_hash(entry: AuditEntry) -> str:
    fields = to_json_payload(
        {
            "id": entry.id,
            "sequence": entry.sequence,
            "at": entry.at,
            "operator_id": entry.operator_id,
            "station_id": entry.station_id,
            "action": entry.action,
            "subject": entry.subject,
            "details": entry.details,
        }
    )
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((entry.previous_hash + canonical).encode()).hexdigest()


def _json_key(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError(f"JSON object keys must be str, not {type(key).__name__}: {key!r}")
    return key


def _json_value(value: Any) -> Any:
    if isinstance(value, Enum):  # first: a StrEnum is also a str
        value = value.value
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be stored as JSON")
        return value
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"Timestamps must be timezone-aware: {value}")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Mapping):
        return to_json_payload(value)
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    raise TypeError(f"{type(value).__name__} is not JSON data: {value!r}")
