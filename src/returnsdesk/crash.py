"""Crash reports: one text file per unexpected error, for IT to attach to a ticket.

The Qt layer's excepthook calls ``write_crash_report`` for bugs (never for operator errors)
before showing the crash dialog. A report holds what a developer needs and nothing secret: the
version, the time in UTC, the platform, the settings (database passwords hidden) and the
traceback. Files go to ``crashes/`` in the log folder, readable by the user only (tracebacks
can quote customer data), named by time so that they sort; the newest 50 are kept.
"""

from __future__ import annotations

import os
import platform
import re
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from returnsdesk import __version__
from returnsdesk.config import Settings, settings_report
from returnsdesk.log import log_dir

CRASH_DIR_NAME = "crashes"
KEEP = 50
_PREFIX = "crash-"
_SUFFIX = ".txt"
# user:password@ in any URL an exception message may quote (a database URL, say).
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^/@:\s]*:)[^@\s/]*(?=@)")


def crash_dir(settings: Settings) -> Path:
    """Where crash reports go: ``crashes/`` in the configured or the user's log folder."""
    return log_dir(settings.logging) / CRASH_DIR_NAME


def write_crash_report(
    exc: BaseException, *, settings: Settings, directory: Path | None = None
) -> Path:
    """Write a report of ``exc`` (with its traceback and causes); return the file's path.

    ``directory`` defaults to ``crash_dir(settings)``. Older reports beyond the newest 50 are
    deleted. Raises ``OSError`` if the report cannot be written; the caller logs the crash
    anyway, so a full disk costs the report, not the log line.
    """
    folder = directory if directory is not None else crash_dir(settings)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # reports can quote customer data
    now = datetime.now(UTC)
    text = redact("\n".join(_report_lines(exc, settings=settings, now=now))) + "\n"
    # Microseconds and the process id keep two crashes in one second (or two stations sharing
    # a log folder) apart; the name still sorts by time.
    path = folder / f"{_PREFIX}{now:%Y%m%dT%H%M%S.%fZ}-{os.getpid()}{_SUFFIX}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", errors="backslashreplace") as file:
        file.write(text)
    prune_crash_reports(folder, keep=KEEP)
    return path


def prune_crash_reports(folder: Path, *, keep: int = KEEP) -> list[Path]:
    """Delete all but the ``keep`` newest reports in ``folder``; return those deleted."""
    reports = sorted(
        (p for p in folder.glob(f"{_PREFIX}*{_SUFFIX}") if p.is_file()), key=lambda p: p.name
    )
    old = reports[: max(len(reports) - keep, 0)]
    for path in old:
        path.unlink(missing_ok=True)  # another station sharing the folder may have pruned it
    return old


def redact(text: str) -> str:
    """``text`` with the password of every ``scheme://user:password@host`` URL as ``***``."""
    return _URL_PASSWORD.sub(r"\g<head>***", text)


def _report_lines(exc: BaseException, *, settings: Settings, now: datetime) -> list[str]:
    try:
        settings_text = settings_report(settings)
    except Exception as error:  # the report must be written even if this part is broken
        settings_text = f"(settings report failed: {error!r})"
    return [
        f"returnsdesk {__version__} crash report",
        f"Time (UTC): {now.isoformat(timespec='seconds')}",
        f"Station: {settings.station.code}",
        f"Python: {sys.version.split()[0]} ({sys.executable})",
        f"Platform: {platform.platform()}",
        f"Frozen build: {'yes' if getattr(sys, 'frozen', False) else 'no'}",
        f"Error: {type(exc).__module__}.{type(exc).__qualname__}: {exc}",
        "",
        "Traceback (most recent call last, causes first):",
        "".join(traceback.format_exception(exc)).rstrip(),
        "",
        "Settings:",
        settings_text,
    ]
