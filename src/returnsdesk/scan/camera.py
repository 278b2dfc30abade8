"""Camera capture on a worker thread: frames from a device, a video file or a folder of images.

No Qt here. ``CaptureWorker`` is a plain thread: it opens the source, reads frames at up to
``fps``, runs ``process`` (the barcode decoder) on each, and reports through callbacks called
on the worker thread; the Qt layer forwards them to the GUI thread with signals::

    worker = CaptureWorker(0, process=decoder.decode, on_frame=..., on_state=...)
    worker.start()
    ...
    worker.stop()

Every frame is decoded, in the worker, before the next is read, so the picture runs at the
decoder's pace when it is slower than ``fps``. Measured here with zxing-cpp on 1280x720 BGR
frames: about 22 ms with a Code128 label in view, about 230 ms on pure noise (the worst case:
every row looks like bars). The GUI thread is never held up either way; only the preview's
frame rate drops.

OpenCV and numpy are imported by the capture thread when it opens its source, not when this
module is imported: a station's window is up before they have loaded (about 0.3 s).

Frames handed out are marked read-only: the same array goes to ``process``, ``on_frame`` and
``latest_frame`` (which returns a copy), so nobody can draw on a frame another one still reads.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Protocol, TypeAlias, TypeVar, cast

from returnsdesk.domain.errors import OperatorError

if TYPE_CHECKING:
    import cv2
    import numpy as np
    import numpy.typing as npt

    Frame: TypeAlias = npt.NDArray[np.uint8]  # BGR, height x width x 3

log = logging.getLogger(__name__)

R = TypeVar("R")

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp"})


class CameraUnavailable(OperatorError):
    """The camera, video file or image folder cannot be opened; the message says which."""


class CameraState(StrEnum):
    STARTING = "starting"
    LIVE = "live"
    MISSING = "missing"  # could not be opened, or opened but never sent a picture
    DISCONNECTED = "disconnected"  # was live, pictures stopped (unplugged, file ended)
    STOPPED = "stopped"


class FrameSource(Protocol):
    @property
    def description(self) -> str: ...

    def read(self) -> Frame | None:
        """The next frame, or None: the source ended, was unplugged or failed."""
        ...

    def close(self) -> None: ...


def open_source(
    spec: str | int, *, loop: bool = False, resolution: tuple[int, int] | None = None
) -> FrameSource:
    """Open a device index (int or digit string), a folder of images or a video file.

    ``loop`` replays a folder or file from the start when it ends; without it the end reads as
    an unplugged camera. ``resolution`` (width, height) is asked of a device; it may choose the
    nearest mode it has. Raises ``CameraUnavailable`` with a message for the operator.
    """
    if isinstance(spec, int) or spec.isdigit():
        return _open_device(int(spec), resolution)
    path = Path(spec)
    if path.is_dir():
        return _FolderSource(path, loop=loop)
    if not path.exists():
        raise CameraUnavailable(f"Cannot read video file {path}: there is no such file.")
    import cv2

    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        raise CameraUnavailable(f"Cannot read video file {path}: not a video OpenCV can play.")
    return _CaptureSource(capture, f"video file {path.name}", loop=loop)


def _open_device(index: int, resolution: tuple[int, int] | None) -> FrameSource:
    import cv2

    capture = cv2.VideoCapture(index)
    if capture.isOpened():
        if resolution is not None:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, resolution[0])
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, resolution[1])
        # Keep one frame queued, not the driver's default few: a paced reader then sees the
        # newest picture instead of one from a few frames ago.
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        return _CaptureSource(capture, f"camera {index}", loop=False)
    capture.release()
    # Linux names devices, so "absent" can be told from "present but held by another program".
    if sys.platform.startswith("linux") and not Path(f"/dev/video{index}").exists():
        raise CameraUnavailable(f"No camera at index {index}. Check the cable or the setting.")
    raise CameraUnavailable(
        f"Camera busy or missing (index {index}): close other programs using it, check the cable."
    )


class _CaptureSource:
    def __init__(self, capture: cv2.VideoCapture, description: str, *, loop: bool) -> None:
        self._capture = capture
        self._description = description
        self._loop = loop

    @property
    def description(self) -> str:
        return self._description

    def read(self) -> Frame | None:
        import cv2

        try:
            ok, frame = self._capture.read()
            if not ok and self._loop:
                self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, frame = self._capture.read()
        except cv2.error:
            log.exception("Reading from %s failed", self._description)
            return None
        return cast("Frame", frame) if ok else None  # VideoCapture decodes to 8-bit BGR

    def close(self) -> None:
        self._capture.release()


class _FolderSource:
    """Images sorted by file name, one per read: a stand-in camera for demos and tests."""

    def __init__(self, folder: Path, *, loop: bool) -> None:
        self._paths = sorted(
            p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
        )
        if not self._paths:
            suffixes = ", ".join(sorted(s.lstrip(".") for s in IMAGE_SUFFIXES))
            raise CameraUnavailable(f"No images ({suffixes}) in folder {folder}.")
        self._description = f"image folder {folder.name}"
        self._loop = loop
        self._next = 0

    @property
    def description(self) -> str:
        return self._description

    def read(self) -> Frame | None:
        if self._next == len(self._paths):
            if not self._loop:
                return None
            self._next = 0
        path = self._paths[self._next]
        self._next += 1
        import cv2
        import numpy as np

        try:
            # imdecode from bytes, not imread: imread cannot open non-ASCII paths on Windows.
            frame = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_COLOR)
        except OSError:
            log.exception("Cannot read %s", path)
            return None
        if frame is None:
            log.warning("Not an image OpenCV can read: %s", path)
            return None
        return cast("Frame", frame)  # IMREAD_COLOR gives 8-bit BGR whatever the file holds

    def close(self) -> None:
        """Nothing to release: each image file is opened and closed within ``read``."""


class CaptureWorker(threading.Thread, Generic[R]):
    """Reads, decodes and hands on frames until ``stop()``, reconnecting when the source fails.

    ``on_frame(frame, result)`` gets every frame with ``process``'s result, or None when
    ``process`` raised (the picture goes on; the failure is logged and reported once per run of
    failures). ``on_state(state, message)`` is called when the state changes, and with the
    same state when ``process`` starts or stops failing; ``message`` is written for the
    operator. Both callbacks run on this thread and must not raise.
    """

    def __init__(
        self,
        spec: str | int,
        *,
        process: Callable[[Frame], R],
        on_frame: Callable[[Frame, R | None], None],
        on_state: Callable[[CameraState, str], None],
        fps: float = 15.0,
        loop: bool = False,
        reconnect_interval_s: float = 2.0,
        resolution: tuple[int, int] | None = None,
    ) -> None:
        if not fps > 0:  # also refuses NaN
            raise ValueError("fps must be positive")
        if not reconnect_interval_s > 0:
            raise ValueError("reconnect_interval_s must be positive")
        super().__init__(name=f"camera-{spec}", daemon=True)
        self._spec = spec
        self._process = process
        self._on_frame = on_frame
        self._on_state = on_state
        self._interval_s = 1.0 / fps
        self._loop = loop
        self._resolution = resolution
        self._reconnect_interval_s = reconnect_interval_s
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._latest: Frame | None = None
        self._state: CameraState | None = None
        self._process_failing = False

    @property
    def state(self) -> CameraState | None:
        """The last state reported (None before the thread starts)."""
        return self._state

    def latest_frame(self) -> Frame | None:
        """A copy of the newest frame (for a photo), or None if none came yet. Thread-safe."""
        with self._lock:
            return None if self._latest is None else self._latest.copy()

    def stop(self, timeout_s: float = 1.0) -> None:
        """Ask the thread to end and wait up to ``timeout_s`` for it (not when called on it)."""
        self._stopping.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout_s)
            if self.is_alive():  # a driver read that blocks; the thread is a daemon
                log.warning("Camera thread %s did not end within %.1f s", self.name, timeout_s)

    def run(self) -> None:
        self._set_state(CameraState.STARTING, f"Opening camera {self._spec}…")
        was_live = False
        while not self._stopping.is_set():
            try:
                source = open_source(self._spec, loop=self._loop, resolution=self._resolution)
            except CameraUnavailable as error:
                self._set_state(
                    CameraState.DISCONNECTED if was_live else CameraState.MISSING, str(error)
                )
            else:
                try:
                    was_live = self._play(source) or was_live
                finally:
                    source.close()
                if self._stopping.is_set():
                    break
                if was_live:
                    self._set_state(
                        CameraState.DISCONNECTED,
                        f"The {source.description} stopped sending pictures (unplugged?). "
                        "Reconnecting…",
                    )
                else:
                    self._set_state(
                        CameraState.MISSING,
                        f"Camera busy or missing: the {source.description} sent no picture.",
                    )
            self._stopping.wait(self._reconnect_interval_s)
        self._set_state(CameraState.STOPPED, "Camera stopped.")

    def _play(self, source: FrameSource) -> bool:
        """Hand on frames until the source gives none or stop(); True if any frame came."""
        delivered = False
        deadline = time.monotonic()
        while not self._stopping.is_set():
            frame = source.read()
            if frame is None:
                break
            if not delivered:
                delivered = True
                self._set_state(CameraState.LIVE, f"Camera live: {source.description}.")
            frame.flags.writeable = False
            with self._lock:
                self._latest = frame
            self._on_frame(frame, self._process_frame(frame))
            # Sleep to the next tick; when behind (slow decoding), start afresh from now
            # rather than reading a burst of frames to catch up.
            now = time.monotonic()
            deadline = max(deadline + self._interval_s, now)
            self._stopping.wait(deadline - now)
        return delivered

    def _process_frame(self, frame: Frame) -> R | None:
        try:
            result = self._process(frame)
        except Exception as error:  # a decoder bug must not freeze the picture
            if not self._process_failing:
                self._process_failing = True
                log.exception("Processing a camera frame failed; further failures not logged")
                self._report(f"Barcode reading from the camera failed ({error}); see the log.")
            return None
        if self._process_failing:
            self._process_failing = False
            log.info("Processing camera frames works again")
            self._report("Barcode reading from the camera works again.")
        return result

    def _set_state(self, state: CameraState, message: str) -> None:
        if state is self._state:
            return
        self._state = state
        log.info("Camera %s: %s (%s)", self._spec, state, message)
        self._on_state(state, message)

    def _report(self, message: str) -> None:
        assert self._state is not None  # frames come only after STARTING
        self._on_state(self._state, message)
