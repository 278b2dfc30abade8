"""Return tallies for the KPI report: refunds per UTC hour and station, with their processing
and inspection seconds and units sent to refurbishment (data/tally_tables.py ``ReturnTally``).

Seconds are rounded per refund, so sums are exact integers. Back-fills from the refunds
already stored, grouped as ``data.tallies.return_facts`` groups them when a parcel is
completed (written out here so this revision does not change when that module does).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import returnsdesk.data.types

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HOUR = {
    "sqlite": "(substr({t}, 1, 13) || ':00:00.000000')",
    "postgresql": "(date_trunc('hour', {t} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')",
}
_SECONDS = {
    "sqlite": "((julianday({end}) - julianday({start})) * 86400.0)",
    "postgresql": "CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS DOUBLE PRECISION)",
}
_BACKFILL = """
    INSERT INTO return_tallies (hour, station_id, refunds, processing_seconds,
                                inspection_seconds, refurbished_units)
    SELECT hour, station_id, count(*), sum(processing), sum(inspection), sum(refurbished)
    FROM (
        SELECT {hour} AS hour, p.station_id AS station_id,
               CAST(round({processing}) AS INTEGER) AS processing,
               CAST(round((SELECT COALESCE(sum({inspection}), 0.0) FROM inspections i
                           WHERE i.parcel_id = r.parcel_id)) AS INTEGER) AS inspection,
               (SELECT count(*) FROM inspections i JOIN dispositions d ON d.inspection_id = i.id
                WHERE i.parcel_id = r.parcel_id AND d.disposition = 'refurbish') AS refurbished
        FROM refunds r JOIN parcels p ON p.id = r.parcel_id
    ) AS each_refund
    GROUP BY hour, station_id
"""


def upgrade() -> None:
    op.create_table(
        "return_tallies",
        sa.Column("hour", returnsdesk.data.types.UTCDateTime(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("refunds", sa.Integer(), nullable=False),
        sa.Column("processing_seconds", sa.Integer(), nullable=False),
        sa.Column("inspection_seconds", sa.Integer(), nullable=False),
        sa.Column("refurbished_units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "station_id", name=op.f("pk_return_tallies")),
    )
    dialect = op.get_bind().dialect.name
    seconds = _SECONDS[dialect]
    op.execute(
        _BACKFILL.format(
            hour=_HOUR[dialect].format(t="r.created_at"),
            processing=seconds.format(start="p.received_at", end="r.created_at"),
            inspection=seconds.format(start="i.started_at", end="i.finished_at"),
        )
    )


def downgrade() -> None:
    op.drop_table("return_tallies")
