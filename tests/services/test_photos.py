"""Photo evidence on real files and a real SQLite database; a full disk is a real, tiny tmpfs."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
import pytest
from sqlmodel import func, select

from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.models import Operator, Parcel, Photo, Station
from returnsdesk.domain.errors import OperatorError
from returnsdesk.services.photos import (
    PhotoFault,
    PhotoNotSaved,
    PhotoStore,
    PhotoView,
    default_photo_root,
)

if TYPE_CHECKING:
    from returnsdesk.services.photos import Image

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Desk:
    """The rows a photo points at: a parcel received by an operator at a station."""

    parcel_id: uuid.UUID
    operator_id: uuid.UUID
    station_id: uuid.UUID


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(make_engine(database_url))
    ensure_schema(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def desk(database: Database) -> Desk:
    station = Station(code="STATION-01", name="Returns bench 1")
    operator = Operator(code="OP-0001", name="Ada")
    parcel = Parcel(
        tracking_number="1Z999AA10123456784",
        carrier="UPS",
        station_id=station.id,
        operator_id=operator.id,
        unexpected=True,  # no return needed for photos
    )
    with database.session() as session:
        session.add_all([station, operator, parcel])
    return Desk(parcel.id, operator.id, station.id)


def camera_frame(width: int = 1920, height: int = 1080, seed: int = 0) -> Image:
    """A busy picture: noise JPEG cannot shrink much, so files are realistically large."""
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def save(
    database: Database,
    store: PhotoStore,
    desk: Desk,
    *,
    frame: Image | None = None,
    unit_id: uuid.UUID | None = None,
    now: datetime = NOW,
) -> PhotoView:
    with database.session() as session:
        return store.save(
            session,
            frame=camera_frame() if frame is None else frame,
            parcel_id=desk.parcel_id,
            unit_id=unit_id,
            operator_id=desk.operator_id,
            station_id=desk.station_id,
            now=now,
        )


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def photo_count(database: Database) -> int:
    with database.session() as session:
        return session.exec(select(func.count()).select_from(Photo)).one()


def test_saved_photo_is_on_disk_with_its_hash_and_capped_size(
    database: Database, desk: Desk, tmp_path: Path
) -> None:
    store = PhotoStore(tmp_path / "photos")
    unit_id = uuid.uuid4()

    view = save(database, store, desk, frame=camera_frame(3000, 2000), unit_id=unit_id)

    assert view.path == tmp_path / "photos" / "2026" / "03" / "14" / f"{view.id}.jpg"
    data = view.path.read_bytes()
    with database.session() as session:
        row = session.get(Photo, view.id)
    assert row is not None
    assert row.sha256 == hashlib.sha256(data).hexdigest() == view.sha256
    assert row.bytes == len(data)
    assert row.relative_path == f"2026/03/14/{view.id}.jpg"
    assert (row.unit_id, row.parcel_id, row.taken_at) == (unit_id, desk.parcel_id, NOW)
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None
    assert decoded.shape == (1067, 1600, 3) == (row.height, row.width, 3)
    assert files_under(tmp_path / "photos") == [view.path]  # no temporary file left behind


def test_small_photo_is_not_enlarged_and_parcel_photos_are_listed_oldest_first(
    database: Database, desk: Desk, tmp_path: Path
) -> None:
    store = PhotoStore(tmp_path)
    later = save(database, store, desk, frame=camera_frame(640, 480), now=NOW + timedelta(hours=1))
    earlier = save(database, store, desk, frame=camera_frame(480, 640), unit_id=uuid.uuid4())

    with database.session() as session:
        listed = store.list_for_parcel(session, desk.parcel_id)
        assert store.list_for_parcel(session, uuid.uuid4()) == []

    assert listed == [earlier, later]
    assert (later.width, later.height) == (640, 480)
    assert (earlier.width, earlier.height) == (480, 640)


def test_thumbnail_fits_the_box_and_is_none_for_a_missing_file(
    database: Database, desk: Desk, tmp_path: Path
) -> None:
    store = PhotoStore(tmp_path)
    view = save(database, store, desk, frame=camera_frame(1000, 500))

    thumbnail = store.thumbnail(view)
    assert thumbnail is not None
    assert thumbnail.shape == (80, 160, 3)
    small = store.thumbnail(view, max_side=40)
    assert small is not None
    assert small.shape == (20, 40, 3)

    view.path.unlink()
    assert store.thumbnail(view) is None


def test_verify_reports_missing_and_altered_files_and_nothing_for_intact_ones(
    database: Database, desk: Desk, tmp_path: Path
) -> None:
    # Given three photos, one deleted and one with a single byte flipped
    store = PhotoStore(tmp_path)
    intact, missing, altered = (
        save(database, store, desk, frame=camera_frame(seed=s)) for s in range(3)
    )
    missing.path.unlink()
    data = bytearray(altered.path.read_bytes())
    data[len(data) // 2] ^= 0x01
    altered.path.write_bytes(bytes(data))

    # When the shift lead verifies the photos
    with database.session() as session:
        problems = store.verify(session)

    # Then both bad files are named, with what is wrong, and the intact one is not
    assert {(p.photo_id, p.path, p.fault) for p in problems} == {
        (missing.id, missing.path, PhotoFault.MISSING),
        (altered.id, altered.path, PhotoFault.ALTERED),
    }
    assert intact.id not in {p.photo_id for p in problems}
    altered_detail = next(p.detail for p in problems if p.fault is PhotoFault.ALTERED)
    assert altered.sha256 in altered_detail


def test_verify_since_checks_only_newer_photos(
    database: Database, desk: Desk, tmp_path: Path
) -> None:
    store = PhotoStore(tmp_path)
    old = save(database, store, desk, now=NOW - timedelta(days=40))
    new = save(database, store, desk, now=NOW)
    old.path.unlink()
    new.path.unlink()

    with database.session() as session:
        problems = store.verify(session, since=NOW - timedelta(days=7))

    assert [p.photo_id for p in problems] == [new.id]


def test_a_full_disk_leaves_no_file_and_no_row(
    database: Database, desk: Desk, full_disk: Path
) -> None:
    store = PhotoStore(full_disk)
    with database.session() as session:
        with pytest.raises(PhotoNotSaved) as caught:
            store.save(
                session,
                frame=camera_frame(),
                parcel_id=desk.parcel_id,
                unit_id=None,
                operator_id=desk.operator_id,
                station_id=desk.station_id,
                now=NOW,
            )
        assert session.exec(select(Photo)).all() == []  # nothing pending either

    assert str(caught.value) == (
        "Disk full: the photo was not saved. The inspection goes on; free space or call IT."
    )
    assert isinstance(caught.value, OperatorError)
    assert files_under(full_disk) == []
    assert photo_count(database) == 0


def test_an_unwritable_photo_root_is_an_operator_error(
    database: Database, desk: Desk, tmp_path: Path
) -> None:
    # A file where the folder should be fails even for root, unlike a chmod'ed folder.
    blocked = tmp_path / "photos"
    blocked.write_text("not a folder")
    store = PhotoStore(blocked)

    with pytest.raises(PhotoNotSaved, match=r"cannot write to .*photos.*call IT"):
        save(database, store, desk)

    assert blocked.read_text() == "not a folder"
    assert photo_count(database) == 0


def test_naive_time_is_refused_before_anything_is_written(
    database: Database, desk: Desk, tmp_path: Path
) -> None:
    root = tmp_path / "photos"
    with pytest.raises(ValueError, match="timezone-aware"):
        save(database, PhotoStore(root), desk, now=datetime(2026, 3, 14, 9, 30))
    assert not root.exists()


def test_default_photo_root_is_in_the_user_data_dir() -> None:
    # tests/conftest.py points XDG_DATA_HOME at a temp folder
    assert default_photo_root() == Path(os.environ["XDG_DATA_HOME"]) / "returnsdesk" / "photos"
