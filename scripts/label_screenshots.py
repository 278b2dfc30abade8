"""Screenshots of labels at the station: the shift history found by a label's plate, and the
status bar with a printer that is off. Into docs/screenshots/labels/ (for the README).

``QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/label_screenshots.py``
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_TEMP = Path(tempfile.mkdtemp(prefix="returnsdesk-label-shots-"))
os.environ["XDG_DATA_HOME"] = str(_TEMP / "data")
os.environ["RETURNSDESK_SYSTEM_CONFIG"] = ""
os.environ["RETURNSDESK_USER_CONFIG"] = ""

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from returnsdesk.config import load_settings  # noqa: E402
from returnsdesk.qt import ops  # noqa: E402
from returnsdesk.qt.app import application, build_main_window  # noqa: E402
from returnsdesk.services.bootstrap import open_environment  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots" / "labels"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def main() -> int:
    app = application()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, labels in (
        ("history-by-plate", {"printer": "pdf-folder", "folder": str(_TEMP / "labels")}),
        ("printer-offline", {"printer": "zpl-tcp", "host": "127.0.0.1", "port": _closed_port()}),
    ):
        database = f"sqlite:///{_TEMP / f'{name}.sqlite3'}"
        overrides = {f"labels.{key}": value for key, value in labels.items()}
        settings = load_settings(
            environ={}, overrides={"database.url": database, "ui.sounds": False, **overrides}
        )
        env = open_environment(settings, demo=True)
        assert env.demo is not None
        window = build_main_window(env, settings, operator_code="OP-0001")
        window.resize(1440, 900)
        window.show()
        # A return of one item: finishing its unit completes it and prints one label.
        parcel = next(p for p in env.demo.parcels if p.scenario.startswith("One apparel item"))
        shoot(app, window, parcel, name)
        window.close()
        env.database.dispose()
    return 0


def shoot(app: QApplication, window: object, parcel: object, name: str) -> None:
    from returnsdesk.qt.main_window import MainWindow
    from returnsdesk.services.demo import DemoParcel

    assert isinstance(window, MainWindow) and isinstance(parcel, DemoParcel)

    def settle(seconds: float = 0.3) -> None:
        deadline = time.monotonic() + 10
        while (ops.busy() or window.station.busy) and time.monotonic() < deadline:
            app.processEvents()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            QTest.qWait(20)

    def type_keys(value: str, key: Qt.Key = Qt.Key.Key_Return) -> None:
        target = QApplication.focusWidget() or window.station_view
        QTest.keyClicks(target, value)
        QTest.keyClick(QApplication.focusWidget() or window.station_view, key)
        settle()

    settle()
    type_keys(parcel.tracking_number)
    type_keys(parcel.items[0].gtin)
    QTest.keyClick(QApplication.focusWidget() or window.station_view, "2")
    QTest.qWait(120)
    settle()
    QTest.keyClick(QApplication.focusWidget() or window.station_view, Qt.Key.Key_Return)
    settle(2.5)  # the worker prints (or fails to); the status bar refreshes every 2 s
    if name == "history-by-plate":
        # Scan the plate off the label (the hot folder names each file by its plate).
        printed = sorted((_TEMP / "labels").glob("LP*.pdf"))
        type_keys(printed[0].stem)
        settle(1.0)
        assert len(window.history_view.parcels()) == 1
    window.printing.refresh()
    settle(0.5)
    window.grab().save(str(OUT / f"{name}.png"))
    print(f"wrote docs/screenshots/labels/{name}.png")  # noqa: T201 - script output


if __name__ == "__main__":
    sys.exit(main())
