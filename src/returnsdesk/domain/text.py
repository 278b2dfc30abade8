"""Free text a person types, pastes or imports, checked before anything stores it."""

from __future__ import annotations

from returnsdesk.domain.errors import RejectedText


def storable(text: str, *, what: str) -> str:
    """``text`` unchanged, or ``RejectedText`` naming ``what`` ("Notes") if it holds a NUL.

    PostgreSQL refuses NUL in text (SQLite stores it), so a station on a shared database would
    fail mid-transaction; refusing it on every backend keeps the two alike.
    """
    if "\x00" in text:
        raise RejectedText(
            f"{what}: a NUL character (often pasted from another program) cannot be stored. "
            "Type the text again."
        )
    return text
