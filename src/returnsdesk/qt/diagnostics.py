"""The Qt line of ``returnsdesk diagnostics``; imported only inside that check, so that a
broken or missing Qt is reported there instead of stopping the whole report."""

from __future__ import annotations

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion


def qt_version() -> str:
    """The Qt library's version and the PySide6 binding's, e.g. ``6.11.0 (PySide6 6.11.0)``."""
    return f"{qVersion()} (PySide6 {pyside_version})"
