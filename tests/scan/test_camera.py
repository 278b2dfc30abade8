"""The capture worker on real sources: PNG folders and an MJPG video written here with OpenCV."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
import pytest

from returnsdesk.domain.errors import OperatorError
from returnsdesk.scan.camera import (
    CameraState,
    CameraUnavailable,
    CaptureWorker,
    open_source,
)

if TYPE_CHECKING:
    from returnsdesk.scan.camera import Frame

FPS = 200.0
RECONNECT_S = 0.05


def write_frames(folder: Path, count: int) -> None:
    """PNG frames 0..count-1, each a flat grey whose level is its number (PNG is lossless)."""
    folder.mkdir(exist_ok=True)
    for index in range(count):
        image = np.full((48, 64, 3), index * 10, np.uint8)
        assert cv2.imwrite(str(folder / f"frame-{index:03}.png"), image)


def frame_number(frame: Frame) -> int:
    return round(float(frame.mean()) / 10)  # rounded: JPEG moves a flat grey by a level or two


def wait_until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.005)


class Recorder:
    """The callbacks a Qt bridge would pass, recording what arrives from the worker thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.processed: list[int] = []
        self.frames: list[tuple[Frame, int | None]] = []
        self.states: list[tuple[CameraState, str]] = []

    def process(self, frame: Frame) -> int:
        number = frame_number(frame)
        with self.lock:
            self.processed.append(number)
        return number

    def on_frame(self, frame: Frame, result: int | None) -> None:
        with self.lock:
            self.frames.append((frame, result))

    def on_state(self, state: CameraState, message: str) -> None:
        with self.lock:
            self.states.append((state, message))

    def state_names(self) -> list[CameraState]:
        with self.lock:
            return [state for state, _ in self.states]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def workers() -> Iterator[list[CaptureWorker[int]]]:
    """Workers started by a test; stopped at its end even when the test fails."""
    started: list[CaptureWorker[int]] = []
    yield started
    for worker in started:
        worker.stop()


def start(
    workers: list[CaptureWorker[int]],
    spec: str | int,
    recorder: Recorder,
    *,
    fps: float = FPS,
    reconnect_interval_s: float = RECONNECT_S,
    loop: bool = False,
) -> CaptureWorker[int]:
    worker = CaptureWorker(
        spec,
        process=recorder.process,
        on_frame=recorder.on_frame,
        on_state=recorder.on_state,
        fps=fps,
        reconnect_interval_s=reconnect_interval_s,
        loop=loop,
    )
    workers.append(worker)
    worker.start()
    return worker


def test_folder_plays_in_order_then_reads_as_unplugged_and_recovers(
    tmp_path: Path, recorder: Recorder, workers: list[CaptureWorker[int]]
) -> None:
    # Given a folder of five frames played without looping
    folder = tmp_path / "frames"
    away = tmp_path / "frames-away"
    write_frames(folder, 5)

    def unplug_on_first_disconnect(state: CameraState, message: str) -> None:
        # Runs on the worker thread before it waits to reconnect: no race with the reopen.
        if state is CameraState.DISCONNECTED and not away.exists():
            folder.rename(away)
        recorder.on_state(state, message)

    worker = CaptureWorker(
        str(folder),
        process=recorder.process,
        on_frame=recorder.on_frame,
        on_state=unplug_on_first_disconnect,
        fps=FPS,
        reconnect_interval_s=RECONNECT_S,
    )
    workers.append(worker)
    worker.start()

    # When the folder ends, then every frame came once, in order, and the camera reads as unplugged
    wait_until(lambda: CameraState.DISCONNECTED in recorder.state_names())
    assert recorder.processed == [0, 1, 2, 3, 4]
    assert [result for _, result in recorder.frames] == [0, 1, 2, 3, 4]
    assert recorder.state_names() == [
        CameraState.STARTING,
        CameraState.LIVE,
        CameraState.DISCONNECTED,
    ]
    assert "stopped sending pictures" in recorder.states[-1][1]

    # While it is gone the worker keeps trying and stays DISCONNECTED (it was live once)
    time.sleep(6 * RECONNECT_S)
    assert recorder.state_names()[-1] is CameraState.DISCONNECTED

    # When it comes back, then the worker reports LIVE again and plays it from the start
    away.rename(folder)
    wait_until(lambda: recorder.state_names().count(CameraState.LIVE) == 2)
    wait_until(lambda: len(recorder.processed) >= 10)
    assert recorder.processed[5:10] == [0, 1, 2, 3, 4]


def test_folder_loops_when_asked(
    tmp_path: Path, recorder: Recorder, workers: list[CaptureWorker[int]]
) -> None:
    write_frames(tmp_path, 3)
    start(workers, str(tmp_path), recorder, loop=True)
    wait_until(lambda: len(recorder.processed) >= 7)
    assert recorder.processed[:7] == [0, 1, 2, 0, 1, 2, 0]
    assert CameraState.DISCONNECTED not in recorder.state_names()


def test_missing_device_reads_as_missing_with_a_clear_message(
    recorder: Recorder, workers: list[CaptureWorker[int]]
) -> None:
    worker = start(workers, 97, recorder)
    wait_until(lambda: CameraState.MISSING in recorder.state_names())
    time.sleep(3 * RECONNECT_S)  # retries report nothing new
    assert recorder.state_names() == [CameraState.STARTING, CameraState.MISSING]
    assert "97" in recorder.states[-1][1]
    assert worker.is_alive()  # still retrying, no exception escaped
    assert worker.latest_frame() is None


def test_open_source_explains_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(CameraUnavailable, match="No camera at index 97") as caught:
        open_source("97")
    assert isinstance(caught.value, OperatorError)
    with pytest.raises(CameraUnavailable, match="Cannot read video file .*nothing.avi"):
        open_source(str(tmp_path / "nothing.avi"))
    not_video = tmp_path / "notes.txt"
    not_video.write_text("not a video")
    with pytest.raises(CameraUnavailable, match="Cannot read video file .*notes.txt"):
        open_source(str(not_video))
    with pytest.raises(CameraUnavailable, match="No images"):
        open_source(str(tmp_path))  # a folder with no images in it


def test_video_file_plays(
    tmp_path: Path, recorder: Recorder, workers: list[CaptureWorker[int]]
) -> None:
    video = tmp_path / "bench.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"MJPG"), 25.0, (64, 48))
    assert writer.isOpened()
    for index in range(8):
        writer.write(np.full((48, 64, 3), index * 10, np.uint8))
    writer.release()

    start(workers, str(video), recorder)

    wait_until(lambda: CameraState.DISCONNECTED in recorder.state_names())
    assert [frame.shape for frame, _ in recorder.frames] == [(48, 64, 3)] * 8
    assert recorder.processed == list(range(8))
    assert recorder.states[1][1] == "Camera live: video file bench.avi."


def test_a_failing_decoder_keeps_the_picture_going_and_is_reported_once(
    tmp_path: Path,
    recorder: Recorder,
    workers: list[CaptureWorker[int]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    write_frames(tmp_path, 6)

    def flaky(frame: Frame) -> int:
        if frame_number(frame) in (1, 2, 3):
            raise ValueError("decoder bug")
        return frame_number(frame)

    worker = CaptureWorker(
        str(tmp_path),
        process=flaky,
        on_frame=recorder.on_frame,
        on_state=recorder.on_state,
        fps=FPS,
        reconnect_interval_s=RECONNECT_S,
    )
    workers.append(worker)
    with caplog.at_level(logging.INFO, logger="returnsdesk.scan.camera"):
        worker.start()
        wait_until(lambda: CameraState.DISCONNECTED in recorder.state_names())

    assert [result for _, result in recorder.frames] == [0, None, None, None, 4, 5]
    live_messages = [message for state, message in recorder.states if state is CameraState.LIVE]
    assert live_messages[1:] == [
        "Barcode reading from the camera failed (decoder bug); see the log.",
        "Barcode reading from the camera works again.",
    ]
    failures = [r for r in caplog.records if r.exc_info is not None]
    assert len(failures) == 1


def test_stop_ends_the_thread_promptly(
    tmp_path: Path, recorder: Recorder, workers: list[CaptureWorker[int]]
) -> None:
    # A slow frame rate and reconnect interval: stop() must not wait them out.
    write_frames(tmp_path, 2)
    worker = start(workers, str(tmp_path), recorder, fps=0.5, reconnect_interval_s=30.0)
    wait_until(lambda: len(recorder.frames) == 1)

    began = time.monotonic()
    worker.stop()

    assert time.monotonic() - began < 1.0
    assert not worker.is_alive()
    assert recorder.state_names()[-1] is CameraState.STOPPED


def test_latest_frame_is_a_private_copy(
    tmp_path: Path, recorder: Recorder, workers: list[CaptureWorker[int]]
) -> None:
    write_frames(tmp_path, 3)
    worker = start(workers, str(tmp_path), recorder)
    wait_until(lambda: CameraState.DISCONNECTED in recorder.state_names())

    latest = worker.latest_frame()
    assert latest is not None
    assert frame_number(latest) == 2
    handed_out, _ = recorder.frames[-1]
    assert not handed_out.flags.writeable  # shared frames are read-only
    latest[:] = 255  # the copy is the caller's to draw on
    again = worker.latest_frame()
    assert again is not None
    assert frame_number(again) == 2
    assert frame_number(handed_out) == 2


def test_frame_pacing_sleeps_instead_of_spinning(
    tmp_path: Path, recorder: Recorder, workers: list[CaptureWorker[int]]
) -> None:
    write_frames(tmp_path, 3)
    cpu_before = time.process_time()
    start(workers, str(tmp_path), recorder, fps=20.0, loop=True)
    time.sleep(0.5)
    cpu_used = time.process_time() - cpu_before
    # About ten frames in half a second at 20 fps, and the CPU mostly idle: a spinning loop
    # would burn the whole half second.
    assert 5 <= len(recorder.processed) <= 12
    assert cpu_used < 0.25
