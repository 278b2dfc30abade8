"""Report tallies: inspections counted per UTC hour and station (data/tally_tables.py).

Creates ``unit_tallies``, ``checklist_tallies``, ``note_tallies`` and ``deduction_tallies``
and back-fills them from the inspections and refund lines already stored, with the grouping
``data.tallies`` uses when a parcel is completed (written out here so this revision does not
change when that module does). On the bench file with 1,000,000 inspections the back-fill
took 113 s (30 s of CPU; load average 4.8 from other jobs on the 2 cores) and added about
60 MB (2.82 -> 2.88 GB).

Also a partial index of the flagged units, which the shift report's exception list reads.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import returnsdesk.data.types

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _keys(*columns: sa.Column[object]) -> list[sa.Column[object]]:
    return [
        sa.Column("hour", returnsdesk.data.types.UTCDateTime(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        *columns,
    ]


_TABLES: dict[str, list[sa.Column[object]]] = {
    "unit_tallies": _keys(
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("grade", sa.String(length=8), nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=False),
        sa.Column("disposition", sa.String(length=32), nullable=False),
        sa.Column("flags", sa.String(length=400), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
    ),
    "checklist_tallies": _keys(
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.String(length=2000), nullable=False),
    ),
    "note_tallies": _keys(sa.Column("note", sa.String(length=500), nullable=False)),
    "deduction_tallies": _keys(
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
    ),
}
_SUMS = {"unit_tallies": "resale_value", "deduction_tallies": "deducted"}  # money, with units

# {hour}: the finished_at of inspection i (created_at of refund r) cut to its UTC hour.
_BACKFILL = {
    "unit_tallies": """
        INSERT INTO unit_tallies (hour, station_id, outcome, grade, reason_code, disposition,
                                  flags, currency, units, resale_value)
        SELECT {hour}, i.station_id, CAST(i.outcome AS VARCHAR), COALESCE(i.grade, ''),
               COALESCE(rl.reason_code, ''), COALESCE(CAST(d.disposition AS VARCHAR), ''),
               CAST(i.flags AS VARCHAR), COALESCE(p.currency, ''), count(*),
               COALESCE(sum(p.unit_value), 0)
        FROM inspections i
        LEFT JOIN return_lines rl ON rl.id = i.return_line_id
        LEFT JOIN dispositions d ON d.inspection_id = i.id
        LEFT JOIN products p ON p.sku = i.sku_scanned
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    """,
    "checklist_tallies": """
        INSERT INTO checklist_tallies (hour, station_id, category, answers, units)
        SELECT {hour}, i.station_id, p.category, CAST(i.checklist AS VARCHAR), count(*)
        FROM inspections i JOIN products p ON p.sku = i.sku_scanned
        WHERE i.outcome = 'inspected'
        GROUP BY 1, 2, 3, 4
    """,
    "note_tallies": """
        INSERT INTO note_tallies (hour, station_id, note, units)
        SELECT {hour}, i.station_id, lower(trim(substr(i.notes, 1, 500))), count(*)
        FROM inspections i
        WHERE lower(trim(substr(i.notes, 1, 500))) != ''
        GROUP BY 1, 2, 3
    """,
    "deduction_tallies": """
        INSERT INTO deduction_tallies (hour, station_id, reason, currency, units, deducted)
        SELECT {hour}, p.station_id, l.deduction_reason, l.currency, count(*), sum(l.deduction)
        FROM refund_lines l
        JOIN refunds r ON r.id = l.refund_id
        JOIN parcels p ON p.id = r.parcel_id
        WHERE l.deduction > 0
        GROUP BY 1, 2, 3, 4
    """,
}
# Only flagged units, for the exception list (models.FLAGGED_UNITS).
_FLAGGED = "CAST(flags AS VARCHAR) NOT IN ('[]', 'null')"
_HOUR = {
    "sqlite": "(substr({t}, 1, 13) || ':00:00.000000')",
    "postgresql": "(date_trunc('hour', {t} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')",
}


def upgrade() -> None:
    for name, columns in _TABLES.items():
        counts = [sa.Column("units", sa.Integer(), nullable=False)]
        if name in _SUMS:
            counts.append(
                sa.Column(_SUMS[name], returnsdesk.data.types.ExactDecimal(), nullable=False)
            )
        op.create_table(
            name,
            *columns,
            *counts,
            sa.PrimaryKeyConstraint(*(c.name for c in columns), name=op.f(f"pk_{name}")),
        )
    hour = _HOUR[op.get_bind().dialect.name]
    for name, sql in _BACKFILL.items():
        stamp = "r.created_at" if name == "deduction_tallies" else "i.finished_at"
        op.execute(sql.format(hour=hour.format(t=stamp)))
    flagged = sa.text(_FLAGGED)
    op.create_index(
        "ix_inspections_flagged",
        "inspections",
        ["finished_at", "station_id"],
        unique=False,
        sqlite_where=flagged,
        postgresql_where=flagged,
    )


def downgrade() -> None:
    op.drop_index("ix_inspections_flagged", table_name="inspections")
    for name in reversed(_TABLES):
        op.drop_table(name)
