"""Migration 0004_print_jobs: units inspected before it get their license plate."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from returnsdesk.data.db import make_engine
from returnsdesk.domain.labels import license_plate

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_units_inspected_before_the_migration_get_their_plate(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ini = Config(str(REPO_ROOT / "alembic.ini"))
    config = Config()
    config.set_main_option("script_location", ini.get_main_option("script_location") or "")
    monkeypatch.setenv("RETURNSDESK_DATABASE_URL", database_url)
    command.upgrade(config, "0002")
    engine = make_engine(database_url)
    station, operator, parcel = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    # All 50 low bits set: a plate computed from fewer bits would differ.
    inspected = uuid.UUID("6f0b3c1e-8d2a-4c5e-bfff-ffffffffffff")
    missing = uuid.uuid4()
    now = "2026-11-22 10:00:00.000000"
    try:
        # Given a database at the revision before, with one inspected and one missing unit
        with engine.begin() as db:
            db.execute(
                text("INSERT INTO stations VALUES (:id, 'S1', 'Station 1', :now)"),
                {"id": station.hex, "now": now},
            )
            db.execute(
                text(
                    "INSERT INTO operators (id, code, name, role, active, created_at)"
                    " VALUES (:id, 'OP-1', 'Op', 'inspector', 1, :now)"
                ),
                {"id": operator.hex, "now": now},
            )
            db.execute(
                text(
                    "INSERT INTO parcels (id, tracking_number, carrier, station_id, operator_id,"
                    " received_at, status, unexpected, note)"
                    " VALUES (:id, 'T1', 'UPS', :station, :operator, :now, 'completed', 0, '')"
                ),
                {"id": parcel.hex, "station": station.hex, "operator": operator.hex, "now": now},
            )
            for unit, outcome in ((inspected, "inspected"), (missing, "missing")):
                db.execute(
                    text(
                        "INSERT INTO inspections (id, parcel_id, operator_id, station_id, outcome,"
                        " checklist, notes, flags, started_at, finished_at)"
                        " VALUES (:id, :parcel, :operator, :station, :outcome, '{}', '', '[]',"
                        " :now, :now)"
                    ),
                    {
                        "id": unit.hex,
                        "parcel": parcel.hex,
                        "operator": operator.hex,
                        "station": station.hex,
                        "outcome": outcome,
                        "now": now,
                    },
                )

        # When it is upgraded
        command.upgrade(config, "head")

        # Then the inspected unit has the plate its id gives; the missing one has none
        with engine.connect() as db:
            plates = dict(db.execute(text("SELECT id, license_plate FROM inspections")).all())
    finally:
        engine.dispose()
    assert plates == {inspected.hex: license_plate(inspected), missing.hex: None}
