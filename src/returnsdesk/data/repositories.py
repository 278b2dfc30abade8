"""Write helpers every service transaction uses: the outbox and the audit trail.

Both add to the caller's session, so an event or audit entry commits or rolls back together with
the change it describes (one transaction per user action, see ``db.py``).

Sequences are the current maximum + 1. On SQLite that is safe because every transaction starts
with ``BEGIN IMMEDIATE``: writers run one at a time, so no two read the same maximum. On
PostgreSQL two concurrent transactions could read the same maximum: one station's user action
would then fail on the unique ``sequence`` and the audit chain would fork. So there a
transaction takes an advisory lock (``APPEND_LOCK``) before it numbers anything, held until it
commits or rolls back: numbering transactions take turns, and numbers increase in commit order.
The relay relies on that: it delivers a return's events in ``sequence`` order and an event
waits only for lower-numbered events it can see, so a lower number committed after a higher
one was delivered would break the order.

Numbering waits for the commit. ``add_outbox_event`` and ``append_audit`` only note their
event and entry; ``_number_appends`` (a ``before_commit`` hook on every session) takes the
lock, numbers the events in the order they were added, writes them in one INSERT and appends
the entries to the chain, right before COMMIT. So a completion holds the lock for its last few
statements rather than for its whole transaction, and stations completing at once overlap on
PostgreSQL (issue 16: the lock was taken by the first event and waited for by every other
station for the rest of the completion). Until the commit neither is in the database, so
nothing in the transaction reads them (``outbox.end_holds`` also ends the holds of the
transaction's own events, noted here). An event is a plain row, not an ORM object: a
completion queues nine or more, and as objects they were a tenth of its Python time, written
in three autoflushed INSERTs and then an UPDATE numbering them. An entry's ``at`` is its
commit's time, and a chain that refuses it (no audit key, a broken seal) fails the commit: the
user action is rolled back whole, as when the append itself raised.

The audit trail (issue 11). Each entry's ``entry_hash`` is an HMAC-SHA256, under the station's
audit key (``audit_key.py``; never in the database), of the previous entry's hash and the
entry's fields: without the key nobody can edit an entry and recompute the chain. Entries from
before migration 0009 keep their plain SHA-256 (``algorithm``); the first keyed entry covers
the last of them, and a plain entry after it is refused by verification. The one-row
``audit_seal`` holds the newest entry's sequence and hash under the key, rewritten with every
append, so deleting the newest entries shows too. The database refuses UPDATE and DELETE on
``audit_entries`` (triggers, migration 0009), so tampering needs dropping a trigger first.

The newest entry is also sent off the station, as an ``audit.anchored`` outbox event the
order system keeps (docs/sync-api.yaml): after every refund decision of a shift lead
(``refund.*``, the decisions issue 11 is about) and every ``ANCHOR_EVERY``-th entry. An
attacker who restores an old copy of the seal after deleting entries is caught by the
anchors, up to the last one delivered (and by those still in the outbox, which verification
compares with the trail).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Insert, Select, Update, insert, literal, text, true, update
from sqlalchemy import select as sa_select
from sqlalchemy.event import listens_for
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, func, select

from returnsdesk.data.audit_key import PROVIDER, AuditKey, AuditKeyError
from returnsdesk.data.models import (
    AUDIT_KEYED,
    AUDIT_PLAIN,
    AuditEntry,
    AuditSeal,
    OutboxEvent,
    Return,
    row_of,
    table_of,
)
from returnsdesk.data.types import utcnow
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.ids import new_id
from returnsdesk.domain.vocabulary import OutboxStatus

GENESIS_HASH = "0" * 64  # the previous_hash of the first audit entry
SEAL_ID = 1  # the one row of audit_seal
ANCHOR_EVENT = "audit.anchored"
RESEAL_ACTION = "audit.resealed"
ANCHOR_EVERY = 50  # entries between anchors, besides one after each refund decision
# Anchors are one ordered stream of their own in the outbox (the relay orders per aggregate).
AUDIT_TRAIL_ID = uuid.UUID("a0d17000-0000-4000-8000-000000000011")


class AuditTrailBroken(OperatorError):
    """The audit trail was changed outside returnsdesk: nothing more is recorded until IT has
    looked (``returnsdesk audit verify``, then ``returnsdesk audit reseal``)."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"The audit trail was changed outside returnsdesk ({what}). Nothing can be recorded"
            " until IT checks it with 'returnsdesk audit verify'."
        )


@dataclass(frozen=True, slots=True)
class AuditVerification:
    ok: bool
    entries_checked: int  # up to and including the first broken entry, if any
    first_broken_sequence: int | None
    problem: str | None = None  # what is wrong, in words for IT
    first_broken_action: str | None = None
    first_broken_at: datetime | None = None
    # Whom or what it is about: for a client shop's return its number and shop (return_subject).
    first_broken_subject: str | None = None
    plain_entries: int = 0  # from before keyed sealing (migration 0009), among those checked


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


_APPENDS = "returnsdesk.appends"  # session.info: what the transaction numbers at commit


@dataclass(slots=True)
class _Appends:
    """A transaction's outbox events and audit entries waiting for ``_number_appends``."""

    transaction: SessionTransaction
    events: list[dict[str, Any]] = field(default_factory=list)  # outbox_events rows
    entries: list[AuditEntry] = field(default_factory=list)
    numbering: bool = False  # in the hook, holding the lock: number at once
    # Read once under the lock, then kept up to date as events are numbered and entries added.
    head: _ChainHead | None = None


def _appends(session: Session) -> _Appends:
    transaction = session.get_transaction() or session.begin()
    appends = session.info.get(_APPENDS)
    if appends is None or appends.transaction is not transaction:  # a new transaction
        appends = session.info[_APPENDS] = _Appends(transaction)
    return appends


def add_outbox_event(
    session: Session,
    *,
    event_type: str,
    aggregate_id: uuid.UUID,
    payload: dict[str, Any],
    now: datetime,
    held_until: datetime | None = None,
) -> uuid.UUID:
    """Queue an event for the order system in the caller's transaction, due at once (or at
    ``held_until``: the later events of its return wait behind it; ``outbox.end_holds``).
    It is numbered and written at commit (module docstring); returns its id.

    ``now`` is the caller's clock (GUIDE.md 16), not the machine's: the relay's clock decides
    when the event is due, and a station run on an injected clock must queue on that clock.
    """
    appends = _appends(session)
    event_id = new_id()
    appends.events.append(
        {
            "id": event_id,
            # An anchor of an entry being appended at commit is numbered at once.
            "sequence": _next_outbox_sequence(session) if appends.numbering else None,
            "event_type": event_type,
            "aggregate_id": aggregate_id,
            "payload": to_json_payload(payload),
            # Made once and stored: every delivery attempt sends the same key, so the order
            # system can drop duplicates when a reply was lost and the relay retries.
            "idempotency_key": uuid.uuid4().hex,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "last_error": None,
            "created_at": now,
            "next_attempt_at": held_until or now,
            "delivered_at": None,
            "held_until": held_until,
            "client_code": _client_of(session, payload.get("return_id") or aggregate_id),
        }
    )
    return event_id


def queued_events(session: Session) -> list[dict[str, Any]]:
    """The outbox rows the session's transaction has queued, written at its commit."""
    appends = session.info.get(_APPENDS)
    if appends is None or appends.transaction is not session.get_transaction():
        return []
    events: list[dict[str, Any]] = appends.events
    return events


def _client_of(session: Session, return_id: object) -> str | None:
    """The client shop of the event's return (its order system receives it); None for events
    of no return (audit anchors) and the station's own shop. The return is nearly always in
    the session already: every writer of an event has just read or changed it."""
    try:
        key = return_id if isinstance(return_id, uuid.UUID) else uuid.UUID(str(return_id))
    except ValueError:
        return None
    with session.no_autoflush:
        found = session.get(Return, key)
    return None if found is None else found.client_code


@listens_for(Session, "before_commit")
def _number_appends(session: Session) -> None:
    """Right before COMMIT: take the append lock, number the transaction's outbox events in the
    order they were added, then append its audit entries to the chain (their anchors last)."""
    appends = session.info.get(_APPENDS)
    if (
        appends is None
        or appends.transaction is not session.get_transaction()
        # A savepoint's release is not the commit. (returnsdesk takes none; one rolled back
        # would keep the events and entries noted here.)
        or session.in_nested_transaction()
        or not (appends.events or appends.entries)
    ):
        return
    session.flush()  # the transaction's other writes, before the lock: only the tail waits
    take_turns(session, APPEND_LOCK)
    appends.head = _read_head(session)
    appends.numbering = True
    for event in appends.events:
        event["sequence"] = _next_outbox_sequence(session)
    for entry in appends.entries:
        _append(session, entry, reseal=False)  # its anchor event, if due, numbered as added
    if appends.events:
        session.connection().execute(insert(table_of(OutboxEvent)), appends.events)
    appends.events.clear()
    appends.entries.clear()


def _next_outbox_sequence(session: Session) -> int:
    """The next sequence number, under the append lock (SQLite: the transaction's own write
    lock), so no other writer can number one until this transaction ends. The newest was read
    once with the chain's head (``_read_head``), then counted on in memory (a ``max()`` per
    event cost a query each: a completion queues nine or more)."""
    head = _held_head(_appends(session))
    head.last_event += 1
    return head.last_event


def return_subject(rma_number: str, client_code: str | None) -> str:
    """The ``subject`` of an audit entry about a return: its RMA number and, for a client
    shop's return, the shop, since each shop numbers its own (migration 0022). The station's
    own shop's keep the bare number, as every entry about a return was written before.
    Client codes are letters, digits, - and _ (config.py), so the two forms never meet."""
    return rma_number if client_code is None else f"{rma_number} (client {client_code})"


def append_audit(
    session: Session,
    *,
    action: str,
    subject: str,
    details: dict[str, Any],
    operator_id: uuid.UUID | None,
    station_id: uuid.UUID | None,
) -> AuditEntry:
    """Append a keyed entry to the audit chain and re-seal it, when the caller's transaction
    commits (module docstring: its ``sequence`` and hashes are set then).

    The key comes from ``audit_key.PROVIDER`` (see "The audit trail" above); the commit raises
    ``AuditKeyError`` (an operator error naming what IT must do) when this station has none or
    the wrong one, ``AuditTrailBroken`` when the seal does not match the newest entry.
    """
    entry = _new_entry(action, subject, details, operator_id, station_id)
    appends = _appends(session)
    if appends.numbering:
        return _append(session, entry, reseal=False)
    appends.entries.append(entry)
    return entry


def reseal_audit(session: Session, *, reason: str, by: str) -> AuditEntry:
    """After IT has looked at a broken seal (``returnsdesk audit verify``): record what the seal
    and the trail said in a new entry, and seal the trail as it is now. The break stays visible
    in that entry for good; nothing is repaired silently. Appended at once, under the lock."""
    take_turns(session, APPEND_LOCK)
    head = _appends(session).head = _read_head(session)
    seal, last = head.seal, head.last_entry
    details: dict[str, Any] = {
        "reason": reason,
        "by": by,
        "seal_head": None if seal is None else [seal.head_sequence, seal.head_hash],
        "found_head": None if last is None else [last[0], last[1]],
        # Anchors queued up to here name the trail before the break: verification skips them.
        "outbox_until": head.last_event,
    }
    entry = _new_entry(RESEAL_ACTION, "audit trail", details, None, None)
    return _append(session, entry, reseal=True)


def _new_entry(
    action: str,
    subject: str,
    details: dict[str, Any],
    operator_id: uuid.UUID | None,
    station_id: uuid.UUID | None,
) -> AuditEntry:
    """What the caller says; ``_append`` places it in the chain (sequence, time, hashes)."""
    return AuditEntry(
        id=new_id(),
        sequence=0,
        operator_id=operator_id,
        station_id=station_id,
        action=action,
        subject=subject,
        details=to_json_payload(details),
        previous_hash="",
        entry_hash="",
        algorithm=AUDIT_KEYED,
    )


def _append(session: Session, entry: AuditEntry, *, reseal: bool) -> AuditEntry:
    """Place ``entry`` after the newest one and re-seal; the caller holds the append lock."""
    head = _held_head(_appends(session))
    seal, last = head.seal, head.last_entry
    sequence, previous_hash, algorithm = last if last is not None else (0, GENESIS_HASH, None)
    if not reseal:
        # Appending after a truncation would seal the shortened trail as if nothing happened.
        if seal is None and algorithm == AUDIT_KEYED:
            raise AuditTrailBroken("the audit trail's seal is missing")
        if seal is not None and (seal.head_sequence, seal.head_hash) != (sequence, previous_hash):
            raise AuditTrailBroken(
                f"the audit trail's seal names entry #{seal.head_sequence}, but the newest"
                f" entry is #{sequence}"
            )
    key = _sealing_key(seal, may_create=seal is None and algorithm != AUDIT_KEYED)
    if seal is None:
        # The first keyed entry: the plain SHA-256 entries before it (migration 0009) stay
        # as they are, and this entry's keyed hash covers the last of them.
        plain = select(func.max(col(AuditEntry.sequence))).where(
            col(AuditEntry.algorithm) == AUDIT_PLAIN
        )
        legacy_until = session.exec(plain).one() or 0
    else:
        legacy_until = seal.legacy_until
    entry.sequence = sequence + 1
    entry.at = utcnow()
    entry.previous_hash = previous_hash
    entry.entry_hash = _keyed_hash(entry, key)
    new_seal = seal is None
    if seal is None:
        seal = AuditSeal(
            id=SEAL_ID, key_id="", head_sequence=0, head_hash="", legacy_until=0, mac=""
        )
    seal.key_id = key.key_id
    seal.head_sequence = entry.sequence
    seal.head_hash = entry.entry_hash
    seal.legacy_until = legacy_until
    seal.sealed_at = entry.at
    seal.mac = _seal_mac(seal, key)
    _write_entry_and_seal(session, entry, seal, new_seal=new_seal)
    head.seal = seal
    head.last_entry = (entry.sequence, entry.entry_hash, entry.algorithm)
    if _anchor_due(entry):
        add_outbox_event(
            session,
            event_type=ANCHOR_EVENT,
            aggregate_id=AUDIT_TRAIL_ID,
            payload={
                "sequence": entry.sequence,
                "entry_hash": entry.entry_hash,
                "key_id": key.key_id,
                "at": entry.at,
            },
            now=entry.at,
        )
    return entry


def verify_audit_chain(session: Session, key: AuditKey | None = None) -> AuditVerification:
    """Check the whole trail with ``key`` (default: this station's) and the seal.

    Detects edited, inserted, reordered and deleted entries, the newest ones included, and a
    trail rewritten without the key. Raises ``AuditKeyError`` when the trail is keyed and this
    station has no key or another one. Stops at the first entry that does not fit.
    """
    seal = session.get(AuditSeal, SEAL_ID)
    if key is None:
        key = PROVIDER.get()
    if seal is not None:
        key = _check_key(key, seal.key_id)
        if not hmac.compare_digest(seal.mac, _seal_mac(seal, key)):
            return _broken(0, None, "the seal does not match its keyed MAC: it was altered")
    checked = plain = 0
    expected_previous = GENESIS_HASH
    keyed_seen = False
    legacy_until = seal.legacy_until if seal is not None else None
    anchored = _anchored_heads(session, seal.key_id if seal is not None else None)
    # yield_per streams the rows; the session's identity map holds them only weakly.
    entries = session.exec(
        select(AuditEntry).order_by(col(AuditEntry.sequence)).execution_options(yield_per=500)
    )
    try:
        for entry in entries:
            checked += 1
            problem = _entry_problem(
                entry, checked, expected_previous, key, keyed_seen, legacy_until
            )
            if problem is None and anchored.get(entry.sequence, entry.entry_hash) != (
                entry.entry_hash
            ):
                problem = "its hash is not the one anchored off the station: rewritten"
            if problem is not None:
                return _broken(checked, entry, problem, plain_entries=plain)
            keyed_seen = keyed_seen or entry.algorithm == AUDIT_KEYED
            plain += entry.algorithm == AUDIT_PLAIN
            expected_previous = entry.entry_hash
    finally:
        entries.close()  # on PostgreSQL a server-side cursor, open until closed
    if seal is None and checked:
        what = "keyed entries" if keyed_seen else "plain SHA-256 entries only"
        return _broken(
            checked,
            None,
            f"the trail has no seal ({what}): it was deleted, or no entry was added since the"
            " upgrade to keyed sealing ('returnsdesk audit seal' seals it)",
            plain_entries=plain,
        )
    if anchored and max(anchored) > checked:
        # The seal may be an old copy put back; the outbox still remembers a later head.
        problem = (
            f"entry #{max(anchored)} was anchored off the station but the trail ends at"
            f" #{checked}: entries #{checked + 1} to #{max(anchored)} or more were deleted"
        )
        return _broken(checked, None, problem, plain_entries=plain, sequence=checked + 1)
    if seal is not None and (seal.head_sequence, seal.head_hash) != (checked, expected_previous):
        if checked < seal.head_sequence:
            problem = (
                f"the seal names entry #{seal.head_sequence} but the trail ends at #{checked}:"
                f" entries #{checked + 1} to #{seal.head_sequence} were deleted"
            )
            return _broken(checked, None, problem, plain_entries=plain, sequence=checked + 1)
        problem = f"the seal names entry #{seal.head_sequence} with another hash than the trail's"
        return _broken(checked, None, problem, plain_entries=plain, sequence=seal.head_sequence)
    return AuditVerification(
        ok=True, entries_checked=checked, first_broken_sequence=None, plain_entries=plain
    )


def _anchored_heads(session: Session, key_id: str | None) -> dict[int, str]:
    """The heads this trail sent off the station that the outbox still holds (delivered ones
    are pruned after a while), since the last reseal: sequence -> entry hash."""
    if key_id is None:
        return {}
    resealed = session.exec(
        select(AuditEntry.details)
        .where(AuditEntry.action == RESEAL_ACTION)
        .order_by(col(AuditEntry.sequence).desc())
        .limit(1)
    ).first()
    after = int(resealed.get("outbox_until", 0)) if resealed is not None else 0
    events = session.exec(
        select(OutboxEvent).where(
            OutboxEvent.event_type == ANCHOR_EVENT, col(OutboxEvent.sequence) > after
        )
    )
    return {
        int(event.payload["sequence"]): str(event.payload["entry_hash"])
        for event in events
        if event.payload.get("key_id") == key_id
    }


def _entry_problem(
    entry: AuditEntry,
    position: int,
    expected_previous: str,
    key: AuditKey | None,
    keyed_seen: bool,
    legacy_until: int | None,
) -> str | None:
    if entry.sequence != position:
        if entry.sequence > position:
            return f"entry #{position} is missing: deleted"
        return f"sequence #{entry.sequence} found where #{position} belongs: reordered or inserted"
    if entry.previous_hash != expected_previous:
        return "it does not follow the entry before it: an entry was deleted, inserted or moved"
    if entry.algorithm == AUDIT_PLAIN:
        if keyed_seen or (legacy_until is not None and entry.sequence > legacy_until):
            return "a plain SHA-256 entry after keyed sealing began: written without the key"
        if not hmac.compare_digest(entry.entry_hash, _plain_hash(entry)):
            return "its content does not match its hash: edited"
        return None
    if entry.algorithm != AUDIT_KEYED:
        return f"unknown hash algorithm {entry.algorithm!r}"
    if key is None:
        raise AuditKeyError(_no_key_message(None))
    if not hmac.compare_digest(entry.entry_hash, _keyed_hash(entry, key)):
        return "its content does not match its keyed hash: edited, or written without the key"
    return None


def _broken(
    checked: int,
    entry: AuditEntry | None,
    problem: str,
    *,
    plain_entries: int = 0,
    sequence: int | None = None,
) -> AuditVerification:
    return AuditVerification(
        ok=False,
        entries_checked=checked,
        first_broken_sequence=entry.sequence if entry is not None else sequence,
        problem=problem,
        first_broken_action=None if entry is None else entry.action,
        first_broken_at=None if entry is None else entry.at,
        first_broken_subject=None if entry is None else entry.subject,
        plain_entries=plain_entries,
    )


@dataclass(slots=True)
class _ChainHead:
    """The ends of the outbox and of the audit chain, as the append lock's holder finds them."""

    last_event: int  # the outbox's newest sequence number (0: none), this transaction's too
    last_entry: tuple[int, str, str] | None  # the newest entry's sequence, hash, algorithm
    seal: AuditSeal | None  # a plain object, outside the session: ``_append`` writes it


def _held_head(appends: _Appends) -> _ChainHead:
    """The head read by the holder of the append lock (``_number_appends``, ``reseal_audit``):
    numbering and chaining happen only there."""
    assert appends.head is not None, "numbering or chaining without the append lock"
    return appends.head


def _read_head(session: Session) -> _ChainHead:
    """One statement under the append lock, not three: every statement there is waited for
    by each other station completing at the same moment (issue 16). The seal comes back as a
    plain object, outside the session: ``_append`` writes it itself."""
    row = session.connection().execute(_head_statement()).one()
    last_event, sequence, entry_hash, algorithm = row[:4]
    found = row._mapping
    seal = None
    if found["seal_id"] is not None:
        seal = AuditSeal(**{name: found[f"seal_{name}"] for name in _SEAL_COLUMNS})
    last_entry = None if sequence is None else (sequence, entry_hash, algorithm)
    return _ChainHead(last_event or 0, last_entry, seal)


_SEAL_COLUMNS = ("id", "key_id", "head_sequence", "head_hash", "legacy_until", "sealed_at", "mac")


@functools.cache
def _head_statement() -> Select[Any]:
    # Built once (data/returns._statement: building a statement costs more than running it).
    newest = (
        sa_select(col(AuditEntry.sequence), col(AuditEntry.entry_hash), col(AuditEntry.algorithm))
        .order_by(col(AuditEntry.sequence).desc())
        .limit(1)
        .subquery("newest")
    )
    seal = table_of(AuditSeal)
    one_row = sa_select(literal(1).label("one")).subquery("one_row")
    return (
        sa_select(
            sa_select(func.max(col(OutboxEvent.sequence))).scalar_subquery(),
            newest.c.sequence,
            newest.c.entry_hash,
            newest.c.algorithm,
            *(seal.c[name].label(f"seal_{name}") for name in _SEAL_COLUMNS),
        )
        .select_from(one_row)
        .outerjoin(seal, seal.c.id == SEAL_ID)
        .outerjoin(newest, true())
    )


def _write_entry_and_seal(
    session: Session, entry: AuditEntry, seal: AuditSeal, *, new_seal: bool
) -> None:
    """The appended entry and the rewritten seal, as Core statements: neither object is in the
    session (the ORM's flush of the two cost more than the statements; issue 16)."""
    connection = session.connection()
    connection.execute(insert(table_of(AuditEntry)), row_of(entry))
    # The one row (SEAL_ID): its columns given as parameters are the ones written.
    values = {name: getattr(seal, name) for name in _SEAL_COLUMNS if name != "id"}
    connection.execute(_insert_seal() if new_seal else _update_seal(), values)


@functools.cache
def _insert_seal() -> Insert:
    return insert(table_of(AuditSeal)).values(id=SEAL_ID)


@functools.cache
def _update_seal() -> Update:
    seal = table_of(AuditSeal)
    return update(seal).where(seal.c.id == SEAL_ID)


def _sealing_key(seal: AuditSeal | None, *, may_create: bool) -> AuditKey:
    """The key to append with: this station's, which must be the one the seal names. Only a
    trail never sealed may get a new key (the first station on a database, or a new one)."""
    key = PROVIDER.get()
    if key is None and may_create:
        try:
            key = PROVIDER.create()
        except OSError as exc:
            raise AuditKeyError(
                f"This station has no audit key and cannot create one ({exc}). IT: see"
                " 'returnsdesk audit key' in the IT guide."
            ) from exc
    return _check_key(key, None if seal is None else seal.key_id)


def _check_key(key: AuditKey | None, sealed_with: str | None) -> AuditKey:
    if key is None:
        raise AuditKeyError(_no_key_message(sealed_with))
    if sealed_with is not None and key.key_id != sealed_with:
        raise AuditKeyError(
            f"This station's audit key (id {key.key_id}, {key.source}) is not the one the audit"
            f" trail is sealed with (id {sealed_with}). IT: import the right key with"
            " 'returnsdesk audit key import' (see the IT guide). If every station has this"
            " key, the trail was re-sealed with someone else's: treat it as broken."
        )
    return key


def _no_key_message(sealed_with: str | None) -> str:
    which = "" if sealed_with is None else f" (id {sealed_with})"
    return (
        f"This station has no audit key, and the audit trail is sealed with one{which}. IT:"
        " export it on a station that has it ('returnsdesk audit key export FILE') and import it"
        " here ('returnsdesk audit key import FILE'); see the IT guide."
    )


def _anchor_due(entry: AuditEntry) -> bool:
    return entry.action.startswith("refund.") or entry.sequence % ANCHOR_EVERY == 0


def _canonical(entry: AuditEntry, *, keyed: bool) -> str:
    fields: dict[str, Any] = {
        "id": entry.id,
        "sequence": entry.sequence,
        "at": entry.at,
        "operator_id": entry.operator_id,
        "station_id": entry.station_id,
        "action": entry.action,
        "subject": entry.subject,
        "details": entry.details,
    }
    if keyed:
        fields["algorithm"] = entry.algorithm
    payload = to_json_payload(fields)
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return entry.previous_hash + canonical


def _plain_hash(entry: AuditEntry) -> str:
    """How entries were hashed before migration 0009 (no key: anyone can recompute it)."""
    return hashlib.sha256(_canonical(entry, keyed=False).encode()).hexdigest()


def _keyed_hash(entry: AuditEntry, key: AuditKey) -> str:
    return key.mac(_canonical(entry, keyed=True).encode())


def _seal_mac(seal: AuditSeal, key: AuditKey) -> str:
    fields = to_json_payload(
        {
            "key_id": seal.key_id,
            "head_sequence": seal.head_sequence,
            "head_hash": seal.head_hash,
            "legacy_until": seal.legacy_until,
            "sealed_at": seal.sealed_at,
        }
    )
    return key.mac(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode())


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
