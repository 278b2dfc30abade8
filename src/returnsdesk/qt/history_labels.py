"""The selected parcel's routing labels in the shift history, and reprinting them (Ctrl+R)."""

from __future__ import annotations

import html
import uuid
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextDocumentFragment
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.labels import is_license_plate
from returnsdesk.qt.ops import Op
from returnsdesk.qt.plain import plain_label, rich_label
from returnsdesk.services.labels.queue import UnitLabelView
from returnsdesk.services.station import StationService
from returnsdesk.station.changes import LABELS_REPRINTED

_STATUS = {"printed": "printed", "queued": "waiting for the printer", "failed": "FAILED"}


class LabelsPanel(QWidget):
    """Lists the parcel's units by license plate; Ctrl+R reprints their labels.

    When the history search holds a license plate, only that unit's label is reprinted.
    """

    changed = Signal(object)  # labels queued again: their notice (station.changes)

    def __init__(self, service: StationService, history: Any) -> None:
        super().__init__(history)
        self._service = service
        self._history = history
        self._parcel: uuid.UUID | None = None
        self._tracking = ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        texts = QVBoxLayout()
        self._text = rich_label("Select a parcel to see its labels.")  # values escaped below
        self._text.setObjectName("labelsText")
        self._text.setWordWrap(True)
        self._notice = plain_label()  # what the last reprint did, or why it could not
        self._notice.setWordWrap(True)
        texts.addWidget(self._text)
        texts.addWidget(self._notice)
        self._reprint_button = QPushButton("Reprint labels (Ctrl+R)")
        self._reprint_button.setEnabled(service.print_worker is not None)
        layout.addLayout(texts, 1)
        layout.addWidget(self._reprint_button)
        self._reprint_button.clicked.connect(self.reprint)
        shortcut = QShortcut(QKeySequence("Ctrl+R"), history)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.reprint)

    def labels_text(self) -> str:
        """The labels as a person reads them (the label holds escaped HTML)."""
        return QTextDocumentFragment.fromHtml(self._text.text()).toPlainText()

    def notice_text(self) -> str:
        return self._notice.text()

    def show_parcel(self, parcel_id: uuid.UUID, tracking: str) -> None:
        self._parcel, self._tracking = parcel_id, tracking
        Op(lambda: self._service.parcel_labels(parcel_id), owner=self).on_success(
            lambda units: self._paint(parcel_id, tracking, units)
        ).start()

    def refresh(self) -> None:
        """Read the shown parcel's labels again (a change notice named labels)."""
        if self._parcel is not None:
            self.show_parcel(self._parcel, self._tracking)

    def _paint(self, parcel_id: uuid.UUID, tracking: str, units: list[UnitLabelView]) -> None:
        if parcel_id != self._parcel:
            return  # another parcel was selected meanwhile
        if not units:
            self._text.setText(f"Parcel {html.escape(tracking)}: no inspected units, no labels.")
            return
        lines = [
            f"<b>{html.escape(u.license_plate)}</b> {html.escape(u.sku)} → "
            f"{html.escape(u.disposition)} {html.escape(u.location)}: "
            f"{html.escape(_STATUS.get(u.status, u.status))}"
            for u in units
        ]
        self._text.setText("Labels: " + " · ".join(lines))

    def reprint(self) -> None:
        parcel = self._history.selected_parcel()
        if parcel is None:
            self._say("Select a parcel (or scan a label's plate) first.", error=True)
            return
        search = self._history.search_text().strip().upper()
        plate = search if is_license_plate(search) else None
        Op(lambda: self._service.reprint(parcel.parcel_id, plate), owner=self).on_success(
            self._reprinted
        ).on_failure(self._failed).start()

    def _reprinted(self, plates: list[str]) -> None:
        self._say(
            f"Reprinting {len(plates)} label{'s' if len(plates) != 1 else ''}: " + ", ".join(plates)
        )
        self.changed.emit(LABELS_REPRINTED)  # the notice brings this list and the status bar

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, OperatorError):
            raise exc
        self._say(str(exc), error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        self._notice.setStyleSheet("color:#842029; font-weight:bold;" if error else "")
        self._notice.setText(text)
