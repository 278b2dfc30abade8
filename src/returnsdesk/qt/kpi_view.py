"""The KPI dashboard: the returns KPIs of the last days, each with its trend by week.

Laid out by ui/kpi_view.ui: six boxes, each a figure and a chart (``kpi_charts.TrendChart``).
The figures are read off the GUI thread (``services.reports.kpis.read_kpis``, one read-only
snapshot) when the tab is shown, when the period or stations change, on F5, and on change
notices that name returns, refunds or the outbox (a hidden tab re-reads when shown next).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QLabel, QWidget

from returnsdesk.domain.errors import OperatorError
from returnsdesk.qt.forms.ui_kpi_view import Ui_KpiView
from returnsdesk.qt.kpi_charts import TrendChart
from returnsdesk.qt.ops import Op
from returnsdesk.qt.plain import set_clipped_text
from returnsdesk.qt.shops import choose_shop, chosen_shop, offer_shops
from returnsdesk.qt.typography import BODY_PT, HEADING_PT, scaled_font
from returnsdesk.services.reports import Period, ReportSetup
from returnsdesk.services.reports.kpis import (
    DEFINITIONS,
    HEADLINES,
    TRENDS,
    KpiData,
    KpiFigures,
    read_kpis,
)
from returnsdesk.services.station import StationService
from returnsdesk.station.changes import Changes

log = logging.getLogger(__name__)

PERIODS = (("Last 30 days", 30), ("Last 7 days", 7), ("Last 90 days", 90))
_WATCHED = {"returns", "refunds_waiting", "outbox"}
_ERROR_STYLE = "color:#842029; font-weight:bold;"
_MESSAGE_CHARS = 200


def _percent(value: float) -> str:
    return f"{value:.0f}%"


def _hours(value: float) -> str:
    return f"{value:.1f} h"


def _money(value: float) -> str:
    return f"{value:.2f}"


# Per box, in HEADLINES order: the chart's point labels.
_FORMATS: tuple[Callable[[float], str], ...] = (
    _percent,
    _hours,
    _money,
    _percent,
    _percent,
    _percent,
)


class KpiView(QWidget):
    """The dashboard tab; its widgets are its own."""

    loaded = Signal()  # figures shown (tests wait on it)

    def __init__(
        self,
        service: StationService,
        setup: ReportSetup,
        *,
        font_scale: float = 1.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ui = Ui_KpiView()
        self._ui.setupUi(self)  # type: ignore[no-untyped-call]
        self.setFont(scaled_font(self.font(), BODY_PT, font_scale))
        self._service = service
        self._setup = setup
        self._stale = True  # read when first shown
        self._reading = False
        self._again = False  # asked again while a read was under way
        self.data: KpiData | None = None
        ui = self._ui
        for text, days in PERIODS:
            ui.periodCombo.addItem(text, days)
        ui.stationCombo.addItem("All stations", None)
        code = service.context.station_code
        ui.stationCombo.addItem(f"This station ({code})", code)
        # A station serving several client shops ([clients]) reads one shop's KPIs on request.
        offered = offer_shops(ui.shopCombo, service.clients)
        for widget in (ui.shopLabel, ui.shopCombo):
            widget.setVisible(offered)
        definitions = dict(DEFINITIONS)
        self.values: list[QLabel] = []
        self.charts: list[TrendChart] = []
        big = scaled_font(self.font(), HEADING_PT * 1.5, font_scale)
        big.setBold(True)
        for index, ((name, _show), (_title, top, _value)) in enumerate(
            zip(HEADLINES, TRENDS, strict=True)
        ):
            value: QLabel = getattr(ui, f"kpiValue{index}")
            value.setFont(big)
            chart: TrendChart = getattr(ui, f"kpiChart{index}")
            chart.set_style(columns=name == "Cost per return", top=top, fmt=_FORMATS[index])
            box: QWidget = getattr(ui, f"kpiBox{index}")
            box.setToolTip(definitions[name])
            self.values.append(value)
            self.charts.append(chart)
        self._connect_signals()

    def _connect_signals(self) -> None:
        ui = self._ui
        ui.periodCombo.currentIndexChanged.connect(lambda _i: self.refresh())
        ui.stationCombo.currentIndexChanged.connect(lambda _i: self.refresh())
        ui.shopCombo.currentIndexChanged.connect(lambda _i: self.refresh())
        ui.refreshButton.clicked.connect(self.refresh)
        refresh = QShortcut(QKeySequence("F5"), self)
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.activated.connect(self.refresh)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._ui.periodCombo.setFocus()
        if self._stale:
            self.refresh()

    @Slot(object)
    def on_changes(self, changes: Changes) -> None:
        """A change notice: read again now if on screen and it names what the KPIs count."""
        if not _WATCHED.intersection(changes.named()):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def refresh(self) -> None:
        if self._reading:
            self._again = True
            return
        self._stale = False
        self._reading = True
        days = int(self._ui.periodCombo.currentData())
        station = self._ui.stationCombo.currentData()
        client = chosen_shop(self._ui.shopCombo)
        setup = self._setup
        period = Period.last_days(days, self._service.clock(), setup.zone)
        database = self._service.database
        set_clipped_text(self._ui.message, "Reading…", _MESSAGE_CHARS)
        self._ui.message.setStyleSheet("")
        Op(lambda: read_kpis(database, period, station, setup, client), owner=self).on_success(
            self._show
        ).on_failure(self._failed).start()

    def shops_offered(self) -> list[str]:
        """The shop choice as shown (empty when the station serves one shop)."""
        combo = self._ui.shopCombo
        return [combo.itemText(i) for i in range(combo.count())] if combo.isVisibleTo(self) else []

    def choose_shop(self, client_code: str | None) -> None:
        """Show one client shop's KPIs (None: every shop's), as picked in the shop list."""
        choose_shop(self._ui.shopCombo, client_code)

    def message(self) -> str:
        """What the tab says above the figures: the period shown, or why it could not."""
        return self._ui.message.text()

    def _finished(self) -> None:
        self._reading = False
        if self._again:
            self._again = False
            self.refresh()

    def _show(self, data: KpiData) -> None:
        self.data = data
        labels = [week.label for week in data.weeks]
        for index, ((_name, show), (_title, _top, value)) in enumerate(
            zip(HEADLINES, TRENDS, strict=True)
        ):
            self.values[index].setText(show(data.total))
            self.charts[index].set_points(labels, [_point(value, week) for week in data.weeks])
        shop = f" · {self._ui.shopCombo.currentText()}" if chosen_shop(self._ui.shopCombo) else ""
        set_clipped_text(
            self._ui.message, f"{data.period_label} · {data.station}{shop}", _MESSAGE_CHARS
        )
        self.loaded.emit()
        self._finished()

    def _failed(self, exc: BaseException) -> None:
        self._finished()
        if isinstance(exc, OperatorError):
            text = str(exc)
        else:
            log.error("KPI dashboard failed", exc_info=exc)
            text = f"Could not read the KPIs: {exc}"
        set_clipped_text(self._ui.message, text, _MESSAGE_CHARS)
        self._ui.message.setStyleSheet(_ERROR_STYLE)


def _point(value: Callable[[KpiFigures], float], week: KpiFigures) -> float | None:
    number = value(week)
    return None if number != number else number  # NaN: the week has no such figure
