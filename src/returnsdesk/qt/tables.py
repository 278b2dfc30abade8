"""Table columns that fit the screen: as wide as their contents up to a limit, one column
taking the rest, each one still draggable. ``ResizeToContents`` let a 2,000-character reason
push the other columns (and the lead's buttons) off screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableView


def bounded_columns(table: QTableView, *, stretch: int, widest: int = 360) -> None:
    """Fit the columns now and whenever the rows are replaced; long cells end in an ellipsis
    (their whole text is the model's tooltip)."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    model = table.model()
    model.modelReset.connect(lambda: fit_columns(table, stretch=stretch, widest=widest))
    fit_columns(table, stretch=stretch, widest=widest)


def fit_columns(table: QTableView, *, stretch: int, widest: int) -> None:
    header = table.horizontalHeader()
    for column in range(table.model().columnCount()):
        if column != stretch:
            table.resizeColumnToContents(column)
            header.resizeSection(column, min(header.sectionSize(column), widest))
