"""The keyed, sealed, append-only audit trail (issue 11), on SQLite and on PostgreSQL.

Each tampering test plays someone with write access to the database but not the audit key:
they drop the append-only triggers first (``audit_tampering``), then change the trail.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from audit_tampering import drop_append_only_triggers, plain_hash, rewrite_as_plain_chain
from returnsdesk.data import audit_key, migrations
from returnsdesk.data.db import Database
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.models import AuditEntry, AuditSeal, OutboxEvent
from returnsdesk.data.repositories import (
    ANCHOR_EVENT,
    ANCHOR_EVERY,
    GENESIS_HASH,
    AuditTrailBroken,
    AuditVerification,
    append_audit,
    reseal_audit,
    verify_audit_chain,
)
from returnsdesk.data.types import utcnow

AUDIT_TABLE: sa.Table = AuditEntry.__table__  # type: ignore[attr-defined]
RETURN_ID = uuid.UUID("5f0c3a4e-2b7d-4c1e-9a6f-0d8e7b6a5c4b")


@pytest.fixture
def database_url(url_on_each_backend: str) -> str:
    return url_on_each_backend


def _audit(database: Database, action: str = "parcel.received", **details: object) -> AuditEntry:
    with database.session() as session:
        return append_audit(
            session,
            action=action,
            subject=f"return {RETURN_ID}",
            details=dict(details),
            operator_id=None,
            station_id=None,
        )


def _verify(database: Database) -> AuditVerification:
    with database.session() as session:
        return verify_audit_chain(session)


@pytest.fixture
def four_entries(database: Database) -> Database:
    """Given an intact trail of four entries, and the triggers dropped by the attacker."""
    for total in ("12.50", "15.00", "7.25", "3.00"):
        _audit(database, "return.completed", total=Decimal(total))
    assert _verify(database) == AuditVerification(
        ok=True, entries_checked=4, first_broken_sequence=None
    )
    drop_append_only_triggers(database.engine)
    return database


def _tamper(database: Database, *statements: str) -> AuditVerification:
    with database.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    return _verify(database)


# --- the database refuses changes ------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET subject = 'return X' WHERE sequence = 1",
        "DELETE FROM audit_entries WHERE sequence = 1",
        "DELETE FROM audit_entries",
    ],
)
def test_the_database_refuses_to_update_or_delete_audit_entries(
    database: Database, statement: str
) -> None:
    _audit(database)
    with pytest.raises(DBAPIError, match="audit_entries is append-only"):
        _tamper(database, statement)
    assert _verify(database).ok


def test_postgresql_refuses_truncate_too(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (a DELETE without WHERE is refused above)")
    _audit(database)
    with pytest.raises(DBAPIError, match="append-only: TRUNCATE refused"):
        _tamper(database, "TRUNCATE audit_entries CASCADE")


# --- one test per tampering ------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        """details = '{"total": "99.00"}'""",
        "subject = 'return X'",
        "at = '2020-01-01 00:00:00.000000'",
        "operator_id = NULL, station_id = NULL, action = 'refund.rejected'",
    ],
)
def test_an_edited_entry_is_detected(four_entries: Database, change: str) -> None:
    if four_entries.engine.dialect.name == "postgresql" and change.startswith("at"):
        change = "at = '2020-01-01 00:00:00+00'"
    result = _tamper(four_entries, f"UPDATE audit_entries SET {change} WHERE sequence = 2")
    assert (result.ok, result.first_broken_sequence) == (False, 2)
    assert result.first_broken_action is not None
    assert result.first_broken_at is not None
    assert "edited" in (result.problem or "")


def test_a_deleted_middle_entry_is_detected(four_entries: Database) -> None:
    result = _tamper(four_entries, "DELETE FROM audit_entries WHERE sequence = 2")
    assert (result.ok, result.first_broken_sequence) == (False, 3)
    assert "#2" in (result.problem or "") and "missing" in (result.problem or "")


def test_deleted_newest_entries_are_detected_by_the_seal(four_entries: Database) -> None:
    # The chain that is left is intact: only the seal knows there were four entries.
    result = _tamper(four_entries, "DELETE FROM audit_entries WHERE sequence >= 3")
    assert (result.ok, result.entries_checked, result.first_broken_sequence) == (False, 2, 3)
    assert "entries #3 to #4 were deleted" in (result.problem or "")
    # And the station refuses to seal the shortened trail as if nothing happened.
    with pytest.raises(AuditTrailBroken, match="audit verify"):
        _audit(four_entries)


def test_reordered_entries_are_detected(four_entries: Database) -> None:
    result = _tamper(
        four_entries,
        "UPDATE audit_entries SET sequence = -2 WHERE sequence = 2",
        "UPDATE audit_entries SET sequence = 2 WHERE sequence = 3",
        "UPDATE audit_entries SET sequence = 3 WHERE sequence = -2",
    )
    assert (result.ok, result.first_broken_sequence) == (False, 2)
    assert "does not follow" in (result.problem or "")


def test_an_inserted_entry_is_detected(four_entries: Database) -> None:
    # Given someone writing a refund approval with a key of their own, after the newest entry
    with four_entries.session() as session:
        last = session.exec(select(AuditEntry).where(AuditEntry.sequence == 4)).one()
        forged = AuditEntry(
            sequence=5,
            at=utcnow(),
            operator_id=None,
            station_id=None,
            action="refund.approved",
            subject=f"return {RETURN_ID}",
            details={"total": "500.00"},
            previous_hash=last.entry_hash,
            entry_hash="",
        )
        forged.entry_hash = audit_key.AuditKey(audit_key.new_secret(), "attacker").mac(b"x")
        session.add(forged)
    result = _verify(four_entries)
    assert (result.ok, result.first_broken_sequence) == (False, 5)
    assert result.first_broken_action == "refund.approved"
    assert "without the key" in (result.problem or "")


def test_an_entry_inserted_in_the_middle_is_detected(four_entries: Database) -> None:
    # Given someone making room at #3 and copying entry #2's hash as the new entry's previous
    with four_entries.engine.begin() as connection:
        for sequence in (4, 3):
            connection.exec_driver_sql(
                f"UPDATE audit_entries SET sequence = {sequence + 1} WHERE sequence = {sequence}"
            )
        row = connection.execute(
            text("SELECT entry_hash FROM audit_entries WHERE sequence = 2")
        ).one()
    with four_entries.session() as session:
        session.add(
            AuditEntry(
                sequence=3,
                at=utcnow(),
                operator_id=None,
                station_id=None,
                action="refund.approved",
                subject="return X",
                details={},
                previous_hash=row[0],
                entry_hash="f" * 64,
            )
        )
    result = _verify(four_entries)
    assert (result.ok, result.first_broken_sequence) == (False, 3)


def test_a_full_rewrite_without_the_key_is_detected(four_entries: Database) -> None:
    # Given someone who edits an entry and recomputes every hash, as the plain chain allowed
    with four_entries.engine.begin() as connection:
        connection.exec_driver_sql(
            """UPDATE audit_entries SET details = '{"total": "99.00"}' WHERE sequence = 2"""
        )
        rewrite_as_plain_chain(connection)
    result = _verify(four_entries)
    assert (result.ok, result.first_broken_sequence) == (False, 1)
    assert "plain SHA-256 entry after keyed sealing began" in (result.problem or "")

    # And when they delete the seal too, the trail is still not accepted
    result = _tamper(four_entries, "DELETE FROM audit_seal")
    assert not result.ok
    assert "has no seal" in (result.problem or "")


def test_a_seal_changed_without_the_key_is_detected(four_entries: Database) -> None:
    result = _tamper(
        four_entries,
        "DELETE FROM audit_entries WHERE sequence = 4",
        "UPDATE audit_seal SET head_sequence = 3,"
        " head_hash = (SELECT entry_hash FROM audit_entries WHERE sequence = 3)",
    )
    assert not result.ok
    assert "seal does not match" in (result.problem or "")


# --- keys ------------------------------------------------------------------------------------


def test_the_first_entry_creates_a_private_key_file_outside_the_database(
    database: Database,
) -> None:
    entry = _audit(database)
    path = audit_key.key_file_path()
    assert path.stat().st_mode & 0o777 == 0o600
    key = audit_key.load_key()
    assert key is not None
    assert key.secret.hex() not in repr(key)
    with database.session() as session:
        seal = session.get(AuditSeal, 1)
        assert seal is not None
        assert (seal.key_id, seal.head_sequence, seal.head_hash) == (
            key.key_id,
            1,
            entry.entry_hash,
        )
    assert entry.algorithm == "hmac-sha256"


def test_a_station_without_the_key_refuses_to_append_and_to_verify(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _audit(database)
    # When a second station, with a key file of its own (or none), shares the database
    monkeypatch.setenv(audit_key.KEY_FILE_ENV, str(tmp_path / "elsewhere.key"))
    with pytest.raises(audit_key.AuditKeyError, match="no audit key.*audit key import"):
        _audit(database)
    with pytest.raises(audit_key.AuditKeyError, match="no audit key"):
        _verify(database)
    audit_key.store_key(audit_key.new_secret())
    with pytest.raises(audit_key.AuditKeyError, match="is not the one the audit trail is sealed"):
        _audit(database)


def test_a_key_file_others_can_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "shared.key"
    path.write_text(audit_key.new_secret().hex())
    path.chmod(0o644)
    monkeypatch.setenv(audit_key.KEY_FILE_ENV, str(path))
    with pytest.raises(audit_key.AuditKeyError, match="chmod 600"):
        audit_key.load_key()


# --- anchors ---------------------------------------------------------------------------------


def test_refund_decisions_and_every_nth_entry_are_anchored_through_the_outbox(
    database: Database,
) -> None:
    approved = _audit(database, "refund.approved", total=Decimal("12.50"))
    for _ in range(ANCHOR_EVERY - 2):
        _audit(database)
    nth = _audit(database)
    with database.session() as session:
        anchors = session.exec(
            select(OutboxEvent)
            .where(OutboxEvent.event_type == ANCHOR_EVENT)
            .order_by(col(OutboxEvent.sequence))
        ).all()
    assert [(a.payload["sequence"], a.payload["entry_hash"]) for a in anchors] == [
        (1, approved.entry_hash),
        (ANCHOR_EVERY, nth.entry_hash),
    ]
    assert len({a.aggregate_id for a in anchors}) == 1


# --- reseal after an investigation -----------------------------------------------------------


def test_a_reseal_records_the_break_and_lets_the_station_go_on(four_entries: Database) -> None:
    # Given a fifth entry, anchored through the outbox, deleted with the fourth
    _audit(four_entries, "refund.approved")
    _tamper(four_entries, "DELETE FROM audit_entries WHERE sequence >= 4")
    assert not _verify(four_entries).ok
    with four_entries.session() as session:
        entry = reseal_audit(session, reason="ticket 4711", by="it-admin")
    assert entry.details["found_head"][0] == 3
    assert entry.details["seal_head"][0] == 5
    assert _verify(four_entries).ok
    # The old anchor of #5 names the trail before the break: a new #5 is no rewrite
    _audit(four_entries)
    assert _verify(four_entries) == AuditVerification(
        ok=True, entries_checked=5, first_broken_sequence=None
    )


# --- upgrading a trail written before keyed sealing -------------------------------------------


def _to_revision(database: Database, revision: str, *, down: bool) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    with database.engine.connect() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_plain_entries_from_before_the_upgrade_are_covered_by_the_first_keyed_one(
    database: Database,
) -> None:
    # Given a database at 0008 with three entries of the plain SHA-256 chain
    _to_revision(database, "0008", down=True)
    previous = GENESIS_HASH
    # The table as 0008 had it: no algorithm column.
    columns = [sa.column(c.name, c.type) for c in AUDIT_TABLE.columns if c.name != "algorithm"]
    table_at_0008 = sa.table("audit_entries", *columns)
    with database.engine.begin() as connection:
        for sequence in (1, 2, 3):
            row = {
                "id": uuid.uuid4(),
                "sequence": sequence,
                "at": utcnow(),
                "operator_id": None,
                "station_id": None,
                "action": "parcel.received",
                "subject": f"parcel {sequence}",
                "details": {"n": sequence},
            }
            entry_hash = plain_hash(row, previous)
            connection.execute(
                table_at_0008.insert().values(**row, previous_hash=previous, entry_hash=entry_hash)
            )
            previous = entry_hash

    # When it is upgraded, the old entries read as plain and the trail is not sealed yet
    ensure_schema(database.engine)
    result = _verify(database)
    assert (result.ok, result.entries_checked, result.plain_entries) == (False, 3, 3)
    assert "no entry was added since the upgrade" in (result.problem or "")

    # Then the first keyed entry covers the last plain one and seals the trail
    first_keyed = _audit(database)
    assert (first_keyed.sequence, first_keyed.previous_hash) == (4, previous)
    assert _verify(database) == AuditVerification(
        ok=True, entries_checked=4, first_broken_sequence=None, plain_entries=3
    )

    # And an old entry edited (hashes recomputed as before) now breaks the chain
    drop_append_only_triggers(database.engine)
    result = _tamper(database, "UPDATE audit_entries SET subject = 'x' WHERE sequence = 2")
    assert (result.ok, result.first_broken_sequence) == (False, 2)


def test_deleted_newest_entries_behind_an_old_copy_of_the_seal_are_caught_by_the_anchors(
    database: Database,
) -> None:
    # Given a trail whose seal someone copied at entry #2, and a refund decision at #3,
    # anchored through the outbox
    _audit(database)
    _audit(database)
    with database.engine.connect() as connection:
        old_seal = connection.execute(text("SELECT * FROM audit_seal")).mappings().one()
    _audit(database, "refund.approved", total=Decimal("500.00"))
    _audit(database)
    drop_append_only_triggers(database.engine)

    # When they delete #3 and #4 and put the old seal back, it matches the shortened trail
    with database.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM audit_entries WHERE sequence >= 3")
        connection.execute(
            text(
                "UPDATE audit_seal SET head_sequence = :head_sequence, head_hash = :head_hash,"
                " sealed_at = :sealed_at, mac = :mac"
            ),
            dict(old_seal),
        )
    # Then the outbox's anchor of #3 still shows what was deleted
    result = _verify(database)
    assert (result.ok, result.entries_checked, result.first_broken_sequence) == (False, 2, 3)
    assert "entry #3 was anchored off the station" in (result.problem or "")
