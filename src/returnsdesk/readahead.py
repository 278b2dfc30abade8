"""Reading the station window's files ahead, so a start after a reboot runs like a warm one.

After a reboot nothing is in the page cache: every library Qt, SQLAlchemy and pydantic map is
read a page at a time as code first touches it, one disk round trip after another (0.2-0.3 s
of a 1.7 s start here). Read in order, the same bytes take a fraction of that. So once the
window is up the station remembers which parts of which files it has touched
(``remember_touched_files``), and the next start reads them on a thread
(``start_reading_ahead``) while the main thread is still importing: the reads release the GIL,
and the imports then find their pages cached. Firefox reads libxul ahead for the same reason.

A library's touched parts come from the page table (``/proc/self/pagemap``): about a third of
what the window maps, so the thread is done sooner. The executable and the zip archives on
``sys.path`` are read whole: a frozen build reads its Python modules from them with plain
reads, which leave no trace there.

Linux only (``/proc/self/maps``); elsewhere both do nothing. ``posix_fadvise(WILLNEED)``
instead of reading did not help: it queues every read at once, ahead of the start's own.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

log = logging.getLogger(__name__)

_MAPS = Path("/proc/self/maps")
_PAGEMAP = Path("/proc/self/pagemap")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_PRESENT = 1 << 63  # pagemap: the page is in this process's page table, so it was touched
_JOIN_GAP = 1024 * 1024  # one longer read beats two: each costs the thread a GIL hand-over
_CHUNK = 16 * 1024 * 1024  # few calls: after each, the thread must get the GIL back
# While reading ahead, the main thread hands the GIL over this often (Python's default is
# 5 ms): the thread needs it for a moment between reads, and at 5 ms per hand-over its 150
# reads took 0.45 s instead of about 0.1 s, finishing after the imports it was meant to serve.
_SWITCH_INTERVAL_S = 0.0005
MAX_BYTES = 512 * 1024 * 1024  # a damaged or padded list must not read the disk for long
MAX_FILES = 2000

Extent = tuple[int, int]  # (offset, length) in bytes

_started: threading.Thread | None = None  # once per process


class Entry(NamedTuple):
    """A file to read ahead: the extents that were touched, or the whole file (None)."""

    path: str
    extents: list[Extent] | None


class Region(NamedTuple):
    """A file mapping from ``/proc/PID/maps``: addresses and the file offset at ``start``."""

    path: str
    start: int
    end: int
    offset: int


def default_list_file() -> Path:
    """Where the station keeps its list: the user cache dir (losing it costs one slower start)."""
    import platformdirs  # here: this module is imported before anything heavier

    return Path(platformdirs.user_cache_dir("returnsdesk", "returnsdesk")) / "window-files.txt"


def start_reading_ahead(list_file: Path) -> threading.Thread | None:
    """Read what a previous start listed, on a daemon thread; None when there is no list.

    Only the first call starts it: a frozen build calls this from a run-time hook, before the
    application's first line, and ``main()`` calls it again.
    """
    global _started
    if _started is not None:
        return _started
    try:
        entries = parse_list(list_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None  # first start, or an unreadable list: start without reading ahead
    thread = threading.Thread(
        target=_read_ahead_quickly, args=(entries,), name="read-ahead", daemon=True
    )
    thread.start()
    _started = thread
    return thread


def _read_ahead_quickly(entries: list[Entry]) -> None:
    interval = sys.getswitchinterval()
    sys.setswitchinterval(_SWITCH_INTERVAL_S)
    # Two streams at once: the whole files (the executable, with the modules every import
    # reads) and the libraries' extents are both wanted from the first imports on, and the
    # disk serves two sequential reads at once sooner than one after the other.
    whole = [entry for entry in entries if entry.extents is None]
    modules = threading.Thread(target=read_ahead, args=(whole,), name="read-ahead", daemon=True)
    modules.start()
    try:
        read_ahead([entry for entry in entries if entry.extents is not None])
        modules.join()
    finally:
        sys.setswitchinterval(interval)


def read_ahead(entries: Iterable[Entry]) -> int:
    """Read each entry's extents (or whole file) once; the bytes read. Missing files are skipped.

    The kernel sends each extent to /dev/null (``sendfile``): its pages land in the page cache
    without a copy into Python, and what is cached already costs a fraction of a ms, so a warm
    start pays almost nothing for the list.
    """
    total = 0
    with open(os.devnull, "wb", buffering=0) as sink:
        for count, (path, extents) in enumerate(entries):
            if count >= MAX_FILES or total >= MAX_BYTES:
                break
            try:
                # Non-blocking: a FIFO in a tampered list must not hold the thread forever.
                source = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            except OSError:
                continue  # uninstalled or upgraded since the list was written
            try:
                status = os.fstat(source)
                if not stat.S_ISREG(status.st_mode):
                    continue  # devices, FIFOs: nothing to cache
                for offset, length in extents or [(0, status.st_size)]:
                    budget = MAX_BYTES - total
                    total += _send(source, sink.fileno(), offset, min(length, budget))
            except OSError:
                continue
            finally:
                os.close(source)
    return total


def _send(source: int, sink: int, offset: int, length: int) -> int:
    sent = 0
    while sent < length and (
        count := os.sendfile(sink, source, offset + sent, min(_CHUNK, length - sent))
    ):
        sent += count
    return sent


def parse_list(text: str) -> list[Entry]:
    """The entries of a list file; lines that do not parse (damage) are left out."""
    entries: list[Entry] = []
    for line in text.splitlines():
        path, _, extents_text = line.partition("\t")
        if not path.startswith("/"):
            continue
        if not extents_text:
            entries.append(Entry(path, None))
            continue
        try:
            extents = [_extent(item) for item in extents_text.split()]
        except ValueError:
            continue
        entries.append(Entry(path, extents))
    return entries


def _extent(text: str) -> Extent:
    offset, length = (int(number) for number in text.split("+"))
    if offset < 0 or length <= 0:
        raise ValueError(text)
    return offset, length


def format_list(entries: Iterable[Entry]) -> str:
    lines = []
    for path, extents in entries:
        if extents is None:
            lines.append(f"{path}\n")
        else:
            lines.append(f"{path}\t{' '.join(f'{o}+{n}' for o, n in extents)}\n")
    return "".join(lines)


def file_regions(maps: str) -> list[Region]:
    """The file mappings in a ``/proc/PID/maps`` text, about in the order they were made.

    Each new mapping is placed below the last, so reverse address order is load order. The
    SQLite shared-memory index, deleted files and devices are left out.
    """
    regions: list[Region] = []
    for line in reversed(maps.splitlines()):
        fields = line.split(maxsplit=5)
        if len(fields) < 6:
            continue
        path = fields[5]
        if not path.startswith("/") or path.endswith((" (deleted)", "-shm")):
            continue
        if path.startswith(("/dev/", "/proc/", "/sys/", "/memfd:")):
            continue
        try:
            start, end = (int(address, 16) for address in fields[0].split("-"))
            regions.append(Region(path, start, end, int(fields[2], 16)))
        except ValueError:
            continue
    return regions


def touched_extents(regions: Iterable[Region], pagemap: BinaryIO) -> list[Entry]:
    """Each mapped file with the extents of it this process touched, per its page table."""
    touched: dict[str, list[int]] = {}  # file offsets of touched pages
    for region in regions:
        pages = touched.setdefault(region.path, [])
        pagemap.seek(region.start // _PAGE * 8)
        table = pagemap.read((region.end - region.start) // _PAGE * 8)
        table = table[: len(table) // 8 * 8]  # a short read ends the region early
        for index, entry in enumerate(memoryview(table).cast("Q")):
            if entry & _PRESENT:
                pages.append(region.offset + index * _PAGE)
    return [Entry(path, list(_extents(pages))) for path, pages in touched.items() if pages]


def _extents(page_offsets: list[int]) -> Iterator[Extent]:
    """Touched pages as extents, neighbours less than ``_JOIN_GAP`` apart joined into one."""
    start = end = -1
    for offset in sorted(set(page_offsets)):
        if start >= 0 and offset - end < _JOIN_GAP:
            end = offset + _PAGE
            continue
        if start >= 0:
            yield start, end - start
        start, end = offset, offset + _PAGE
    if start >= 0:
        yield start, end - start


def remember_touched_files(list_file: Path) -> None:
    """Write what this process touched of its mapped files, for the next start to read ahead."""
    try:
        regions = file_regions(_MAPS.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return  # not Linux
    executable = os.path.realpath(sys.executable)
    try:
        with _PAGEMAP.open("rb") as pagemap:
            entries = touched_extents(regions, pagemap)
    except (OSError, ValueError):  # no page table to read: whole files, in the same order
        entries = [Entry(path, None) for path in dict.fromkeys(r.path for r in regions)]
    # Read with plain reads, so absent from the page table: the executable (a frozen build's
    # modules) and the zip archives on sys.path (a frozen build's standard library).
    whole = [executable] + [p for p in sys.path if p.endswith(".zip") and os.path.isfile(p)]
    entries = [Entry(path, None) for path in whole] + [e for e in entries if e.path not in whole]
    text = format_list(entries)
    try:
        if list_file.is_file() and list_file.read_text(encoding="utf-8") == text:
            return
        list_file.parent.mkdir(parents=True, exist_ok=True)
        partial = list_file.with_name(list_file.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, list_file)
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("Could not write the read-ahead list %s: %s", list_file, exc)
