"""Table models: one generic, read-only model over immutable rows, configured per table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from returnsdesk.domain.inspection import ExpectedLine, RefundQuoteLine
from returnsdesk.qt.plain import clipped, plain_tooltip
from returnsdesk.qt.shops import SHOP_CHARS
from returnsdesk.services.views import HistoryRow, ReturnSummary, ShopOption

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the whole row object, for controllers
CELL_CHARS = 200  # a cell shows at most this much of a text from outside

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
WARN_BRUSH = QBrush(QColor("#fff3cd"))
DONE_BRUSH = QBrush(QColor("#d1f2dc"))
ERROR_BRUSH = QBrush(QColor("#f8d7da"))


@dataclass(frozen=True)
class Column(Generic[R]):
    header: str
    text: Callable[[R], str]
    numeric: bool = False
    tail: int = 0  # characters kept at the end when a long text is cut, e.g. "(3 of 12)"
    limit: int = CELL_CHARS  # characters shown of a long text; the whole in the tooltip
    bold: bool = False  # a key to press, e.g. the shop's number


class RowTableModel(QAbstractTableModel, Generic[R]):
    """Rows of one immutable type; ``set_rows`` replaces them all (a reset, begin/end wrapped)."""

    def __init__(
        self,
        columns: Sequence[Column[R]],
        *,
        background: Callable[[R], QBrush | None] | None = None,
    ) -> None:
        super().__init__()
        self._columns = tuple(columns)
        self._rows: list[R] = []
        self._background = background

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def refresh(self) -> None:
        """Rows are unchanged but what they show depends on outside state: repaint all cells."""
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self._rows) - 1, len(self._columns) - 1),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole],
            )

    def row(self, index: int) -> R:
        return self._rows[index]

    def rows(self) -> list[R]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            # The whole text is in the tooltip.
            return clipped(column.text(row), column.limit, tail=column.tail)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(column.text(row))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_RIGHT if column.numeric else _LEFT)
        if role == Qt.ItemDataRole.FontRole and column.bold:
            font = QFont()  # only its weight is set: the view's size and family stay
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and self._background is not None:
            return self._background(row)
        if role == ROW_ROLE:
            return row
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return self._columns[section].header
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None


def expected_lines_model(inspected: Callable[[ExpectedLine], int]) -> RowTableModel[ExpectedLine]:
    """The return's expected lines; ``inspected`` says how many units of a line are done."""

    def background(line: ExpectedLine) -> QBrush | None:
        return DONE_BRUSH if inspected(line) >= line.quantity else None

    return RowTableModel(
        [
            Column("Item", lambda ln: f"{ln.title}\n{ln.sku}"),
            Column("Done", lambda ln: f"{inspected(ln)} / {ln.quantity}", numeric=True),
            Column("Paid", lambda ln: ln.unit_price.format(), numeric=True),
            Column("Reason", _reason_and_comment),
        ],
        background=background,
    )


def refund_lines_model() -> RowTableModel[RefundQuoteLine]:
    def background(line: RefundQuoteLine) -> QBrush | None:
        return WARN_BRUSH if not line.refund.deduction.is_zero() else None

    return RowTableModel(
        [
            Column("Item", lambda q: q.description, tail=len(" (100 of 100)")),
            Column("Grade", lambda q: q.grade or "not received"),
            Column("Paid", lambda q: q.refund.gross.format(), numeric=True),
            Column("Deduction", lambda q: q.refund.deduction.format(), numeric=True),
            Column("Refund", lambda q: q.refund.amount.format(), numeric=True),
            Column("Why", lambda q: q.refund.deduction_reason),
        ],
        background=background,
    )


SEARCH_SHOP_COLUMN = 1  # hidden at a station serving one shop


def search_results_model() -> RowTableModel[ReturnSummary]:
    return RowTableModel(
        [
            Column("RMA", lambda r: r.rma_number),
            Column("Shop", lambda r: r.shop_name, limit=SHOP_CHARS),
            Column("Order", lambda r: r.order_number),
            Column("Customer", lambda r: r.customer_name),
            Column("Units", lambda r: str(r.units), numeric=True),
            Column("Status", lambda r: r.status.value.replace("_", " ")),
        ]
    )


NumberedShop = tuple[int, ShopOption]  # the shop's number (its key) and the shop's return
SHOP_CHOICE_STRETCH = 1  # the shop's name takes the width the others leave


def shop_choice_model() -> RowTableModel[NumberedShop]:
    """The shops using a number scanned, each with the number that picks it."""
    return RowTableModel(
        [
            Column("No.", lambda s: str(s[0]), numeric=True, bold=True),
            # Cut again by the column's width; the whole name in the tooltip.
            Column("Shop", lambda s: s[1].shop_name, limit=80, bold=True),
            Column("RMA", lambda s: s[1].rma_number),
            Column("Order", lambda s: s[1].order_number),
            Column("Customer", lambda s: s[1].customer_name, limit=SHOP_CHARS),
            Column("Status", lambda s: _words(s[1].status.value)),
        ]
    )


def history_model() -> RowTableModel[HistoryRow]:
    def background(row: HistoryRow) -> QBrush | None:
        if row.flags or row.refund_status is not None and row.refund_status.value != "approved":
            return WARN_BRUSH
        return None

    return RowTableModel(
        [
            Column("Received", lambda h: h.received_at.astimezone().strftime("%H:%M")),
            Column("Tracking", lambda h: h.tracking_number),
            Column("RMA", lambda h: h.rma_number or "—"),
            Column("Customer", lambda h: h.customer_name or "unexpected parcel"),
            Column("Units", lambda h: str(h.units_inspected), numeric=True),
            Column(
                "Refund", lambda h: h.refund_total.format() if h.refund_total else "—", numeric=True
            ),
            Column(
                "Refund status", lambda h: _words(h.refund_status.value) if h.refund_status else "—"
            ),
            Column("Parcel", lambda h: _words(h.status.value)),
            Column("Exceptions", lambda h: ", ".join(_words(f) for f in h.flags)),
            Column("Photos", lambda h: str(h.photos) if h.photos else "", numeric=True),
            Column("Operator", lambda h: h.operator_name),
        ],
        background=background,
    )


def _reason_and_comment(line: ExpectedLine) -> str:
    comment = line.customer_comment.strip()
    return f"{line.reason_label}\n“{comment}”" if comment else line.reason_label


def _words(code: str) -> str:
    return code.replace("_", " ")
