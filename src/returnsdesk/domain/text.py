"""Free text a person types, pastes or imports, checked before anything stores it."""

from __future__ import annotations

from returnsdesk.domain.errors import RejectedText


def storable(text: str, *, what: str, limit: int) -> str:
    """``text`` unchanged, or ``RejectedText`` naming ``what`` ("Notes") if it cannot be stored:
    a NUL character, or more than ``limit`` characters (the column's length).

    PostgreSQL refuses both (SQLite stores them), so a station on a shared database would fail
    mid-transaction; refusing them on every backend keeps the two alike.
    """
    if "\x00" in text:
        raise RejectedText(
            f"{what}: a NUL character (often pasted from another program) cannot be stored. "
            "Type the text again."
        )
    if len(text.strip()) > limit:
        raise RejectedText(
            f"{what}: {len(text.strip()):,} characters, at most {limit:,} can be stored. "
            "Shorten the text."
        )
    return text
