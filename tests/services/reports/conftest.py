"""Fixtures: a demo floor on a real SQLite file, worked by two stations (see report_floor)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from report_floor import Floor, open_floor


@pytest.fixture(autouse=True)
def _no_demo_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    """The printable barcode sheet is covered in tests/services/test_demo.py; skip it here."""
    monkeypatch.setattr(
        "returnsdesk.services.demo_sheet.write_demo_sheet", lambda _summary, path: path
    )


@pytest.fixture
def floor(database_url: str, tmp_path: Path) -> Iterator[Floor]:
    floor = open_floor(database_url, tmp_path / "photos")
    yield floor
    floor.database.dispose()
