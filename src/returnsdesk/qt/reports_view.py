"""Reports for shift leads: choose a report and its period, preview the PDF, print, save, CSV.

Generation runs off the GUI thread with progress; so do printing and writing files. Keys:
Enter generates, Ctrl+P prints, Ctrl+S saves the PDF, Ctrl+E exports the tables as CSV;
arrows and Tab move through the choices.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QObject, Qt, QThreadPool, QTime, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from returnsdesk.domain.errors import OperatorError
from returnsdesk.qt.ops import Op
from returnsdesk.qt.pdf_preview import PdfPreview, print_pdf
from returnsdesk.qt.plain import add_plain_row, plain_label
from returnsdesk.services.reports import Period, ReportKind, ReportRequest, ReportSetup
from returnsdesk.services.station import StationService

if TYPE_CHECKING:
    from returnsdesk.services.reports import GeneratedReport

log = logging.getLogger(__name__)

T = TypeVar("T")

_ERROR_STYLE = "color:#842029; font-weight:bold;"
WHOLE_DAY = "Whole day"
LAST_7_DAYS = "Last 7 days"
LAST_30_DAYS = "Last 30 days"
CUSTOM_RANGE = "From … to …"


class _Progress(QObject):
    """Carries progress from the worker thread to the GUI (queued: it lives on the GUI)."""

    changed = Signal(float, str)


class ReportsView(QWidget):
    def __init__(
        self, service: StationService, setup: ReportSetup, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._setup = setup
        self._report: GeneratedReport | None = None
        self._busy = False
        self._progress_relay = _Progress(self)

        self.kind = QComboBox()
        for kind in ReportKind:
            self.kind.addItem(kind.heading, kind)
        self.period = QComboBox()
        self.period.addItems(
            [WHOLE_DAY, *(f"{name.capitalize()} shift" for name in setup.shifts)]
            + [LAST_7_DAYS, LAST_30_DAYS, CUSTOM_RANGE]
        )
        today = service.clock().astimezone(setup.zone).date()
        self.day = QDateEdit(QDate(today.year, today.month, today.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd dd MMM yyyy")
        start_of_day = QDateTime(self.day.date(), QTime(0, 0))
        self.range_from = QDateTimeEdit(start_of_day.addDays(-7))
        self.range_to = QDateTimeEdit(start_of_day.addDays(1))
        for edit in (self.range_from, self.range_to):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.station = QComboBox()
        self.station.addItem("All stations", None)
        self.station.addItem(
            f"This station ({service.context.station_code})", service.context.station_code
        )
        self.rma = QLineEdit()
        self.rma.setPlaceholderText("RMA number, e.g. RMA-100001")

        form = QFormLayout()
        add_plain_row(form, "Report", self.kind)
        add_plain_row(form, "Period", self.period)
        add_plain_row(form, "Day", self.day)
        add_plain_row(form, "From", self.range_from)
        add_plain_row(form, "To", self.range_to)
        add_plain_row(form, "Stations", self.station)
        add_plain_row(form, "Return", self.rma)
        self._form = form

        self.generate_button = QPushButton("Generate (Enter)")
        self.print_button = QPushButton("Print… (Ctrl+P)")
        self.save_button = QPushButton("Save PDF… (Ctrl+S)")
        self.csv_button = QPushButton("Export CSV… (Ctrl+E)")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        self.message = plain_label("Choose a report and press Enter.")
        self.message.setWordWrap(True)

        controls = QVBoxLayout()
        controls.addLayout(form)
        for button in (self.generate_button, self.print_button, self.save_button, self.csv_button):
            controls.addWidget(button)
        controls.addWidget(self.progress)
        controls.addWidget(self.message)
        controls.addStretch(1)
        side = QWidget()
        side.setLayout(controls)
        side.setMaximumWidth(420)

        self.preview = PdfPreview()
        layout = QHBoxLayout(self)
        layout.addWidget(side)
        layout.addWidget(self.preview, 1)
        self._connect_signals()
        self._fit_fields_to_kind()

    def _connect_signals(self) -> None:
        self.kind.currentIndexChanged.connect(lambda _i: self._fit_fields_to_kind())
        self.period.currentIndexChanged.connect(lambda _i: self._fit_fields_to_kind())
        self.generate_button.clicked.connect(self.generate)
        self.print_button.clicked.connect(self.print_report)
        self.save_button.clicked.connect(self.save_pdf)
        self.csv_button.clicked.connect(self.export_csv)
        self.rma.returnPressed.connect(self.generate)
        self._progress_relay.changed.connect(self._show_progress)
        for keys, action in (
            ("Ctrl+P", self.print_report),
            ("Ctrl+S", self.save_pdf),
            ("Ctrl+E", self.export_csv),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.kind.setFocus()

    def on_command(self, key: str) -> None:
        """Lone keys from the scanner filter: Enter generates while this view is on screen."""
        if self.isVisible() and key.upper() == "ENTER":
            self.generate()

    # --- the request ----------------------------------------------------------------------

    def _kind(self) -> ReportKind:
        return ReportKind(self.kind.currentData())  # Qt hands the StrEnum back as a str

    def _fit_fields_to_kind(self) -> None:
        evidence = self._kind() is ReportKind.EVIDENCE
        period = self.period.currentText()
        for widget, visible in (
            (self.period, not evidence),
            (self.day, not evidence and period not in (LAST_7_DAYS, LAST_30_DAYS, CUSTOM_RANGE)),
            (self.range_from, not evidence and period == CUSTOM_RANGE),
            (self.range_to, not evidence and period == CUSTOM_RANGE),
            (self.station, not evidence),
            (self.rma, evidence),
        ):
            self._form.setRowVisible(widget, visible)
        if evidence:
            self.rma.setFocus()

    def request(self) -> ReportRequest:
        """What the form asks for; raises ``ReportRequestError`` with a message to show."""
        kind = self._kind()
        if kind is ReportKind.EVIDENCE:
            return ReportRequest(kind, rma_number=self.rma.text().strip().upper())
        zone = self._setup.zone
        choice = self.period.currentText()
        picked = self.day.date()
        day = date(picked.year(), picked.month(), picked.day())
        if choice == WHOLE_DAY:
            period = Period.day(day, zone)
        elif choice in (LAST_7_DAYS, LAST_30_DAYS):
            period = Period.last_days(
                7 if choice == LAST_7_DAYS else 30, self._service.clock(), zone
            )
        elif choice == CUSTOM_RANGE:
            period = Period.between(
                _aware(self.range_from.dateTime(), zone),
                _aware(self.range_to.dateTime(), zone),
                zone,
            )
        else:
            shift = self._setup.shift(choice.removesuffix(" shift"))
            period = Period.shift(day, shift, zone)
        return ReportRequest(kind, period=period, station_code=self.station.currentData())

    # --- generating, printing, saving -----------------------------------------------------

    def generate(self) -> None:
        if self._busy:
            return
        try:
            request = self.request()
        except OperatorError as exc:
            self._say(str(exc), error=True)
            return
        database, setup, relay = self._service.database, self._setup, self._progress_relay

        def build() -> GeneratedReport:
            from returnsdesk.services.reports import generate_report  # reportlab, on demand

            return generate_report(database, request, relay.changed.emit, setup=setup)

        self._start(f"Generating {request.filter_text}…")
        Op(
            build,
            owner=self,
            pool=QThreadPool.globalInstance(),  # never in the way of the station's own work
        ).on_success(self._show_report).on_failure(self._failed).start()

    def _show_report(self, report: GeneratedReport) -> None:
        self._finish()
        self._report = report
        self.preview.show_pdf(report.pdf)
        self._say(
            f"{report.title} — {report.filter_text}. {self.preview.page_count} pages."
            " Ctrl+P prints, Ctrl+S saves, Ctrl+E exports CSV."
        )
        self._enable()

    def print_report(self) -> None:
        report = self._ready_report()
        if report is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(f"{report.title} {report.filter_text}")
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self._start("Printing…")
        Op(
            lambda: print_pdf(report.pdf, printer), owner=self, pool=QThreadPool.globalInstance()
        ).on_success(
            lambda pages: self._done(
                f"Sent {pages} pages to {printer.printerName() or 'the printer'}."
            )
        ).on_failure(self._failed).start()

    def save_pdf(self) -> None:
        report = self._ready_report()
        if report is None:
            return
        name, _filter = QFileDialog.getSaveFileName(
            self,
            "Save report as PDF",
            str(Path.home() / f"{_file_stem(report)}.pdf"),
            "PDF (*.pdf)",
        )
        if not name:
            return
        path = Path(name)
        self._start(f"Saving {path.name}…")
        Op(
            lambda: path.write_bytes(report.pdf), owner=self, pool=QThreadPool.globalInstance()
        ).on_success(lambda _size: self._done(f"Saved {path}.")).on_failure(self._failed).start()

    def export_csv(self) -> None:
        report = self._ready_report()
        if report is None:
            return
        folder = QFileDialog.getExistingDirectory(
            self, "Export tables as CSV into", str(Path.home())
        )
        if not folder:
            return
        target = Path(folder) / _file_stem(report)
        self._start("Writing CSV files…")
        Op(
            lambda: report.write_csv(target), owner=self, pool=QThreadPool.globalInstance()
        ).on_success(
            lambda paths: self._done(f"Wrote {len(paths)} CSV files into {target}.")
        ).on_failure(self._failed).start()

    def _in_background(self, text: str, work: Callable[[], T], done: Callable[[T], str]) -> None:
        self._start(text)
        Op(work, owner=self, pool=QThreadPool.globalInstance()).on_success(
            lambda result: self._done(done(result))
        ).on_failure(self._failed).start()

    def _ready_report(self) -> GeneratedReport | None:
        if self._busy:
            return None
        if self._report is None:
            self._say("Generate a report first (Enter).", error=True)
        return self._report

    # --- state ------------------------------------------------------------------------------

    def _start(self, text: str) -> None:
        self._busy = True
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self._say(text)
        self._enable()

    def _finish(self) -> None:
        self._busy = False
        self.progress.setVisible(False)
        self._enable()

    def _done(self, text: str) -> None:
        self._finish()
        self._say(text)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, OperatorError):
            self._say(str(exc), error=True)
        elif isinstance(exc, OSError):
            self._say(f"Could not write the file: {exc.strerror or exc}", error=True)
        else:
            log.error("Report failed", exc_info=exc)
            self._say(f"The report failed: {exc}. The log has the details.", error=True)

    def _show_progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(round(fraction * 100))
        if text:
            self.message.setText(text)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(_ERROR_STYLE if error else "")

    def _enable(self) -> None:
        has_report = self._report is not None and not self._busy
        self.generate_button.setEnabled(not self._busy)
        for button in (self.print_button, self.save_button, self.csv_button):
            button.setEnabled(has_report)


def _aware(moment: QDateTime, zone: ZoneInfo) -> datetime:
    """The edit's wall-clock time at the site (not the station's own time zone)."""
    day, clock = moment.date(), moment.time()
    return datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute(), tzinfo=zone)


def _file_stem(report: GeneratedReport) -> str:
    stamp = report.generated_at.strftime("%Y-%m-%d-%H%M")
    return f"{report.title.lower().replace(' ', '-')}-{stamp}"
