"""Shift history: today's parcels with their outcome, searchable.

Read when shown after a change notice named what it lists (or at once, when on screen), never
on a timer of its own.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QLineEdit, QTableView, QVBoxLayout, QWidget

from returnsdesk.qt.history_labels import LabelsPanel
from returnsdesk.qt.images import thumbnail_strip
from returnsdesk.qt.models import history_model
from returnsdesk.qt.ops import Op
from returnsdesk.qt.plain import plain_label
from returnsdesk.qt.tables import bounded_columns
from returnsdesk.qt.typography import BODY_PT, HEADING_PT, scaled_font
from returnsdesk.services.station import StationService
from returnsdesk.station.changes import Changes


class HistoryView(QWidget):
    changed = Signal(object)  # the labels panel's reprints: their notice (station.changes)

    def __init__(
        self, service: StationService, *, font_scale: float = 1.0, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self.setFont(scaled_font(self.font(), BODY_PT, font_scale))  # children inherit it
        layout = QVBoxLayout(self)
        self.summary = plain_label("")
        self.summary.setFont(scaled_font(self.font(), HEADING_PT, font_scale))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.search = QLineEdit()
        self.search.setPlaceholderText(
            "Search today's parcels: tracking, RMA, customer, status, label plate (scan it)"
        )
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.model = history_model()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        bounded_columns(self.table, stretch=3, widest=240)  # the customer's name stretches
        # Set, not inherited: this header was left at the application's small size.
        self.table.horizontalHeader().setFont(self.font())
        layout.addWidget(self.table)
        self.evidence = plain_label("Select a parcel to see its photos.")
        self.evidence.setWordWrap(True)
        self.evidence_strip = plain_label()
        layout.addWidget(self.evidence)
        layout.addWidget(self.evidence_strip)
        self.labels = LabelsPanel(service, self)
        layout.addWidget(self.labels)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        # What a notice named while hidden, read when shown: the parcels (all at first), or
        # only the selected parcel's labels.
        self._stale: set[str] = {"parcels"}
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self._debounce.timeout.connect(self.refresh)
        self.labels.changed.connect(self.changed)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show_evidence(current.row())
        )

    @Slot(object)
    def on_changes(self, changes: Changes) -> None:
        """A change notice: re-read what it names now if on screen, else when shown."""
        kinds: set[str] = set()
        if changes.history or changes.returns or changes.photos:
            kinds.add("parcels")  # rows show returns' names and photo counts too
        if changes.labels:
            kinds.add("labels")
        if self.isVisible():
            self._read(kinds)
        else:
            self._stale |= kinds

    def _read(self, kinds: set[str]) -> None:
        if "parcels" in kinds:
            self.refresh()  # the selected parcel's labels and photos come with it
        elif "labels" in kinds:
            self.labels.refresh()

    def refresh(self) -> None:
        self._stale.clear()
        text = self.search.text()
        Op(lambda: self._service.history(text=text), owner=self).on_success(self._show).start()

    def _show(self, rows: list[Any]) -> None:
        selected = self.selected_parcel()
        self.model.set_rows(rows)
        if rows:
            # The parcel the person was looking at, else the first: Ctrl+R reprints what a scan
            # or search found.
            ids = [r.parcel_id for r in rows]
            kept = selected.parcel_id if selected is not None else None
            self.table.selectRow(ids.index(kept) if kept in ids else 0)
        refunded = [r for r in rows if r.refund_total is not None]
        exceptions = sum(1 for r in rows if r.flags)
        waiting = sum(
            1 for r in rows if r.refund_status is not None and r.refund_status.value != "approved"
        )
        self.summary.setText(
            f"Today: {len(rows)} parcels · {sum(r.units_inspected for r in rows)} units inspected"
            f" · {len(refunded)} refunds · {waiting} waiting for approval"
            f" · {exceptions} with exceptions"
        )

    def look_up(self, text: str) -> None:
        """Search for ``text`` now (a scanned license plate) and select what it finds."""
        self.search.setText(text)
        self._debounce.stop()
        self.refresh()

    def selected_parcel(self) -> Any:
        row = self.table.currentIndex().row()
        return self.model.row(row) if 0 <= row < self.model.rowCount() else None

    def _show_evidence(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        parcel = self.model.row(row)
        self.labels.show_parcel(parcel.parcel_id, parcel.tracking_number)
        Op(lambda: self._service.parcel_evidence(parcel.parcel_id), owner=self).on_success(
            lambda evidence: self._paint_evidence(parcel.tracking_number, evidence)
        ).start()

    def _paint_evidence(self, tracking: str, evidence: list[Any]) -> None:
        if not evidence:
            self.evidence.setText(f"Parcel {tracking}: no photos.")
            self.evidence_strip.clear()
            return
        problems = [problem for _photo, _thumb, problem in evidence if problem is not None]
        text = f"Parcel {tracking}: {len(evidence)} photo{'s' if len(evidence) != 1 else ''}"
        if problems:
            details = "; ".join(f"{p.path.name}: {p.detail}" for p in problems)
            self.evidence.setStyleSheet("color:#842029; font-weight:bold;")
            self.evidence.setText(f"{text} — ⚠ {len(problems)} failed the hash check: {details}")
        else:
            self.evidence.setStyleSheet("")
            self.evidence.setText(f"{text}, all intact (SHA-256 checked).")
        thumbs = [thumb for _photo, thumb, _problem in evidence if thumb is not None]
        self.evidence_strip.setPixmap(thumbnail_strip(thumbs))

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        stale, self._stale = self._stale, set()
        self._read(stale)
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)
