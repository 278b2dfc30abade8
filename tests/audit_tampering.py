"""What an attacker with write access to the database (but not the audit key) can do, and a
station's appends to tamper with."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Connection, Engine, text

from returnsdesk.data.db import Database
from returnsdesk.data.repositories import GENESIS_HASH, append_audit, to_json_payload


def append_entries(database: Database, count: int) -> None:
    """``count`` audit entries as a station writes them: one transaction each."""
    for number in range(count):
        with database.session() as session:
            append_audit(
                session,
                action="return.completed",
                subject=f"return RMA-{number}",
                details={},
                operator_id=None,
                station_id=None,
            )


def drop_append_only_triggers(engine: Engine) -> None:
    """The first step of any tampering: the triggers of migration 0009 refuse it otherwise."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for name in ("audit_entries_no_update_delete", "audit_entries_no_truncate"):
                connection.exec_driver_sql(f"DROP TRIGGER {name} ON audit_entries")
        else:
            for name in ("audit_entries_no_update", "audit_entries_no_delete"):
                connection.exec_driver_sql(f"DROP TRIGGER {name}")


def plain_hash(row: dict[str, Any], previous_hash: str) -> str:
    """An entry's hash as the unkeyed chain (before migration 0009) computes it."""
    fields = to_json_payload(
        {
            name: row[name]
            for name in (
                "id",
                "sequence",
                "at",
                "operator_id",
                "station_id",
                "action",
                "subject",
                "details",
            )
        }
    )
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((previous_hash + canonical).encode()).hexdigest()


def rewrite_as_plain_chain(connection: Connection) -> None:
    """Recompute every hash the way anyone can, without the key (after editing an entry)."""
    from sqlmodel import Session, col, select

    from returnsdesk.data.models import AuditEntry

    with Session(connection) as session:
        entries = list(session.exec(select(AuditEntry).order_by(col(AuditEntry.sequence))))
        rows = [entry.model_dump() for entry in entries]
    previous = GENESIS_HASH
    for row in rows:
        entry_hash = plain_hash(row, previous)
        connection.execute(
            text(
                "UPDATE audit_entries SET algorithm = 'sha256', previous_hash = :previous,"
                " entry_hash = :entry_hash WHERE sequence = :sequence"
            ),
            {"previous": previous, "entry_hash": entry_hash, "sequence": row["sequence"]},
        )
        previous = entry_hash
