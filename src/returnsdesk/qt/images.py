"""OpenCV pictures (BGR numpy arrays) as Qt pixmaps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

from PySide6.QtGui import QImage, QPixmap

if TYPE_CHECKING:  # numpy loads with the first picture, not at start
    import numpy as np
    import numpy.typing as npt

    Image: TypeAlias = npt.NDArray[np.uint8]


def to_qimage(bgr: Image) -> QImage:
    """A deep copy, so the QImage does not point into a numpy buffer that may go away."""
    import numpy as np

    rgb = np.ascontiguousarray(bgr[:, :, ::-1])
    height, width = rgb.shape[:2]
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def thumbnail_strip(thumbnails: Sequence[Image], *, gap: int = 8) -> QPixmap:
    """Thumbnails side by side on white, top-aligned."""
    if not thumbnails:
        return QPixmap()
    import numpy as np

    height = max(t.shape[0] for t in thumbnails)
    padded = [
        np.pad(t, ((0, height - t.shape[0]), (0, gap), (0, 0)), constant_values=255)
        for t in thumbnails
    ]
    return QPixmap.fromImage(to_qimage(np.hstack(padded)))
