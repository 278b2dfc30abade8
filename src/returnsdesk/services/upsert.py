"""Insert-or-update of one row, for the imports (the inbound pull, the CSV import)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import SQLModel

M = TypeVar("M", bound=SQLModel)


def upsert(model: type[M], row: M | None, **values: Any) -> M:
    """``row`` with ``values`` set, or a new ``model`` made of them when there is no row."""
    if row is None:
        return model(**values)
    for name, value in values.items():
        setattr(row, name, value)
    return row
