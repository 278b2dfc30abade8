"""Workflow fixtures: the demo station (tests/conftest.py's demo_env) without a window."""

from __future__ import annotations

import pytest

from completing import station_service
from returnsdesk.services.bootstrap import StationEnvironment
from workflow_driver import Station


@pytest.fixture
def station(demo_env: StationEnvironment) -> Station:
    return Station(station_service(demo_env))
