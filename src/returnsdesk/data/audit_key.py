"""The secret key that seals the audit trail (``repositories.append_audit``).

Each audit entry carries an HMAC-SHA256 under this key, and so does the seal of the trail's
newest entry. Someone with write access to the database but not the key can delete or edit
entries, but cannot make the result verify again. The key is never stored in the database,
in settings or in logs; only its *id* (an HMAC of a fixed text, which tells keys apart without
revealing them) is kept beside the seal, so a station holding a different key refuses to
append instead of forking the trail.

Where the key is looked for, in this order:

1. ``RETURNSDESK_AUDIT_KEY_FILE``: the *path* of a key file (never the key itself). When set,
   only that file is used; this is how a service account or a test picks its file.
2. The OS keyring (service ``returnsdesk``, user ``audit_key``), when a usable backend exists.
3. The key file ``audit.key`` in the user config directory (platformdirs), for headless
   stations without a keyring. Created with mode 0600; a file others can read is refused.

A key file holds the key as 64 hex digits on one line. Several stations on one PostgreSQL
database must hold the same key: ``returnsdesk audit key export`` on the first station,
``returnsdesk audit key import`` on the others (docs/it-guide.md).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import importlib
import logging
import os
import secrets
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from returnsdesk.domain.errors import OperatorError

log = logging.getLogger(__name__)

KEY_FILE_ENV = "RETURNSDESK_AUDIT_KEY_FILE"
KEY_FILE_NAME = "audit.key"
KEYRING_SERVICE, KEYRING_USER = "returnsdesk", "audit_key"
KEY_BYTES = 32
_KEY_ID_TEXT = b"returnsdesk audit key id"


class AuditKeyError(OperatorError):
    """No usable audit key: the message says what IT has to do (docs/it-guide.md)."""


@dataclass(frozen=True, slots=True)
class AuditKey:
    secret: bytes
    source: str  # where it came from, for messages: "OS keyring" or a file path

    @property
    def key_id(self) -> str:
        """Names the key without revealing it (stored beside the seal, shown to IT)."""
        return hmac.new(self.secret, _KEY_ID_TEXT, hashlib.sha256).hexdigest()[:16]

    def mac(self, message: bytes) -> str:
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:  # the secret must never reach a log or a crash report
        return f"AuditKey(key_id={self.key_id!r}, source={self.source!r})"


def new_secret() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def parse_key(text: str, *, source: str) -> AuditKey:
    """A key from its stored form (64 hex digits); ``AuditKeyError`` names ``source`` if bad."""
    value = text.strip()
    try:
        secret = bytes.fromhex(value)
    except ValueError:
        secret = b""
    if len(secret) != KEY_BYTES:
        raise AuditKeyError(f"{source} does not hold an audit key ({KEY_BYTES * 2} hex digits)")
    return AuditKey(secret, source)


def key_file_path(environ: Mapping[str, str] | None = None) -> Path:
    """The key file this process uses: the variable's path, else the user config dir's."""
    env = os.environ if environ is None else environ
    named = env.get(KEY_FILE_ENV, "").strip()
    if named:
        return Path(named).expanduser()
    return _config_dir(*(os.environ.get(name) for name in _CONFIG_DIR_VARIABLES)) / KEY_FILE_NAME


# What platformdirs derives the user config dir from (Linux, macOS, Windows).
_CONFIG_DIR_VARIABLES = ("XDG_CONFIG_HOME", "HOME", "APPDATA", "LOCALAPPDATA", "USERPROFILE")


@functools.lru_cache(maxsize=8)
def _config_dir(*_environment: str | None) -> Path:
    """platformdirs' answer, remembered per environment: asked on every audit entry, it cost
    more than sealing the entry."""
    return Path(platformdirs.user_config_dir("returnsdesk", "returnsdesk"))


def load_key(environ: Mapping[str, str] | None = None) -> AuditKey | None:
    """The station's key (see the module docstring for the order), or None if it has none."""
    env = os.environ if environ is None else environ
    path = key_file_path(env)
    if not env.get(KEY_FILE_ENV, "").strip():
        stored = _keyring_get()
        if stored is not None:
            return parse_key(stored, source="OS keyring")
    return _read_key_file(path)


def store_key(
    key: bytes, environ: Mapping[str, str] | None = None, *, replace: bool = False
) -> AuditKey:
    """Keep ``key`` where ``load_key`` finds it: the keyring if usable, else the key file.

    Refuses to replace a key already there unless ``replace``: a trail sealed with the old key
    could no longer be verified here (IT's case: a station that made its own key, e.g. for the
    demo, before it joined a shared database).
    """
    env = os.environ if environ is None else environ
    existing = load_key(env)
    if existing is not None and not replace:
        raise AuditKeyError(
            f"this station already has an audit key (id {existing.key_id}) in {existing.source};"
            " it is never replaced (a trail sealed with it could no longer be verified here),"
            " unless you are sure none is: see 'returnsdesk audit key import --replace'"
        )
    named_file = bool(env.get(KEY_FILE_ENV, "").strip())
    to_keyring = not named_file and (existing is None or existing.source == "OS keyring")
    if to_keyring and _keyring_set(key.hex()):
        return AuditKey(key, "OS keyring")
    path = key_file_path(env)
    _write_key_file(path, key, replace=existing is not None)
    return AuditKey(key, str(path))


class KeyProvider:
    """The process's key, read once (a keyring or file read per audit entry would be slow).

    A key that was not found is looked for again next time: IT may import it meanwhile.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, AuditKey] = {}

    def get(self) -> AuditKey | None:
        where = str(key_file_path())  # a test (or a service) may point at another file
        with self._lock:
            key = self._keys.get(where)
            if key is None:
                key = load_key()
                if key is not None:
                    self._keys[where] = key
            return key

    def create(self) -> AuditKey:
        """A new key, stored (``store_key``) and remembered; for the first sealed entry."""
        with self._lock:
            key = store_key(new_secret())
            self._keys[str(key_file_path())] = key
            log.warning("Created a new audit key (id %s) in %s", key.key_id, key.source)
            return key

    def forget(self) -> None:
        with self._lock:
            self._keys.clear()


PROVIDER = KeyProvider()


def _read_key_file(path: Path) -> AuditKey | None:
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyError(f"audit key file {path} cannot be read: {exc}") from exc
    if sys.platform != "win32" and mode & 0o077:
        # As ssh does with private keys: a key others can read is not a secret any more.
        raise AuditKeyError(
            f"audit key file {path} can be read or changed by other users (mode"
            f" {mode & 0o777:o}); make it private with: chmod 600 {path}"
        )
    return parse_key(text, source=str(path))


def _write_key_file(path: Path, key: bytes, *, replace: bool = False) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = path.with_name(path.name + ".new") if replace else path
    if replace:
        target.unlink(missing_ok=True)  # left by an interrupted replace
    try:
        # O_EXCL: never overwrite a key (store_key checked, but another process may be quicker).
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise AuditKeyError(f"audit key file {path} exists already; it is never replaced") from exc
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key.hex() + "\n")
        file.flush()
        os.fsync(file.fileno())
    if replace:
        os.replace(target, path)  # atomic: the old key or the new one, never half a file


def _keyring() -> Any:
    """The ``keyring`` module when it has a usable backend, else None (headless stations)."""
    try:
        keyring = importlib.import_module("keyring")
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - no usable keyring is the headless case, not an error
        return None
    name = f"{type(backend).__module__}.{type(backend).__name__}".lower()
    if "fail" in name or "null" in name:
        return None
    return keyring


def _keyring_get() -> str | None:
    keyring = _keyring()
    if keyring is None:
        return None
    try:
        stored = keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
    except Exception as exc:  # noqa: BLE001 - a locked keyring: fall back to the key file
        log.warning("OS keyring not readable for the audit key: %s", type(exc).__name__)
        return None
    return stored if isinstance(stored, str) and stored.strip() else None


def _keyring_set(value: str) -> bool:
    keyring = _keyring()
    if keyring is None:
        return False
    try:
        keyring.set_password(KEYRING_SERVICE, KEYRING_USER, value)
    except Exception as exc:  # noqa: BLE001 - e.g. a locked keyring: use the key file
        log.warning("OS keyring refused the audit key (%s); using the key file", type(exc).__name__)
        return False
    return True
