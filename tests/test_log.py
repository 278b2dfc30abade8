"""Logging: the rotating file, idempotent setup, and the tail behind the in-app log view."""

from __future__ import annotations

import logging
import os
import re
import stat
import sys
import threading
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from returnsdesk import log
from returnsdesk.config import LoggingSettings
from returnsdesk.domain.errors import ConfigError
from returnsdesk.log import TailHandler, setup_logging, tail_handler

LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO     \[MainThread\] returnsdesk\.tests: hello$"
)


@pytest.fixture
def tail_logger() -> Iterator[tuple[logging.Logger, TailHandler]]:
    """A private logger feeding a fresh three-line tail, so tests do not share the app's tail."""
    logger = logging.getLogger("returnsdesk.tests.tail")
    logger.propagate, logger.level = False, logging.DEBUG
    tail = TailHandler(capacity=3)
    tail.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(tail)
    yield logger, tail
    logger.removeHandler(tail)
    logger.propagate, logger.level = True, logging.NOTSET


def our_handlers() -> list[logging.Handler]:
    return [
        h for h in logging.getLogger().handlers if (h.get_name() or "").startswith("returnsdesk.")
    ]


def test_setup_writes_readable_utc_lines_to_the_log_dir(tmp_path: Path) -> None:
    path = setup_logging(LoggingSettings(directory=tmp_path / "logs"))
    logging.getLogger("returnsdesk.tests").info("hello")

    assert path == tmp_path / "logs" / "returnsdesk.log"
    assert LINE.match(path.read_text(encoding="utf-8").splitlines()[-1])
    # UTC whatever the machine's zone: the Unix epoch is written as midnight, with a Z.
    epoch = logging.makeLogRecord({"created": 0.0, "msecs": 0.0, "levelname": "INFO", "msg": "x"})
    assert tail_handler().format(epoch).startswith("1970-01-01T00:00:00.000Z ")


def test_setup_twice_installs_each_handler_once(tmp_path: Path) -> None:
    first = setup_logging(LoggingSettings(directory=tmp_path))
    second = setup_logging(LoggingSettings(directory=tmp_path))
    logging.getLogger("returnsdesk.tests").info("hello")

    assert first == second
    assert sorted(h.get_name() for h in our_handlers()) == ["returnsdesk.file", "returnsdesk.tail"]
    assert sum(LINE.match(line) is not None for line in first.read_text().splitlines()) == 1


def test_console_handler_comes_and_goes_with_the_flag(tmp_path: Path) -> None:
    setup_logging(LoggingSettings(directory=tmp_path), console=True)
    assert "returnsdesk.console" in [h.get_name() for h in our_handlers()]

    setup_logging(LoggingSettings(directory=tmp_path), console=False)
    assert "returnsdesk.console" not in [h.get_name() for h in our_handlers()]


def test_a_second_setup_moves_the_file_and_applies_the_new_level(tmp_path: Path) -> None:
    setup_logging(LoggingSettings(directory=tmp_path / "early"))
    path = setup_logging(LoggingSettings(level="WARNING", directory=tmp_path / "late"))
    logger = logging.getLogger("returnsdesk.tests")
    logger.info("quiet")
    logger.warning("loud")

    assert path.parent == tmp_path / "late"
    text = path.read_text(encoding="utf-8")
    assert "loud" in text and "quiet" not in text


def test_file_handler_rotates_at_five_megabytes_keeping_five_old_files(tmp_path: Path) -> None:
    setup_logging(LoggingSettings(directory=tmp_path))
    file_handler = next(h for h in our_handlers() if isinstance(h, RotatingFileHandler))
    assert (file_handler.maxBytes, file_handler.backupCount) == (5 * 1024 * 1024, 5)


def test_file_rotates_and_old_files_are_capped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log, "MAX_BYTES", 1_000)  # rotate after a few lines, not 5 MB
    path = setup_logging(LoggingSettings(directory=tmp_path))
    logger = logging.getLogger("returnsdesk.tests")

    for number in range(200):
        logger.info("line %03d %s", number, "x" * 50)

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "returnsdesk.log",
        *(f"returnsdesk.log.{n}" for n in range(1, 6)),
    ]
    assert path.read_text(encoding="utf-8").splitlines()[-1].endswith(f"line 199 {'x' * 50}")
    assert all(p.stat().st_size <= 1_000 for p in tmp_path.iterdir())


def test_unwritable_log_directory_is_a_config_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")

    with pytest.raises(ConfigError, match=r"^logging\.directory: cannot write "):
        setup_logging(LoggingSettings(directory=not_a_folder))


def test_tail_keeps_the_last_n_lines(tail_logger: tuple[logging.Logger, TailHandler]) -> None:
    logger, tail = tail_logger

    for number in range(5):
        logger.info("line %d", number)

    assert tail.lines() == ["line 2", "line 3", "line 4"]


def test_listener_gets_the_backlog_then_each_new_line(
    tail_logger: tuple[logging.Logger, TailHandler],
) -> None:
    logger, tail = tail_logger
    logger.info("before")
    received: list[str] = []

    backlog = tail.add_listener(received.append)
    logger.info("after")
    tail.remove_listener(received.append)
    logger.info("gone")

    assert backlog == ["before"]
    assert received == ["after"]


def test_a_failing_listener_does_not_silence_the_others(
    tail_logger: tuple[logging.Logger, TailHandler], capsys: pytest.CaptureFixture[str]
) -> None:
    logger, tail = tail_logger
    received: list[str] = []

    def broken(line: str) -> None:
        raise RuntimeError("view closed")

    tail.add_listener(broken)
    tail.add_listener(received.append)
    logger.info("hello")

    assert received == ["hello"]
    assert "view closed" in capsys.readouterr().err  # reported the logging way, on stderr


def test_tail_is_safe_across_threads(tail_logger: tuple[logging.Logger, TailHandler]) -> None:
    logger, tail = tail_logger
    received: list[str] = []
    tail.add_listener(received.append)

    def burst(thread: int) -> None:
        for number in range(500):
            logger.info("%d-%d", thread, number)

    threads = [threading.Thread(target=burst, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(received) == 8 * 500
    assert tail.lines() == received[-3:]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_log_folder_and_every_log_file_are_private_even_after_rotation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a log folder a loose umask made readable by everyone, holding an older log file
    folder = tmp_path / "logs"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    (folder / "returnsdesk.log").write_text("old line\n", encoding="utf-8")
    (folder / "returnsdesk.log").chmod(0o644)
    (folder / "returnsdesk.log.3").write_text("older line\n", encoding="utf-8")
    (folder / "returnsdesk.log.3").chmod(0o644)
    monkeypatch.setattr(log, "MAX_BYTES", 1_000)
    old_umask = os.umask(0o022)
    try:
        # When the station logs enough lines to rotate several times
        setup_logging(LoggingSettings(directory=folder))
        logger = logging.getLogger("returnsdesk.tests")
        for number in range(100):
            logger.info("customer line %03d %s", number, "x" * 50)
    finally:
        os.umask(old_umask)

    # Then only the user can open the folder and read any of the files (they quote customers)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(folder.iterdir())
    assert [p.name for p in files] == [
        "returnsdesk.log",
        *(f"returnsdesk.log.{n}" for n in range(1, 6)),
    ]
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {
        p.name: oct(0o600) for p in files
    }


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_a_new_log_folder_is_created_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        path = setup_logging(LoggingSettings(directory=tmp_path / "new" / "logs"))
        logging.getLogger("returnsdesk.tests").info("hello")
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
