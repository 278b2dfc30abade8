"""Reading the station window's files ahead: the list a start writes and the next one reads."""

from __future__ import annotations

import io
import os
import sqlite3
import struct
import sys
from pathlib import Path

import pytest

from returnsdesk import readahead
from returnsdesk.__main__ import opens_the_window
from returnsdesk.readahead import Entry, Region

PAGE = readahead._PAGE
PRESENT = 1 << 63


@pytest.fixture(autouse=True)
def _not_started(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readahead, "_started", None)  # each test is a new process start


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


def test_file_regions_are_the_file_mappings_in_load_order() -> None:
    regions = readahead.file_regions(MAPS)
    assert [(r.path.rsplit("/", 1)[1], r.offset) for r in regions] == [
        ("libQt6Core.so.6", 0),  # mapped before Widgets, which needs it
        ("libQt6Widgets.so.6", 0x100000),
        ("libQt6Widgets.so.6", 0),
        ("returnsdesk", 0),
    ]


def _pagemap(present: dict[int, bool], size: int) -> io.BytesIO:
    """A page table covering addresses 0..size: the pages in ``present`` were touched."""
    entries = [PRESENT if present.get(page) else 0 for page in range(size // PAGE)]
    return io.BytesIO(struct.pack(f"<{len(entries)}Q", *entries))


def test_touched_pages_become_extents_with_small_gaps_joined() -> None:
    # Given a library mapped twice (code at file offset 64 MiB), of which some pages were touched
    far = readahead._JOIN_GAP // PAGE + 8  # pages: further apart than a gap that is joined
    region_a = Region("/lib/libx.so", start=0, end=(far + 8) * PAGE, offset=0)
    region_b = Region(
        "/lib/libx.so", start=(far + 8) * PAGE, end=(far + 16) * PAGE, offset=64 << 20
    )
    untouched = Region("/lib/liby.so", start=(far + 16) * PAGE, end=(far + 18) * PAGE, offset=0)
    touched = {0: True, 1: True, 3: True, far + 4: True, far + 8: True}
    table = _pagemap(touched, (far + 18) * PAGE)
    entries = readahead.touched_extents([region_a, region_b, untouched], table)
    # Then the file's extents are the touched pages by file offset, near ones joined (page 2
    # is read with 1 and 3); liby is left out
    assert entries == [
        Entry("/lib/libx.so", [(0, 4 * PAGE), ((far + 4) * PAGE, PAGE), (64 << 20, PAGE)])
    ]


def test_the_list_round_trips_and_damaged_lines_are_dropped() -> None:
    entries = [
        Entry("/opt/app/returnsdesk", None),
        Entry("/lib/libx.so", [(0, 8192), (65536, 4096)]),
    ]
    text = readahead.format_list(entries)
    assert readahead.parse_list(text) == entries
    damaged = text + "relative/path.so\n/lib/liby.so\t12+x\n/lib/libz.so\t-4+10\n\xff\n"
    assert readahead.parse_list(damaged) == entries


@pytest.mark.skipif(not Path("/proc/self/pagemap").exists(), reason="Linux only")
def test_a_start_remembers_what_it_touched_of_its_libraries(tmp_path: Path) -> None:
    list_file = tmp_path / "cache" / "window-files.txt"
    assert sqlite3.sqlite_version  # its extension module is mapped and used in this process
    readahead.remember_touched_files(list_file)
    entries = readahead.parse_list(list_file.read_text(encoding="utf-8"))
    # The interpreter first, whole (a frozen build's modules are read from it, not mapped)
    assert entries[0] == Entry(str(Path(sys.executable).resolve()), None)
    sqlite_module = next(e for e in entries if Path(e.path).name.startswith("_sqlite3"))
    assert sqlite_module.extents
    touched = sum(length for _offset, length in sqlite_module.extents)
    assert 0 < touched <= Path(sqlite_module.path).stat().st_size + readahead._PAGE
    assert not list(list_file.parent.glob("*.partial"))


def test_reading_ahead_reads_extents_and_whole_files_and_skips_what_is_gone(
    tmp_path: Path,
) -> None:
    big = tmp_path / "libbig.so"
    big.write_bytes(b"\x7fELF" * 6_000_000)  # 24 MB: more than one call
    small = tmp_path / "libsmall.so"
    small.write_bytes(b"x" * 1000)
    fifo = tmp_path / "not-a-library"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    entries = [
        Entry(str(big), None),
        Entry(str(tmp_path / "uninstalled.so"), None),
        Entry(str(fifo), None),
        Entry("/dev/zero", [(0, 1 << 30)]),
        Entry(str(small), [(0, 100), (500, 10_000)]),  # the second runs past the end
    ]
    assert readahead.read_ahead(entries) == 24_000_000 + 100 + 500


def test_reading_ahead_stops_at_its_byte_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readahead, "MAX_BYTES", 5_000_000)
    entries = []
    for index in range(3):
        path = tmp_path / f"lib{index}.so"
        path.write_bytes(b"x" * 4_000_000)
        entries.append(Entry(str(path), None))
    assert readahead.read_ahead(entries) == 5_000_000


def test_a_first_start_and_an_unreadable_list_start_without_reading_ahead(tmp_path: Path) -> None:
    assert readahead.start_reading_ahead(tmp_path / "never-written.txt") is None
    damaged = tmp_path / "window-files.txt"
    damaged.write_bytes(b"\xff\xfe\x00garbage")
    assert readahead.start_reading_ahead(damaged) is None


def test_reading_ahead_gives_the_interpreter_its_switch_interval_back(tmp_path: Path) -> None:
    library = tmp_path / "libx.so"
    library.write_bytes(b"x" * 10_000)
    list_file = tmp_path / "window-files.txt"
    list_file.write_text(readahead.format_list([Entry(str(library), None)]), encoding="utf-8")
    interval = sys.getswitchinterval()
    thread = readahead.start_reading_ahead(list_file)
    assert thread is not None
    # A second call (main() after the frozen build's run-time hook) starts nothing new
    assert readahead.start_reading_ahead(list_file) is thread
    thread.join(timeout=10)
    assert sys.getswitchinterval() == interval


@pytest.mark.parametrize(
    ("arguments", "window"),
    [
        ([], True),
        (["--demo"], True),
        (["--station", "ST-2", "--operator", "OP-1"], True),
        (["--version"], False),
        (["--self-test"], False),
        (["--help"], False),
        (["report", "shift"], False),
        (["diagnostics"], False),
        (["operators", "list"], False),
        (["sync", "--once"], False),
    ],
)
def test_only_a_start_of_the_window_reads_ahead(arguments: list[str], window: bool) -> None:
    assert opens_the_window(arguments) is window
