"""Printers from the command line: ``diagnostics`` checks them, ``print-test`` and
``print-labels`` print without the GUI. The printer is a real TCP listener; CUPS is a named
fake (``lp``/``lpstat`` scripts on PATH), since no CUPS runs here."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from fake_lp import path_with
from returnsdesk.__main__ import main
from returnsdesk.config import load_settings
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.models import PrintJob, Station
from returnsdesk.diagnostics import Finding, collect_findings
from returnsdesk.domain.labels import sample_label
from zpl_listener import ZplListener, free_port


def printer_findings(**labels: object) -> list[Finding]:
    settings = load_settings(environ={}, overrides={f"labels.{k}": v for k, v in labels.items()})
    return [f for f in collect_findings(settings) if f.check == "printers"]


def fake_lpstat(tmp_path: Path, output: str, code: int = 0) -> str:
    """A named fake of CUPS' ``lpstat`` that prints ``output`` and exits with ``code``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "lpstat"
    script.write_text(f"#!/bin/sh\necho '{output}'\nexit {code}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return path_with(bin_dir)


def test_diagnostics_connects_to_a_zpl_printer() -> None:
    with ZplListener() as printer:
        (finding,) = printer_findings(printer="zpl-tcp", host="127.0.0.1", port=printer.port)
        assert printer.wait_for(1) == [b""]  # connected and closed: nothing printed

    assert finding.status == "OK"
    assert finding.detail.startswith(f"zpl-tcp 127.0.0.1:{printer.port}: accepts connections")
    assert finding.detail.endswith("4x6in at 203 dpi")


def test_diagnostics_fails_on_a_printer_that_is_off() -> None:
    port = free_port()

    (finding,) = printer_findings(printer="zpl-tcp", host="127.0.0.1", port=port)

    assert finding.status == "FAIL"
    assert finding.detail.startswith(f"zpl-tcp 127.0.0.1:{port}: unreachable")


@pytest.mark.parametrize(
    ("lpstat", "code", "status"),
    [
        ("printer zebra is idle.  enabled since Mon 23 Nov 2026", 0, "OK"),
        ("printer zebra disabled since Mon 23 Nov 2026 - paused", 0, "WARN"),
        ('lpstat: Invalid destination name in list "zebra"', 1, "FAIL"),
    ],
)
def test_diagnostics_asks_lpstat_about_the_cups_queue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lpstat: str, code: int, status: str
) -> None:
    monkeypatch.setenv("PATH", fake_lpstat(tmp_path, lpstat, code))

    (finding,) = printer_findings(printer="zpl-cups", queue="zebra")

    assert (finding.status, finding.detail.split(": ", 1)[0]) == (status, "zpl-cups queue zebra")
    assert lpstat.split()[1] in finding.detail


def test_no_default_printer_fails_for_pdf_cups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", fake_lpstat(tmp_path, "no system default destination"))

    (finding,) = printer_findings(printer="pdf-cups")

    assert finding.status == "FAIL" and "default printer" in finding.detail


def test_print_test_sends_a_test_label(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with ZplListener() as printer:
        monkeypatch.setenv("RETURNSDESK_LABELS_PRINTER", "zpl-tcp")
        monkeypatch.setenv("RETURNSDESK_LABELS_HOST", "127.0.0.1")
        monkeypatch.setenv("RETURNSDESK_LABELS_PORT", str(printer.port))

        assert main(["print-test"]) == 0

        (label,) = printer.wait_for(1)
    assert b"^FDTEST PRINT^FS" in label
    assert f"sent to printer 127.0.0.1:{printer.port}" in capsys.readouterr().out


def test_print_test_says_when_the_printer_is_off(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    monkeypatch.setenv("RETURNSDESK_LABELS_PRINTER", "zpl-tcp")
    monkeypatch.setenv("RETURNSDESK_LABELS_HOST", "127.0.0.1")
    monkeypatch.setenv("RETURNSDESK_LABELS_PORT", str(port))

    assert main(["print-test"]) == 1

    assert f"test label not printed: printer 127.0.0.1:{port} offline" in capsys.readouterr().err


def test_print_test_without_a_printer_is_a_configuration_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["print-test"]) == 2
    assert "no label printer: set labels.printer" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("RETURNSDESK_LABELS_PRINTER", "zpl-tcp", "labels.host: required when labels.printer"),
        ("RETURNSDESK_LABELS_SIZE", "A4", "labels.size: label size 'A4'"),
        ("RETURNSDESK_LABELS_DPI", "150", "labels.dpi: must be 203, 300 or 600, not 150"),
        ("RETURNSDESK_LABELS_PRINTER", "laser", "labels.printer: must be one of none, zpl-tcp"),
    ],
)
def test_label_settings_are_checked(variable: str, value: str, message: str) -> None:
    from returnsdesk.domain.errors import ConfigError

    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("'", "'")):
        load_settings(environ={variable: value})


def queue_one_label(database_url: str) -> str:
    """A station database with one routing label waiting; returns its plate."""
    database = Database(make_engine(database_url))
    ensure_schema(database.engine)
    label = sample_label("BENCH", datetime.now(UTC))
    with database.session() as session:
        station = Station(code="BENCH", name="Bench")
        session.add(station)
        session.add(
            PrintJob(
                kind="routing_label",
                station_id=station.id,
                license_plate=label.license_plate,
                payload=label.to_payload(),
                printer="printer",
            )
        )
    database.dispose()
    return label.license_plate


def zpl_printer_env(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    monkeypatch.setenv("RETURNSDESK_LABELS_PRINTER", "zpl-tcp")
    monkeypatch.setenv("RETURNSDESK_LABELS_HOST", "127.0.0.1")
    monkeypatch.setenv("RETURNSDESK_LABELS_PORT", str(port))


def test_print_labels_once_prints_what_waits_headless(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plate = queue_one_label(database_url)
    with ZplListener() as printer:
        zpl_printer_env(monkeypatch, printer.port)

        arguments = ["print-labels", "--once", "--database", database_url, "--station", "BENCH"]
        assert main(arguments) == 0
        assert main(arguments) == 0  # nothing left: printed once

        (label,) = printer.wait_for(1)
    assert f"^FD{plate}^FS".encode() in label
    assert "1 label(s) printed" in capsys.readouterr().out


def test_print_labels_once_with_the_printer_off_keeps_them_and_says_so(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    queue_one_label(database_url)
    zpl_printer_env(monkeypatch, free_port())

    code = main(["print-labels", "--once", "--database", database_url, "--station", "BENCH"])

    assert code == 1
    assert "labels still waiting" in capsys.readouterr().err
    engine = make_engine(database_url)
    try:
        with engine.connect() as db:
            assert db.execute(text("SELECT status FROM print_jobs")).scalar_one() == "queued"
    finally:
        engine.dispose()
