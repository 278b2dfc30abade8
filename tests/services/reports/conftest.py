"""Fixtures: a demo floor on a real SQLite file, worked by two stations (see report_floor)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from report_floor import START, Clock, Floor

from returnsdesk.config import load_settings
from returnsdesk.services.bootstrap import open_environment
from returnsdesk.services.operators import sign_in
from returnsdesk.services.photos import PhotoStore
from returnsdesk.services.station import StationService


@pytest.fixture(autouse=True)
def _no_demo_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    """The printable barcode sheet is covered in tests/services/test_demo.py; skip it here."""
    monkeypatch.setattr(
        "returnsdesk.services.bootstrap.write_demo_sheet", lambda _summary, path: path
    )


@pytest.fixture
def floor(database_url: str, tmp_path: Path) -> Iterator[Floor]:
    settings = load_settings(environ={}, overrides={"database.url": database_url})
    env = open_environment(settings, demo=True)
    assert env.demo is not None
    clock = Clock(START)
    photo_root = tmp_path / "photos"
    stations = {}
    for operator, station in (("OP-0001", "STATION-01"), ("OP-0002", "STATION-02")):
        with env.database.session() as session:
            context = sign_in(session, operator_code=operator, station_code=station)
        stations[station] = StationService(
            database=env.database,
            policies=env.policies,
            context=context,
            scan_rules=env.scan_rules,
            clock=clock,
            photo_store=PhotoStore(photo_root),
        )
    yield Floor(env.database, env.demo, stations, clock, photo_root)
    env.database.dispose()
