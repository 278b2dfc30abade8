"""The PostgreSQL privileges the IT guide gives the stations' role, on a real server."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from audit_tampering import append_entries
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.repositories import verify_audit_chain

pytestmark = pytest.mark.postgres

IT_GUIDE = Path(__file__).resolve().parents[2] / "docs" / "it-guide.md"


def _documented_grants(role: str) -> list[str]:
    """The GRANT and REVOKE statements of the guide's audit section, for ``role``."""
    section = IT_GUIDE.read_text().split("## Audit trail and its key", 1)[1].split("\n## ", 1)[0]
    statements = re.findall(r"^((?:GRANT|REVOKE) [^;]+);", section, flags=re.MULTILINE)
    assert len(statements) >= 3
    return [s.replace("returnsdesk_station", role) for s in statements]


def test_the_station_role_appends_and_verifies_but_cannot_tamper(
    postgres_url: Callable[[], str],
) -> None:
    # Given a database migrated by its owner, and a station role granted what the guide says
    owner_url = postgres_url()
    owner = make_engine(owner_url)
    ensure_schema(owner)
    role = f"station_{uuid.uuid4().hex[:8]}"
    with owner.begin() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        for statement in _documented_grants(role):
            connection.exec_driver_sql(statement)
    station_url = make_url(owner_url).set(username=role).render_as_string(hide_password=False)
    station = Database(make_engine(station_url))
    try:
        # When the station works, it appends and verifies as usual
        ensure_schema(station.engine)  # at head: only reads
        append_entries(station, 3)
        with station.session() as session:
            assert verify_audit_chain(session).ok

        # Then its role can neither change the trail nor drop the trigger that guards it
        for statement, refusal in (
            ("UPDATE audit_entries SET subject = 'x'", "permission denied"),
            ("DELETE FROM audit_entries", "permission denied"),
            ("TRUNCATE audit_entries", "permission denied"),
            ("DELETE FROM audit_seal", "permission denied"),
            ("DROP TRIGGER audit_entries_no_update_delete ON audit_entries", "must be owner"),
        ):
            with pytest.raises(DBAPIError, match=refusal), station.engine.begin() as connection:
                connection.exec_driver_sql(statement)
    finally:
        station.dispose()
        owner.dispose()
