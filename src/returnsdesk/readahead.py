"""Reading the station window's files ahead, so a start after a reboot runs like a warm one.

After a reboot nothing is in the page cache: every library Qt, SQLAlchemy and pydantic map is
read a page at a time as code first touches it, one disk round trip after another (0.2-0.3 s
of a 1.7 s start here). Read front to back, the same files take a fraction of that. So once
the window is up the station remembers which files it has mapped (``remember_mapped_files``),
and the next start reads them on a thread (``start_reading_ahead``) while the main thread is
still importing: the reads release the GIL, and the imports then find their pages cached.
Firefox reads libxul ahead for the same reason.

Linux only (the list comes from ``/proc/self/maps``); elsewhere both do nothing.
``posix_fadvise(WILLNEED)`` instead of reading did not help (``bench/bench_startup.py``).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

_MAPS = Path("/proc/self/maps")
_CHUNK = 16 * 1024 * 1024  # few calls, so the thread seldom asks the main thread for the GIL
MAX_BYTES = 512 * 1024 * 1024  # a damaged or padded list must not read the disk for long
MAX_FILES = 2000


def default_list_file() -> Path:
    """Where the station keeps its list: the user cache dir (losing it costs one slower start)."""
    import platformdirs  # here: this module is imported before anything heavier

    return Path(platformdirs.user_cache_dir("returnsdesk", "returnsdesk")) / "window-files.txt"


def start_reading_ahead(list_file: Path) -> threading.Thread | None:
    """Read the files a previous start listed, on a daemon thread; None when there is no list."""
    try:
        paths = list_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None  # first start, or an unreadable list: start without reading ahead
    thread = threading.Thread(target=read_ahead, args=(paths,), name="read-ahead", daemon=True)
    thread.start()
    return thread


def read_ahead(paths: Iterable[str]) -> int:
    """Read each regular file once, front to back; the bytes read. Missing files are skipped.

    Each file is sent to /dev/null by the kernel (``sendfile``): its pages land in the page
    cache without a copy into Python, and a file already cached costs a fraction of a ms, so
    a warm start pays almost nothing for the list.
    """
    total = 0
    with open(os.devnull, "wb", buffering=0) as sink:
        for count, path in enumerate(paths):
            if count >= MAX_FILES or total >= MAX_BYTES:
                break
            if not path.startswith("/"):
                continue  # the list holds absolute paths only; anything else is damage
            try:
                with open(path, "rb", buffering=0) as file:
                    total += _send(file.fileno(), sink.fileno(), MAX_BYTES - total)
            except OSError:
                continue  # uninstalled or upgraded since the list was written
    return total


def _send(source: int, sink: int, budget: int) -> int:
    sent = 0
    while sent < budget and (count := os.sendfile(sink, source, sent, min(_CHUNK, budget - sent))):
        sent += count
    return sent


def mapped_files(maps: str) -> list[str]:
    """The regular files in a ``/proc/PID/maps`` text, about in the order they were loaded.

    The executable comes first: a frozen build reads its Python modules from it, at its first
    imports. Libraries follow in reverse address order, since each new mapping is placed below
    the last. The SQLite shared-memory index and deleted files are left out.
    """
    files: dict[str, None] = {}
    executable = os.path.realpath(sys.executable)
    if os.path.isfile(executable):
        files[executable] = None
    for line in reversed(maps.splitlines()):
        fields = line.split(maxsplit=5)
        if len(fields) < 6:
            continue
        path = fields[5]
        if not path.startswith("/") or path.endswith((" (deleted)", "-shm")):
            continue
        if path.startswith(("/dev/", "/proc/", "/sys/", "/memfd:")):
            continue
        files[path] = None
    return list(files)


def remember_mapped_files(list_file: Path) -> None:
    """Write the files this process maps to ``list_file``, for the next start to read ahead."""
    try:
        maps = _MAPS.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return  # not Linux
    text = "".join(f"{path}\n" for path in mapped_files(maps))
    try:
        if list_file.is_file() and list_file.read_text(encoding="utf-8") == text:
            return
        list_file.parent.mkdir(parents=True, exist_ok=True)
        partial = list_file.with_name(list_file.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, list_file)
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("Could not write the read-ahead list %s: %s", list_file, exc)
