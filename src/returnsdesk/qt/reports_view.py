"""Reports for shift leads: choose a report and its period, preview the PDF, print, save, CSV.

A station serving client shops ([clients]) also offers a shop: every report then holds that
shop's returns only (an evidence pack refuses another shop's return). For the evidence pack the
station's own shop is offered too, and an RMA several shops use is made only once whose it is
was chosen: the tab names the shops and asks, never guesses.

Generation runs off the GUI thread with progress; so do printing and writing files. Keys:
Enter generates, Ctrl+P prints, Ctrl+S saves the PDF, Ctrl+E exports the tables as CSV;
arrows and Tab move through the choices.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QObject, Qt, QThreadPool, QTime, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from returnsdesk.domain.errors import NumberOfSeveralShops, OperatorError
from returnsdesk.qt.forms.ui_reports_view import Ui_ReportsView
from returnsdesk.qt.ops import Op
from returnsdesk.qt.pdf_preview import print_pdf
from returnsdesk.qt.plain import set_clipped_text
from returnsdesk.qt.shops import (
    OWN_SHOP,
    choose_shop,
    chosen_shop,
    offer_own_shop,
    offer_shops,
    whose_question,
)
from returnsdesk.qt.typography import BODY_PT, scaled_font
from returnsdesk.services.reports import Period, ReportKind, ReportRequest, ReportSetup
from returnsdesk.services.station import StationService

if TYPE_CHECKING:
    from returnsdesk.services.reports import GeneratedReport

log = logging.getLogger(__name__)

_ERROR_STYLE = "color:#842029; font-weight:bold;"
_SIDE_WIDTH = 420  # the request's column at the body type size
_MESSAGE_CHARS = 400
WHOLE_DAY = "Whole day"
LAST_7_DAYS = "Last 7 days"
LAST_30_DAYS = "Last 30 days"
CUSTOM_RANGE = "From … to …"


class _Progress(QObject):
    """Carries progress from the worker thread to the GUI (queued: it lives on the GUI)."""

    changed = Signal(float, str)


class ReportsView(QWidget):
    """Laid out by ui/reports_view.ui; its widgets are its own."""

    def __init__(
        self,
        service: StationService,
        setup: ReportSetup,
        *,
        font_scale: float = 1.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ui = Ui_ReportsView()
        self._ui.setupUi(self)  # type: ignore[no-untyped-call]
        self.setFont(scaled_font(self.font(), BODY_PT, font_scale))  # children inherit it
        self._service = service
        self._setup = setup
        self._report: GeneratedReport | None = None
        self._busy = False
        self._progress_relay = _Progress(self)

        ui = self._ui
        for kind in ReportKind:
            ui.kindCombo.addItem(kind.heading, kind)
        ui.periodCombo.addItems(
            [WHOLE_DAY, *(f"{name.capitalize()} shift" for name in setup.shifts)]
            + [LAST_7_DAYS, LAST_30_DAYS, CUSTOM_RANGE]
        )
        today = service.clock().astimezone(setup.zone).date()
        ui.dayEdit.setDate(QDate(today.year, today.month, today.day))
        start_of_day = QDateTime(ui.dayEdit.date(), QTime(0, 0))
        ui.fromEdit.setDateTime(start_of_day.addDays(-7))
        ui.toEdit.setDateTime(start_of_day.addDays(1))
        ui.stationCombo.addItem("All stations", None)
        ui.stationCombo.addItem(
            f"This station ({service.context.station_code})", service.context.station_code
        )
        self._offers_shops = offer_shops(ui.shopCombo, service.clients)
        # The choices keep to a column; the preview takes the rest of the width.
        ui.side.setMaximumWidth(int(_SIDE_WIDTH * font_scale))
        self._connect_signals()
        self._fit_fields_to_kind()

    def _connect_signals(self) -> None:
        self._ui.kindCombo.currentIndexChanged.connect(lambda _i: self._fit_fields_to_kind())
        self._ui.periodCombo.currentIndexChanged.connect(lambda _i: self._fit_fields_to_kind())
        self._ui.generateButton.clicked.connect(self.generate)
        self._ui.printButton.clicked.connect(self.print_report)
        self._ui.saveButton.clicked.connect(self.save_pdf)
        self._ui.csvButton.clicked.connect(self.export_csv)
        self._ui.rmaEdit.returnPressed.connect(self.generate)
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
        self._ui.kindCombo.setFocus()

    def on_command(self, key: str) -> None:
        """Lone keys from the scanner filter: Enter generates while this view is on screen."""
        if self.isVisible() and key.upper() == "ENTER":
            self.generate()

    # --- what the rest of the station (and a test) reads and sets --------------------------

    def report_kind(self) -> ReportKind:
        return self._kind()

    def choose_kind(self, kind: ReportKind) -> None:
        self._ui.kindCombo.setCurrentIndex(self._ui.kindCombo.findData(kind))

    def set_return_number(self, text: str) -> None:
        """The evidence pack's return, as typed into its field."""
        self._ui.rmaEdit.setText(text)

    def fields_shown(self) -> list[str]:
        """The labels of the request's fields on screen now."""
        ui = self._ui
        labels = (
            ui.kindLabel,
            ui.periodLabel,
            ui.dayLabel,
            ui.fromLabel,
            ui.toLabel,
            ui.stationLabel,
            ui.shopLabel,
            ui.returnLabel,
        )
        return [label.text() for label in labels if label.isVisibleTo(self)]

    def shops_offered(self) -> list[str]:
        """The shop choice as shown (empty when the station serves one shop)."""
        combo = self._ui.shopCombo
        return [combo.itemText(i) for i in range(combo.count())] if combo.isVisibleTo(self) else []

    def choose_shop(self, client_code: str | None) -> None:
        """Reports of one client shop's returns (None: every shop's; ``OWN_SHOP``: the
        station's own, for an evidence pack), as picked in the list."""
        choose_shop(self._ui.shopCombo, client_code)

    def message(self) -> str:
        return self._ui.message.text()

    def page_count(self) -> int:
        return self._ui.preview.page_count

    def page_text(self, page: int) -> str:
        return self._ui.preview.document.getAllText(page).text()

    def shown_pdf(self) -> bytes:
        return self._ui.preview.pdf

    def can_save(self) -> bool:
        """Printing, saving and exporting are offered (a report is shown, nothing running)."""
        return self._ui.saveButton.isEnabled()

    # --- the request ----------------------------------------------------------------------

    def _kind(self) -> ReportKind:
        return ReportKind(self._ui.kindCombo.currentData())  # Qt hands the StrEnum back as a str

    def _fit_fields_to_kind(self) -> None:
        evidence = self._kind() is ReportKind.EVIDENCE
        period = self._ui.periodCombo.currentText()
        for widget, visible in (
            (self._ui.periodCombo, not evidence),
            (
                self._ui.dayEdit,
                not evidence and period not in (LAST_7_DAYS, LAST_30_DAYS, CUSTOM_RANGE),
            ),
            (self._ui.fromEdit, not evidence and period == CUSTOM_RANGE),
            (self._ui.toEdit, not evidence and period == CUSTOM_RANGE),
            (self._ui.stationCombo, not evidence),
            (self._ui.shopCombo, self._offers_shops),
            (self._ui.rmaEdit, evidence),
        ):
            self._ui.form.setRowVisible(widget, visible)
        offer_own_shop(self._ui.shopCombo, evidence and self._offers_shops)
        if evidence:
            self._ui.rmaEdit.setFocus()

    def request(self) -> ReportRequest:
        """What the form asks for; raises ``ReportRequestError`` with a message to show."""
        kind = self._kind()
        shop = chosen_shop(self._ui.shopCombo)
        if kind is ReportKind.EVIDENCE:
            rma_number = self._ui.rmaEdit.text().strip().upper()
            own = shop == OWN_SHOP
            return ReportRequest(
                kind, rma_number=rma_number, client_code=None if own else shop, own_shop=own
            )
        zone = self._setup.zone
        choice = self._ui.periodCombo.currentText()
        picked = self._ui.dayEdit.date()
        day = date(picked.year(), picked.month(), picked.day())
        if choice == WHOLE_DAY:
            period = Period.day(day, zone)
        elif choice in (LAST_7_DAYS, LAST_30_DAYS):
            period = Period.last_days(
                7 if choice == LAST_7_DAYS else 30, self._service.clock(), zone
            )
        elif choice == CUSTOM_RANGE:
            period = Period.between(
                _aware(self._ui.fromEdit.dateTime(), zone),
                _aware(self._ui.toEdit.dateTime(), zone),
                zone,
            )
        else:
            shift = self._setup.shift(choice.removesuffix(" shift"))
            period = Period.shift(day, shift, zone)
        station = self._ui.stationCombo.currentData()
        return ReportRequest(kind, period=period, station_code=station, client_code=shop)

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
        self._ui.preview.show_pdf(report.pdf)
        self._say(
            f"{report.title} — {report.filter_text}. {self._ui.preview.page_count} pages."
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

    def _ready_report(self) -> GeneratedReport | None:
        if self._busy:
            return None
        if self._report is None:
            self._say("Generate a report first (Enter).", error=True)
        return self._report

    # --- state ------------------------------------------------------------------------------

    def _start(self, text: str) -> None:
        self._busy = True
        self._ui.progress.setValue(0)
        self._ui.progress.setVisible(True)
        self._say(text)
        self._enable()

    def _finish(self) -> None:
        self._busy = False
        self._ui.progress.setVisible(False)
        self._enable()

    def _done(self, text: str) -> None:
        self._finish()
        self._say(text)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, NumberOfSeveralShops):
            self._say(whose_question(exc, self._service.clients, self._offers_shops), error=True)
        elif isinstance(exc, OperatorError):
            self._say(str(exc), error=True)
        elif isinstance(exc, OSError):
            self._say(f"Could not write the file: {exc.strerror or exc}", error=True)
        else:
            log.error("Report failed", exc_info=exc)
            self._say(f"The report failed: {exc}. The log has the details.", error=True)

    def _show_progress(self, fraction: float, text: str) -> None:
        self._ui.progress.setValue(round(fraction * 100))
        if text:
            self._ui.message.setText(text)

    def _say(self, text: str, *, error: bool = False) -> None:
        # It may quote what was typed or an error from a file system: cut, whole in the tooltip.
        set_clipped_text(self._ui.message, text, _MESSAGE_CHARS)
        self._ui.message.setStyleSheet(_ERROR_STYLE if error else "")

    def _enable(self) -> None:
        has_report = self._report is not None and not self._busy
        self._ui.generateButton.setEnabled(not self._busy)
        for button in (self._ui.printButton, self._ui.saveButton, self._ui.csvButton):
            button.setEnabled(has_report)


def _aware(moment: QDateTime, zone: ZoneInfo) -> datetime:
    """The edit's wall-clock time at the site (not the station's own time zone)."""
    day, clock = moment.date(), moment.time()
    return datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute(), tzinfo=zone)


def _file_stem(report: GeneratedReport) -> str:
    stamp = report.generated_at.strftime("%Y-%m-%d-%H%M")
    return f"{report.title.lower().replace(' ', '-')}-{stamp}"
