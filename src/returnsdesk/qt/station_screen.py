"""Puts the workflow's typed ``Screen`` on the station view's widgets.

Every value from outside (names, scans, notes, titles) is escaped where a label shows HTML.
Parts are only redrawn when they changed, so a table keeps its selection and a note being
typed is never overwritten.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from returnsdesk.domain.inspection import ExpectedLine
from returnsdesk.qt.images import thumbnail_strip
from returnsdesk.qt.models import expected_lines_model, refund_lines_model, search_results_model
from returnsdesk.qt.plain import clipped, set_clipped_text
from returnsdesk.qt.station_view import StationView, set_label_tone
from returnsdesk.services.views import ReturnOutcome, ReturnView
from returnsdesk.station.screen import (
    IdleGuide,
    ItemsGuide,
    Page,
    RefundPanel,
    Screen,
    UnitPanel,
    WeightPanel,
)

if TYPE_CHECKING:
    from returnsdesk.services.photos import Image

esc = html.escape
_WARN = "color:#842029"
# Longer text from outside is cut (the full text in the tooltip): two or three lines at most.
_TITLE_CHARS = 160
_UNIT_CHARS = 130  # two lines at 18 pt
_NAME_CHARS = 80  # the return's title, at 20 pt in the narrow left panel
_MESSAGE_CHARS = 300
_REFUND_LINES_AT_LEAST = 3  # lines of text the refund table shows, even on a small screen


class ScreenRenderer:
    def __init__(self, view: StationView) -> None:
        self.view = view
        self._done: dict[object, int] = {}
        self._lines_model = expected_lines_model(self._done_count)
        self._refund_model = refund_lines_model()
        self.search_model = search_results_model()
        ui = view.ui
        ui.linesTable.setModel(self._lines_model)
        ui.refundTable.setModel(self._refund_model)
        ui.searchResults.setModel(self.search_model)
        view.stretch_columns(ui.linesTable, 0, 3)  # item title, the customer's reason
        view.stretch_columns(ui.refundTable, 0, 5)  # item title, deduction reason
        view.stretch_columns(ui.searchResults, 2)  # customer name
        self._shown: Screen | None = None
        self._fitted: tuple[object, int] | None = None

    def _done_count(self, line: ExpectedLine) -> int:
        return self._done.get(line.line_id, 0)

    def show(self, screen: Screen, thumbnails: Sequence[Image]) -> None:
        before, self._shown = self._shown, screen
        view, ui = self.view, self.view.ui
        view.show_message(screen.banner.text, screen.banner.tone)
        view.show_step(screen.step)
        view.set_keys_hint(screen.keys_hint)
        view.show_page(screen.page.value)
        self._show_return(screen.return_view)
        self._show_weight(screen.weight)
        self._done.clear()
        self._done.update({p.line.line_id: p.done for p in screen.lines})
        lines = tuple(p.line for p in screen.lines)
        if before is None or tuple(p.line for p in before.lines) != lines:
            self._lines_model.set_rows(lines)
            _cap_rows(ui.linesTable, lines=6)
        else:
            self._lines_model.refresh()
        self._show_refund(screen.refund)
        if screen.page is Page.GUIDE:
            ui.idleHint.setText(_guide_html(screen.guide))
        elif screen.page is Page.NO_RETURN and screen.no_return is not None:
            set_clipped_text(ui.noReturnLabel, screen.no_return.text, _MESSAGE_CHARS)
            old = before.no_return.results if before and before.no_return else None
            if old != screen.no_return.results:
                self.search_model.set_rows(screen.no_return.results)
                if screen.no_return.results:
                    ui.searchResults.selectRow(0)
                if old is None:
                    ui.searchEdit.clear()
        elif screen.page is Page.UNIT and screen.unit is not None:
            old_unit = before.unit if before is not None else None
            self._show_unit(screen.unit, old_unit, thumbnails)
        elif screen.page is Page.OUTCOME and screen.outcome is not None:
            ui.outcomeLabel.setText(_outcome_html(screen.outcome.outcome))
        ui.refundBox.setVisible(screen.page is not Page.OUTCOME)  # the outcome itemises it
        actions = screen.actions
        ui.acceptButton.setEnabled(actions.accept)
        ui.overrideButton.setEnabled(actions.override)
        ui.notesButton.setEnabled(actions.notes)
        ui.photoButton.setEnabled(actions.photo)
        ui.closeParcelButton.setEnabled(actions.close_parcel)
        ui.emptyBoxButton.setEnabled(actions.empty_box)
        ui.backButton.setEnabled(actions.back)
        if screen.busy:
            view.setCursor(Qt.CursorShape.BusyCursor)
        else:
            view.unsetCursor()

    def _show_return(self, view: ReturnView | None) -> None:
        ui = self.view.ui
        if view is None:
            set_clipped_text(ui.returnTitle, "No parcel open", _NAME_CHARS)
            ui.returnDetails.setText("")
            return
        set_clipped_text(ui.returnTitle, f"{view.rma_number} · {view.customer_name}", _NAME_CHARS)
        ui.returnDetails.setText(_return_html(view))

    def _show_weight(self, weight: WeightPanel | None) -> None:
        label = self.view.ui.weightLabel
        label.setVisible(weight is not None)
        if weight is not None:
            set_clipped_text(label, weight.text, _MESSAGE_CHARS)
            set_label_tone(label, weight.tone)

    def _show_refund(self, refund: RefundPanel | None) -> None:
        ui = self.view.ui
        lines = refund.lines if refund is not None else ()
        if tuple(self._refund_model.rows()) != lines:
            self._refund_model.set_rows(lines)
        fitted = (lines, ui.refundTable.width())  # row heights follow the wrapped text
        if fitted != self._fitted:
            self._fitted = fitted
            _fit_rows(ui.refundTable)
        if refund is None:
            set_clipped_text(ui.refundTotal, "", _MESSAGE_CHARS)
            ui.refundBox.setTitle("Refund")
            return
        approval = f" — needs shift-lead approval: {refund.approval}" if refund.approval else ""
        set_clipped_text(ui.refundTotal, f"Total refund {refund.total}{approval}", _MESSAGE_CHARS)
        ui.refundBox.setTitle(refund.title)

    def _show_unit(
        self, unit: UnitPanel, before: UnitPanel | None, thumbnails: Sequence[Image]
    ) -> None:
        ui = self.view.ui
        # Its end says which unit of how many: kept when a long product title is cut.
        set_clipped_text(ui.unitTitle, unit.title, _UNIT_CHARS, tail=60)
        ui.unitPrompt.setText(_prompt_html(unit))
        # The note field keeps what is being typed; it shows the unit's note when that changes.
        if before is None or before.unit_id != unit.unit_id or before.notes != unit.notes:
            ui.notesEdit.setText(unit.notes)
        self.view.show_grade_buttons(unit.shows_grades, selected=unit.selected_grade)
        ui.unitAnswers.setText(_unit_details_html(unit))
        strip = ui.photoStrip
        if thumbnails:
            strip.setPixmap(thumbnail_strip(list(thumbnails[-6:])))
            strip.setVisible(True)
        else:
            strip.clear()
            strip.setVisible(False)


def _cap_rows(table: QTableView, *, lines: int) -> int:
    """Rows as tall as their wrapped text, up to ``lines`` lines (the last one elided, the
    whole text in the tooltip): a row taller than its table would hide its other cells.
    Returns the table's line spacing."""
    table.resizeRowsToContents()
    line = table.fontMetrics().lineSpacing()
    for row in range(table.model().rowCount()):
        table.setRowHeight(row, min(table.rowHeight(row), lines * line + 8))
    return line


def _fit_rows(table: QTableView) -> None:
    """Every line on screen where the screen has room, so Enter confirms what the inspector
    can see; on a small screen a parcel of many units scrolls (the total below sums them all).
    A long text shows three lines, the rest in its tooltip."""
    line = _cap_rows(table, lines=3)
    rows = sum(table.rowHeight(row) for row in range(table.model().rowCount()))
    chrome = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    table.setMinimumHeight(min(rows, _REFUND_LINES_AT_LEAST * line) + chrome)
    table.setMaximumHeight(rows + chrome)


def _guide_html(guide: IdleGuide | ItemsGuide | None) -> str:
    if isinstance(guide, ItemsGuide):
        return (
            f"<p><b>Scan the next item</b> of {esc(guide.rma_number)} "
            f"({guide.done} of {guide.expected} done).</p>"
            "<p>F8 close the parcel with the rest missing<br>"
            "F9 empty box<br>Esc leave the parcel open for later</p>"
        )
    grades = guide.grades if guide is not None else ()
    scale = " · ".join(f"{esc(g.key)} {esc(g.code)} {esc(g.label)}" for g in grades)
    return (
        "<h3>Ready for the next parcel</h3>"
        "<ol><li><b>Scan the parcel label</b> (tracking number or RMA). The return appears.</li>"
        "<li><b>Scan each item</b> (barcode, SKU or serial).</li>"
        f"<li><b>Grade it</b> with one key: {scale}. Answer any checklist with Y / N.</li>"
        "<li><b>Enter</b> accepts the suggested disposition; after the last item it confirms "
        "the refund shown.</li></ol>"
        "<p>No scanner at hand? F4 lets you type a code. F1 lists the demo barcodes.</p>"
    )


def _return_html(view: ReturnView) -> str:
    delivered = view.delivered_at.astimezone().strftime("%d %b %Y") if view.delivered_at else "—"
    if view.days_since_delivery is None:
        window = "not delivered yet"
    elif view.within_window:
        window = (
            f"<span style='color:#0f5132'>{view.days_since_delivery} days since delivery "
            f"(within {view.policy_window_days}-day window)</span>"
        )
    else:
        window = (
            f"<b style='{_WARN}'>{view.days_since_delivery} days since delivery — "
            f"OUTSIDE the {view.policy_window_days}-day window</b>"
        )
    return (
        f"Order <b>{esc(view.order_number)}</b> placed "
        f"{view.order_placed_at.astimezone().strftime('%d %b %Y')}, delivered {delivered}<br>"
        f"{window}<br>{esc(clipped(view.customer_email, _TITLE_CHARS))}"
        f" · tracking {esc(clipped(', '.join(view.tracking_numbers), _TITLE_CHARS) or '—')}"
    )


def _prompt_html(unit: UnitPanel) -> str:
    decision = unit.decision
    if decision is None:
        return f"<b>{esc(unit.prompt)}</b>"
    then = " and confirm the refund" if decision.confirms_refund else ""
    return (
        f"Grade <b>{esc(decision.grade_code)} · {esc(decision.grade_label)}</b><br>"
        "<span style='font-size:x-large'>Disposition: "
        f"<b>{esc(decision.disposition.label.upper())}"
        f"</b> → {esc(decision.location)}</span><br>"
        f"<b>Enter</b> to accept{then} · <b>O</b> to override"
    )


def _unit_details_html(unit: UnitPanel) -> str:
    flags = [f"<b style='{_WARN}'>⚠ {esc(flag)}</b>" for flag in unit.flags]
    serial = [f"Serial {esc(unit.serial)}"] if unit.serial else []
    if unit.photo_required:
        why = esc(unit.photo_required)
        photos = [f"<b style='{_WARN}'>📷 Photo required ({why}): press P</b>"]
    else:
        photos = [f"📷 {unit.photos} photo{'s' if unit.photos != 1 else ''}"] if unit.photos else []
    answers = [f"{esc(text)} <b>{'yes' if yes else 'no'}</b>" for text, yes in unit.answers]
    return "<br>".join(flags + serial + photos + answers)


def _outcome_html(outcome: ReturnOutcome) -> str:
    rows = "".join(
        f"<tr><td>{esc(u.description)}</td><td>{esc(u.grade or 'missing')}</td>"
        f"<td>{esc(u.disposition.label if u.disposition else '—')}</td>"
        f"<td>{esc(u.location or '')}</td>"
        f"<td align='right' nowrap>{esc(u.paid.format() if u.paid else '—')}</td>"
        f"<td align='right' nowrap>{esc(u.deduction.format() if u.deduction else '—')}</td>"
        f"<td>{esc(u.deduction_reason)}</td>"
        f"<td align='right' nowrap>{esc(u.amount.format() if u.amount else '—')}</td></tr>"
        for u in outcome.units
    )
    refund = outcome.refund_total.format() if outcome.refund_total else "—"
    status = outcome.refund_status.value.replace("_", " ") if outcome.refund_status else ""
    when = (
        outcome.completed_at.astimezone().strftime("%d %b %Y %H:%M") if outcome.completed_at else ""
    )
    return (
        f"<p><b>Completed {esc(when)}</b> by {esc(outcome.operator_name)} at "
        f"{esc(outcome.station_code)}</p>"
        f"<p style='font-size:x-large'>Refund <b>{esc(refund)}</b> ({esc(status)})</p>"
        f"<p>{esc(outcome.refund_status_reason)}</p>"
        "<table cellpadding='4'><tr><th align='left'>Unit</th><th>Grade</th>"
        "<th>Disposition</th><th>Location</th><th align='right'>Paid</th>"
        "<th align='right'>Deduction</th><th align='left'>Why</th>"
        f"<th align='right'>Refund</th></tr>{rows}</table>"
    )
