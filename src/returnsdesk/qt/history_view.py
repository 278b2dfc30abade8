"""Shift history: today's parcels with their outcome, searchable.

Read when shown after a change notice named what it lists (or at once, when on screen), never
on a timer of its own.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from returnsdesk.qt.forms.ui_history_view import Ui_HistoryView
from returnsdesk.qt.history_labels import LabelsPanel
from returnsdesk.qt.images import thumbnail_strip
from returnsdesk.qt.models import history_model
from returnsdesk.qt.ops import Op
from returnsdesk.qt.tables import bounded_columns
from returnsdesk.qt.typography import BODY_PT, HEADING_PT, scaled_font
from returnsdesk.services.station import StationService
from returnsdesk.services.views import HistoryRow
from returnsdesk.station.changes import Changes


class HistoryView(QWidget):
    """Laid out by ui/history_view.ui (the labels panel goes into its slot); its widgets are
    its own."""

    changed = Signal(object)  # the labels panel's reprints: their notice (station.changes)

    def __init__(
        self, service: StationService, *, font_scale: float = 1.0, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ui = Ui_HistoryView()
        self._ui.setupUi(self)  # type: ignore[no-untyped-call]
        self._service = service
        self.setFont(scaled_font(self.font(), BODY_PT, font_scale))  # children inherit it
        ui = self._ui
        ui.summary.setFont(scaled_font(self.font(), HEADING_PT, font_scale))
        self._model = history_model()
        ui.table.setModel(self._model)
        ui.table.verticalHeader().setVisible(False)
        bounded_columns(ui.table, stretch=3, widest=240)  # the customer's name stretches
        # Set, not inherited: this header was left at the application's small size.
        ui.table.horizontalHeader().setFont(self.font())
        self._labels = LabelsPanel(service, self)
        ui.labelsSlot.addWidget(self._labels)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        # What a notice named while hidden, read when shown: the parcels (all at first), or
        # only the selected parcel's labels.
        self._stale: set[str] = {"parcels"}
        self._connect_signals()

    def _connect_signals(self) -> None:
        self._ui.searchEdit.textChanged.connect(lambda _text: self._debounce.start())
        self._debounce.timeout.connect(self.refresh)
        self._labels.changed.connect(self.changed)
        self._ui.table.selectionModel().currentRowChanged.connect(
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
            self._labels.refresh()

    def refresh(self) -> None:
        self._stale.clear()
        text = self._ui.searchEdit.text()
        Op(lambda: self._service.history(text=text), owner=self).on_success(self._show).start()

    def _show(self, rows: list[Any]) -> None:
        selected = self.selected_parcel()
        self._model.set_rows(rows)
        if rows:
            # The parcel the person was looking at, else the first: Ctrl+R reprints what a scan
            # or search found.
            ids = [r.parcel_id for r in rows]
            kept = selected.parcel_id if selected is not None else None
            self._ui.table.selectRow(ids.index(kept) if kept in ids else 0)
        refunded = [r for r in rows if r.refund_total is not None]
        exceptions = sum(1 for r in rows if r.flags)
        waiting = sum(
            1 for r in rows if r.refund_status is not None and r.refund_status.value != "approved"
        )
        self._ui.summary.setText(
            f"Today: {len(rows)} parcels · {sum(r.units_inspected for r in rows)} units inspected"
            f" · {len(refunded)} refunds · {waiting} waiting for approval"
            f" · {exceptions} with exceptions"
        )

    def look_up(self, text: str) -> None:
        """Search for ``text`` now (a scanned license plate) and select what it finds."""
        self._ui.searchEdit.setText(text)
        self._debounce.stop()
        self.refresh()

    def selected_parcel(self) -> Any:
        row = self._ui.table.currentIndex().row()
        return self._model.row(row) if 0 <= row < self._model.rowCount() else None

    # --- what the rest of the station (and a test) reads and sets --------------------------

    def summary_text(self) -> str:
        """Today's totals above the table."""
        return self._ui.summary.text()

    def search_text(self) -> str:
        return self._ui.searchEdit.text()

    def parcels(self) -> list[HistoryRow]:
        """The parcels listed now."""
        return self._model.rows()

    def select_parcel(self, row: int) -> None:
        """Select a parcel as a click does; selecting the same one again checks its photos
        again."""
        if self._ui.table.currentIndex().row() == row:
            self._show_evidence(row)
        else:
            self._ui.table.selectRow(row)

    def evidence_text(self) -> str:
        """What the selected parcel's photos are, and whether their hashes still match."""
        return self._ui.evidence.text()

    def shows_photos(self) -> bool:
        pixmap = self._ui.evidenceStrip.pixmap()
        return not pixmap.isNull()

    def labels_text(self) -> str:
        """The selected parcel's routing labels, as listed."""
        return self._labels.labels_text()

    def reprint_notice(self) -> str:
        """What the last reprint did, or why it could not."""
        return self._labels.notice_text()

    def _show_evidence(self, row: int) -> None:
        if not 0 <= row < self._model.rowCount():
            return
        parcel = self._model.row(row)
        self._labels.show_parcel(parcel.parcel_id, parcel.tracking_number)
        Op(lambda: self._service.parcel_evidence(parcel.parcel_id), owner=self).on_success(
            lambda evidence: self._paint_evidence(parcel.tracking_number, evidence)
        ).start()

    def _paint_evidence(self, tracking: str, evidence: list[Any]) -> None:
        evidence_label = self._ui.evidence
        if not evidence:
            evidence_label.setText(f"Parcel {tracking}: no photos.")
            self._ui.evidenceStrip.clear()
            return
        problems = [problem for _photo, _thumb, problem in evidence if problem is not None]
        text = f"Parcel {tracking}: {len(evidence)} photo{'s' if len(evidence) != 1 else ''}"
        if problems:
            details = "; ".join(f"{p.path.name}: {p.detail}" for p in problems)
            evidence_label.setStyleSheet("color:#842029; font-weight:bold;")
            evidence_label.setText(f"{text} — ⚠ {len(problems)} failed the hash check: {details}")
        else:
            evidence_label.setStyleSheet("")
            evidence_label.setText(f"{text}, all intact (SHA-256 checked).")
        thumbs = [thumb for _photo, thumb, _problem in evidence if thumb is not None]
        self._ui.evidenceStrip.setPixmap(thumbnail_strip(thumbs))

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        stale, self._stale = self._stale, set()
        self._read(stale)
        self._ui.searchEdit.setFocus(Qt.FocusReason.OtherFocusReason)
