"""``returnsdesk --self-test``: does this installation work, with no station data touched?

Meant for an installed build (the .deb, the Windows installer, a CI artifact): each check
exercises a part that packaging can break (migration scripts loaded by path, image codecs and
zxing-cpp, reportlab's fonts, Qt's platform and SVG plugins, the bundled policy files) in a
temporary folder, never the station's database or settings. One line per check, ``ok`` or
``FAILED: reason``; the exit status is 0 only when every check passed.

The Qt checks live in ``returnsdesk.qt.selftest`` (only ``returnsdesk.qt`` imports PySide6),
imported inside those checks alone: the other checks must still report when Qt is what is
broken, and a machine with no display skips the Qt checks instead of failing them.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

SELFTEST_IMAGE = Path("selftest") / "code128-ups.png"  # under returnsdesk.paths.resources_dir()
SELFTEST_TRACKING = "1Z8ARVS59060133026"  # what scripts/make_selftest_image.py encodes
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")  # a page object, not the /Pages tree


class _Skipped(Exception):
    """A check that cannot run here (no display); reported, but not a failure."""


def run_self_test(*, out: TextIO) -> int:
    """Run every check, print one line each to ``out``; 0 if all passed (or were skipped)."""
    checks: list[tuple[str, Callable[[], str]]] = [
        ("database", _check_database),
        ("barcode", _check_barcode),
        ("report", _check_report),
        ("qt", _check_qt),
        ("labels", _check_labels),
        ("preview", _check_preview),
        ("policies", _check_policies),
    ]
    failures = 0
    for name, check in checks:
        started = time.perf_counter()
        try:
            detail = check()
        except _Skipped as skipped:
            out.write(f"{name:<9} skipped: {skipped}\n")
        except Exception as exc:  # every failure is reported, and the next check still runs
            failures += 1
            out.write(f"{name:<9} FAILED: {type(exc).__name__}: {_one_line(exc)}\n")
        else:
            elapsed_ms = (time.perf_counter() - started) * 1000
            out.write(f"{name:<9} ok ({detail}; {elapsed_ms:.0f} ms)\n")
        out.flush()
    out.write("self-test passed\n" if failures == 0 else f"self-test FAILED: {failures} check(s)\n")
    return 0 if failures == 0 else 1


def _check_database() -> str:
    """A new SQLite file migrated to head: Alembic finds env.py and versions/*.py by path."""
    from returnsdesk.data.db import make_engine
    from returnsdesk.data.migrations import current_revision, ensure_schema, head_revision

    with tempfile.TemporaryDirectory(prefix="returnsdesk-selftest-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'selftest.sqlite3'}")
        try:
            ensure_schema(engine)
            revision, head = current_revision(engine), head_revision()
        finally:
            engine.dispose()  # Windows cannot delete an open file
    if revision != head:
        raise RuntimeError(f"migrated to {revision!r}, expected head {head!r}")
    return f"temporary SQLite migrated to {head}"


def _check_barcode() -> str:
    """The bundled label through the camera's decoder: OpenCV, zxing-cpp and classification."""
    from returnsdesk.paths import resources_dir
    from returnsdesk.scan.decode import FrameDecoder, decode_image_file

    result = decode_image_file(resources_dir() / SELFTEST_IMAGE, decoder=FrameDecoder())
    values = [accepted.scan.value for accepted in result.accepted]
    if values != [SELFTEST_TRACKING]:
        rejected = [read.reason for read in result.rejected]
        raise RuntimeError(f"read {values}, expected [{SELFTEST_TRACKING!r}]; rejected {rejected}")
    return f"Code128 {SELFTEST_TRACKING} read and classified"


def _check_report() -> str:
    """A real report page: bundled Unicode font, a table, a chart, page numbering."""
    from datetime import UTC, datetime

    from returnsdesk.services.reports.content import Chart, Facts, ReportContent
    from returnsdesk.services.reports.pdf import PageFrame, render_pdf

    content = ReportContent(
        "Self-test report",
        "self-test",
        [
            Facts("check", "Check", [("Text", "Grüße · Ελληνικά · Кириллица · עברית · العربية")]),
            Chart("bar", "Units", ("A", "B", "C"), (3.0, 5.0, 1.0)),
        ],
    )
    data = render_pdf(content, PageFrame("Self-test", "self-test", "-", datetime.now(UTC)))
    if not data.startswith(b"%PDF-"):
        raise RuntimeError(f"not a PDF: starts with {data[:8]!r}")
    pages = len(_PDF_PAGE.findall(data))
    if pages != 1:
        raise RuntimeError(f"expected 1 page, found {pages}")
    if b"DejaVuSans" not in data:
        raise RuntimeError("the bundled font (resources/fonts/DejaVuSans.ttf) was not embedded")
    return f"report PDF of {len(data) / 1024:.1f} KiB, 1 page, Unicode font embedded"


def _check_qt() -> str:
    """Qt's platform plugin, fonts and the SVG plugins: a widget grabbed into a picture."""
    if not _display_available():
        raise _Skipped("no display (set QT_QPA_PLATFORM=offscreen to check Qt without one)")
    from returnsdesk.paths import resources_dir
    from returnsdesk.qt.selftest import draw_widget_and_icon

    return draw_widget_and_icon(resources_dir() / "icons" / "returnsdesk.svg")


def _check_labels() -> str:
    """A routing label as PDF (python-barcode bars drawn by reportlab) and as ZPL."""
    from datetime import UTC, datetime

    from returnsdesk.domain.labels import RoutingLabel, parse_label_size
    from returnsdesk.domain.vocabulary import Disposition
    from returnsdesk.services.labels.render import render_pdf, render_zpl

    label = RoutingLabel(
        license_plate="LPSELFTEST00",
        disposition=Disposition.RESTOCK,
        location="SELLABLE",
        grade="A",
        rma_number="RMA-SELFTEST",
        sku="SKU-1",
        title="Self-test",
        station_code="-",
        inspected_at=datetime.now(UTC),
    )
    pdf = render_pdf([label], parse_label_size("4x6in"))
    zpl = render_zpl(label, parse_label_size("2x1in"), 203)
    if not pdf.startswith(b"%PDF-") or b"^BC" not in zpl:
        raise RuntimeError("a routing label did not render as PDF and ZPL")
    return f"4x6 in PDF label {len(pdf) / 1024:.1f} KiB, 2x1 in ZPL label {len(zpl)} bytes"


def _check_preview() -> str:
    """QtPdf, as the Reports view uses it: a PDF read back and its first page drawn."""
    if not _display_available():
        raise _Skipped("no display (set QT_QPA_PLATFORM=offscreen to check Qt without one)")
    from reportlab.pdfgen.canvas import Canvas

    from returnsdesk.qt.selftest import draw_pdf_page

    with tempfile.TemporaryDirectory(prefix="returnsdesk-selftest-") as folder:
        path = Path(folder) / "preview.pdf"
        canvas = Canvas(str(path))
        canvas.drawString(72, 720, "returnsdesk self-test")
        canvas.save()
        return draw_pdf_page(path)


def _display_available() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal")):
        return True
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True  # Windows and macOS always have a desktop for an interactive user


def _check_policies() -> str:
    """The bundled grading scale, checklists, disposition rules and refund policy, validated."""
    from returnsdesk.domain.policy import load_policies
    from returnsdesk.paths import default_policy_dir

    directory = default_policy_dir()
    policies = load_policies(directory)
    return (
        f"{len(policies.grading.grades)} grades, {len(policies.checklists.lists)} checklists,"
        f" {len(policies.dispositions.rules)} disposition rules from {directory}"
    )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or "(no message)"
