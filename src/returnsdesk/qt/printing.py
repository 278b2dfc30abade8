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
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from returnsdesk.config import LabelsSettings
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.labels import sample_label
from returnsdesk.qt.ops import Op
from returnsdesk.qt.plain import ElidedLabel, add_plain_row, plain_label
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
    """The station's printer as configured, with a test print (T) and the queue's state."""

    def __init__(
        self, service: StationService, settings: LabelsSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Printers")
        self._service = service
        layout = QVBoxLayout(self)
        form = QFormLayout()
        worker = service.print_worker
        add_plain_row(form, "Label printer:", plain_label(settings.printer))
        add_plain_row(
            form, "Sends to:", plain_label(worker.output.describe() if worker else "nothing")
        )
        add_plain_row(
            form, "Label size:", plain_label(f"{settings.size}, {settings.dpi} dpi (ZPL)")
        )
        layout.addLayout(form)
        self.outcome = plain_label(
            "Press T to print a test label."
            if worker is not None
            else "No label printer is set up for this station (labels.printer in settings)."
        )
        self.outcome.setWordWrap(True)
        layout.addWidget(self.outcome)
        self.test_button = QPushButton("&Test print (T)")
        self.test_button.setShortcut("T")
        self.test_button.setEnabled(worker is not None)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.test_button.clicked.connect(self.test_print)
        layout.addWidget(buttons)
        self.resize(520, 220)

    def test_print(self) -> None:
        worker = self._service.print_worker
        if worker is None:
            return
        self.test_button.setEnabled(False)
        self.outcome.setStyleSheet("")
        self.outcome.setText(f"Printing a test label on {worker.output.describe()}…")
        label = sample_label(self._service.context.station_code, self._service.clock())
        where = worker.output.describe()
        Op(
            lambda: worker.output.send(label), owner=self, pool=QThreadPool.globalInstance()
        ).on_success(lambda _none: self._done(f"Test label sent to {where}.")).on_failure(
            self._failed
        ).start()

    def _done(self, text: str) -> None:
        self.test_button.setEnabled(True)
        self.outcome.setText(text)

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, OperatorError):
            raise exc
        self.test_button.setEnabled(True)
        self.outcome.setStyleSheet(_TROUBLE)
        self.outcome.setText(f"Test print failed: {exc}")
