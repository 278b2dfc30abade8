"""Render the KPI dashboard tab and the KPI report's pages into docs/screenshots/ (README).

A demo station database plus six weeks of returns written as the station writes them
(tests/services/reports/kpi_floor.py ``busy_weeks``): the dashboard at 1440x900 (README),
1366x768 and 1920x1080, and the KPI report's first two pages.
``QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/kpi_screenshots.py``
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_TEMP = Path(tempfile.mkdtemp(prefix="returnsdesk-kpi-shots-"))
os.environ["XDG_DATA_HOME"] = str(_TEMP / "data")
os.environ["XDG_CONFIG_HOME"] = str(_TEMP / "config")  # the demo's audit key, not the user's
os.environ["RETURNSDESK_SYSTEM_CONFIG"] = ""
os.environ["RETURNSDESK_USER_CONFIG"] = ""
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "services" / "reports"))

import pypdfium2  # noqa: E402
from kpi_floor import busy_weeks  # noqa: E402

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from returnsdesk.config import load_settings  # noqa: E402
from returnsdesk.domain.clock import utc_now  # noqa: E402
from returnsdesk.qt import ops  # noqa: E402
from returnsdesk.qt.app import application, build_main_window  # noqa: E402
from returnsdesk.services.bootstrap import open_environment  # noqa: E402
from returnsdesk.services.reports import Period, ReportKind, ReportRequest, ReportSetup  # noqa: E402
from returnsdesk.services.reports.generate import generate_report  # noqa: E402

SHOTS = ROOT / "docs" / "screenshots"
SIZES = [
    ((1440, 900), SHOTS / "kpis.png"),
    ((1366, 768), SHOTS / "1366x768" / "kpis.png"),
    ((1920, 1080), SHOTS / "1920x1080" / "kpis.png"),
]


def main() -> int:
    app = application()
    settings = load_settings(
        environ={},
        overrides={"database.url": f"sqlite:///{_TEMP / 'demo.sqlite3'}", "ui.sounds": False},
    )
    env = open_environment(settings, demo=True)
    busy_weeks(env.database, utc_now())
    window = build_main_window(env, settings, operator_code="OP-0001")
    window.show()
    for size, path in SIZES:
        window.resize(*size)
        window.activateWindow()  # window shortcuts (Ctrl+6) work only in the active window
        deadline = time.monotonic() + 5
        while QApplication.activeWindow() is not window and time.monotonic() < deadline:
            app.processEvents()
        QTest.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
        assert window.kpi_view.isVisible(), "Ctrl+6 did not show the KPI tab"
        window.kpi_view.refresh()
        deadline = time.monotonic() + 30
        while (ops.busy() or window.kpi_view.data is None) and time.monotonic() < deadline:
            app.processEvents()
        if window.kpi_view.data is None:
            raise SystemExit(
                f"FAILED, no picture saved: the KPI tab had no figures after 30 s ({size})"
            )
        for _ in range(5):
            app.processEvents()
            QTest.qWait(30)
        path.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(path))
        print(f"wrote {path.relative_to(ROOT)}")  # noqa: T201 - script output
    setup = ReportSetup.from_settings(settings.reports, generated_by="STATION-01")
    period = Period.last_days(30, utc_now(), setup.zone)
    report = generate_report(env.database, ReportRequest(ReportKind.KPIS, period), setup=setup)
    document = pypdfium2.PdfDocument(report.pdf)
    for index, name in enumerate(("kpis.png", "kpis-2.png")):
        path = SHOTS / "reports" / name
        document[index].render(scale=1.5).to_pil().save(path)
        print(f"wrote {path.relative_to(ROOT)}")  # noqa: T201
    window.close()
    QApplication.processEvents()
    env.database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
