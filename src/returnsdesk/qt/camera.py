"""The bench camera in the station window: live preview, scans from frames, photos.

Capture and decoding run in ``CaptureWorker``'s own thread; this module only forwards its
callbacks to the GUI thread with signals and paints. Preview frames are dropped, never queued,
when the GUI is busy, so a slow paint cannot pile up work or memory.

OpenCV, numpy and the decoder (zxing-cpp, biip) are loaded on the capture thread, with the
first frame: the station window does not wait for them, and a station without a camera never
loads them.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from returnsdesk.config import CameraSettings
from returnsdesk.domain.scanning import ScanRules
from returnsdesk.qt.images import to_qimage
from returnsdesk.qt.plain import plain_label
from returnsdesk.scan.camera import CameraState, CaptureWorker
from returnsdesk.scan.formats import parse_formats

if TYPE_CHECKING:
    from returnsdesk.scan.camera import Frame
    from returnsdesk.scan.decode import FrameDecoder, FrameResult

log = logging.getLogger(__name__)

_PENDING = (0, 200, 255)  # BGR: read once, waiting for a second frame
_ACCEPTED = (0, 200, 0)
_REJECTED = (0, 0, 220)
_FLASH_S = 0.6
_lingering: list[CameraBridge] = []  # bridges whose capture thread outlived stop()


class CameraBridge(QObject):
    """Owns the capture thread; re-emits what it sees as GUI-thread signals."""

    frame_ready = Signal(QImage)
    scanned = Signal(object)  # a ClassifiedScan the decoder accepted
    state_changed = Signal(str, str)  # CameraState value, message for the operator

    def __init__(self, settings: CameraSettings, rules: ScanRules) -> None:
        super().__init__()
        self._settings = settings
        self._rules = rules
        parse_formats(settings.formats)  # a wrong name fails the start, as the decoder would
        self._decoder: FrameDecoder | None = None  # made by the capture thread, see _decode
        self._worker: CaptureWorker[FrameResult] | None = None
        self._frame_in_flight = threading.Event()  # set while the GUI has not shown the last one
        self._flash_until = 0.0
        self.state = CameraState.STOPPED
        self.message = "No camera configured."

    def start(self) -> None:
        source = self._settings.source
        if source is None:
            return
        spec: str | int = int(source) if source.isdigit() else source
        self._worker = CaptureWorker(
            spec,
            process=self._decode,
            on_frame=self._on_frame,
            on_state=self._on_state,
            fps=float(self._settings.fps),
            resolution=(self._settings.width, self._settings.height),
        )
        self._worker.start()

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            if self._worker.is_alive():
                # Its callbacks still reference this bridge: never let the capture thread drop
                # the last reference, which would destroy a QObject outside its own thread.
                log.warning("Camera thread did not stop in time; it ends on its own")
                _lingering.append(self)
            self._worker = None

    def latest_frame(self) -> Frame | None:
        return self._worker.latest_frame() if self._worker is not None else None

    @property
    def configured(self) -> bool:
        return self._settings.source is not None

    @property
    def running(self) -> bool:
        return self._worker is not None

    # --- called on the capture thread ----------------------------------------------------

    def _decode(self, frame: Frame) -> FrameResult:
        if self._decoder is None:
            from returnsdesk.scan.decode import FrameDecoder

            self._decoder = FrameDecoder(formats=self._settings.formats, rules=self._rules)
        return self._decoder.decode(frame)

    def _on_state(self, state: CameraState, message: str) -> None:
        self.state_changed.emit(state.value, message)

    def _on_frame(self, frame: Frame, result: FrameResult | None) -> None:
        if result is not None:
            for accepted in result.accepted:
                self._flash_until = time.monotonic() + _FLASH_S
                self.scanned.emit(accepted.scan)
        if self._frame_in_flight.is_set():
            return  # the GUI has not painted the previous frame: drop this one
        self._frame_in_flight.set()
        self.frame_ready.emit(self._annotate(frame, result))

    def _annotate(self, frame: Frame, result: FrameResult | None) -> QImage:
        import cv2  # loaded already by the capture thread that calls this
        import numpy as np

        picture = np.array(frame, copy=True)
        if result is not None:
            outlines = [(d.corners, _PENDING) for d in result.pending]
            outlines += [(r.detection.corners, _REJECTED) for r in result.rejected]
            outlines += [(a.detection.corners, _ACCEPTED) for a in result.accepted]
            for corners, colour in outlines:
                points = np.array(corners, dtype=np.int32).reshape(-1, 1, 2)
                cv2.polylines(picture, [points], isClosed=True, color=colour, thickness=4)
        if time.monotonic() < self._flash_until:
            corner = (picture.shape[1] - 1, picture.shape[0] - 1)
            cv2.rectangle(picture, (0, 0), corner, _ACCEPTED, 16)
        return to_qimage(picture)

    # --- GUI thread -------------------------------------------------------------------------

    def frame_shown(self) -> None:
        self._frame_in_flight.clear()


class CameraPanel(QWidget):
    """Live preview with the camera's state in words."""

    def __init__(self, bridge: CameraBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.status = plain_label(bridge.message)
        self.status.setWordWrap(True)
        self.preview = plain_label()
        self.preview.setMinimumSize(320, 180)
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background:#1b1b1b; color:#ddd;")
        self.preview.setText("camera off")
        layout.addWidget(self.status)
        layout.addWidget(self.preview, 1)
        self.frames_shown = 0
        self.setVisible(bridge.configured)  # a station without a camera shows no dark box
        bridge.frame_ready.connect(self._show_frame)
        bridge.state_changed.connect(self._show_state)

    @Slot(QImage)
    def _show_frame(self, image: QImage) -> None:
        target = self.preview.size()
        pixmap = QPixmap.fromImage(image).scaled(
            target, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
        )
        self.preview.setPixmap(pixmap)
        self.frames_shown += 1
        self._bridge.frame_shown()

    @Slot(str, str)
    def _show_state(self, state: str, message: str) -> None:
        self._bridge.state = CameraState(state)
        self._bridge.message = message
        words = {
            CameraState.STARTING: "Camera starting…",
            CameraState.LIVE: "Camera live — hold a barcode under it.",
            CameraState.MISSING: "Camera missing or busy — the handheld scanner still works.",
            CameraState.DISCONNECTED: "Camera disconnected — reconnecting; the handheld scanner "
            "still works.",
            CameraState.STOPPED: "Camera off.",
        }[CameraState(state)]
        detail = f" ({message})" if message and CameraState(state) is not CameraState.LIVE else ""
        self.status.setText(words + detail)
        live = CameraState(state) is CameraState.LIVE
        self.status.setStyleSheet("color:#0f5132;" if live else "color:#842029; font-weight:bold;")
        if not live:
            self.preview.clear()
            self.preview.setText(words)
