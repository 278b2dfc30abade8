"""``returnsdesk diagnostics``: a report IT can paste into a ticket.

A header (versions, platform, where the settings came from and what they are, passwords
hidden), then one line per check::

    OK    database: SQLite /var/lib/returnsdesk/returnsdesk.sqlite3, schema 0002 (head)
    WARN  disk: /var/log has 0.6 GiB free (under 1 GiB)
    FAIL  camera: Cannot read video file /dev/video9: there is no such file.

``FAIL`` means the station cannot work as configured, ``WARN`` that it works but needs a look.
The exit status is 1 when any check failed, else 0. Nothing is changed: a SQLite file that does
not exist yet is not created, and the order system gets one GET and nothing else. Every check
that waits on something outside (camera, network, database server) gives up after a few
seconds, so the report always finishes.
"""

from __future__ import annotations

import importlib
import os
import platform
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

import platformdirs
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url

from returnsdesk import __version__
from returnsdesk.config import (
    APP_NAME,
    CONFIG_FILE_NAME,
    CONTROL_ENV_VARS,
    ENV_PREFIX,
    SYSTEM_CONFIG_ENV,
    USER_CONFIG_ENV,
    Settings,
    settings_report,
)
from returnsdesk.crash import crash_dir, redact
from returnsdesk.log import LOG_FILE_NAME, log_dir

TIMEOUT_S = 5.0
LOW_DISK_BYTES = 1024**3  # WARN under 1 GiB free
TOKEN_ENV = "RETURNSDESK_ORDER_SYSTEM_TOKEN"
# Where the order system's API token is kept in the OS keyring.
KEYRING_SERVICE = APP_NAME
KEYRING_USERNAME = "order_system"
_GIB = 1024**3


class Status(StrEnum):
    OK = "OK"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Finding:
    status: Status
    check: str
    detail: str

    def line(self) -> str:
        return f"{self.status.value:<5} {self.check}: {self.detail}"


def run_diagnostics(settings: Settings, *, out: TextIO) -> int:
    """Print the header and every check to ``out``; 1 if any check failed, else 0."""
    for line in _header(settings):
        out.write(line + "\n")
    out.write("\n")
    failed = False
    for finding in collect_findings(settings):
        out.write(redact(finding.line()) + "\n")
        out.flush()  # a slow check later on should not hold back what is known already
        failed = failed or finding.status is Status.FAIL
    out.write("\nresult: " + ("FAIL (see the lines above)" if failed else "no failures") + "\n")
    return 1 if failed else 0


def collect_findings(settings: Settings) -> Iterable[Finding]:
    """Every check's findings, in report order; a check that crashes is one FAIL line."""
    checks: list[tuple[str, Callable[[Settings], Iterable[Finding]]]] = [
        ("database", _database),
        ("operators", _operators),
        ("policies", _policies),
        ("camera", _camera),
        ("scale", _scale),
        ("printers", _printers),
        ("order system", _order_system),
        ("keyring", _keyring),
        ("audit key", _audit_key),
        ("disk", _disk),
        ("log", _log),
    ]
    for name, check in checks:
        try:
            yield from check(settings)
        except Exception as exc:  # a bug in one check must not hide the others
            yield Finding(Status.FAIL, name, f"check crashed: {type(exc).__name__}: {exc}")


# --- header ------------------------------------------------------------------------------------


def _header(settings: Settings) -> list[str]:
    lines = [
        f"returnsdesk {__version__} diagnostics",
        f"Python {sys.version.split()[0]} ({sys.executable})"
        + (", frozen build" if getattr(sys, "frozen", False) else ""),
        f"Platform: {platform.platform()} ({platform.machine()})",
        f"Qt: {_qt_version()}",
        "",
        "Settings files:",
    ]
    for path, how in _settings_files():
        lines.append(f"  {path}: {how}")
    variables = sorted(n for n in os.environ if n.startswith(ENV_PREFIX))
    shown = [f"{n} (not a setting)" if n in CONTROL_ENV_VARS else n for n in variables]
    # Names only: values are in the settings below, and a token variable must not be printed.
    lines.append(f"Environment variables: {', '.join(shown) if shown else 'none'}")
    lines.append("")
    lines.extend(settings_report(settings).splitlines())
    return lines


def _qt_version() -> str:
    try:
        from returnsdesk.qt.diagnostics import qt_version
    except ImportError as exc:  # reported, not raised: the rest of the report still matters
        return f"not importable ({exc})"
    return qt_version()


def _settings_files() -> list[tuple[str, str]]:
    """The system and user settings files, each with whether it is used."""
    if sys.platform == "win32":
        program_data = os.environ.get("PROGRAMDATA", r"C:\ProgramData")
        system = Path(program_data) / APP_NAME / CONFIG_FILE_NAME
    else:
        system = Path("/etc") / APP_NAME / CONFIG_FILE_NAME
    user = Path(platformdirs.user_config_dir(APP_NAME, APP_NAME)) / CONFIG_FILE_NAME
    files = []
    for variable, default in ((SYSTEM_CONFIG_ENV, system), (USER_CONFIG_ENV, user)):
        named = os.environ.get(variable)
        if named == "":
            files.append((f"{default}", f"switched off by {variable}="))
            continue
        path = Path(named).expanduser() if named else default
        how = "read" if path.is_file() else "absent"
        files.append((str(path), how + (f" (named by {variable})" if named else "")))
    return files


# --- database ----------------------------------------------------------------------------------


def _station_url(settings: Settings) -> URL:
    """The database the station opens (as ``services.bootstrap.database_url``, without demo).

    Not imported from there: bootstrap pulls in the demo data and reportlab, and diagnostics
    should report on the database even when those are what is broken.
    """
    from returnsdesk.data.db import default_database_url

    return make_url(settings.database.url or default_database_url())


def _database(settings: Settings) -> Iterable[Finding]:
    from returnsdesk.data.migrations import head_revision

    url = _station_url(settings)
    shown = url.render_as_string(hide_password=True)
    head = head_revision()
    if url.get_backend_name() == "sqlite":
        yield from _sqlite(url, head)
        return
    try:
        revision = _server_revision(url)
    except Exception as exc:
        yield Finding(Status.FAIL, "database", f"{shown}: cannot connect: {_one_line(exc)}")
        return
    yield _revision_finding(shown + ", reachable", revision, head)


def _sqlite(url: URL, head: str) -> Iterable[Finding]:
    if url.database in (None, "", ":memory:"):
        yield Finding(Status.WARN, "database", "SQLite in memory: nothing is kept")
        return
    path = Path(url.database).absolute()
    if not path.exists():
        folder = _existing_parent(path)
        writable = os.access(folder, os.W_OK | os.X_OK)
        yield Finding(
            Status.OK if writable else Status.FAIL,
            "database",
            f"SQLite {path} does not exist yet; created at first start"
            + ("" if writable else f", but {folder} is not writable"),
        )
        return
    try:
        with _read_only(path) as db:
            has_table = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            row = (
                db.execute("SELECT version_num FROM alembic_version").fetchone()
                if has_table
                else None
            )
    except sqlite3.Error as exc:
        yield Finding(Status.FAIL, "database", f"SQLite {path}: cannot read: {exc}")
        return
    yield _revision_finding(f"SQLite {path}", None if row is None else str(row[0]), head)
    yield from _sqlite_permissions(path)


def _read_only(path: Path) -> closing[sqlite3.Connection]:
    """Read-only and without SQLAlchemy's engine setup (a report must not write anything);
    closed when the ``with`` block ends."""
    uri = f"{path.absolute().as_uri()}?mode=ro"
    return closing(sqlite3.connect(uri, uri=True, timeout=TIMEOUT_S))


def _sqlite_permissions(path: Path) -> Iterable[Finding]:
    problems = [
        f"{item} is not {what}"
        for item, mode, what in (
            (path, os.R_OK | os.W_OK, "readable and writable"),
            # WAL mode creates -wal and -shm files beside the database.
            (path.parent, os.W_OK | os.X_OK, "writable (SQLite's -wal and -shm files go there)"),
        )
        if not os.access(item, mode)
    ]
    if problems:
        yield Finding(Status.FAIL, "database file", "; ".join(problems))
        return
    info = path.stat()
    detail = (
        f"{stat.filemode(info.st_mode)}, owner uid {info.st_uid}, {info.st_size / 1024**2:.1f} MiB"
    )
    if sys.platform != "win32" and info.st_mode & 0o077:
        yield Finding(
            Status.WARN,
            "database file",
            f"{detail}: readable by other users; it holds customer names (chmod 600 {path})",
        )
    else:
        yield Finding(Status.OK, "database file", detail)


def _server_engine(url: URL) -> Engine:
    """An engine that gives up connecting after TIMEOUT_S (PostgreSQL)."""
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = int(TIMEOUT_S)
    return create_engine(url, connect_args=connect_args)


def _server_revision(url: URL) -> str | None:
    """The schema revision of a database server, with a connect timeout (PostgreSQL)."""
    from returnsdesk.data.migrations import current_revision

    engine = _server_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def _revision_finding(where: str, revision: str | None, head: str) -> Finding:
    known = _known_revisions()
    if revision == head:
        return Finding(Status.OK, "database", f"{where}, schema {revision} (this build's head)")
    if revision is None:
        return Finding(Status.OK, "database", f"{where}, empty: schema {head} created at start")
    if revision in known:
        return Finding(
            Status.WARN,
            "database",
            f"{where}, schema {revision}, this build upgrades it to {head} at next start"
            " (SQLite: a backup copy is made first; PostgreSQL: pg_dump before, see the IT guide)",
        )
    return Finding(
        Status.FAIL,
        "database",
        f"{where}, schema {revision} from a newer returnsdesk (this build knows up to {head}):"
        " install the newer build on this station",
    )


# Active operators, and those of them who can approve held refunds (a lead role and a PIN).
_OPERATOR_COUNTS = (
    "SELECT count(*), count(CASE WHEN role IN ('shift_lead', 'admin') AND pin_hash IS NOT NULL"
    " THEN 1 END) FROM operators WHERE active"
)


def _operators(settings: Settings) -> Iterable[Finding]:
    """Whether anyone can sign in, and approve held refunds (read only, like every check)."""
    url = _station_url(settings)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if not url.database or url.database == ":memory:" or not path.exists():
            return  # no database yet: the database line says so
        try:
            with _read_only(path) as db:
                active, leads = db.execute(_OPERATOR_COUNTS).fetchone()
        except sqlite3.Error:
            return  # not migrated yet, or unreadable: the database lines say so
    else:
        engine = _server_engine(url)
        try:
            with engine.connect() as connection:
                active, leads = connection.execute(text(_OPERATOR_COUNTS)).one()
        except Exception:  # unreachable or not migrated: the database line says so
            return
        finally:
            engine.dispose()
    add = "returnsdesk operators add OP-... --name ... --role shift_lead --pin"
    if active == 0:
        yield Finding(Status.FAIL, "operators", f"nobody can sign in: add operators ({add})")
    elif leads == 0:
        yield Finding(
            Status.WARN,
            "operators",
            f"{active} active, but no shift lead or admin with a PIN: held refunds cannot be"
            f" approved ({add})",
        )
    else:
        yield Finding(
            Status.OK, "operators", f"{active} active, {leads} can approve refunds (lead + PIN)"
        )


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from returnsdesk.data import migrations

    scripts = ScriptDirectory(str(Path(migrations.__file__).resolve().parent))
    return {script.revision for script in scripts.walk_revisions()}


# --- policies, camera, printers ------------------------------------------------------------------


def _policies(settings: Settings) -> Iterable[Finding]:
    from returnsdesk.domain.errors import PolicyError
    from returnsdesk.domain.policy import load_policies
    from returnsdesk.paths import default_policy_dir

    directory = settings.policies.directory or default_policy_dir()
    origin = "configured" if settings.policies.directory else "bundled"
    folders = [(directory, origin)] + [
        (client.policies, f"client {client.code}")  # a client shop's own ([clients.<code>])
        for client in settings.clients
        if client.policies is not None
    ]
    for directory, origin in folders:
        try:
            policies = load_policies(directory)
        except (PolicyError, OSError) as exc:
            yield Finding(Status.FAIL, "policies", f"{directory} ({origin}): {_one_line(exc)}")
            continue
        yield Finding(
            Status.OK,
            "policies",
            f"{directory} ({origin}): valid; {len(policies.grading.grades)} grades,"
            f" {len(policies.checklists.lists)} checklists,"
            f" {len(policies.dispositions.rules)} disposition rules",
        )


def _camera(settings: Settings) -> Iterable[Finding]:
    source = settings.camera.source
    if source is None:
        yield Finding(Status.OK, "camera", "not configured (camera.source): scanner only")
        return

    def first_frame() -> str:
        from returnsdesk.scan.camera import open_source

        camera = settings.camera
        opened = open_source(source, resolution=(camera.width, camera.height))
        try:
            frame = opened.read()
        finally:
            opened.close()
        if frame is None:
            raise RuntimeError(f"the {opened.description} opened but sent no picture")
        height, width = frame.shape[:2]
        return f"{opened.description}: a {width}x{height} frame read"

    status, detail = _within_timeout(first_frame, what=f"camera {source!r}")
    yield Finding(status, "camera", detail)


def _scale(settings: Settings) -> Iterable[Finding]:
    scale = settings.scale
    if scale.port is None:
        yield Finding(Status.OK, "scale", "not configured (scale.port): no weight check")
        return

    def identify_and_read() -> str:
        from returnsdesk.scan.scale import MtSicsScale

        device = MtSicsScale(scale.port or "", baud=scale.baud, timeout_s=scale.timeout_s)
        serial_number = device.identify()
        reading = device.reading()
        motion = "stable" if reading.stable else "moving"
        return f"{device.describe()}, serial {serial_number!r}: reads {reading.text} ({motion})"

    status, detail = _within_timeout(identify_and_read, what=f"scale on {scale.port!r}")
    yield Finding(status, "scale", detail)


def _printers(settings: Settings) -> Iterable[Finding]:
    labels = settings.labels
    kind = labels.printer
    if kind == "none":
        yield Finding(Status.OK, "printers", "none configured (labels.printer = none): no labels")
        return
    size = f"{labels.size}" + (f" at {labels.dpi} dpi" if kind.startswith("zpl") else "")
    if kind == "zpl-tcp":
        where = f"{labels.host}:{labels.port}"
        started = time.perf_counter()
        try:
            # Connecting and closing without a byte prints nothing on a raw 9100 port.
            with socket.create_connection(
                (labels.host or "", labels.port), timeout=min(TIMEOUT_S, labels.timeout_s)
            ):
                pass
        except OSError as exc:
            yield Finding(Status.FAIL, "printers", f"zpl-tcp {where}: unreachable ({exc})")
            return
        took = time.perf_counter() - started
        yield Finding(
            Status.OK, "printers", f"zpl-tcp {where}: accepts connections ({took:.2f} s), {size}"
        )
        return
    if kind == "pdf-folder":
        from returnsdesk.services.labels.printers import default_label_folder

        folder = labels.folder or default_label_folder()
        existing = _existing_parent(folder)
        writable = os.access(existing, os.W_OK | os.X_OK)
        yield Finding(
            Status.OK if writable else Status.FAIL,
            "printers",
            f"pdf-folder {folder}: {'writable' if writable else f'{existing} is not writable'}"
            f", {size}",
        )
        return
    yield from _cups_printer(kind, labels.queue, size)


def _cups_printer(kind: str, queue: str | None, size: str) -> Iterable[Finding]:
    """``lpstat`` on the queue (or the default destination): CUPS knows it and it is enabled."""
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        yield Finding(Status.FAIL, "printers", f"{kind}: CUPS is not installed (no lpstat)")
        return
    arguments = [lpstat, "-p", queue] if queue else [lpstat, "-d"]
    try:
        done = subprocess.run(arguments, capture_output=True, text=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        yield Finding(Status.FAIL, "printers", f"{kind}: lpstat failed: {_one_line(exc)}")
        return
    said = _one_line(Exception(done.stdout.strip() or done.stderr.strip()))
    target = f"queue {queue}" if queue else "default printer"
    if done.returncode != 0 or (not queue and "no system default" in said):
        yield Finding(Status.FAIL, "printers", f"{kind} {target}: {said}")
    elif "disabled" in said:
        yield Finding(Status.WARN, "printers", f"{kind} {target}: {said}")
    else:
        yield Finding(Status.OK, "printers", f"{kind} {target}: {said}, {size}")


# --- order system, keyring -----------------------------------------------------------------------


def _order_system(settings: Settings) -> Iterable[Finding]:
    order_system = settings.order_system
    if order_system.kind == "none" or order_system.url is None:
        yield Finding(Status.OK, "order system", "not configured (order_system.kind = none)")
        return
    url = order_system.url
    status, detail = _http_get(url, token=None)
    yield Finding(status, "order system", f"{order_system.kind} at {url}: {detail}")
    token, where = _token()
    if token is None:
        yield Finding(Status.WARN, "order system auth", f"not configured: no token ({where})")
        return
    status, detail = _http_get(url, token=token)
    yield Finding(status, "order system auth", f"token from {where}: {detail}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects come back as answers: the token must not follow one to another host."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _http_get(url: str, *, token: str | None) -> tuple[Status, str]:
    headers = {"User-Agent": f"returnsdesk-diagnostics/{__version__}"}
    if token is not None:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(url, headers=headers, method="GET")
    opener = urllib.request.build_opener(_NoRedirect)
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=TIMEOUT_S) as response:
            code = response.status
    except urllib.error.HTTPError as error:  # an answer: the server is reachable
        code = error.code
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return Status.FAIL, f"unreachable ({reason})"
    elapsed = f"HTTP {code} in {time.perf_counter() - started:.2f} s"
    if 300 <= code < 400:
        return Status.WARN, f"redirected, {elapsed}: set order_system.url to the final address"
    if token is None:
        # Any answer below 500 proves the address and the network; a 401 or 403 only says
        # that this request without a token was refused.
        if code < 500:
            return Status.OK, f"reachable, {elapsed}"
        return Status.WARN, f"reachable but failing, {elapsed}"
    if code in (401, 403):
        return Status.FAIL, f"refused, {elapsed}: check the token"
    if code < 400:
        return Status.OK, f"accepted, {elapsed}"
    return Status.WARN, f"cannot tell, {elapsed}"


def _token() -> tuple[str | None, str]:
    """The order system's token and where it came from (the variable wins, as for the relay)."""
    if os.environ.get(TOKEN_ENV):
        return os.environ[TOKEN_ENV], TOKEN_ENV
    keyring = _keyring_module()
    if keyring is None:
        return None, f"{TOKEN_ENV} not set, keyring not installed"
    try:
        token = keyring.get_password(KEYRING_SERVICE, KEYRING_USERNAME)
    except Exception as exc:  # keyring raises its own errors for locked or missing backends
        return None, f"{TOKEN_ENV} not set, keyring failed: {_one_line(exc)}"
    if token:
        return token, f"keyring ({KEYRING_SERVICE}/{KEYRING_USERNAME})"
    return None, f"{TOKEN_ENV} not set, none in keyring {KEYRING_SERVICE}/{KEYRING_USERNAME}"


def _keyring(settings: Settings) -> Iterable[Finding]:
    needed = settings.order_system.kind != "none"
    keyring = _keyring_module()
    if keyring is None:
        status = Status.WARN if needed and not os.environ.get(TOKEN_ENV) else Status.OK
        yield Finding(status, "keyring", "not installed (the order-system token needs a keyring)")
        return
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if "fail" in name.lower() or "null" in name.lower():
        status = Status.WARN if needed else Status.OK
        yield Finding(status, "keyring", f"no usable backend ({name})")
        return
    yield Finding(Status.OK, "keyring", f"backend {name}")


def _audit_key(settings: Settings) -> Iterable[Finding]:
    """Whether this station can seal and verify the audit trail (the key itself never shown)."""
    from returnsdesk.data import audit_key

    try:
        key = audit_key.load_key()
    except audit_key.AuditKeyError as exc:
        yield Finding(Status.FAIL, "audit key", str(exc))
        return
    if key is None:
        yield Finding(
            Status.WARN,
            "audit key",
            f"none yet ({audit_key.key_file_path()} or the OS keyring): a new database makes one"
            " with its first audit entry; a shared one needs 'returnsdesk audit key import'",
        )
        return
    yield Finding(Status.OK, "audit key", f"id {key.key_id} in {key.source}")


def _keyring_module() -> Any:
    """The ``keyring`` package if installed (optional: only stations with an order system)."""
    try:
        return importlib.import_module("keyring")
    except ImportError:
        return None


# --- disk, log ---------------------------------------------------------------------------------


def _disk(settings: Settings) -> Iterable[Finding]:
    from returnsdesk.data.db import default_database_url
    from returnsdesk.services.photos import default_photo_root

    url = _station_url(settings)
    data = Path(make_url(default_database_url()).database or ".").parent
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        data = Path(url.database).absolute().parent
    folders = {"data": data, "log": log_dir(settings.logging), "photos": default_photo_root()}
    for what, folder in folders.items():
        existing = _existing_parent(folder)
        usage = shutil.disk_usage(existing)
        detail = f"{folder}: {usage.free / _GIB:.1f} GiB free of {usage.total / _GIB:.1f} GiB"
        if usage.free < LOW_DISK_BYTES:
            yield Finding(Status.WARN, f"disk ({what})", detail + " (under 1 GiB)")
        else:
            yield Finding(Status.OK, f"disk ({what})", detail)


def _log(settings: Settings) -> Iterable[Finding]:
    path = log_dir(settings.logging) / LOG_FILE_NAME
    if path.exists():
        writable = os.access(path, os.W_OK)
        size = f"{path.stat().st_size / 1024:.0f} KiB"
        yield Finding(
            Status.OK if writable else Status.FAIL,
            "log",
            f"{path} ({size}{'' if writable else ', not writable'})",
        )
    else:
        folder = _existing_parent(path.parent)
        writable = os.access(folder, os.W_OK | os.X_OK)
        yield Finding(
            Status.OK if writable else Status.FAIL,
            "log",
            f"{path} (not written yet{'' if writable else f'; {folder} is not writable'})",
        )
    crashes = crash_dir(settings)
    reports = sorted(crashes.glob("crash-*.txt")) if crashes.is_dir() else []
    detail = f"{crashes}: {len(reports)} report(s)"
    yield Finding(
        Status.WARN if reports else Status.OK,
        "crash reports",
        detail + (f", newest {reports[-1].name}" if reports else ""),
    )


# --- helpers -----------------------------------------------------------------------------------


def _within_timeout(work: Callable[[], str], *, what: str) -> tuple[Status, str]:
    """Run ``work`` on a daemon thread; FAIL if it raises or does not finish in TIMEOUT_S.

    A driver call that hangs (a camera held by another program) is left behind on its daemon
    thread; the report goes on and the process can still exit.
    """
    result: list[tuple[Status, str]] = []

    def run() -> None:
        try:
            result.append((Status.OK, work()))
        except Exception as exc:
            result.append((Status.FAIL, _one_line(exc)))

    worker = threading.Thread(target=run, name="diagnostics-check", daemon=True)
    worker.start()
    worker.join(TIMEOUT_S)
    if not result:
        return Status.FAIL, f"{what}: no answer within {TIMEOUT_S:g} s"
    return result[0]


def _existing_parent(path: Path) -> Path:
    """``path`` or its nearest existing ancestor (for folders not created yet)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor or ".")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
