"""Reports for shift leads: PDF (reportlab) and CSV, built from aggregating queries.

Entry point: ``generate_report(database, request, progress=..., setup=...)``. It opens its own
read-only snapshot, never touches Qt, and may run on any thread (the Reports view runs it
through ``qt.ops.Op``); ``progress(fraction, message)`` is called from that thread.
"""

from typing import TYPE_CHECKING

from returnsdesk.services.reports.request import (
    Period,
    ReportKind,
    ReportRequest,
    ReportRequestError,
    ReportSetup,
)

if TYPE_CHECKING:
    from returnsdesk.services.reports.generate import GeneratedReport, generate_report


def __getattr__(name: str) -> object:
    # The station window builds report requests at start; reportlab (about 0.3 s to import)
    # loads with the first report.
    if name in ("GeneratedReport", "generate_report"):
        from returnsdesk.services.reports import generate

        return getattr(generate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "GeneratedReport",
    "Period",
    "ReportKind",
    "ReportRequest",
    "ReportRequestError",
    "ReportSetup",
    "generate_report",
]
