"""Logging for the whole application: a rotating file, an optional console, and a tail.

``setup_logging`` configures the root logger, so every module just uses
``logging.getLogger(__name__)``. It may run twice (once with defaults before the settings are
read, again with them); the second call replaces the file and console handlers it added and
keeps the one ``TailHandler``, so an open log view keeps its lines and listeners.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import time
from collections import deque
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from returnsdesk.config import APP_NAME, LoggingSettings
from returnsdesk.domain.errors import ConfigError

LOG_FILE_NAME = "returnsdesk.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUP_COUNT = 5
TAIL_LINES = 1000
FORMAT = "%(asctime)s %(levelname)-8s [%(threadName)s] %(name)s: %(message)s"

# Handlers added here carry these names, so a second call finds and replaces them.
_FILE_HANDLER_NAME = "returnsdesk.file"
_CONSOLE_HANDLER_NAME = "returnsdesk.console"
_TAIL_HANDLER_NAME = "returnsdesk.tail"


class TailHandler(logging.Handler):
    """Keeps the last ``capacity`` formatted records and passes each new one to listeners.

    Thread-safe: records arrive from any thread. Listeners are called on the logging thread,
    under the handler's lock, so they must be quick and must not log; the Qt log view's
    listener only emits a signal, which Qt queues to the GUI thread.
    """

    def __init__(self, capacity: int = TAIL_LINES) -> None:
        super().__init__()
        self._lines: deque[str] = deque(maxlen=capacity)
        self._listeners: list[Callable[[str], None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        # logging.Handler.handle() holds self.lock around emit().
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self._lines.append(line)
        for listener in list(self._listeners):
            try:
                listener(line)
            except Exception:  # one broken view must not silence the others
                self.handleError(record)

    def lines(self) -> list[str]:
        """The kept lines, oldest first."""
        self.acquire()
        try:
            return list(self._lines)
        finally:
            self.release()

    def add_listener(self, fn: Callable[[str], None]) -> list[str]:
        """Call ``fn`` with every new line; return the lines kept so far.

        Both happen under one lock, so a view that shows the returned lines and then appends
        what ``fn`` receives neither misses nor repeats a line.
        """
        self.acquire()
        try:
            self._listeners.append(fn)
            return list(self._lines)
        finally:
            self.release()

    def remove_listener(self, fn: Callable[[str], None]) -> None:
        """Stop calling ``fn`` (a closed view must not be called again); unknown ``fn`` is fine."""
        self.acquire()
        try:
            if fn in self._listeners:
                self._listeners.remove(fn)
        finally:
            self.release()


_tail = TailHandler()
_tail.set_name(_TAIL_HANDLER_NAME)


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating file readable by its owner only: log lines quote customers and scans.

    Rotated files are renamed, so they keep the mode; the fresh file after a rollover would be
    created with the umask's mode, so every open goes through ``os.open`` with 0600.
    """

    def _open(self) -> io.TextIOWrapper:
        os.close(os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT, 0o600))  # never truncates
        _tighten(Path(self.baseFilename), 0o600)  # an existing file keeps its mode through open
        return super()._open()


def _make_private(folder: Path) -> None:
    """Create ``folder`` 0700, tighten it if it existed looser, and its old log files to 0600."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(folder, 0o700)
    for old in folder.glob(f"{LOG_FILE_NAME}.*"):
        if old.is_file():
            _tighten(old, 0o600)


def _tighten(path: Path, mode: int) -> None:
    # Not ours (a folder IT shares between users): it keeps the mode IT gave it.
    with contextlib.suppress(PermissionError):
        path.chmod(mode)


def tail_handler() -> TailHandler:
    """The application's one tail, installed on the root logger by ``setup_logging``."""
    return _tail


def log_dir(settings: LoggingSettings) -> Path:
    """The configured log folder, or the platform's user log folder."""
    if settings.directory is not None:
        return settings.directory
    return Path(platformdirs.user_log_dir(APP_NAME, APP_NAME))


def setup_logging(settings: LoggingSettings, *, console: bool = False) -> Path:
    """Send the root logger to a rotating file (and stderr if ``console``); return the file.

    Raises ``ConfigError`` naming ``logging.directory`` when the log file cannot be opened.
    """
    path = log_dir(settings) / LOG_FILE_NAME
    try:
        _make_private(path.parent)
        file_handler = PrivateRotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError as exc:
        raise ConfigError(f"logging.directory: cannot write {path}: {exc.strerror or exc}") from exc
    file_handler.set_name(_FILE_HANDLER_NAME)
    handlers: list[logging.Handler] = [file_handler, _tail]
    if console:
        console_handler = logging.StreamHandler(sys.stderr)
        console_handler.set_name(_CONSOLE_HANDLER_NAME)
        handlers.append(console_handler)

    formatter = _utc_formatter()
    root = logging.getLogger()
    for old in list(root.handlers):
        if old.get_name() in (_FILE_HANDLER_NAME, _CONSOLE_HANDLER_NAME, _TAIL_HANDLER_NAME):
            root.removeHandler(old)
            if old is not _tail:
                old.close()
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(settings.level)
    return path


def _utc_formatter() -> logging.Formatter:
    """A formatter stamping UTC ISO 8601 times with milliseconds.

    UTC so that logs from stations in different time zones, or across a daylight saving change,
    sort and compare as written.
    """
    formatter = logging.Formatter(FORMAT)
    formatter.converter = time.gmtime
    formatter.default_time_format = "%Y-%m-%dT%H:%M:%S"
    formatter.default_msec_format = "%s.%03dZ"
    return formatter
