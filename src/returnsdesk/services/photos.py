"""Photo evidence: JPEG files under a photo root, one ``Photo`` row each, checked by SHA-256.

A photo is written before its row is added: the file goes to a temporary name in its final
folder, is flushed to disk, then renamed into place (``root/YYYY/MM/DD/<photo id>.jpg``, the
date in UTC), so a crash or a full disk never leaves a half-written photo under a real name.
The row joins the caller's transaction. If that transaction rolls back, the file stays as an
orphan no row points at; ``verify`` checks rows against files, so orphans are harmless.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias, cast

import platformdirs
from sqlmodel import Session

from returnsdesk.data.models import Photo
from returnsdesk.data.photos import photos as photo_rows
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.ids import new_id

if TYPE_CHECKING:  # OpenCV and numpy load when a photo is first taken or shown, not at start
    import numpy as np
    import numpy.typing as npt

    Image: TypeAlias = npt.NDArray[np.uint8]  # BGR (or grey), height x width [x 3]

log = logging.getLogger(__name__)

MAX_LONG_EDGE = 1600  # enough to read a label or see a scratch
JPEG_QUALITY = 85
_DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


class PhotoNotSaved(OperatorError):
    """The photo could not be written (disk full, folder not writable); nothing was stored."""


class PhotoFault(StrEnum):
    MISSING = "missing"
    ALTERED = "altered"  # the file's SHA-256 differs from the one recorded when it was taken
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class PhotoView:
    id: uuid.UUID
    parcel_id: uuid.UUID
    unit_id: uuid.UUID | None
    path: Path  # absolute
    sha256: str
    taken_at: datetime
    width: int
    height: int


@dataclass(frozen=True)
class PhotoProblem:
    photo_id: uuid.UUID
    path: Path
    fault: PhotoFault
    detail: str  # for the shift lead or IT


def default_photo_root() -> Path:
    return Path(platformdirs.user_data_dir("returnsdesk", "returnsdesk")) / "photos"


class PhotoStore:
    def __init__(self, root: Path) -> None:
        self.root = root.absolute()

    def save(
        self,
        session: Session,
        *,
        frame: Image,
        parcel_id: uuid.UUID,
        unit_id: uuid.UUID | None,
        operator_id: uuid.UUID,
        station_id: uuid.UUID,
        now: datetime,
    ) -> PhotoView:
        """Write ``frame`` as a JPEG and add its row to the session (the caller commits).

        Raises ``PhotoNotSaved`` when the file cannot be written; then no file and no row exist.
        """
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        data, width, height = _encode_jpeg(frame)
        photo_id = new_id()
        relative_path = f"{now.astimezone(UTC):%Y/%m/%d}/{photo_id}.jpg"
        _write_atomically(self.root / relative_path, data)
        photo = Photo(
            id=photo_id,
            parcel_id=parcel_id,
            unit_id=unit_id,
            relative_path=relative_path,
            sha256=hashlib.sha256(data).hexdigest(),
            bytes=len(data),
            width=width,
            height=height,
            taken_at=now,
            operator_id=operator_id,
            station_id=station_id,
        )
        session.add(photo)
        return self._view(photo)

    def list_for_parcel(self, session: Session, parcel_id: uuid.UUID) -> list[PhotoView]:
        """The parcel's photos (of the parcel and of its units), oldest first."""
        return [self._view(photo) for photo in photo_rows(session, parcel_id=parcel_id)]

    @staticmethod
    def thumbnail(view: PhotoView, max_side: int = 160) -> Image | None:
        """The photo shrunk to fit ``max_side`` (BGR), or None if its file is missing or broken."""
        import cv2
        import numpy as np

        try:
            data = np.fromfile(view.path, np.uint8)
            image = cv2.imdecode(data, cv2.IMREAD_COLOR)
        except (OSError, cv2.error):  # imdecode refuses an empty buffer with cv2.error
            log.warning("No thumbnail for photo %s at %s", view.id, view.path, exc_info=True)
            return None
        if image is None:
            log.warning("Photo %s at %s is not a readable image", view.id, view.path)
            return None
        return _fit(cast("Image", image), max_side)  # IMREAD_COLOR gives 8-bit BGR

    def verify(
        self,
        session: Session,
        *,
        since: datetime | None = None,
        parcel_id: uuid.UUID | None = None,
    ) -> list[PhotoProblem]:
        """Check every photo taken at or after ``since`` (all if None) against its file."""
        problems = []
        for photo in photo_rows(session, parcel_id=parcel_id, since=since):
            path = self.root / photo.relative_path
            try:
                with path.open("rb") as file:
                    digest = hashlib.file_digest(file, "sha256").hexdigest()
            except FileNotFoundError:
                problems.append(
                    PhotoProblem(photo.id, path, PhotoFault.MISSING, "The photo file is missing.")
                )
            except OSError as error:
                problems.append(
                    PhotoProblem(
                        photo.id,
                        path,
                        PhotoFault.UNREADABLE,
                        f"The photo file cannot be read: {error.strerror or error}.",
                    )
                )
            else:
                if digest != photo.sha256:
                    problems.append(
                        PhotoProblem(
                            photo.id,
                            path,
                            PhotoFault.ALTERED,
                            f"The photo file was altered or damaged: its SHA-256 is {digest}, "
                            f"recorded {photo.sha256} when it was taken.",
                        )
                    )
        return problems

    def _view(self, photo: Photo) -> PhotoView:
        return PhotoView(
            id=photo.id,
            parcel_id=photo.parcel_id,
            unit_id=photo.unit_id,
            path=self.root / photo.relative_path,
            sha256=photo.sha256,
            taken_at=photo.taken_at,
            width=photo.width,
            height=photo.height,
        )


def _fit(image: Image, max_side: int) -> Image:
    """Shrink (never enlarge) so the long edge is at most ``max_side``."""
    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1:
        return image
    import cv2

    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cast("Image", cv2.resize(image, size, interpolation=cv2.INTER_AREA))


def _encode_jpeg(frame: Image) -> tuple[bytes, int, int]:
    """JPEG bytes of the frame, long edge capped at ``MAX_LONG_EDGE``; and its width, height."""
    import cv2

    image = _fit(frame, MAX_LONG_EDGE)
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError(f"OpenCV cannot encode a {frame.shape} {frame.dtype} frame as JPEG")
    height, width = image.shape[:2]
    return buffer.tobytes(), width, height


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all, durably (the rename is synced too)."""
    folder = path.parent
    temporary: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=folder, prefix=f".{path.stem}-", suffix=".part")
        temporary = Path(name)
        try:
            remaining = memoryview(data)
            while remaining:  # os.write may write less than asked
                remaining = remaining[os.write(descriptor, remaining) :]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
        _fsync_folder(folder)
    except OSError as error:
        for leftover in (temporary, path):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    leftover.unlink(missing_ok=True)
        log.warning("Photo not saved to %s: %s", path, error)
        if error.errno in _DISK_FULL:
            message = (
                "Disk full: the photo was not saved. The inspection goes on; free space or call IT."
            )
        else:
            message = (
                f"The photo was not saved: cannot write to {folder} "
                f"({error.strerror or error}). The inspection goes on; call IT."
            )
        raise PhotoNotSaved(message) from error


def _fsync_folder(folder: Path) -> None:
    # A rename is durable only once its folder is synced (else a power cut after the commit
    # could leave a row without its file). Windows cannot open a folder to sync it.
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
