"""Scan-ok and scan-error sounds, so the inspector need not look at the screen after each scan.

QtMultimedia comes in PySide6's Addons wheel (and needs libpulse on Linux), which the station
does not ship; a WAV is played through the system's player instead, off the GUI thread, and
the terminal bell is the last resort.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from enum import StrEnum

from PySide6.QtWidgets import QApplication

from returnsdesk.paths import resources_dir

log = logging.getLogger(__name__)


class Cue(StrEnum):
    SCAN_OK = "scan-ok"
    SCAN_ERROR = "scan-error"
    COMPLETE = "complete"
    CAMERA_ACCEPT = "camera-accept"


class SoundPlayer:
    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._player = next((p for p in ("paplay", "aplay", "afplay") if shutil.which(p)), None)
        self.last_cue: Cue | None = None  # what was played last, for the tests and the log view

    def play(self, cue: Cue) -> None:
        self.last_cue = cue
        if not self.enabled:
            return
        path = resources_dir() / "sounds" / f"{cue.value}.wav"
        if self._player is None or not path.exists():
            if cue is Cue.SCAN_ERROR:
                QApplication.beep()
            return
        args = (
            [self._player, "-q", str(path)]
            if self._player == "aplay"
            else [self._player, str(path)]
        )
        try:
            subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as exc:
            log.warning("Cannot play %s: %s", cue.value, exc)
            self._player = None
