"""Crash reports: what a developer needs, nothing secret, the newest 50 kept."""

from __future__ import annotations

import stat
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from returnsdesk import __version__
from returnsdesk.config import Settings, load_settings
from returnsdesk.crash import KEEP, crash_dir, redact, write_crash_report

SECRET = "s3cret-pass"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        environ={},
        overrides={
            "logging.directory": str(tmp_path / "log"),
            "station.code": "BENCH-07",
            "database.url": f"postgresql+psycopg://rd:{SECRET}@db.internal:5432/returns",
        },
    )


def _crash() -> BaseException:
    def inner() -> None:
        try:
            {}["missing"]
        except KeyError as cause:
            raise RuntimeError(f"cannot reach postgresql://rd:{SECRET}@db.internal/x") from cause

    try:
        inner()
    except RuntimeError as exc:
        return exc
    raise AssertionError("unreachable")


def test_report_has_version_time_platform_settings_and_the_whole_traceback(
    settings: Settings,
) -> None:
    path = write_crash_report(_crash(), settings=settings)

    assert settings.logging.directory is not None
    assert path.parent == crash_dir(settings) == settings.logging.directory / "crashes"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"returnsdesk {__version__} crash report\n")
    assert "Time (UTC): " in text and "+00:00" in text
    assert "Station: BENCH-07" in text
    assert f"Python: {sys.version.split()[0]}" in text
    assert "Platform: " in text
    # the cause and the error, with the functions they were raised in
    assert "KeyError: 'missing'" in text
    assert "The above exception was the direct cause" in text
    assert "in inner" in text
    assert "RuntimeError: cannot reach" in text
    assert 'code = "BENCH-07"' in text  # the settings report


def test_passwords_never_reach_the_report(settings: Settings) -> None:
    path = write_crash_report(_crash(), settings=settings)
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text
    assert "postgresql+psycopg://rd:***@db.internal:5432/returns" in text
    assert "postgresql://rd:***@db.internal/x" in text


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_report_is_readable_by_its_owner_only(settings: Settings) -> None:
    path = write_crash_report(_crash(), settings=settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_only_the_newest_50_reports_are_kept(settings: Settings, tmp_path: Path) -> None:
    # Given 58 older reports, one a day from 2020-01-01, and a file that is no report
    folder = tmp_path / "crashes"
    folder.mkdir()
    days = [date(2020, 1, 1) + timedelta(days=n) for n in range(58)]
    for day in days:
        (folder / f"crash-{day:%Y%m%d}T000000.000000Z-1.txt").write_text("old")
    (folder / "notes.txt").write_text("not a report: left alone")

    # When one more crash is reported
    newest = write_crash_report(_crash(), settings=settings, directory=folder)

    # Then the 9 oldest are gone and the newest 50 are kept
    kept = sorted(folder.glob("crash-*.txt"))
    assert len(kept) == KEEP == 50
    assert kept[-1] == newest
    assert kept[0].name == f"crash-{days[9]:%Y%m%d}T000000.000000Z-1.txt"
    assert (folder / "notes.txt").exists()


def test_two_crashes_in_a_row_get_two_files(settings: Settings) -> None:
    first = write_crash_report(_crash(), settings=settings)
    second = write_crash_report(_crash(), settings=settings)
    assert first != second and first.exists() and second.exists()


def test_redact_keeps_urls_without_passwords() -> None:
    text = "sqlite:////var/lib/x.sqlite3 https://user@host/p https://u:p:w@h/"
    assert redact(text) == "sqlite:////var/lib/x.sqlite3 https://user@host/p https://u:***@h/"
