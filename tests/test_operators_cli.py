"""IT manages badges and PINs with ``returnsdesk operators``; the station then signs them in."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from returnsdesk.cli import operators as cli_operators
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.models import AuditEntry, Operator
from returnsdesk.services.operators import LockoutPolicy, SignInFailed, authenticate, sign_in


def run(
    database_url: str, *args: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """The command as IT types it, a PIN piped in on standard input where one is asked for."""
    out, err = io.StringIO(), io.StringIO()
    # A context, not monkeypatch.undo(): that would also undo conftest's private directories
    # (and with them this test's audit key file).
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO(stdin))
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        code = cli_operators.main(["--database", database_url, *args])
    return code, out.getvalue(), err.getvalue()


def signs_in(database_url: str, badge: str, pin: str | None) -> bool:
    database = Database(make_engine(database_url))
    try:
        with database.session() as session:
            sign_in(session, operator_code=badge, station_code="STATION-01", pin=pin)
        return True
    except SignInFailed:
        return False
    finally:
        database.dispose()


def table(database_url: str) -> list[tuple[str, str, str, bool, bool]]:
    database = Database(make_engine(database_url))
    try:
        with database.session() as session:
            rows = session.exec(select(Operator).order_by(Operator.code)).all()
            return [(o.code, o.name, o.role.value, o.pin_hash is not None, o.active) for o in rows]
    finally:
        database.dispose()


def audit_actions(database_url: str) -> list[tuple[str, str]]:
    database = Database(make_engine(database_url))
    try:
        with database.session() as session:
            rows = session.exec(
                select(AuditEntry.action, AuditEntry.subject).order_by(col(AuditEntry.sequence))
            ).all()
            return [(action, subject) for action, subject in rows]
    finally:
        database.dispose()


def test_an_added_operator_signs_in_with_the_pin_and_only_with_it(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # When IT adds an inspector with a PIN
    code, out, _ = run(
        database_url, "add", "op-0042", "--name", "Ana  Lima", "--pin", stdin="4711\n",
        monkeypatch=monkeypatch,
    )  # fmt: skip
    # Then the badge is stored as it scans, and signs in with that PIN and no other
    assert code == 0
    assert out == "returnsdesk operators: added OP-0042 (Ana Lima, inspector)\n"
    assert signs_in(database_url, "OP-0042", "4711")
    assert not signs_in(database_url, "OP-0042", "1234")
    assert not signs_in(database_url, "OP-0042", None)
    # And the list shows it, without the PIN
    code, out, _ = run(database_url, "list", monkeypatch=monkeypatch)
    assert out.splitlines()[1].split() == ["OP-0042", "inspector", "yes", "active", "Ana", "Lima"]
    assert "4711" not in out


def test_changes_are_audited_and_a_deactivated_badge_no_longer_signs_in(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(database_url, "add", "OP-7", "--name", "Sam", monkeypatch=monkeypatch)
    assert signs_in(database_url, "OP-7", None)  # no PIN: the badge alone
    assert run(database_url, "set-pin", "OP-7", stdin="908172\n", monkeypatch=monkeypatch)[0] == 0
    assert not signs_in(database_url, "OP-7", None)
    assert signs_in(database_url, "OP-7", "908172")
    code, out, _ = run(database_url, "deactivate", "op-7", monkeypatch=monkeypatch)
    assert (code, out) == (0, "returnsdesk operators: OP-7 can no longer sign in\n")
    assert not signs_in(database_url, "OP-7", "908172")
    assert run(database_url, "activate", "OP-7", monkeypatch=monkeypatch)[0] == 0
    assert signs_in(database_url, "OP-7", "908172")
    changes = [entry for entry in audit_actions(database_url) if entry[0] != "operator.signed_in"]
    assert changes == [
        ("operator.added", "OP-7"),
        ("operator.pin_set", "OP-7"),
        ("operator.deactivated", "OP-7"),
        ("operator.activated", "OP-7"),
    ]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("add", "ANA", "--name", "Ana"), "", "'ANA' would not scan as a badge"),
        (("add", "RMA-12", "--name", "Ana"), "", "would not scan as a badge"),
        (("add", "OP-1", "--name", "   "), "", "A name is 1 to 200 characters"),
        (("add", "OP-1", "--name", "Ana", "--pin"), "12\n", "A PIN is 4 to 12 digits"),
        (("add", "OP-1", "--name", "Ana", "--pin"), "12ab\n", "A PIN is 4 to 12 digits"),
        (("add", "OP-1", "--name", "Ana", "--role", "shift_lead"), "", "needs a PIN"),
        (("set-pin", "OP-404"), "4711\n", "No operator with badge 'OP-404'"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_changes_nothing(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    stdin: str,
    message: str,
) -> None:
    code, out, err = run(database_url, *args, stdin=stdin, monkeypatch=monkeypatch)
    assert code == 1 and out == ""
    assert err.startswith("returnsdesk operators: refused, nothing changed: ")
    assert message in err
    assert table(database_url) == []
    assert audit_actions(database_url) == []


def test_a_badge_is_never_given_twice(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    run(database_url, "add", "OP-1", "--name", "Ana", monkeypatch=monkeypatch)
    code, _, err = run(database_url, "add", "op-1", "--name", "Bo", monkeypatch=monkeypatch)
    assert code == 1 and "Badge OP-1 is already Ana's" in err
    assert table(database_url) == [("OP-1", "Ana", "inspector", False, True)]


def test_the_last_lead_cannot_be_removed_or_lose_the_pin(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one shift lead
    lead = ("add", "OP-9", "--name", "Lee", "--role", "shift_lead", "--pin")
    assert run(database_url, *lead, stdin="5555\n", monkeypatch=monkeypatch)[0] == 0
    # Then nobody can leave the floor without a lead to approve held refunds
    for args in (("deactivate", "OP-9"), ("set-role", "OP-9", "inspector")):
        code, _, err = run(database_url, *args, monkeypatch=monkeypatch)
        assert code == 1 and "last active shift lead or admin" in err
    code, _, err = run(database_url, "set-pin", "OP-9", "--clear", monkeypatch=monkeypatch)
    assert code == 1 and "keeps a PIN" in err
    assert table(database_url) == [("OP-9", "Lee", "shift_lead", True, True)]
    # When a second lead is added, then the first may step down
    second = ("add", "OP-10", "--name", "Kim", "--role", "admin", "--pin")
    assert run(database_url, *second, stdin="6666\n", monkeypatch=monkeypatch)[0] == 0
    assert run(database_url, "set-role", "OP-9", "inspector", monkeypatch=monkeypatch)[0] == 0
    assert table(database_url)[1] == ("OP-9", "Lee", "inspector", True, True)


def test_the_installed_command_reads_the_pin_from_a_pipe(database_url: str) -> None:
    # A provisioning script: `echo 2468 | returnsdesk operators add ... --pin`
    env = dict(os.environ, RETURNSDESK_DATABASE_URL=database_url)
    result = subprocess.run(
        [sys.executable, "-m", "returnsdesk", "operators", "add", "OP-55", "--name", "Jo", "--pin"],
        input="2468\n", env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert signs_in(database_url, "OP-55", "2468")


def test_a_locked_badge_is_unlocked_by_it_and_the_unlock_is_audited(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a lead whose badge ten wrong PINs have locked
    run(database_url, "add", "OP-9", "--name", "Lee", "--role", "shift_lead", "--pin",
        stdin="2580\n", monkeypatch=monkeypatch)  # fmt: skip
    database = Database(make_engine(database_url))
    now = datetime.now(UTC)
    try:
        for _ in range(10):
            with pytest.raises(SignInFailed):
                authenticate(database, operator_code="OP-9", pin="0000", station_code="S1",
                             now=now, lockout=LockoutPolicy())  # fmt: skip
        with pytest.raises(SignInFailed, match="locked until"):
            authenticate(database, operator_code="OP-9", pin="2580", station_code="S1",
                         now=now, lockout=LockoutPolicy())  # fmt: skip
        # When IT unlocks it
        code, out, _ = run(database_url, "unlock", "op-9", monkeypatch=monkeypatch)
        # Then the right PIN signs in again, and the unlock is in the audit trail
        assert (code, out) == (0, "returnsdesk operators: OP-9 is unlocked\n")
        context = authenticate(database, operator_code="OP-9", pin="2580", station_code="S1",
                               now=now, lockout=LockoutPolicy())  # fmt: skip
        assert context.operator_name == "Lee"
    finally:
        database.dispose()
    assert ("operator.unlocked", "OP-9") in audit_actions(database_url)
    code, _, err = run(database_url, "unlock", "OP-404", monkeypatch=monkeypatch)
    assert code == 1 and "No operator with badge 'OP-404'" in err
