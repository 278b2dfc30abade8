"""Report tallies by client shop: ``client_code`` in every tally's key (data/tally_tables.py).

One client shop's report read its figures from the raw rows (the tallies counted every shop
together): 3.9 s for a 30-day KPI dashboard on 200,000 inspections against 0.36 s for the
warehouse. Each tally row now counts one shop's units: its parcel's return's ``client_code``,
or '' for the station's own shop and parcels of no return ('' and not NULL, because NULLs
never conflict in the primary key that the completion's upserts count into).

The tallies cannot be split after the fact, so the five tables are made again and counted
from the stored inspections and refunds with the grouping ``data.tallies`` uses when a parcel
is completed (written out here so this revision does not change when that module does; as in
0008, a product's category and resale value are today's). The downgrade counts them again
without the shop.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 09:30:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import returnsdesk.data.types

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
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


def _string(name: str, length: int) -> sa.Column[object]:
    return sa.Column(name, sa.String(length=length), nullable=False)


def _money(name: str) -> sa.Column[object]:
    return sa.Column(name, returnsdesk.data.types.ExactDecimal(), nullable=False)


def _count(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Integer(), nullable=False)


# Per table: its key after (hour, station_id[, client_code]) and its counts.
_TABLES: dict[str, tuple[list[sa.Column[object]], list[sa.Column[object]]]] = {
    "unit_tallies": (
        [
            _string("outcome", 32),
            _string("grade", 8),
            _string("reason_code", 64),
            _string("disposition", 32),
            _string("flags", 400),
            _string("currency", 3),
        ],
        [_count("units"), _money("resale_value")],
    ),
    "checklist_tallies": (
        [_string("category", 64), _string("answers", 2000)],
        [_count("units")],
    ),
    "note_tallies": ([_string("note", 500)], [_count("units")]),
    "deduction_tallies": (
        [_string("reason", 300), _string("currency", 3)],
        [_count("units"), _money("deducted")],
    ),
    "return_tallies": (
        [],
        [
            _count("refunds"),
            _count("processing_seconds"),
            _count("inspection_seconds"),
            _count("refurbished_units"),
        ],
    ),
}

# {shop}: ", <the row's client key>" or nothing; {joins}: the parcel's return, when by shop.
# The parcel is pa, its return rt (left joins: a parcel of no return counts for the own shop).
_SHOP = ", COALESCE(rt.client_code, '')"
_RETURN_OF_PARCEL = "LEFT JOIN returns rt ON rt.id = pa.return_id"
_BACKFILL = {
    "unit_tallies": """
        INSERT INTO unit_tallies (hour, station_id{shop_column}, outcome, grade, reason_code,
                                  disposition, flags, currency, units, resale_value)
        SELECT {hour}, i.station_id{shop}, CAST(i.outcome AS VARCHAR), COALESCE(i.grade, ''),
               COALESCE(rl.reason_code, ''), COALESCE(CAST(d.disposition AS VARCHAR), ''),
               CAST(i.flags AS VARCHAR), COALESCE(p.currency, ''), count(*),
               COALESCE(sum(p.unit_value), 0)
        FROM inspections i
        {parcel_joins}
        LEFT JOIN return_lines rl ON rl.id = i.return_line_id
        LEFT JOIN dispositions d ON d.inspection_id = i.id
        LEFT JOIN products p ON p.id = i.product_id
        GROUP BY {groups}
    """,
    "checklist_tallies": """
        INSERT INTO checklist_tallies (hour, station_id{shop_column}, category, answers, units)
        SELECT {hour}, i.station_id{shop}, p.category, CAST(i.checklist AS VARCHAR), count(*)
        FROM inspections i
        {parcel_joins}
        JOIN products p ON p.id = i.product_id
        WHERE i.outcome = 'inspected'
        GROUP BY {groups}
    """,
    "note_tallies": """
        INSERT INTO note_tallies (hour, station_id{shop_column}, note, units)
        SELECT {hour}, i.station_id{shop}, lower(trim(substr(i.notes, 1, 500))), count(*)
        FROM inspections i
        {parcel_joins}
        WHERE lower(trim(substr(i.notes, 1, 500))) != ''
        GROUP BY {groups}
    """,
    "deduction_tallies": """
        INSERT INTO deduction_tallies (hour, station_id{shop_column}, reason, currency, units,
                                       deducted)
        SELECT {hour}, pa.station_id{shop}, l.deduction_reason, l.currency, count(*),
               sum(l.deduction)
        FROM refund_lines l
        JOIN refunds r ON r.id = l.refund_id
        JOIN parcels pa ON pa.id = r.parcel_id
        {return_join}
        WHERE l.deduction > 0
        GROUP BY {groups}
    """,
    "return_tallies": """
        INSERT INTO return_tallies (hour, station_id{shop_column}, refunds, processing_seconds,
                                    inspection_seconds, refurbished_units)
        SELECT hour, station_id{shop_column}, count(*), sum(processing), sum(inspection),
               sum(refurbished)
        FROM (
            SELECT {hour} AS hour, pa.station_id AS station_id{shop_as},
                   CAST(round({processing}) AS INTEGER) AS processing,
                   CAST(round((SELECT COALESCE(sum({inspection}), 0.0) FROM inspections i
                               WHERE i.parcel_id = r.parcel_id)) AS INTEGER) AS inspection,
                   (SELECT count(*) FROM inspections i
                    JOIN dispositions d ON d.inspection_id = i.id
                    WHERE i.parcel_id = r.parcel_id AND d.disposition = 'refurbish')
                   AS refurbished
            FROM refunds r
            JOIN parcels pa ON pa.id = r.parcel_id
            {return_join}
        ) AS each_refund
        GROUP BY hour, station_id{shop_column}
    """,
}


def _rebuild(by_shop: bool) -> None:
    """Make the five tallies again, keyed by shop or not, and count them from the rows."""
    for name, (key, counts) in _TABLES.items():
        op.drop_table(name)
        shop_key = [_string("client_code", 40)] if by_shop else []
        columns: list[sa.Column[Any]] = [
            sa.Column("hour", returnsdesk.data.types.UTCDateTime(), nullable=False),
            sa.Column("station_id", sa.Uuid(), nullable=False),
            *shop_key,
            *key,
        ]
        op.create_table(
            name,
            *columns,
            *counts,
            sa.PrimaryKeyConstraint(*(c.name for c in columns), name=op.f(f"pk_{name}")),
        )
    dialect = op.get_bind().dialect.name
    hour, seconds = _HOUR[dialect], _SECONDS[dialect]
    for name, sql in _BACKFILL.items():
        refunds = name in ("deduction_tallies", "return_tallies")
        groups = 2 + by_shop + len(_TABLES[name][0])
        op.execute(
            sql.format(
                hour=hour.format(t="r.created_at" if refunds else "i.finished_at"),
                shop_column=", client_code" if by_shop else "",
                shop=_SHOP if by_shop else "",
                shop_as=f"{_SHOP} AS client_code" if by_shop else "",
                parcel_joins=(
                    f"LEFT JOIN parcels pa ON pa.id = i.parcel_id {_RETURN_OF_PARCEL}"
                    if by_shop
                    else ""
                ),
                return_join=_RETURN_OF_PARCEL if by_shop else "",
                groups=", ".join(str(n) for n in range(1, groups + 1)),
                processing=seconds.format(start="pa.received_at", end="r.created_at"),
                inspection=seconds.format(start="i.started_at", end="i.finished_at"),
            )
        )


def upgrade() -> None:
    _rebuild(by_shop=True)


def downgrade() -> None:
    _rebuild(by_shop=False)
