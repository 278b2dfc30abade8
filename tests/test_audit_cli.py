"""IT checks the audit trail with ``returnsdesk audit verify`` and provisions its key."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import returnsdesk
from audit_tampering import append_entries, drop_append_only_triggers
from returnsdesk.cli import audit as cli_audit
from returnsdesk.data import audit_key
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.repositories import append_audit, return_subject

SRC = Path(returnsdesk.__file__).resolve().parents[1]


@pytest.fixture
def database_url(url_on_each_backend: str) -> str:
    return url_on_each_backend


def run(*args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        code = cli_audit.main(list(args))
    return code, out.getvalue(), err.getvalue()


def run_process(*args: str) -> subprocess.CompletedProcess[str]:
    """``returnsdesk audit ...`` as IT runs it: a new process, with this test's environment."""
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.run(
        [sys.executable, "-m", "returnsdesk", "audit", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def add_entries(database_url: str, count: int) -> None:
    database = Database(make_engine(database_url))
    try:
        ensure_schema(database.engine)
        append_entries(database, count)
    finally:
        database.dispose()


def tamper(database_url: str, statement: str) -> None:
    engine = make_engine(database_url)
    try:
        drop_append_only_triggers(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def test_verify_says_intact_and_then_names_the_first_broken_entry(database_url: str) -> None:
    # Given a trail of five entries
    add_entries(database_url, 5)
    done = run_process("verify", "--database", database_url)
    assert (done.returncode, done.stdout) == (0, "Audit trail intact: 5 entries checked.\n")

    # When someone edits entry #3 behind the station's back
    tamper(database_url, "UPDATE audit_entries SET subject = 'return RMA-X' WHERE sequence = 3")
    done = run_process("verify", "--database", database_url)

    # Then verify fails, naming the entry, its action and time, and what is wrong
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == "AUDIT TRAIL BROKEN: 3 entries checked."
    assert lines[1].startswith("First broken entry: #3 return.completed at 20")
    assert lines[2] == "What is wrong: its content does not match its keyed hash: edited, or" + (
        " written without the key"
    )


def test_verify_names_the_shop_a_broken_entry_is_about(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the completion of Acme's RMA-1001 recorded after two other entries
    add_entries(database_url, 2)
    database = Database(make_engine(database_url))
    try:
        with database.session() as session:
            append_audit(
                session,
                action="return.completed",
                subject=return_subject("RMA-1001", "ACME"),
                details={"refund_total": "10.00 EUR"},
                operator_id=None,
                station_id=None,
            )
    finally:
        database.dispose()
    # When someone raises its refund behind the station's back
    tamper(
        database_url,
        """UPDATE audit_entries SET details = '{"refund_total": "900.00 EUR"}'"""
        " WHERE sequence = 3",
    )
    code, out, _ = run("verify", "--database", database_url, monkeypatch=monkeypatch)
    # Then verify names the entry, and the shop whose return it is about
    assert code == 1
    assert "First broken entry: #3 return.completed at 20" in out
    assert out.splitlines()[1].endswith(" about RMA-1001 (client ACME)")


def test_verify_reports_deleted_newest_entries(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_entries(database_url, 4)
    tamper(database_url, "DELETE FROM audit_entries WHERE sequence = 4")
    code, out, _ = run("verify", "--database", database_url, monkeypatch=monkeypatch)
    assert code == 1
    assert "First broken entry: #4" in out
    assert "entries #4 to #4 were deleted" in out


def test_verify_without_the_key_or_with_a_bad_database_is_a_configuration_problem(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_entries(database_url, 2)
    monkeypatch.setenv(audit_key.KEY_FILE_ENV, str(tmp_path / "none.key"))
    code, out, err = run("verify", "--database", database_url, monkeypatch=monkeypatch)
    assert (code, out) == (2, "")
    assert "no audit key" in err and "audit key import" in err

    bad = f"sqlite:///{tmp_path / 'missing-dir' / 'x' / 'db.sqlite3'}"
    (tmp_path / "missing-dir").write_text("a file where a folder should be")
    code, _, err = run("verify", "--database", bad, monkeypatch=monkeypatch)
    assert code == 2 and "returnsdesk audit" in err


def test_a_key_exported_on_one_station_lets_another_append_and_verify(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the first station with a key and entries on the shared database
    code, out, _ = run("key", "init", monkeypatch=monkeypatch)
    assert code == 0 and "created key" in out
    code, _, err = run("key", "init", monkeypatch=monkeypatch)
    assert code == 2 and "never replaced" in err
    add_entries(database_url, 2)
    exported = tmp_path / "audit-key.txt"
    assert run("key", "export", str(exported), monkeypatch=monkeypatch)[0] == 0
    assert exported.stat().st_mode & 0o777 == 0o600

    # When IT imports it on a second station (its own key file)
    monkeypatch.setenv(audit_key.KEY_FILE_ENV, str(tmp_path / "station-2" / "audit.key"))
    code, out, _ = run("key", "import", str(exported), monkeypatch=monkeypatch)
    assert code == 0 and "imported key" in out

    # Then the second station appends to the same trail and verifies it
    add_entries(database_url, 1)
    code, out, _ = run("verify", "--database", database_url, monkeypatch=monkeypatch)
    assert (code, out) == (0, "Audit trail intact: 3 entries checked.\n")
    code, out, _ = run("key", "show", monkeypatch=monkeypatch)
    assert code == 0 and exported.read_text().strip() not in out


def test_reseal_records_the_break_and_the_trail_verifies_again(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_entries(database_url, 3)
    tamper(database_url, "DELETE FROM audit_entries WHERE sequence = 3")
    assert run("verify", "--database", database_url, monkeypatch=monkeypatch)[0] == 1
    code, out, _ = run(
        "reseal", "--reason", "ticket 4711", "--database", database_url, monkeypatch=monkeypatch
    )
    assert (code, out) == (0, "returnsdesk audit: sealed at entry #3 (audit.resealed)\n")
    assert run("verify", "--database", database_url, monkeypatch=monkeypatch)[0] == 0


def test_a_station_that_made_its_own_key_takes_the_shared_one_only_with_replace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a station that made a key of its own (the demo), and the shared key in a file
    own = audit_key.store_key(audit_key.new_secret())
    shared = tmp_path / "shared.txt"
    shared.write_text(audit_key.new_secret().hex() + "\n")
    # When IT imports the shared key, it is refused without --replace
    code, _, err = run("key", "import", str(shared), monkeypatch=monkeypatch)
    assert code == 2 and own.key_id in err and "--replace" in err
    # And with it, the station's key file holds the shared key, still private
    code, out, _ = run("key", "import", str(shared), "--replace", monkeypatch=monkeypatch)
    assert code == 0 and f"(replacing {own.key_id})" in out
    key = audit_key.load_key()
    assert key is not None and key.secret.hex() == shared.read_text().strip()
    assert audit_key.key_file_path().stat().st_mode & 0o777 == 0o600


def test_export_to_a_folder_that_is_not_there_is_a_configuration_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit_key.store_key(audit_key.new_secret())
    code, out, err = run("key", "export", str(tmp_path / "no" / "key.txt"), monkeypatch=monkeypatch)
    assert (code, out) == (2, "") and "No such file or directory" in err
