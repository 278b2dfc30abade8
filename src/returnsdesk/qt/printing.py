"""Label printing in the station window: the print worker's thread, its status, the Printers dialog.

The worker (``services.labels.queue.PrintWorker``) runs on its own thread for as long as the
window is open; it sleeps until a label is queued (the service wakes it) or a retry is due. The
status bar line is read from the database through ``Op`` on the general pool whenever a change
notice names labels: the worker's own after each round (``changed``, from its thread), a
completion's or a reprint's when they queue one.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QDialog, QWidget

from returnsdesk.config import LabelsSettings
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.labels import sample_label
from returnsdesk.qt.dialogs import QUOTE_CHARS, fit_height
from returnsdesk.qt.forms.ui_printers_dialog import Ui_PrintersDialog
from returnsdesk.qt.ops import Op
from returnsdesk.qt.plain import ElidedLabel, set_clipped_text
from returnsdesk.qt.typography import BODY_PT, scaled_font
from returnsdesk.services.labels.queue import LabelHealth
from returnsdesk.services.station import StationService
from returnsdesk.station.changes import Changes, printed

log = logging.getLogger(__name__)

_TROUBLE = "color:#842029; font-weight:bold;"
_STOP_WAIT_S = 65.0  # above the longest printer timeout a setting allows (60 s)


def label_status_text(health: LabelHealth | None, printer: str | None) -> str:
    """The status bar's one line on labels: what waits and why, or that all printed."""
    if health is None or printer is None:
        return "Labels: off (no printer set: labels.printer)"
    failed = f", {health.failed} failed" if health.failed else ""
    if not health.waiting:
        return f"Labels: all printed — {printer}{failed}"
    why = health.last_error or f"sending to {printer}"
    return f"Labels: {health.waiting} waiting — {why}{failed}"


class LabelPrinting(QObject):
    """Starts and stops the print worker with the window and keeps ``status`` up to date."""

    # The worker printed, failed or found the printer offline: its notice, emitted on the
    # worker's thread (a connection to a GUI-thread object is queued).
    changed = Signal(object)

    def __init__(self, service: StationService, parent: QWidget) -> None:
        super().__init__(parent)
        self._service = service
        self._owner = parent
        worker = service.print_worker
        self.printer = worker.output.describe() if worker is not None else None
        self.status = ElidedLabel("Labels: checking…")
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        worker = self._service.print_worker
        if worker is not None:
            self._thread = threading.Thread(
                target=worker.run_forever,
                args=(lambda round_: self.changed.emit(printed(round_)),),
                name="print-worker",
                daemon=True,
            )
            self._thread.start()
        self.refresh()

    def stop(self) -> None:
        worker = self._service.print_worker
        if worker is not None and self._thread is not None:
            worker.stop()
            # A label being sent finishes first; the printer's own timeout bounds the wait.
            self._thread.join(timeout=_STOP_WAIT_S)
            self._thread = None

    @Slot(object)
    def on_changes(self, changes: Changes) -> None:
        """A change notice: the status bar is always on screen, so read at once."""
        if changes.labels:
            self.refresh()

    def refresh(self) -> None:
        op = Op(self._service.label_health, owner=self._owner, pool=QThreadPool.globalInstance())
        op.on_success(self._show).on_failure(
            lambda exc: log.warning("Label status unavailable: %s", exc)
        ).start()

    def _show(self, health: LabelHealth | None) -> None:
        self.status.setText(label_status_text(health, self.printer))
        trouble = health is not None and (health.failed or health.last_error is not None)
        self.status.setStyleSheet(_TROUBLE if trouble else "")
        self.status.set_hint(health.last_error or "" if health else "")


class PrintersDialog(QDialog):
    """The station's printer as configured, with a test print (T) and the queue's state.
    Laid out by ui/printers_dialog.ui."""

    def __init__(
        self,
        service: StationService,
        settings: LabelsSettings,
        *,
        font_scale: float = 1.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setFont(scaled_font(self.font(), BODY_PT, font_scale))  # read standing, as the tabs
        self._ui = Ui_PrintersDialog()
        self._ui.setupUi(self)  # type: ignore[no-untyped-call]
        self._service = service
        ui = self._ui
        worker = service.print_worker
        ui.printerValue.setText(settings.printer)
        ui.sendsToValue.setText(worker.output.describe() if worker else "nothing")
        ui.sizeValue.setText(f"{settings.size}, {settings.dpi} dpi (ZPL)")
        ui.outcome.setText(
            "Press T to print a test label."
            if worker is not None
            else "No label printer is set up for this station (labels.printer in settings)."
        )
        ui.testButton.setEnabled(worker is not None)
        ui.testButton.clicked.connect(self.test_print)

    def outcome(self) -> str:
        """What the last test print did, or what to do."""
        return self._ui.outcome.text()

    def test_print(self) -> None:
        worker = self._service.print_worker
        if worker is None:
            return
        self._ui.testButton.setEnabled(False)
        self._ui.outcome.setStyleSheet("")
        self._ui.outcome.setText(f"Printing a test label on {worker.output.describe()}…")
        label = sample_label(self._service.context.station_code, self._service.clock())
        where = worker.output.describe()
        Op(
            lambda: worker.output.send(label), owner=self, pool=QThreadPool.globalInstance()
        ).on_success(lambda _none: self._done(f"Test label sent to {where}.")).on_failure(
            self._failed
        ).start()

    def _done(self, text: str) -> None:
        self._ui.testButton.setEnabled(True)
        self._ui.outcome.setText(text)

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, OperatorError):
            raise exc
        self._ui.testButton.setEnabled(True)
        self._ui.outcome.setStyleSheet(_TROUBLE)
        set_clipped_text(self._ui.outcome, f"Test print failed: {exc}", QUOTE_CHARS)
        fit_height(self)
