"""Every table model the station shows passes Qt's model tester, empty and full.

The C++ ``QAbstractItemModelTester`` reports problems as Qt warnings, so this module fails on
any Qt warning; the Python tester (``force_py=True``) asserts directly and runs as well.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush

from returnsdesk.domain.inspection import ExpectedLine, RefundQuoteLine
from returnsdesk.domain.money import Money
from returnsdesk.domain.policy import UnitRefund
from returnsdesk.domain.vocabulary import ParcelStatus, RefundStatus, ReturnStatus
from returnsdesk.qt.models import (
    DONE_BRUSH,
    ROW_ROLE,
    WARN_BRUSH,
    RowTableModel,
    expected_lines_model,
    history_model,
    refund_lines_model,
    search_results_model,
)
from returnsdesk.services.views import HistoryRow, ReturnSummary

pytestmark = pytest.mark.qt_log_level_fail("WARNING")

DISPLAY = Qt.ItemDataRole.DisplayRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole

NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def expected_line(
    title: str, sku: str, quantity: int, price: str, *, serials: tuple[str, ...] = ()
) -> ExpectedLine:
    return ExpectedLine(
        line_id=uuid.uuid4(),
        sku=sku,
        title=title,
        category="electronics" if serials else "apparel",
        quantity=quantity,
        unit_price=eur(price),
        unit_value=eur(price),
        reason_code="doesnt_fit",
        reason_label="Does not fit",
        customer_comment="Too tight across the shoulders & the sleeves are short.",
        serialised=bool(serials),
        serial_numbers=serials,
    )


SWEATER = expected_line("Merino crew-neck sweater, navy, M", "APP-1001-M", 1, "89.00")
TSHIRTS = expected_line("Organic cotton T-shirt, white, L", "APP-1002-L", 2, "24.90")
HEADPHONES = expected_line(
    "Wireless noise-cancelling headphones, black", "ELE-3001", 1, "279.00", serials=("SNAB23",)
)
LINES = [SWEATER, TSHIRTS, HEADPHONES]


def quote_line(
    line: ExpectedLine, index: int, grade: str | None, deduction: str
) -> RefundQuoteLine:
    gross = line.unit_price
    cut = eur(deduction)
    reason = {
        None: "Item not returned",
        "C": "Restocking fee: opened and used",
    }.get(grade, "")
    return RefundQuoteLine(
        line=line,
        unit_index=index,
        refund=UnitRefund(gross=gross, deduction=cut, amount=gross - cut, deduction_reason=reason),
        grade=grade,
    )


QUOTE_LINES = [
    quote_line(SWEATER, 0, "B", "0.00"),
    quote_line(TSHIRTS, 0, "C", "3.74"),
    quote_line(TSHIRTS, 1, None, "24.90"),
]

OWN = "This station's own shop"
LONG_SHOP = "<b>Acme</b> אאוטדור Outdoor & Mountain Equipment International Ltd."
SUMMARIES = [
    ReturnSummary(
        uuid.uuid4(), "RMA-100001", "WEB-204117", "Sofia Rossi", ReturnStatus.OPEN, 1, None, OWN
    ),
    ReturnSummary(
        uuid.uuid4(),
        "RMA-100001",
        "WEB-204117",
        "Liam O'Connor",
        ReturnStatus.RECEIVED,
        2,
        "ACME",
        "Acme Outdoor",
    ),
    ReturnSummary(
        uuid.uuid4(), "RMA-100131", "WEB-204233", "Zoé Müller", ReturnStatus.COMPLETED, 3, None, OWN
    ),
]

HISTORY = [
    HistoryRow(
        parcel_id=uuid.uuid4(),
        received_at=NOW,
        completed_at=NOW + timedelta(minutes=2),
        tracking_number="1Z8ARVS59060133026",
        rma_number="RMA-100001",
        customer_name="Sofia Rossi",
        status=ParcelStatus.COMPLETED,
        units_inspected=1,
        refund_total=eur("89.00"),
        refund_status=RefundStatus.APPROVED,
        flags=(),
        operator_name="Alex Morgan",
    ),
    HistoryRow(
        parcel_id=uuid.uuid4(),
        received_at=NOW + timedelta(minutes=5),
        completed_at=NOW + timedelta(minutes=9),
        tracking_number="JJD000390007730000001",
        rma_number="RMA-100003",
        customer_name="Chloé Dubois",
        status=ParcelStatus.COMPLETED,
        units_inspected=1,
        refund_total=eur("0.00"),
        refund_status=RefundStatus.PENDING_APPROVAL,
        flags=("serial_mismatch",),
        operator_name="Alex Morgan",
    ),
    HistoryRow(
        parcel_id=uuid.uuid4(),
        received_at=NOW + timedelta(minutes=12),
        completed_at=None,
        tracking_number="1Z999AA10123456784",
        rma_number=None,
        customer_name="",
        status=ParcelStatus.NEEDS_REVIEW,
        units_inspected=0,
        refund_total=None,
        refund_status=None,
        flags=("unexpected_parcel",),
        operator_name="Priya Nair",
    ),
]


def _inspected_none(_line: ExpectedLine) -> int:
    return 0


FACTORIES: list[tuple[str, Callable[[], RowTableModel[Any]], list[Any]]] = [
    ("expected lines", lambda: expected_lines_model(_inspected_none), LINES),
    ("refund lines", refund_lines_model, QUOTE_LINES),
    ("search results", search_results_model, SUMMARIES),
    ("shift history", history_model, HISTORY),
]
IDS = [name for name, *_ in FACTORIES]


def _check_both(qtmodeltester: ModelTester, model: RowTableModel[Any]) -> None:
    qtmodeltester.check(model)  # Qt's C++ tester: its findings are Qt warnings, which fail here
    qtmodeltester.check(model, force_py=True)  # pytest-qt's Python tester asserts directly


def headers(model: RowTableModel[Any]) -> list[str]:
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def column(model: RowTableModel[Any], header: str) -> int:
    """Columns are found by their header, so the tests survive a reordered layout."""
    return headers(model).index(header)


def cell(model: RowTableModel[Any], row: int, header: str, role: int = DISPLAY) -> Any:
    return model.data(model.index(row, column(model, header)), role)


def row_text(model: RowTableModel[Any], row: int) -> str:
    """Everything a row shows, as the inspector reads it across the table."""
    return " | ".join(model.data(model.index(row, c)) for c in range(model.columnCount()))


@pytest.mark.parametrize(("name", "factory", "rows"), FACTORIES, ids=IDS)
def test_model_passes_the_model_tester_with_realistic_rows(
    qtmodeltester: ModelTester,
    name: str,
    factory: Callable[[], RowTableModel[Any]],
    rows: list[Any],
) -> None:
    model = factory()
    model.set_rows(rows)
    _check_both(qtmodeltester, model)

    assert model.rowCount() == len(rows)
    assert model.columnCount() >= 2
    assert all(isinstance(h, str) and h for h in headers(model)), headers(model)
    assert len(set(headers(model))) == model.columnCount()  # headers name columns uniquely
    assert model.headerData(model.columnCount(), Qt.Orientation.Horizontal) is None
    for row in range(model.rowCount()):
        for col in range(model.columnCount()):
            index = model.index(row, col)
            text = model.data(index, DISPLAY)
            assert isinstance(text, str), (name, row, col)
            assert model.data(index, Qt.ItemDataRole.ToolTipRole) == text
            assert model.data(index, ROW_ROLE) is rows[row]
        assert model.headerData(row, Qt.Orientation.Vertical) == str(row + 1)
    # A table has no children: a valid parent has no rows or columns.
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.columnCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None


@pytest.mark.parametrize(("name", "factory", "rows"), FACTORIES, ids=IDS)
def test_set_rows_empty_then_full_then_empty_resets_cleanly(
    qtmodeltester: ModelTester,
    qtbot: QtBot,
    name: str,
    factory: Callable[[], RowTableModel[Any]],
    rows: list[Any],
) -> None:
    model = factory()
    columns = model.columnCount()
    _check_both(qtmodeltester, model)

    with qtbot.waitSignals([model.modelAboutToBeReset, model.modelReset]):
        model.set_rows([])
    assert model.rowCount() == 0 and model.columnCount() == columns

    with qtbot.waitSignals([model.modelAboutToBeReset, model.modelReset]):
        model.set_rows(rows)
    assert model.rowCount() == len(rows) and model.columnCount() == columns
    assert model.rows() == rows and model.row(0) is rows[0]

    model.refresh()  # a repaint of every cell; the testers watch dataChanged too

    with qtbot.waitSignals([model.modelAboutToBeReset, model.modelReset]):
        model.set_rows([])
    assert model.rowCount() == 0
    assert model.rows() == []


def test_refresh_on_an_empty_model_emits_nothing(qtbot: QtBot) -> None:
    model = refund_lines_model()
    with qtbot.assertNotEmitted(model.dataChanged):
        model.refresh()


def test_refresh_repaints_every_cell_with_display_and_background_roles(qtbot: QtBot) -> None:
    done: set[uuid.UUID] = set()
    model = expected_lines_model(lambda line: line.quantity if line.line_id in done else 0)
    model.set_rows(LINES)
    assert cell(model, 0, "Done") == "0 / 1"
    assert cell(model, 0, "Done", BACKGROUND) is None

    # When the sweater's one unit is done and the model is refreshed
    done.add(SWEATER.line_id)
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.refresh()

    # Then every cell is repainted, for its text and its colour
    top_left, bottom_right, roles = blocker.args
    assert (top_left.row(), top_left.column()) == (0, 0)
    assert (bottom_right.row(), bottom_right.column()) == (len(LINES) - 1, model.columnCount() - 1)
    assert DISPLAY in roles and BACKGROUND in roles
    assert cell(model, 0, "Done") == "1 / 1"
    assert cell(model, 0, "Done", BACKGROUND) == DONE_BRUSH
    assert cell(model, 1, "Done", BACKGROUND) is None


def test_what_the_inspector_reads_in_each_table() -> None:
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    # Expected lines: what came back, how many, the price paid (right-aligned), and why
    lines = expected_lines_model(_inspected_none)
    lines.set_rows(LINES)
    assert cell(lines, 1, "Done") == "0 / 2"
    assert cell(lines, 1, "Paid") == "EUR 24.90"
    assert cell(lines, 1, "Paid", ALIGNMENT) == right
    shown = row_text(lines, 1)
    for expected in ("Organic cotton T-shirt, white, L", "APP-1002-L", "Does not fit"):
        assert expected in shown
    assert "& the sleeves are short." in shown  # the customer's words as written

    # Refund lines: a deduction is highlighted, a missing unit says so in words
    refunds = refund_lines_model()
    refunds.set_rows(QUOTE_LINES)
    assert [cell(refunds, r, "Item") for r in range(3)] == [
        "Merino crew-neck sweater, navy, M",
        "Organic cotton T-shirt, white, L (1 of 2)",
        "Organic cotton T-shirt, white, L (2 of 2)",
    ]
    assert cell(refunds, 2, "Grade") == "not received"
    assert cell(refunds, 1, "Refund") == "EUR 21.16"
    assert cell(refunds, 1, "Refund", ALIGNMENT) == right
    assert "Restocking fee" in row_text(refunds, 1)
    assert cell(refunds, 0, "Item", BACKGROUND) is None
    brush = cell(refunds, 1, "Item", BACKGROUND)
    assert isinstance(brush, QBrush) and brush == WARN_BRUSH

    # Search results: status in words
    search = search_results_model()
    search.set_rows(SUMMARIES)
    assert cell(search, 2, "Status") == "completed"
    assert cell(search, 0, "Units") == "1"
    assert "Zoé Müller" in row_text(search, 2)
    # Two shops' RMA-100001: each names its shop, a long name cut, whole in its tooltip
    assert [cell(search, r, "Shop") for r in range(2)] == [OWN, "Acme Outdoor"]
    search.set_rows([replace(SUMMARIES[1], shop_name=LONG_SHOP)])
    shop = cell(search, 0, "Shop")
    assert shop.endswith("…") and LONG_SHOP.startswith(shop[:-1]) and 25 < len(shop) <= 32
    tooltip = cell(search, 0, "Shop", TOOLTIP)  # shown as typed: its markup escaped
    assert "&lt;b&gt;Acme&lt;/b&gt;" in tooltip and "Ltd.</p>" in tooltip

    # History: exceptions and pending refunds stand out; an unexpected parcel is named so
    history = history_model()
    history.set_rows(HISTORY)
    assert cell(history, 0, "RMA", BACKGROUND) is None
    assert cell(history, 1, "Refund status") == "pending approval"
    assert cell(history, 1, "Exceptions") == "serial mismatch"
    assert cell(history, 1, "RMA", BACKGROUND) == WARN_BRUSH
    assert cell(history, 2, "RMA") == "—"
    assert cell(history, 2, "Customer") == "unexpected parcel"
    assert cell(history, 2, "Refund") == "—"
    assert cell(history, 2, "Parcel") == "needs review"
