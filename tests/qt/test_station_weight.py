"""The weight check in the station window: a parcel put on the bench scale (simulated, MT-SICS
on a pseudo-terminal) shows its verdict beside the return, in words and colour."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from completing import demo_parcel
from returnsdesk.config import Settings, load_settings
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.station.screen import Tone
from scale_sim import SimulatedScale, simulated_scale, steady
from station_driver import Inspector, open_station_window


@pytest.fixture
def light_parcel_scale() -> Iterator[SimulatedScale]:
    with simulated_scale(steady("0.005")) as sim:  # 5 g: an empty envelope
        yield sim


def test_an_underweight_parcel_is_shown_beside_its_return(
    qtbot: QtBot,
    demo_env: StationEnvironment,
    settings: Settings,
    light_parcel_scale: SimulatedScale,
) -> None:
    weighed = load_settings(
        environ={},
        overrides={
            "database.url": str(demo_env.database.engine.url),
            "ui.sounds": False,
            "scale.port": light_parcel_scale.port,
        },
    )
    window = open_station_window(qtbot, demo_env, weighed)
    inspector = Inspector(qtbot, window)
    view = window.station_view
    assert view.weight_text() == ""  # no parcel open: no verdict

    # When the inspector scans a parcel that weighs 5 g on the scale
    inspector.scan(demo_parcel(demo_env, "RMA-100001").tracking_number)

    # Then the verdict is on screen beside the return, marked as a problem
    qtbot.waitUntil(lambda: "0.005" in view.weight_text(), timeout=10_000)
    assert "expected 0.370 kg with packaging: 0.365 kg too light" in view.weight_text()
    assert view.weight_tone() is Tone.ERROR  # shown in the banner's error colours
    window.close()
