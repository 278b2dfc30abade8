"""Reports for shift leads: PDF (reportlab) and CSV, built from aggregating queries.

Entry point: ``generate_report(database, request, progress=..., setup=...)``. It opens its own
read-only snapshot, never touches Qt, and may run on any thread (the Reports view runs it
through ``qt.ops.Op``); ``progress(fraction, message)`` is called from that thread.
"""

from returnsdesk.services.reports.generate import GeneratedReport, generate_report
from returnsdesk.services.reports.request import (
    Period,
    ReportKind,
    ReportRequest,
    ReportRequestError,
    ReportSetup,
)

__all__ = [
    "GeneratedReport",
    "Period",
    "ReportKind",
    "ReportRequest",
    "ReportRequestError",
    "ReportSetup",
    "generate_report",
]
