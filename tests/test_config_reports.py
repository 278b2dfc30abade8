"""The [reports] settings: time zone, shifts and recovery rates, checked at load like the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from returnsdesk.config import SYSTEM_CONFIG_ENV, USER_CONFIG_ENV, load_settings
from returnsdesk.domain.errors import ConfigError

NO_FILES = {SYSTEM_CONFIG_ENV: "", USER_CONFIG_ENV: ""}


def test_defaults() -> None:
    reports = load_settings(environ=NO_FILES).reports

    assert reports.time_zone == "UTC"
    assert reports.shifts == ("early=06:00-14:00", "late=14:00-22:00", "night=22:00-06:00")
    assert "refurbish=0.60" in reports.recovery_rates


def test_a_file_and_a_variable_set_them(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[reports]\ntime_zone = "Europe/Berlin"\n'
        'shifts = ["day=07:00-19:00", "night=19:00-07:00"]\n',
        encoding="utf-8",
    )

    reports = load_settings(
        environ={
            **NO_FILES,
            SYSTEM_CONFIG_ENV: str(path),
            "RETURNSDESK_REPORTS_RECOVERY_RATES": "restock=1,refurbish=0.5,liquidate=0.1,recycle=0",
        }
    ).reports

    assert reports.time_zone == "Europe/Berlin"
    assert reports.shifts == ("day=07:00-19:00", "night=19:00-07:00")
    assert reports.recovery_rates == ("restock=1", "refurbish=0.5", "liquidate=0.1", "recycle=0")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "RETURNSDESK_REPORTS_TIME_ZONE",
            "Mars/Olympus",
            "reports.time_zone: 'Mars/Olympus' is no",
        ),
        (
            "RETURNSDESK_REPORTS_SHIFTS",
            "early=06:00",
            "reports.shifts: 'early=06:00' is not a shift",
        ),
        ("RETURNSDESK_REPORTS_RECOVERY_RATES", "restock=1", "reports.recovery_rates: no recovery"),
    ],
)
def test_invalid_values_name_the_variable_and_the_key(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=rf"^{variable}: {message}"):
        load_settings(environ={**NO_FILES, variable: value})
