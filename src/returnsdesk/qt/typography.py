"""Type sizes read from a standing position on every tab: the station's ``ui.font_scale``."""

from __future__ import annotations

from PySide6.QtGui import QFont

BODY_PT = 13.0  # the station's body text, tables and buttons
HEADING_PT = 16.0


def scaled_font(base: QFont, points: float, scale: float) -> QFont:
    """``base`` at ``points`` times the station's font scale."""
    font = QFont(base)
    font.setPointSizeF(points * scale)
    return font
