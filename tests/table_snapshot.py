"""Every row of every table the application defines: for "nothing changed" checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import SQLModel

# When a feed was last read cleanly moves on every clean read; that is no change of data.
_MOVES_ON_READ = {("sync_cursors", "pulled_at")}


def table_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) not in _MOVES_ON_READ]
            found = connection.execute(select(*columns))
            rows[table.name] = sorted((tuple(row) for row in found), key=repr)
    return rows
