"""Signing in: badge and PIN, wrong PINs counted in the database, locked badges (PCI DSS 8.3.4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.models import AuditEntry, Operator
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.operators import (
    LockoutPolicy,
    SignInFailed,
    authenticate,
    badge_alone_signs_in,
    unlock_operator,
)

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
LEAD, LEAD_PIN = "OP-0003", "2468"
POLICY = LockoutPolicy(max_failures=10, lock_minutes=30)


def attempt(
    database: Database, pin: str | None, *, at: datetime = NOW, station: str = "STATION-01"
) -> str:
    """What the person at the station is told: the operator's name, or the refusal."""
    try:
        context = authenticate(
            database, operator_code=LEAD, pin=pin, station_code=station, now=at, lockout=POLICY
        )
    except SignInFailed as exc:
        return str(exc)
    return context.operator_name


def audit(database: Database, action: str) -> list[AuditEntry]:
    with database.session() as session:
        return list(
            session.exec(
                select(AuditEntry)
                .where(AuditEntry.action == action)
                .order_by(col(AuditEntry.sequence))
            )
        )


def test_ten_wrong_pins_lock_the_badge_for_thirty_minutes_even_with_the_right_pin(
    demo_env: StationEnvironment,
) -> None:
    database = demo_env.database
    told = [attempt(database, "0000", at=NOW + timedelta(seconds=i)) for i in range(10)]
    assert told[0] == "Wrong PIN. 9 tries left."
    assert told[8] == "Wrong PIN. 1 try left."
    assert "is locked until" in told[9]
    # The right PIN is refused while locked, at any station
    assert "is locked until" in attempt(database, LEAD_PIN, at=NOW + timedelta(minutes=29))
    assert "is locked until" in attempt(
        database, LEAD_PIN, at=NOW + timedelta(minutes=29), station="STATION-02"
    )
    # After the lock has run out the right PIN signs in, and the count starts again
    assert attempt(database, LEAD_PIN, at=NOW + timedelta(minutes=31)) == "Jonas Weber"
    assert attempt(database, "1111", at=NOW + timedelta(minutes=32)) == "Wrong PIN. 9 tries left."


def test_failures_are_counted_in_the_database_so_a_restart_does_not_reset_them(
    demo_env: StationEnvironment, database_url: str
) -> None:
    for _ in range(6):
        attempt(demo_env.database, "0000")
    demo_env.database.dispose()
    restarted = Database(make_engine(database_url))  # a new process, as after a restart
    try:
        assert attempt(restarted, "0000") == "Wrong PIN. 3 tries left."
    finally:
        restarted.dispose()


def test_every_failure_and_the_lock_are_audited_with_the_station(
    demo_env: StationEnvironment,
) -> None:
    database = demo_env.database
    for i in range(10):
        attempt(database, "0000", station="STATION-07" if i % 2 else "STATION-01")
    failed = audit(database, "operator.pin_failed")
    assert [entry.details["attempt"] for entry in failed] == list(range(1, 11))
    assert {entry.details["station"] for entry in failed} == {"STATION-01", "STATION-07"}
    (locked,) = audit(database, "operator.locked")
    assert locked.subject == LEAD and locked.details["failures"] == 10
    attempt(database, LEAD_PIN)
    (refused,) = audit(database, "operator.sign_in_refused")
    assert refused.details["why"] == "locked"


def test_a_lead_unlocks_a_badge_and_it_is_audited(demo_env: StationEnvironment) -> None:
    database = demo_env.database
    for _ in range(10):
        attempt(database, "0000")
    with database.session() as session:
        unlock_operator(session, code=LEAD.lower(), by="OP-0004")
    assert attempt(database, LEAD_PIN) == "Jonas Weber"
    (unlocked,) = audit(database, "operator.unlocked")
    assert unlocked.subject == LEAD and unlocked.details["by"] == "OP-0004"
    assert unlocked.details["was_locked_until"] is not None


def test_an_inspector_without_a_pin_signs_in_with_the_badge_and_a_lead_never_does(
    demo_env: StationEnvironment,
) -> None:
    database = demo_env.database
    assert badge_alone_signs_in(database, "op-0001")
    assert not badge_alone_signs_in(database, LEAD)
    assert not badge_alone_signs_in(database, "NOBODY")
    inspector = authenticate(
        database, operator_code="op-0001", pin=None, station_code="S", now=NOW, lockout=POLICY
    )
    assert inspector.operator_code == "OP-0001"
    assert attempt(database, None) == "Wrong PIN. 9 tries left."


def test_a_lead_without_a_pin_is_refused_with_what_to_do(demo_env: StationEnvironment) -> None:
    with demo_env.database.session() as session:
        operator = session.exec(select(Operator).where(Operator.code == LEAD)).one()
        operator.pin_hash = None  # as an old database's lead had
        session.add(operator)
    told = attempt(demo_env.database, None)
    assert "has no PIN yet" in told and "returnsdesk operators set-pin OP-0003" in told
    assert audit(demo_env.database, "operator.pin_failed") == []


def test_an_unknown_badge_is_audited_and_counts_nothing(demo_env: StationEnvironment) -> None:
    with pytest.raises(SignInFailed, match="No active operator with badge '<b>x</b>'"):
        authenticate(
            demo_env.database,
            operator_code="<b>x</b>",
            pin="1",
            station_code="STATION-01",
            now=NOW,
            lockout=POLICY,
        )
    (failed,) = audit(demo_env.database, "operator.sign_in_failed")
    assert failed.subject == "<b>x</b>" and failed.details["station"] == "STATION-01"
