"""Where the audit key is kept: the OS keyring when one is usable, else a private key file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from returnsdesk.config import load_settings
from returnsdesk.data import audit_key


class MemoryKeyring(KeyringBackend):
    """A keyring backend as a desktop session has one (Secret Service, Credential Manager)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.passwords[(service, username)]


@pytest.fixture
def desktop_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(before)


def test_with_a_usable_keyring_the_key_goes_there_and_no_file_is_written(
    desktop_keyring: MemoryKeyring,
) -> None:
    key = audit_key.store_key(audit_key.new_secret())
    assert key.source == "OS keyring"
    stored = desktop_keyring.passwords[(audit_key.KEYRING_SERVICE, audit_key.KEYRING_USER)]
    assert stored == key.secret.hex()
    assert not audit_key.key_file_path().exists()
    assert audit_key.load_key() == key


def test_a_named_key_file_wins_over_the_keyring(
    desktop_keyring: MemoryKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit_key.store_key(audit_key.new_secret())  # in the keyring
    monkeypatch.setenv(audit_key.KEY_FILE_ENV, str(tmp_path / "service" / "audit.key"))
    assert audit_key.load_key() is None  # only the named file counts
    key = audit_key.store_key(audit_key.new_secret())
    assert key.source == str(tmp_path / "service" / "audit.key")
    assert (tmp_path / "service" / "audit.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "service").stat().st_mode & 0o777 == 0o700


def test_without_a_keyring_the_key_file_is_the_fallback() -> None:
    key = audit_key.store_key(audit_key.new_secret())
    assert key.source == str(audit_key.key_file_path())
    assert audit_key.key_file_path().read_text() == key.secret.hex() + "\n"


def test_the_key_file_variable_is_no_setting_and_holds_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Settings refuse unknown RETURNSDESK_ variables; this one steers the process.
    monkeypatch.setenv(audit_key.KEY_FILE_ENV, str(tmp_path / "audit.key"))
    load_settings()
    (tmp_path / "audit.key").write_text("not a key")
    (tmp_path / "audit.key").chmod(0o600)
    with pytest.raises(audit_key.AuditKeyError, match="does not hold an audit key"):
        audit_key.load_key()
