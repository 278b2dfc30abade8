"""``returnsdesk diagnostics``: OK/WARN/FAIL lines IT can paste into a ticket, and the exit code."""

from __future__ import annotations

import io
import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest

from returnsdesk import diagnostics
from returnsdesk.config import Settings, load_settings
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema, head_revision
from returnsdesk.diagnostics import run_diagnostics
from returnsdesk.domain.scanning import DEFAULT_RULES
from returnsdesk.domain.vocabulary import OperatorRole
from returnsdesk.services.operator_admin import add_operator
from scale_sim import simulated_scale, steady


def _free_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Shop(BaseHTTPRequestHandler):
    """An order system that answers 200 with the right token, 401 otherwise."""

    def do_GET(self) -> None:
        if self.path.startswith("/moved/"):
            self.send_response(301)
            self.send_header("Location", "http://elsewhere.invalid/api/")
            self.end_headers()
            return
        ok = self.headers.get("Authorization") in (None, "Token good-token")
        self.send_response(200 if ok else 401)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture
def shop_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Shop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/"
    server.shutdown()
    server.server_close()


def _add_operator(url: str, badge: str, role: OperatorRole, pin: str | None) -> None:
    database = Database(make_engine(url))
    with database.session() as session:
        add_operator(
            session, code=badge, name=badge, role=role, pin=pin, rules=DEFAULT_RULES, by="it"
        )
    database.dispose()


@pytest.fixture
def empty_station_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'data' / 'returnsdesk.sqlite3'}"
    engine = make_engine(url)
    ensure_schema(engine)
    engine.dispose()
    return url


@pytest.fixture
def station_db(empty_station_db: str) -> str:
    """A migrated station database with a shift lead who can approve refunds."""
    _add_operator(empty_station_db, "OP-0001", OperatorRole.SHIFT_LEAD, "4711")
    return empty_station_db


def _run(settings: Settings) -> tuple[int, dict[str, tuple[str, str]], str]:
    out = io.StringIO()
    code = run_diagnostics(settings, out=out)
    report = out.getvalue()
    lines: dict[str, tuple[str, str]] = {}
    for line in report.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("OK", "WARN", "FAIL"):
            check, _, detail = rest.strip().partition(": ")
            lines[check] = (status, detail)
    return code, lines, report


def test_bad_camera_and_unreachable_order_system_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, station_db: str
) -> None:
    # Given IT's settings file naming a camera that is not there and a shop nobody answers at
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{station_db}"\n'
        '[camera]\nsource = "/dev/no-such-camera.mp4"\n'
        f'[order_system]\nkind = "oscar"\nurl = "http://127.0.0.1:{_free_port()}/api/"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("RETURNSDESK_SYSTEM_CONFIG", str(config))
    settings = load_settings()

    # When IT runs the diagnostics
    code, lines, report = _run(settings)

    # Then both problems are FAIL lines saying what is wrong, and the exit status says so
    assert code == 1
    assert lines["camera"][0] == "FAIL"
    assert "/dev/no-such-camera.mp4" in lines["camera"][1]
    assert lines["order system"][0] == "FAIL"
    assert "unreachable" in lines["order system"][1]
    status, detail = lines["order system auth"]
    assert status == "WARN"
    assert detail.startswith("not configured: no token (RETURNSDESK_ORDER_SYSTEM_TOKEN not set")
    # and the rest still reports
    assert lines["database"][0] == "OK"
    assert lines["policies"][0] == "OK"
    assert f"  {config}: read" in report
    assert report.rstrip().endswith("result: FAIL (see the lines above)")


def test_a_healthy_station_exits_0(
    station_db: str, shop_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    frames = tmp_path / "frames"
    frames.mkdir()
    shutil.copy(Path(__file__).parents[1] / "resources/selftest/code128-ups.png", frames)
    monkeypatch.setenv("RETURNSDESK_ORDER_SYSTEM_TOKEN", "good-token")
    settings = load_settings(
        environ={},
        overrides={
            "database.url": station_db,
            "camera.source": str(frames),
            "order_system.kind": "oscar",
            "order_system.url": shop_url,
        },
    )
    code, lines, report = _run(settings)
    assert code == 0, report
    path = station_db.removeprefix("sqlite:///")
    assert lines["database"] == (
        "OK",
        f"SQLite {path}, schema {head_revision()} (this build's head)",
    )
    assert lines["database file"][0] == "OK"
    assert lines["camera"] == ("OK", "image folder frames: a 627x174 frame read")
    assert lines["order system"][0] == "OK" and "HTTP 200" in lines["order system"][1]
    assert lines["order system auth"][0] == "OK"
    assert "token from RETURNSDESK_ORDER_SYSTEM_TOKEN" in lines["order system auth"][1]
    assert "good-token" not in report
    assert lines["printers"] == ("OK", "none configured (labels.printer = none): no labels")
    assert lines["operators"] == ("OK", "1 active, 1 can approve refunds (lead + PIN)")
    assert report.rstrip().endswith("result: no failures")


def test_a_station_nobody_can_sign_in_to_or_without_a_lead_is_reported(
    empty_station_db: str,
) -> None:
    settings = load_settings(environ={}, overrides={"database.url": empty_station_db})
    # Given a new database with no operators, then nobody can sign in: a failure
    code, lines, _ = _run(settings)
    assert code == 1
    status, detail = lines["operators"]
    assert status == "FAIL" and detail.startswith("nobody can sign in: add operators")
    # Given inspectors only, then held refunds could never be approved: a warning
    _add_operator(empty_station_db, "OP-0002", OperatorRole.INSPECTOR, None)
    status, detail = _run(settings)[1]["operators"]
    assert status == "WARN"
    assert detail.startswith("1 active, but no shift lead or admin with a PIN")


def test_a_refused_token_fails(shop_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETURNSDESK_ORDER_SYSTEM_TOKEN", "stale-token")
    settings = load_settings(
        environ={}, overrides={"order_system.kind": "oscar", "order_system.url": shop_url}
    )
    code, lines, _ = _run(settings)
    assert code == 1
    assert lines["order system"][0] == "OK"  # reachable
    assert lines["order system auth"][0] == "FAIL"
    assert "HTTP 401" in lines["order system auth"][1]


def test_a_redirect_is_a_warning_and_the_token_does_not_follow_it(
    shop_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETURNSDESK_ORDER_SYSTEM_TOKEN", "good-token")
    moved = shop_url.replace("/api/", "/moved/")
    settings = load_settings(
        environ={}, overrides={"order_system.kind": "oscar", "order_system.url": moved}
    )
    code, lines, _ = _run(settings)
    assert code == 0
    for check in ("order system", "order system auth"):
        status, detail = lines[check]
        assert status == "WARN" and "redirected, HTTP 301" in detail, detail


def test_header_names_versions_settings_and_hides_passwords(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A PostgreSQL URL whose driver (psycopg) is not installed here: the line says why.
    monkeypatch.setenv("RETURNSDESK_STATION_CODE", "BENCH-03")
    settings = load_settings(
        overrides={"database.url": "postgresql+psycopg://rd:hunter2@127.0.0.1:1/returns"}
    )
    code, lines, report = _run(settings)
    assert code == 1
    assert "hunter2" not in report
    assert lines["database"][0] == "FAIL"
    assert lines["database"][1].startswith("postgresql+psycopg://rd:***@127.0.0.1:1/returns: ")
    assert report.startswith("returnsdesk 0.1.0 diagnostics\nPython 3.")
    assert "\nQt: 6." in report
    variables = next(line for line in report.splitlines() if line.startswith("Environment var"))
    assert "RETURNSDESK_STATION_CODE" in variables.split(": ", 1)[1].split(", ")
    assert "Settings from: defaults, RETURNSDESK_STATION_CODE, command line" in report


def test_a_qt_that_cannot_be_imported_is_a_header_line_and_the_checks_still_run(
    empty_station_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an installation whose PySide6 cannot be imported (hidden from this process)
    for name in [n for n in sys.modules if n.partition(".")[0] in ("PySide6", "shiboken6")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "PySide6", None)  # also when no test imported it yet
    monkeypatch.delitem(sys.modules, "returnsdesk.qt.diagnostics", raising=False)
    settings = load_settings(environ={}, overrides={"database.url": empty_station_db})
    # When IT runs the diagnostics, then the Qt line says why and every check still reports
    _, lines, report = _run(settings)
    qt_line = next(line for line in report.splitlines() if line.startswith("Qt: "))
    assert qt_line.startswith("Qt: not importable (")
    assert "PySide6" in qt_line
    assert lines["database"][0] == "OK"
    assert lines["policies"][0] == "OK"
    assert report.rstrip().endswith("result: FAIL (see the lines above)")  # nobody can sign in


def test_database_behind_head_is_a_warning(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from returnsdesk.data import migrations

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    ensure_schema(engine)
    # Added with today's services (which append to today's audit trail), then taken back to
    # the first release: operators are as in 0001.
    _add_operator(url, "OP-0001", OperatorRole.SHIFT_LEAD, "4711")
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    engine.dispose()
    code, lines, _ = _run(load_settings(environ={}, overrides={"database.url": url}))
    assert code == 0
    assert lines["database"][0] == "WARN"
    assert f"schema 0001, this build upgrades it to {head_revision()}" in lines["database"][1]


def test_database_from_a_newer_build_fails(station_db: str) -> None:
    engine = make_engine(station_db)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    engine.dispose()
    code, lines, _ = _run(load_settings(environ={}, overrides={"database.url": station_db}))
    assert code == 1
    assert lines["database"][0] == "FAIL"
    assert "newer returnsdesk" in lines["database"][1]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_world_readable_database_file_is_a_warning(station_db: str) -> None:
    Path(station_db.removeprefix("sqlite:///")).chmod(0o644)
    code, lines, _ = _run(load_settings(environ={}, overrides={"database.url": station_db}))
    assert code == 0
    assert lines["database file"][0] == "WARN"
    assert "readable by other users" in lines["database file"][1]


def test_missing_database_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "new" / "returnsdesk.sqlite3"
    code, lines, _ = _run(
        load_settings(environ={}, overrides={"database.url": f"sqlite:///{path}"})
    )
    assert code == 0
    assert lines["database"] == ("OK", f"SQLite {path} does not exist yet; created at first start")
    assert not path.exists() and not path.parent.exists()


def test_low_disk_space_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    def nearly_full(_path: object) -> SimpleNamespace:
        return SimpleNamespace(total=100 * 2**30, used=99.5 * 2**30, free=0.5 * 2**30)

    monkeypatch.setattr(diagnostics.shutil, "disk_usage", nearly_full)
    code, lines, _ = _run(load_settings(environ={}))
    assert code == 0
    for what in ("data", "log", "photos"):
        status, detail = lines[f"disk ({what})"]
        assert status == "WARN" and "0.5 GiB free" in detail and "under 1 GiB" in detail


def test_a_camera_that_hangs_fails_after_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def hanging_open(*_args: object, **_kwargs: object) -> None:
        release.wait(10)  # a driver call that never returns

    monkeypatch.setattr("returnsdesk.scan.camera.open_source", hanging_open)
    monkeypatch.setattr(diagnostics, "TIMEOUT_S", 0.2)
    started = time.monotonic()
    code, lines, _ = _run(load_settings(environ={}, overrides={"camera.source": "0"}))
    release.set()
    assert time.monotonic() - started < 5
    assert code == 1
    assert lines["camera"] == ("FAIL", "camera '0': no answer within 0.2 s")


def test_crash_reports_are_pointed_out(tmp_path: Path) -> None:
    settings = load_settings(environ={}, overrides={"logging.directory": str(tmp_path)})
    (tmp_path / "crashes").mkdir()
    (tmp_path / "crashes" / "crash-20260101T000000.000000Z-1.txt").write_text("x")
    _, lines, _ = _run(settings)
    assert lines["crash reports"] == (
        "WARN",
        f"{tmp_path / 'crashes'}: 1 report(s), newest crash-20260101T000000.000000Z-1.txt",
    )
    assert lines["log"][0] == "OK"


def test_the_audit_key_is_named_by_its_id_and_a_readable_key_file_fails(station_db: str) -> None:
    from returnsdesk.data import audit_key

    settings = load_settings(environ={}, overrides={"database.url": station_db})
    key = audit_key.load_key()  # made when the station's first operator was added (audited)
    assert key is not None
    _, lines, report = _run(settings)
    assert lines["audit key"] == ("OK", f"id {key.key_id} in {audit_key.key_file_path()}")
    assert key.secret.hex() not in report

    audit_key.key_file_path().chmod(0o640)
    _, lines, _ = _run(settings)
    assert lines["audit key"][0] == "FAIL" and "chmod 600" in lines["audit key"][1]


def test_a_scale_on_its_port_is_named_with_its_serial_and_reading() -> None:
    with simulated_scale(steady("0.412")) as sim:
        settings = load_settings(environ={}, overrides={"scale.port": sim.port})
        lines = {
            f.check: (f.status.value, f.detail)
            for f in diagnostics.collect_findings(settings)
            if f.check == "scale"
        }
    assert lines["scale"] == (
        "OK",
        f"MT-SICS scale on {sim.port} (9600 baud), serial 'B123456789': reads 0.412 kg (stable)",
    )
    assert sim.commands == ["I4", "SI"]


def test_an_unplugged_scale_fails_and_no_scale_is_fine(tmp_path: Path) -> None:
    missing = str(tmp_path / "ttyUSB7")
    code, lines, _ = _run(load_settings(environ={}, overrides={"scale.port": missing}))
    assert code == 1
    assert lines["scale"][0] == "FAIL"
    assert (
        f"The scale on {missing} cannot be opened (unplugged? switched off?)" in lines["scale"][1]
    )
    _code, lines, _ = _run(load_settings(environ={}))
    assert lines["scale"] == ("OK", "not configured (scale.port): no weight check")
