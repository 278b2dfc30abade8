"""The station screen: laid out by ui/station_view.ui, sized to be read from a standing position."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QPushButton, QSizePolicy, QTableView, QWidget

from returnsdesk.domain.policy import GradingScale
from returnsdesk.qt.forms.ui_station_view import Ui_StationView
from returnsdesk.qt.plain import plain_tooltip, set_clipped_text
from returnsdesk.qt.typography import BODY_PT, scaled_font
from returnsdesk.station.screen import Step, Tone

# Colours meet WCAG AA contrast with their text; state is also said in words, never colour only.
_BANNER_STYLES = {
    Tone.INFO: "background:#e7f1ff; color:#0b3d91; border:2px solid #9ec5fe;",
    Tone.OK: "background:#d1f2dc; color:#0f5132; border:2px solid #75c99a;",
    Tone.WARNING: "background:#fff3cd; color:#664d03; border:2px solid #ffda6a;",
    Tone.ERROR: "background:#f8d7da; color:#842029; border:2px solid #ea868f;",
}
_MESSAGE_CHARS = 160
_STEP_ACTIVE = "background:#0b5ed7; color:white; border-radius:6px; padding:5px; font-weight:bold;"
_STEP_DONE = "background:#d1f2dc; color:#0f5132; border-radius:6px; padding:5px;"
_STEP_TODO = "background:#eceff3; color:#555; border-radius:6px; padding:5px;"


class StationView(QWidget):
    """Widgets only; the station workflow decides what they show."""

    grade_clicked = Signal(str)  # the grade's key, as if typed

    def __init__(self, *, font_scale: float = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_StationView()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        # The view itself holds focus between inputs, so single keys act as commands.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._scale = font_scale
        self._grade_buttons: list[QPushButton] = []
        self._style()

    def _pt(self, points: float) -> QFont:
        return scaled_font(self.font(), points, self._scale)

    def _style(self) -> None:
        ui = self.ui
        base = self._pt(BODY_PT)
        self.setFont(base)
        for label in (ui.stepParcel, ui.stepItems, ui.stepGrade, ui.stepConfirm):
            label.setFont(self._pt(14))
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        for label in (ui.banner, ui.keysHint):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        ui.banner.setFont(self._pt(20))
        ui.banner.setMinimumHeight(int(52 * self._scale))
        ui.banner.setContentsMargins(14, 2, 14, 2)
        ui.returnTitle.setFont(self._pt(20))
        ui.unitTitle.setFont(self._pt(18))
        ui.unitPrompt.setFont(self._pt(18))
        ui.idleHint.setFont(self._pt(15))
        ui.outcomeLabel.setFont(self._pt(15))
        ui.refundTotal.setFont(self._pt(20))
        ui.refundTotal.setWordWrap(True)  # it may say why a lead must approve
        ui.keysHint.setFont(self._pt(12))
        ui.scanEdit.setFont(self._pt(14))
        ui.returnPanel.setFrameShape(ui.returnPanel.Shape.StyledPanel)
        ui.workPanel.setFrameShape(ui.workPanel.Shape.StyledPanel)
        ui.splitter.setStretchFactor(0, 1)
        ui.splitter.setStretchFactor(1, 1)
        for table in (ui.linesTable, ui.refundTable, ui.searchResults):
            self._style_table(table)
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

    def stretch_columns(self, table: QTableView, *columns: int) -> None:
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

    # --- what the controller sets ----------------------------------------------------------

    def show_message(self, text: str, tone: Tone) -> None:
        # A message may quote a scan or a product title of any length: two lines or so.
        set_clipped_text(self.ui.banner, text, _MESSAGE_CHARS)
        self.ui.banner.setStyleSheet(_BANNER_STYLES[tone] + "border-radius:8px; padding:4px;")
        self.ui.banner.setProperty("tone", tone.value)

    def message(self) -> str:
        return self.ui.banner.text()

    def message_tone(self) -> Tone:
        return Tone(self.ui.banner.property("tone"))

    def show_page(self, index: int) -> None:
        """Only the page shown asks for room: a stack is otherwise as tall as its tallest page,
        and the window must fit a 1366x768 screen."""
        stack = self.ui.workStack
        for page in range(stack.count()):
            policy = QSizePolicy.Policy.Preferred if page == index else QSizePolicy.Policy.Ignored
            widget = stack.widget(page)
            assert widget is not None
            widget.setSizePolicy(policy, policy)
        stack.setCurrentIndex(index)
        stack.updateGeometry()

    def show_step(self, step: Step) -> None:
        labels = (self.ui.stepParcel, self.ui.stepItems, self.ui.stepGrade, self.ui.stepConfirm)
        for index, label in enumerate(labels):
            if index < step.value:
                style = _STEP_DONE
            elif index == step.value:
                style = _STEP_ACTIVE
            else:
                style = _STEP_TODO
            label.setStyleSheet(style)
            label.setAccessibleDescription("current step" if index == step.value else "")

    def set_grades(self, scale: GradingScale) -> None:
        """One large button per grade, its key shown first."""
        layout = self.ui.gradeLayout
        for button in self._grade_buttons:
            layout.removeWidget(button)
            button.deleteLater()
        self._grade_buttons = []
        for grade in scale.grades:
            button = QPushButton(f"{grade.key}\n{grade.code} · {grade.label}")
            button.setToolTip(plain_tooltip(grade.description))
            button.setFont(self._pt(14))
            button.setMinimumHeight(int(64 * self._scale))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, key=grade.key: self.grade_clicked.emit(key))
            layout.addWidget(button)
            self._grade_buttons.append(button)

    def show_grade_buttons(self, visible: bool, *, selected: str | None = None) -> None:
        self.ui.gradeBox.setVisible(visible)
        for button in self._grade_buttons:
            chosen = selected is not None and button.text().split("\n")[1].startswith(
                selected + " "
            )
            button.setStyleSheet("background:#0b5ed7; color:white;" if chosen else "")

    def set_keys_hint(self, text: str) -> None:
        self.ui.keysHint.setText(text)


def set_label_tone(label: QLabel, tone: Tone | None) -> None:
    label.setStyleSheet(_BANNER_STYLES[tone] + "border-radius:6px; padding:6px;" if tone else "")


__all__ = ["StationView", "Step", "Tone", "set_label_tone"]
