"""The KPI definitions' pure parts: costs from settings, weeks of a period, figures from counts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from returnsdesk.config import SYSTEM_CONFIG_ENV, USER_CONFIG_ENV, load_settings
from returnsdesk.domain.errors import ConfigError
from returnsdesk.domain.kpis import KpiCounts, parse_cost, parse_costs, weeks
from returnsdesk.domain.money import Money
from returnsdesk.services.reports import ReportSetup

NO_FILES = {SYSTEM_CONFIG_ENV: "", USER_CONFIG_ENV: ""}
BERLIN = ZoneInfo("Europe/Berlin")


def test_costs_are_decimal_money_from_a_file_or_a_variable(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[reports]\nlabour_rate = "21.90 CHF"\n', encoding="utf-8")
    settings = load_settings(
        environ={
            **NO_FILES,
            SYSTEM_CONFIG_ENV: str(path),
            "RETURNSDESK_REPORTS_HANDLING_COST": "0.85 CHF",
            "RETURNSDESK_REPORTS_REFURBISHMENT_COST": "12 CHF",
        }
    )
    costs = ReportSetup.from_settings(settings.reports).costs
    assert costs.labour_per_hour == Money(Decimal("21.90"), "CHF")
    assert costs.handling_per_return == Money(Decimal("0.85"), "CHF")
    assert costs.refurbishment_per_unit == Money(Decimal("12"), "CHF")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"RETURNSDESK_REPORTS_LABOUR_RATE": "thirty EUR"}, "reports.labour_rate"),
        ({"RETURNSDESK_REPORTS_HANDLING_COST": "-1.00 EUR"}, "cannot be negative"),
        ({"RETURNSDESK_REPORTS_REFURBISHMENT_COST": "8.00 eur"}, "reports.refurbishment_cost"),
        ({"RETURNSDESK_REPORTS_LABOUR_RATE": "30.00 USD"}, "one currency, not EUR, USD"),
        ({"RETURNSDESK_REPORTS_LABOR_RATE": "30.00 EUR"}, "unknown variable"),
    ],
)
def test_bad_costs_are_refused_at_start(variables: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={**NO_FILES, **variables})


def test_parse_cost_reads_amount_and_currency() -> None:
    assert parse_cost(" 1,000 EUR".replace(",", "")) == Money(Decimal("1000"), "EUR")
    with pytest.raises(ValueError, match="like"):
        parse_cost("EUR 30")
    assert parse_costs("1 JPY", "2 JPY", "3 JPY").currency == "JPY"


def test_weeks_start_on_monday_site_time_and_are_cut_by_the_period() -> None:
    # Wed 21 Oct 2026 12:00 to Wed 4 Nov 12:00 Berlin time, across the end of summer time
    start = datetime(2026, 10, 21, 12, tzinfo=BERLIN)
    end = datetime(2026, 11, 4, 12, tzinfo=BERLIN)
    found = weeks(start, end, BERLIN)
    assert [w.label for w in found] == ["19 Oct*", "26 Oct", "02 Nov*"]
    assert found[0].start == start and found[-1].end == end
    assert found[1].start == datetime(2026, 10, 26, tzinfo=BERLIN)
    assert found[1].start.astimezone(UTC).hour == 23  # Monday 00:00 CET is Sunday 23:00 UTC
    assert all(a.end == b.start for a, b in zip(found, found[1:], strict=False))


def test_figures_are_undefined_without_their_denominators() -> None:
    empty = KpiCounts()
    assert empty.return_rate is None and empty.refund_accuracy is None
    assert empty.kept_share is None and empty.processing_mean_seconds is None
    assert empty.cost_per_return(parse_costs("30 EUR", "1 EUR", "8 EUR")) is None
    two = KpiCounts(resale={("restock", "EUR"): Decimal(10), ("restock", "USD"): Decimal(10)})
    assert two.recovery_rate({}) is None  # a ratio across currencies means nothing
