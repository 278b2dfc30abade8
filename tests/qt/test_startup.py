"""What a station start loads before it is ready to scan, and what it leaves for later.

Start-up time itself is measured in bench/bench_startup.py; this guards the work that made it
fast from coming back unnoticed: a module imported at the top of a file on the start-up path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Each costs 0.1-0.3 s to import and is needed only later: migrating (Alembic), writing the demo
# sheet (reportlab), a camera or a photo (OpenCV, numpy), the sync relay (httpx).
LOADED_LATER = ("alembic", "reportlab", "cv2", "numpy", "httpx")

# The real command line, with the moment "ready" is reported wrapped to list what is loaded.
_START = """
import json, sys
import returnsdesk.qt.app as app
report_ready = app._report_ready
def ready(qt_app):
    print(json.dumps(sorted(sys.modules)))
    report_ready(qt_app)
app._report_ready = ready
from returnsdesk.__main__ import main
sys.exit(main(["--demo"]))
"""


def _start_demo_station() -> set[str]:
    env = dict(os.environ, RETURNSDESK_EXIT_WHEN_READY="1", RETURNSDESK_UI_SOUNDS="false")
    result = subprocess.run(
        [sys.executable, "-c", _START], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[-1] == "ready"
    return set(json.loads(lines[-2]))


def test_a_second_start_is_ready_without_migration_demo_sheet_camera_or_sync_code() -> None:
    # Given a first start, which creates and migrates the demo database and writes its sheet
    first = _start_demo_station()
    assert {"alembic", "reportlab"} <= first
    demo_data = Path(os.environ["XDG_DATA_HOME"]) / "returnsdesk"
    assert (demo_data / "demo-barcodes.pdf").exists()
    # and lists the libraries its window mapped, for the next start to read ahead
    listed = (Path(os.environ["XDG_CACHE_HOME"]) / "returnsdesk" / "window-files.txt").read_text()
    assert "libQt6Widgets.so" in listed
    # When the station starts again, then it is ready to scan with none of that loaded
    second = _start_demo_station()
    assert "returnsdesk.services.station" in second
    assert sorted(name for name in LOADED_LATER if name in second) == []


_QT_LAYER_IMPORTS = """
import json, sys
import returnsdesk.__main__, returnsdesk.gui_preload
import PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets
before = set(sys.modules)
import returnsdesk.qt.app
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_the_qt_layer_finds_its_non_qt_modules_already_loaded() -> None:
    # PySide6's import hook reads the source of every module imported after it, so the station
    # loads its own layers first (returnsdesk.gui_preload): a Qt module that starts importing a
    # service or library it does not list makes start-up slower, and fails here.
    result = subprocess.run(
        [sys.executable, "-c", _QT_LAYER_IMPORTS], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded_after_qt = json.loads(result.stdout)
    assert "returnsdesk.qt.main_window" in loaded_after_qt
    late = [name for name in loaded_after_qt if not name.startswith(("PySide6", "returnsdesk.qt"))]
    assert late == []


# The real command line, the freeze brought forward to the window's first event-loop turn.
_FREEZE_AT_ONCE = """
import gc, sys
import returnsdesk.qt.app as app
app.FREEZE_AFTER_MS = 0
report_ready = app._report_ready
def ready(qt_app):
    print(gc.get_freeze_count())
    report_ready(qt_app)
app._report_ready = ready
from returnsdesk.__main__ import main
sys.exit(main(["--demo"]))
"""


def test_the_station_keeps_its_start_up_objects_out_of_later_full_collections() -> None:
    # A full collection of what start-up made stalls the window 70-500 ms (bench/bench_gc.py):
    # once it is up, they are frozen, so later collections walk only what came after
    env = dict(os.environ, RETURNSDESK_EXIT_WHEN_READY="1", RETURNSDESK_UI_SOUNDS="false")
    result = subprocess.run(
        [sys.executable, "-c", _FREEZE_AT_ONCE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    *_, frozen, ready = result.stdout.splitlines()
    assert ready == "ready"
    assert int(frozen) > 100_000
