"""Reading the station window's files ahead: the list a start writes and the next one reads."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from returnsdesk import readahead

MAPS = """\
55d0c000-55d0d000 r--p 00000000 fd:01 100 /opt/returnsdesk/returnsdesk
7f0000000000-7f0000100000 r--p 00000000 fd:01 201 /opt/returnsdesk/_internal/libQt6Widgets.so.6
7f0000100000-7f0000200000 r-xp 00100000 fd:01 201 /opt/returnsdesk/_internal/libQt6Widgets.so.6
7f0000300000-7f0000308000 rw-s 00000000 fd:01 300 /var/lib/returnsdesk/station.sqlite3-shm
7f0000400000-7f0000500000 r--p 00000000 fd:01 202 /opt/returnsdesk/_internal/libQt6Core.so.6
7f0000500000-7f0000501000 rw-p 00000000 00:00 0
7f0000600000-7f0000601000 r--p 00000000 fd:01 400 /tmp/old-copy.so (deleted)
7f0000700000-7f0000701000 rw-s 00000000 00:05 5 /dev/zero
7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0 [stack]
"""


def test_mapped_files_lists_each_library_once_last_mapped_last_and_skips_the_rest() -> None:
    files = readahead.mapped_files(MAPS)
    # The running interpreter comes first: a frozen build's modules are inside it.
    assert files[0] == str(Path(sys.executable).resolve())
    assert files[1:] == [
        "/opt/returnsdesk/_internal/libQt6Core.so.6",  # mapped before Widgets, which needs it
        "/opt/returnsdesk/_internal/libQt6Widgets.so.6",
        "/opt/returnsdesk/returnsdesk",
    ]


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="Linux only")
def test_a_start_remembers_the_libraries_it_mapped(tmp_path: Path) -> None:
    list_file = tmp_path / "cache" / "window-files.txt"
    assert sqlite3.sqlite_version  # its extension module is mapped in this process
    readahead.remember_mapped_files(list_file)
    listed = list_file.read_text(encoding="utf-8").splitlines()
    assert any("_sqlite3" in Path(path).name for path in listed)
    assert all(Path(path).is_absolute() for path in listed)
    # Unchanged lists are not rewritten (a start must not write the disk for nothing).
    written = list_file.stat().st_mtime_ns
    readahead.remember_mapped_files(list_file)
    assert list_file.stat().st_mtime_ns == written
    assert not list(list_file.parent.glob("*.partial"))


def test_reading_ahead_reads_every_listed_file_and_skips_what_is_gone(tmp_path: Path) -> None:
    big = tmp_path / "libbig.so"
    big.write_bytes(b"\x7fELF" * 3_000_000)  # 12 MB: several chunks
    small = tmp_path / "libsmall.so"
    small.write_bytes(b"x" * 1000)
    paths = [str(big), str(tmp_path / "uninstalled.so"), "relative/damage.so", str(small)]
    assert readahead.read_ahead(paths) == 12_001_000


def test_reading_ahead_stops_at_its_byte_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readahead, "MAX_BYTES", 5_000_000)
    files = []
    for index in range(3):
        path = tmp_path / f"lib{index}.so"
        path.write_bytes(b"x" * 4_000_000)
        files.append(str(path))
    assert readahead.read_ahead(files) == 5_000_000


def test_a_first_start_and_a_damaged_list_start_without_reading_ahead(tmp_path: Path) -> None:
    assert readahead.start_reading_ahead(tmp_path / "never-written.txt") is None
    damaged = tmp_path / "window-files.txt"
    damaged.write_bytes(b"\xff\xfe\x00garbage")
    assert readahead.start_reading_ahead(damaged) is None
