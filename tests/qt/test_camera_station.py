"""The camera as a scanner and evidence recorder, through the real capture path.

Recorded frames (a folder of images, as ``returnsdesk --camera PATH`` plays them) go through
``CaptureWorker``, the frame decoder and the station, exactly as a bench camera's would.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp
from pytestqt.qtbot import QtBot
from sqlmodel import select

from PySide6.QtCore import Qt

from returnsdesk.config import Settings, load_settings
from returnsdesk.data.models import Inspection, Photo, Refund, Return
from returnsdesk.domain.vocabulary import ReturnStatus
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.qt.station_controller import State
from returnsdesk.scan.camera import CameraState
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.demo import DemoParcel
from returnsdesk.services.photos import PhotoStore
from station_driver import Inspector, open_station_window

FPS = 10


def _frame_with(symbol: np.ndarray | None) -> np.ndarray:
    """A 1280x720 bench picture: grey bench, the label in the middle when there is one."""
    frame = np.full((720, 1280, 3), 150, dtype=np.uint8)
    if symbol is not None:
        height, width = symbol.shape[:2]
        top, left = (720 - height) // 2, (1280 - width) // 2
        frame[top - 30 : top + height + 30, left - 40 : left + width + 40] = 255
        frame[top : top + height, left : left + width] = cv2.cvtColor(symbol, cv2.COLOR_GRAY2BGR)
    return frame


def _symbol(text: str, kind: zxingcpp.BarcodeFormat) -> np.ndarray:
    return np.array(zxingcpp.create_barcode(text, kind).to_image(scale=4), dtype=np.uint8)


def record(folder: Path, scenes: list[tuple[np.ndarray | None, int]]) -> Path:
    """Write the scenes (picture, number of frames) as numbered PNGs, like a recording."""
    folder.mkdir(parents=True, exist_ok=True)
    number = 0
    for symbol, frames in scenes:
        picture = _frame_with(symbol)
        for _ in range(frames):
            cv2.imwrite(str(folder / f"frame-{number:04d}.png"), picture)
            number += 1
    return folder


def parcel_recording(folder: Path, parcel: DemoParcel, *, tail_frames: int = 60) -> Path:
    label = _symbol(parcel.tracking_number, zxingcpp.BarcodeFormat.Code128)
    item = _symbol(parcel.items[0].gtin, zxingcpp.BarcodeFormat.EAN13)
    # The label, an empty bench while the return opens, the item, then the bench empty again.
    return record(folder, [(label, 4), (None, 6), (item, 4), (None, tail_frames)])


@pytest.fixture
def recording(tmp_path: Path, demo_env: StationEnvironment) -> Path:
    assert demo_env.demo is not None
    parcel = next(p for p in demo_env.demo.parcels if p.rma_number == "RMA-100001")
    return parcel_recording(tmp_path / "frames", parcel)


def camera_settings(database_url: str, source: Path) -> Settings:
    """A station whose camera plays ``source`` (recorded frames)."""
    return load_settings(
        environ={},
        overrides={
            "database.url": database_url,
            "ui.sounds": False,
            "camera.source": str(source),
            "camera.fps": FPS,
        },
    )


def _window(qtbot: QtBot, env: StationEnvironment, settings: Settings) -> MainWindow:
    return open_station_window(qtbot, env, settings)


@pytest.fixture
def camera_window(
    qtbot: QtBot, demo_env: StationEnvironment, recording: Path, database_url: str
) -> Iterator[MainWindow]:
    window = _window(qtbot, demo_env, camera_settings(database_url, recording))
    yield window
    window.camera.stop()


def test_a_return_is_recognised_from_camera_frames_alone(
    qtbot: QtBot, camera_window: MainWindow, demo_env: StationEnvironment
) -> None:
    inspector = Inspector(qtbot, camera_window)
    controller = camera_window.station
    # Given the camera plays a recording of the parcel label and then its item,
    # the station opens the return and matches the item without a key pressed
    qtbot.waitUntil(lambda: controller.state is State.UNIT, timeout=15_000)
    assert controller.parcel is not None and controller.parcel.view.rma_number == "RMA-100001"
    assert camera_window.camera_panel.frames_shown > 0

    # When the inspector grades and confirms with the keyboard
    inspector.press("2")
    inspector.press("Enter")

    # Then the return is completed as with a handheld scanner
    assert controller.state is State.OUTCOME
    with demo_env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == "RMA-100001")).one()
        assert return_.status is ReturnStatus.COMPLETED
        assert session.exec(select(Refund).where(Refund.return_id == return_.id)).one()


def test_photos_are_stored_with_their_hash_and_linked_to_the_unit(
    qtbot: QtBot, camera_window: MainWindow, demo_env: StationEnvironment
) -> None:
    inspector = Inspector(qtbot, camera_window)
    controller = camera_window.station
    qtbot.waitUntil(lambda: controller.state is State.UNIT, timeout=15_000)
    # Given a unit graded D (damaged), which the evidence policy says needs a photo
    inspector.press("4")
    inspector.press("Enter")
    # then Enter is refused until there is a photo
    assert controller.state is State.UNIT
    assert "Take a photo first" in inspector.message

    # When the inspector presses P, and then Enter
    inspector.press("P")
    qtbot.waitUntil(
        lambda: (
            controller.work is not None
            and controller.work.current is not None
            and controller.work.current.photos == 1
        ),
        timeout=5_000,
    )
    unit_id = controller.work.current.id if controller.work and controller.work.current else None
    inspector.press("Enter")
    assert controller.state is State.OUTCOME

    # Then the photo file is on disk, its SHA-256 is recorded, and it belongs to the inspection
    with demo_env.database.session() as session:
        photo = session.exec(select(Photo).where(Photo.unit_id == unit_id)).one()
        inspection = session.get(Inspection, unit_id)
        assert inspection is not None and inspection.grade == "D"
    path = camera_window.station.service.photos.root / photo.relative_path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == photo.sha256


def test_camera_that_stops_is_reported_and_recovers(
    qtbot: QtBot, demo_env: StationEnvironment, tmp_path: Path, database_url: str
) -> None:
    assert demo_env.demo is not None
    parcel = next(p for p in demo_env.demo.parcels if p.rma_number == "RMA-100002")
    frames = parcel_recording(tmp_path / "short", parcel, tail_frames=2)
    window = _window(qtbot, demo_env, camera_settings(database_url, frames))
    try:
        panel = window.camera_panel
        # When the recording ends (as when the camera is unplugged)
        qtbot.waitUntil(lambda: window.camera.state is CameraState.DISCONNECTED, timeout=15_000)
        # Then the station says so, and keeps working with the handheld scanner
        assert "disconnected" in panel.status.text().lower()
        assert "handheld scanner still works" in panel.status.text()
        inspector = Inspector(qtbot, window)
        while window.station.state is not State.IDLE:
            inspector.key(Qt.Key.Key_Escape)  # leave the parcel open, back to waiting
        # And when the source comes back it is live again and scans from frames once more
        qtbot.waitUntil(lambda: window.camera.state is CameraState.LIVE, timeout=15_000)
        qtbot.waitUntil(lambda: window.station.state is State.RETURN, timeout=15_000)
        assert window.station.parcel is not None and window.station.parcel.resumed
    finally:
        window.camera.stop()


def test_history_shows_photos_and_catches_an_altered_file(
    qtbot: QtBot, camera_window: MainWindow
) -> None:
    inspector = Inspector(qtbot, camera_window)
    controller = camera_window.station
    qtbot.waitUntil(lambda: controller.state is State.UNIT, timeout=15_000)
    inspector.press("P")
    qtbot.waitUntil(
        lambda: (
            controller.work is not None
            and controller.work.current is not None
            and controller.work.current.photos == 1
        ),
        timeout=5_000,
    )
    inspector.press("2")
    inspector.press("Enter")
    history = camera_window.history_view

    # When the shift lead opens the history and selects the parcel
    qtbot.keyClick(camera_window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(history.parcels()) == 1, timeout=5_000)
    history.select_parcel(0)
    # Then its photo shows, checked against its hash
    qtbot.waitUntil(lambda: "all intact" in history.evidence_text(), timeout=5_000)
    assert history.shows_photos()

    # And when the file is altered afterwards, the check says so
    photo = controller.service.photos
    with camera_window.station.service.database.session() as session:
        stored = session.exec(select(Photo)).one()
    path = photo.root / stored.relative_path
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    history.select_parcel(0)  # selected again: checked again
    qtbot.waitUntil(lambda: "failed the hash check" in history.evidence_text(), timeout=5_000)


def test_a_full_disk_loses_no_inspection(
    qtbot: QtBot, camera_window: MainWindow, demo_env: StationEnvironment, full_disk: Path
) -> None:
    inspector = Inspector(qtbot, camera_window)
    controller = camera_window.station
    controller.service.photos = PhotoStore(full_disk)
    qtbot.waitUntil(lambda: controller.state is State.UNIT, timeout=15_000)
    # Given the disk holding photos is full, when the inspector takes photos
    for _ in range(3):
        inspector.press("P")
        qtbot.wait(300)
    # Then they are told clearly, and the unit is still being inspected
    qtbot.waitUntil(lambda: "Disk full" in inspector.message, timeout=15_000)
    assert controller.state is State.UNIT
    # And the inspection completes as usual
    inspector.press("2")
    inspector.press("Enter")
    assert controller.state is State.OUTCOME
    with demo_env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == "RMA-100001")).one()
        assert return_.status is ReturnStatus.COMPLETED
