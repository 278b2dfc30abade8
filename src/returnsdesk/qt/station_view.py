"""The station screen: laid out by ui/station_view.ui, sized to be read from a standing position.

The view keeps its widgets to itself (TagStudio's rule): the controller hands it the workflow's
typed ``Screen`` to show and hears the inspector's inputs from its signals; tests and screenshot
scripts read what a person sees through its typed methods. Parts are only redrawn when they
changed, so a table keeps its selection and a note being typed is never overwritten.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6 import QtGui
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut, QTextDocument, QTextTable
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QWidget,
)

from returnsdesk.domain.inspection import ExpectedLine
from returnsdesk.domain.policy import Grade
from returnsdesk.qt.forms.ui_station_view import Ui_StationView
from returnsdesk.qt.images import thumbnail_strip
from returnsdesk.qt.models import (
    SEARCH_SHOP_COLUMN,
    SHOP_CHOICE_STRETCH,
    expected_lines_model,
    refund_lines_model,
    search_results_model,
    shop_choice_model,
)
from returnsdesk.qt.plain import clipped, plain_tooltip, set_clipped_text
from returnsdesk.qt.scanner import TYPED_BY_HAND
from returnsdesk.qt.station_screen import (
    guide_html,
    outcome_html,
    prompt_html,
    return_html,
    unit_details_html,
)
from returnsdesk.qt.typography import BODY_PT, scaled_font
from returnsdesk.services.views import ReturnView
from returnsdesk.station.screen import (
    Focus,
    Page,
    RefundPanel,
    Screen,
    ShopChoice,
    State,
    Step,
    Tone,
    UnitPanel,
    WeightPanel,
)

if TYPE_CHECKING:
    from returnsdesk.services.photos import Image

# Colours meet WCAG AA contrast with their text; state is also said in words, never colour only.
_BANNER_STYLES = {
    Tone.INFO: "background:#e7f1ff; color:#0b3d91; border:2px solid #9ec5fe;",
    Tone.OK: "background:#d1f2dc; color:#0f5132; border:2px solid #75c99a;",
    Tone.WARNING: "background:#fff3cd; color:#664d03; border:2px solid #ffda6a;",
    Tone.ERROR: "background:#f8d7da; color:#842029; border:2px solid #ea868f;",
}
_STEP_ACTIVE = "background:#0b5ed7; color:white; border-radius:6px; padding:5px; font-weight:bold;"
_STEP_DONE = "background:#d1f2dc; color:#0f5132; border-radius:6px; padding:5px;"
_STEP_TODO = "background:#eceff3; color:#555; border-radius:6px; padding:5px;"
# Longer text from outside is cut (the full text in the tooltip): two or three lines at most.
_BANNER_CHARS = 160
_BANNER_LINES = 2  # the banner's steady height; a longer message is cut on its second line
_UNIT_CHARS = 130  # two lines at 18 pt
_NAME_CHARS = 80  # the return's title, at 20 pt in the narrow left panel
_MESSAGE_CHARS = 300
_REFUND_LINES_AT_LEAST = 3  # lines of text the refund table shows, even on a small screen
_WRAPPED_UNITS_AT_MOST = 4  # more refund lines than this: one line of text each
# Window shortcuts: these keys act wherever the focus is (a text field keeps the others).
_SHORTCUTS = ("F2", "F4", "F5", "F7", "F8", "F9", "Escape")
_NO_REFUND_PAGES = (Page.OUTCOME, Page.NO_RETURN, Page.SHOP_CHOICE)
# Keys the station hears only when no list or text field takes them (not window shortcuts).
_MOVE_KEYS = {Qt.Key.Key_Up: "Up", Qt.Key.Key_Down: "Down", Qt.Key.Key_Backspace: "Backspace"}


class StationView(QWidget):
    """Shows the workflow's screen; says what the inspector clicked or typed in its fields."""

    command = Signal(str)  # a button, a grade button or a shortcut: the key it stands for
    scan_typed = Signal(str)  # a code typed in the scan field (F4) and ended with Enter
    note_entered = Signal(str)  # the note field's text, kept with Enter
    search_entered = Signal(str)  # the search field's text, Enter
    result_chosen = Signal(object)  # the search result moved to: its row, or None
    shop_clicked = Signal(int)  # asked which shop: the row clicked (a double click opens it)

    def __init__(self, *, font_scale: float = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = Ui_StationView()
        self._ui.setupUi(self)  # type: ignore[no-untyped-call]
        # The view itself holds focus between inputs, so single keys act as commands.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._scale = font_scale
        self._grade_buttons: list[QPushButton] = []
        self._grades: tuple[Grade, ...] = ()  # the buttons' grades, in order
        self._done: dict[object, int] = {}
        self._lines_model = expected_lines_model(self._done_count)
        self._refund_model = refund_lines_model()
        self._search_model = search_results_model()
        self._shop_model = shop_choice_model()
        self._shown: Screen | None = None
        self._fitted: tuple[object, int] | None = None
        self._page: int | None = None
        self._style()
        ui = self._ui
        ui.linesTable.setModel(self._lines_model)
        ui.refundTable.setModel(self._refund_model)
        ui.searchResults.setModel(self._search_model)
        _stretch_columns(ui.linesTable, 0, 3)  # item title, the customer's reason
        _stretch_columns(ui.refundTable, 0, 5)  # item title, deduction reason
        _stretch_columns(ui.searchResults, 3)  # customer name
        ui.shopTable.setModel(self._shop_model)
        _stretch_columns(ui.shopTable, SHOP_CHOICE_STRETCH)
        ui.shopChoiceLayout.setStretchFactor(ui.shopTable, 1)  # the labels keep their height
        ui.notesEdit.setProperty(TYPED_BY_HAND, True)  # a quick typist's note is no scan
        self._connect_signals()

    def _connect_signals(self) -> None:
        ui = self._ui
        ui.scanEdit.returnPressed.connect(self._on_scan_field)
        ui.notesEdit.returnPressed.connect(lambda: self.note_entered.emit(ui.notesEdit.text()))
        ui.searchEdit.returnPressed.connect(lambda: self.search_entered.emit(ui.searchEdit.text()))
        ui.searchResults.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self.result_chosen.emit(
                current.row() if current.isValid() else None
            )
        )
        ui.searchResults.activated.connect(lambda _index: self.command.emit("Enter"))
        ui.shopTable.clicked.connect(lambda index: self.shop_clicked.emit(index.row()))
        ui.shopTable.doubleClicked.connect(lambda _index: self.command.emit("Enter"))
        self._action_buttons = (
            ui.acceptButton,
            ui.overrideButton,
            ui.notesButton,
            ui.photoButton,
            ui.closeParcelButton,
            ui.emptyBoxButton,
            ui.backButton,
        )
        # Every button is the mouse's way to a key.
        for button, key in (
            (ui.openReturnButton, "Enter"),
            (ui.unexpectedButton, "F5"),
            (ui.cancelSearchButton, "Esc"),
            (ui.acceptButton, "Enter"),
            (ui.overrideButton, "O"),
            (ui.notesButton, "F2"),
            (ui.photoButton, "P"),
            (ui.closeParcelButton, "F8"),
            (ui.emptyBoxButton, "F9"),
            (ui.backButton, "Esc"),
        ):
            button.clicked.connect(lambda _=False, key=key: self.command.emit(key))
        for key in _SHORTCUTS:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda key=key: self.command.emit(key))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """↓ ↑ and Backspace that reach the station itself (no list or field took them) are the
        workflow's to mean something, e.g. moving among the shops when asked which shop."""
        name = _MOVE_KEYS.get(Qt.Key(event.key()))
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if name is not None and plain == Qt.KeyboardModifier.NoModifier:
            self.command.emit(name)
            return
        super().keyPressEvent(event)

    def _on_scan_field(self) -> None:
        field = self._ui.scanEdit
        text = field.text()
        field.clear()
        self.setFocus()
        if text.strip():
            self.scan_typed.emit(text)

    def _pt(self, points: float) -> QFont:
        return scaled_font(self.font(), points, self._scale)

    def _style(self) -> None:
        ui = self._ui
        base = self._pt(BODY_PT)
        self.setFont(base)
        for label in (ui.stepParcel, ui.stepItems, ui.stepGrade, ui.stepConfirm):
            label.setFont(self._pt(14))
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        for label in (ui.banner, ui.keysHint):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        ui.banner.setFont(self._pt(20))
        ui.banner.setContentsMargins(14, 0, 14, 0)
        # Two lines whatever the message: the screen below does not jump as the inspector works.
        ui.banner.set_lines(_BANNER_LINES)
        ui.returnTitle.setFont(self._pt(20))
        ui.unitTitle.setFont(self._pt(18))
        ui.unitPrompt.setFont(self._pt(18))
        ui.idleHint.setFont(self._pt(15))
        ui.outcomeLabel.setFont(self._pt(15))
        ui.refundTotal.setFont(self._pt(20))
        # It may say why a lead must approve (a WrappedLabel: all its lines, never cut).
        ui.refundTotal.setTextFormat(Qt.TextFormat.RichText)  # the total large, the why not
        ui.keysHint.setFont(self._pt(12))
        ui.scanEdit.setFont(self._pt(14))
        ui.returnPanel.setFrameShape(ui.returnPanel.Shape.StyledPanel)
        ui.workPanel.setFrameShape(ui.workPanel.Shape.StyledPanel)
        ui.splitter.setStretchFactor(0, 1)
        ui.splitter.setStretchFactor(1, 1)
        for table in (ui.linesTable, ui.refundTable, ui.searchResults, ui.shopTable):
            self._style_table(table)
        # Which shop: a title large, and a line per shop, names cut (whole in the tooltip), so
        # that many shops scroll in view; the shop moved to is marked whether or not the table
        # has focus (it never does: keys go to the station).
        title = self._pt(18)
        title.setBold(True)
        ui.shopChoiceTitle.setFont(title)
        ui.shopTable.setWordWrap(False)
        ui.shopTable.setStyleSheet("QTableView::item:selected { background:#0b5ed7; color:white; }")
        # The refund takes the height the page leaves, up to all its lines (_fit_rows).
        ui.refundTable.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        for widget in (ui.notesEdit, ui.scanEdit, ui.searchEdit):
            widget.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab cycling would steal command keys
        ui.searchEdit.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def _style_table(self, table: QTableView) -> None:
        table.setFont(self._pt(BODY_PT))
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        table.setWordWrap(True)
        # Text columns wrap instead of scrolling sideways: nobody scrolls at a bench.
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)

    # --- what the controller asks ---------------------------------------------------------

    def set_grades(self, grades: tuple[Grade, ...]) -> None:
        """One large button per grade, its key shown first."""
        if grades == self._grades:
            return
        layout = self._ui.gradeLayout
        for button in self._grade_buttons:
            layout.removeWidget(button)
            button.deleteLater()
        self._grade_buttons = []
        self._grades = grades
        for grade in grades:
            button = QPushButton(f"{grade.key}\n{grade.code} · {grade.label}")
            button.setToolTip(plain_tooltip(grade.description))
            button.setFont(self._pt(14))
            button.setMinimumHeight(int(64 * self._scale))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, key=grade.key: self.command.emit(key))
            layout.addWidget(button)
            self._grade_buttons.append(button)

    def add_return_panel(self, panel: QWidget) -> None:
        """A panel below the return (the camera's), given the height the return leaves."""
        self._ui.returnLayout.addWidget(panel, 1)

    def focus_on(self, focus: Focus) -> None:
        widgets: dict[Focus, QWidget] = {
            Focus.SEARCH: self._ui.searchEdit,
            Focus.RESULTS: self._ui.searchResults,
            Focus.NOTES: self._ui.notesEdit,
            Focus.SCAN_FIELD: self._ui.scanEdit,
        }
        widgets.get(focus, self).setFocus()

    def show_screen(self, screen: Screen, thumbnails: Sequence[Image]) -> None:
        before, self._shown = self._shown, screen
        ui = self._ui
        self._show_message(screen.banner.text, screen.banner.tone)
        self._show_step(screen.step)
        ui.keysHint.setText(screen.keys_hint)
        self._show_page(screen.page.value)
        self._show_return(screen.return_view)
        self._show_weight(screen.weight)
        done: dict[object, int] = {p.line.line_id: p.done for p in screen.lines}
        counted, self._done = self._done, done
        lines = tuple(p.line for p in screen.lines)
        if before is None or tuple(p.line for p in before.lines) != lines:
            self._lines_model.set_rows(lines)
            _cap_rows(ui.linesTable, lines=6)
        elif done != counted:
            self._lines_model.refresh()
        # Closing the parcel: the refund is what is confirmed, so it gets the work panel's room
        # (the page's scanning hints have nothing to do now).
        _set_shown(ui.workStack, screen.state is not State.CONFIRM_CLOSE)
        self._show_refund(screen.refund)
        if screen.page is Page.GUIDE:
            ui.idleHint.setText(guide_html(screen.guide))
        elif screen.page is Page.NO_RETURN and screen.no_return is not None:
            set_clipped_text(ui.noReturnLabel, screen.no_return.text, _MESSAGE_CHARS)
            ui.searchResults.setColumnHidden(SEARCH_SHOP_COLUMN, not screen.no_return.shops)
            old = before.no_return.results if before and before.no_return else None
            if old != screen.no_return.results:
                self._search_model.set_rows(screen.no_return.results)
                if screen.no_return.results:
                    ui.searchResults.selectRow(0)
                if old is None:
                    ui.searchEdit.clear()
        elif screen.page is Page.SHOP_CHOICE and screen.shop_choice is not None:
            self._show_shop_choice(screen.shop_choice)
        elif screen.page is Page.UNIT and screen.unit is not None:
            old_unit = before.unit if before is not None else None
            self._show_unit(screen.unit, old_unit, thumbnails)
        elif screen.page is Page.OUTCOME and screen.outcome is not None:
            ui.outcomeLabel.setText(outcome_html(screen.outcome.outcome))
        # The outcome itemises the refund; with no return found or asked which shop, there is
        # none yet: the returns found or the shops get the room.
        _set_shown(ui.refundBox, screen.page not in _NO_REFUND_PAGES)
        # The search page has buttons of its own (its Back among them): no second row.
        for button in self._action_buttons:
            _set_shown(button, screen.page is not Page.NO_RETURN)
        actions = screen.actions
        ui.acceptButton.setEnabled(actions.accept)
        ui.overrideButton.setEnabled(actions.override)
        ui.notesButton.setEnabled(actions.notes)
        ui.photoButton.setEnabled(actions.photo)
        ui.closeParcelButton.setEnabled(actions.close_parcel)
        ui.emptyBoxButton.setEnabled(actions.empty_box)
        ui.backButton.setEnabled(actions.back)
        if screen.busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    # --- showing the parts ----------------------------------------------------------------

    def _done_count(self, line: ExpectedLine) -> int:
        return self._done.get(line.line_id, 0)

    def _show_message(self, text: str, tone: Tone) -> None:
        # A message may quote a scan or a product title of any length: two lines or so.
        banner = self._ui.banner
        set_clipped_text(banner, text, _BANNER_CHARS)
        _restyle(banner, _BANNER_STYLES[tone] + "border-radius:8px; padding:4px;")
        banner.setProperty("tone", tone.value)

    def _show_page(self, index: int) -> None:
        """Only the page shown asks for room: a stack is otherwise as tall as its tallest page,
        and the window must fit a 1366x768 screen."""
        if index == self._page:
            return  # re-laying out the stack for the page it shows cost a third of a screen
        self._page = index
        stack = self._ui.workStack
        for page in range(stack.count()):
            policy = QSizePolicy.Policy.Preferred if page == index else QSizePolicy.Policy.Ignored
            widget = stack.widget(page)
            assert widget is not None
            widget.setSizePolicy(policy, policy)
        stack.setCurrentIndex(index)
        stack.updateGeometry()

    def _show_step(self, step: Step) -> None:
        ui = self._ui
        labels = (ui.stepParcel, ui.stepItems, ui.stepGrade, ui.stepConfirm)
        for index, label in enumerate(labels):
            if index < step.value:
                style = _STEP_DONE
            elif index == step.value:
                style = _STEP_ACTIVE
            else:
                style = _STEP_TODO
            _restyle(label, style)
            label.setAccessibleDescription("current step" if index == step.value else "")

    def _show_return(self, view: ReturnView | None) -> None:
        ui = self._ui
        if view is None:
            set_clipped_text(ui.returnTitle, "No parcel open", _NAME_CHARS)
            ui.returnDetails.setText("")
            return
        # Several shops' returns: the shop's name isolated, so a right-to-left one keeps its place.
        shop = f"\u2068{view.client_name}\u2069 · " if view.client_name else ""
        set_clipped_text(
            ui.returnTitle, f"{shop}{view.rma_number} · {view.customer_name}", _NAME_CHARS
        )
        ui.returnDetails.setText(return_html(view))

    def _show_shop_choice(self, choice: ShopChoice) -> None:
        ui = self._ui
        rows = tuple(enumerate(choice.options, start=1))
        if tuple(self._shop_model.rows()) != rows:
            self._shop_model.set_rows(rows)
        count = len(rows)
        set_clipped_text(
            ui.shopChoiceHint,
            f"{choice.scanned} is a number {count} shops use. Press the number of the shop on"
            " the parcel's label, or move to it with ↓ ↑ and press Enter."
            " Esc cancels: nothing is received.",
            _MESSAGE_CHARS,
        )
        table = ui.shopTable
        if choice.highlighted is None:
            table.clearSelection()
            table.scrollToTop()
        else:
            table.selectRow(choice.highlighted)
            table.scrollTo(self._shop_model.index(choice.highlighted, 0))

    def _show_weight(self, weight: WeightPanel | None) -> None:
        label = self._ui.weightLabel
        _set_shown(label, weight is not None)
        if weight is not None:
            set_clipped_text(label, weight.text, _MESSAGE_CHARS)
            _restyle(label, _BANNER_STYLES[weight.tone] + "border-radius:6px; padding:6px;")
        label.setProperty("tone", weight.tone.value if weight is not None else None)

    def _show_refund(self, refund: RefundPanel | None) -> None:
        ui = self._ui
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
        # The total large; why a lead must approve it (or what paying on receipt means) in body
        # type: three lines of 20 pt pushed the unit's prompt under the grade keys at 1366x768.
        line = refund.total_line
        total, dash, why = clipped(line, _MESSAGE_CHARS).partition(" — ")
        small = self._pt(BODY_PT).pointSizeF()
        ui.refundTotal.setText(
            html.escape(total) + f"<span style='font-size:{small:.1f}pt'>"
            f"{html.escape(dash + why)}</span>"
        )
        ui.refundTotal.setToolTip(plain_tooltip(line) if len(line) > _MESSAGE_CHARS else "")
        ui.refundBox.setTitle(refund.title)

    def _show_unit(
        self, unit: UnitPanel, before: UnitPanel | None, thumbnails: Sequence[Image]
    ) -> None:
        ui = self._ui
        # Its end says which unit of how many: kept when a long product title is cut.
        set_clipped_text(ui.unitTitle, unit.title, _UNIT_CHARS, tail=60)
        ui.unitPrompt.setText(prompt_html(unit))
        # The note field keeps what is being typed; it shows the unit's note when that changes.
        if before is None or before.unit_id != unit.unit_id or before.notes != unit.notes:
            ui.notesEdit.setText(unit.notes)
        _set_shown(ui.gradeBox, unit.shows_grades)
        self.set_grades(unit.grades)  # a client shop's return is graded on that shop's scale
        for button, grade in zip(self._grade_buttons, self._grades, strict=True):
            chosen = grade.code == unit.selected_grade
            _restyle(button, "background:#0b5ed7; color:white;" if chosen else "")
        ui.unitAnswers.setText(unit_details_html(unit))
        strip = ui.photoStrip
        if thumbnails:
            strip.setPixmap(thumbnail_strip(list(thumbnails[-6:])))
            strip.setVisible(True)
        else:
            strip.clear()
            strip.setVisible(False)
        _set_shown(ui.answersScroll, bool(ui.unitAnswers.text()))

    # --- what the inspector sees (for tests and screenshot scripts) -----------------------

    def message(self) -> str:
        return self._ui.banner.text()

    def message_tone(self) -> Tone:
        return Tone(self._ui.banner.property("tone"))

    def focused(self) -> Focus | None:
        """Where the keyboard's keys go now (None: somewhere else than the station)."""
        ui = self._ui
        for widget, focus in (
            (ui.searchEdit, Focus.SEARCH),
            (ui.searchResults, Focus.RESULTS),
            (ui.notesEdit, Focus.NOTES),
            (ui.scanEdit, Focus.SCAN_FIELD),
            (self, Focus.STATION),
        ):
            if widget.hasFocus():
                return focus
        return None

    def keys_hint(self) -> str:
        return self._seen(self._ui.keysHint)

    def guide_text(self) -> str:
        """What to scan next: the idle guide, or the open parcel's next item."""
        return self._seen(self._ui.idleHint)

    def return_title(self) -> str:
        return self._seen(self._ui.returnTitle)

    def return_details(self) -> str:
        return self._seen(self._ui.returnDetails)

    def weight_text(self) -> str:
        """The parcel's weight verdict beside the return ("" when none is shown)."""
        return self._seen(self._ui.weightLabel)

    def weight_tone(self) -> Tone | None:
        tone = self._ui.weightLabel.property("tone")
        return Tone(tone) if tone and self._ui.weightLabel.isVisibleTo(self) else None

    def expected_rows(self) -> list[dict[str, str]]:
        """The return's expected lines, each cell as shown, by column heading."""
        return _rows(self._ui.linesTable)

    def no_return_text(self) -> str:
        return self._seen(self._ui.noReturnLabel)

    def search_text(self) -> str:
        return self._ui.searchEdit.text()

    def search_rows(self) -> list[dict[str, str]]:
        return _rows(self._ui.searchResults)

    def shop_choice_text(self) -> str:
        """Asked which shop: the title and what to press."""
        ui = self._ui
        return "\n".join(self._seen(label) for label in (ui.shopChoiceTitle, ui.shopChoiceHint))

    def shop_rows(self) -> list[dict[str, str]]:
        """Asked which shop: each shop's row as shown, by heading."""
        return _rows(self._ui.shopTable)

    def shop_tooltips(self) -> list[dict[str, str]]:
        return _rows(self._ui.shopTable, Qt.ItemDataRole.ToolTipRole)

    def shop_highlighted(self) -> int | None:
        """The shop's row marked (Enter opens it), or None."""
        rows = self._ui.shopTable.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def shop_rows_in_view(self) -> list[int]:
        """The shops' rows wholly in view (the table scrolls when they are many)."""
        table, model = self._ui.shopTable, self._shop_model
        if not table.isVisible():
            return []
        viewport = table.viewport().rect()
        return [
            row
            for row in range(model.rowCount())
            if viewport.contains(table.visualRect(model.index(row, 0)))
        ]

    def search_tooltips(self) -> list[dict[str, str]]:
        """The search results' cells' tooltips (a cut text whole), by heading."""
        return _rows(self._ui.searchResults, Qt.ItemDataRole.ToolTipRole)

    def unit_title(self) -> str:
        return self._seen(self._ui.unitTitle)

    def unit_prompt(self) -> str:
        return self._seen(self._ui.unitPrompt)

    def unit_answers(self) -> str:
        """The unit's flags, serial, photos and checklist answers."""
        return self._seen(self._ui.unitAnswers)

    def grades_shown(self) -> bool:
        return self._ui.gradeBox.isVisibleTo(self)

    def shown_buttons(self) -> list[str]:
        """The texts of the buttons on screen now, in layout order (enabled or not)."""
        return [
            button.text()
            for button in self.findChildren(QPushButton)
            if button.isVisibleTo(self) and button not in self._grade_buttons
        ]

    def grade_buttons(self) -> list[str]:
        """The grade buttons' texts ("key\\ncode · label"), in order."""
        return [button.text() for button in self._grade_buttons]

    def notes_text(self) -> str:
        return self._ui.notesEdit.text()

    def refund_title(self) -> str:
        box = self._ui.refundBox
        return box.title() if box.isVisibleTo(self) else ""

    def refund_total(self) -> str:
        return self._seen(self._ui.refundTotal)

    def refund_rows(self) -> list[dict[str, str]]:
        """Every line of the refund, each cell as shown, by column heading."""
        return _rows(self._ui.refundTable) if self._ui.refundBox.isVisibleTo(self) else []

    def refund_shown_whole(self) -> bool:
        """Every cell of every refund line is in view, no scrolling needed."""
        table = self._ui.refundTable
        model = table.model()
        viewport = table.viewport().rect()
        return table.verticalScrollBar().maximum() == 0 and all(
            viewport.contains(table.visualRect(model.index(row, column)))
            for row in range(model.rowCount())
            for column in range(model.columnCount())
        )

    def cut_lines(self) -> list[str]:
        """What is shown cut: a text of the unit or the refund squeezed below the lines it
        needs or overlapped by the widget below it, a refund line half in view, the banner
        taller or shorter than its steady two lines. Empty when all is whole."""
        ui = self._ui
        found = []
        for label in (ui.unitTitle, ui.unitPrompt, ui.refundTotal):
            if label.isVisibleTo(self) and label.height() < label.minimumSizeHint().height():
                found.append(f"{label.objectName()}: {label.height()} px of {label.sizeHint()}")
        stacked = (ui.unitTitle, ui.unitPrompt, ui.gradeBox, ui.answersScroll, ui.notesEdit)
        shown = [widget for widget in stacked if widget.isVisibleTo(self)]
        for upper, lower in zip(shown, shown[1:], strict=False):
            if upper.geometry().bottom() >= lower.geometry().top():
                found.append(f"{upper.objectName()} under {lower.objectName()}")
        if ui.refundBox.isVisibleTo(self):
            found += [f"refund line {row + 1} half shown" for row in ui.refundTable.rows_cut()]
        if ui.banner.height() != ui.banner.sizeHint().height():
            found.append(f"banner {ui.banner.height()} px, not its steady two lines")
        return found

    def banner_height(self) -> int:
        return self._ui.banner.height()

    def outcome_text(self) -> str:
        return self._seen(self._ui.outcomeLabel)

    def outcome_rows(self) -> list[list[str]]:
        """The completed return's table, its heading first, each cell as shown."""
        label = self._ui.outcomeLabel
        if not label.isVisibleTo(self):
            return []
        document = QTextDocument()
        document.setHtml(label.text())
        rows: list[list[str]] = []
        for frame in document.rootFrame().childFrames():
            if isinstance(frame, QTextTable):
                for row in range(frame.rows()):
                    rows.append([_cell_text(frame, row, c) for c in range(frame.columns())])
        return rows

    def outcome_shown_whole(self) -> bool:
        """The completed return fits its page, nothing scrolled out of view."""
        return self._ui.outcomeLabel.isVisibleTo(self) and not self._ui.outcomeScroll.is_scrolled()

    def _seen(self, label: QLabel) -> str:
        """A label's text as a person reads it: its markup rendered, nothing when hidden."""
        if not label.isVisibleTo(self):
            return ""
        text = label.text()
        rich = label.textFormat() == Qt.TextFormat.RichText or (
            label.textFormat() == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
        )
        if not rich:
            return text
        document = QTextDocument()
        document.setHtml(text)
        return document.toPlainText()


def _rows(
    table: QTableView, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole
) -> list[dict[str, str]]:
    """Each row's shown columns (a hidden one is not seen), by heading."""
    model = table.model()
    headings = {
        column: str(model.headerData(column, Qt.Orientation.Horizontal))
        for column in range(model.columnCount())
        if not table.isColumnHidden(column)
    }
    return [
        {
            heading: str(model.index(row, column).data(role) or "")
            for column, heading in headings.items()
        }
        for row in range(model.rowCount())
    ]


def _cell_text(table: QTextTable, row: int, column: int) -> str:
    cell = table.cellAt(row, column)
    cursor = cell.firstCursorPosition()
    cursor.setPosition(cell.lastCursorPosition().position(), QtGui.QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText().replace("\xa0", " ")  # an amount kept on one line reads as one


def _stretch_columns(table: QTableView, *columns: int) -> None:
    """Give the wrapping text columns the width the numbers leave."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    for column in range(table.model().columnCount()):
        mode = (
            QHeaderView.ResizeMode.Stretch
            if column in columns
            else QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(column, mode)


def _restyle(widget: QWidget, sheet: str) -> None:
    """A style sheet set again re-polishes the widget even when it is the same one."""
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)


def _set_shown(widget: QWidget, shown: bool) -> None:
    if widget.isHidden() == shown:
        widget.setVisible(shown)


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
    A long text shows three lines, the rest in its tooltip; a parcel of many units shows one
    line a unit, cut in the middle so that "(3 of 12)" stays in view."""
    many = table.model().rowCount() > _WRAPPED_UNITS_AT_MOST
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle if many else Qt.TextElideMode.ElideRight)
    table.setWordWrap(not many)
    line = _cap_rows(table, lines=1 if many else 3)
    rows = sum(table.rowHeight(row) for row in range(table.model().rowCount()))
    chrome = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    table.setMinimumHeight(min(rows, _REFUND_LINES_AT_LEAST * line) + chrome)
    table.setMaximumHeight(rows + chrome)


__all__ = ["StationView", "Step", "Tone"]
