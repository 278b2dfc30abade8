"""Reports: covering indexes for the period scans.

A shift or 30-day report reads every inspection, parcel, refund and order line of its period.
With only ``finished_at`` (etc.) indexed, SQLite looks up each row in the table; these indexes
hold every column the report queries use, so a period is one range read of one index
(bench/bench_reports.py: the shift report's queries went from ~5-6 s to ~2.5-3 s with
1,000,000 inspections in the file).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 02:35:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = {
    "ix_inspections_report": (
        "inspections",
        [
            "finished_at",
            "station_id",
            "outcome",
            "grade",
            "operator_id",
            "started_at",
            "sku_scanned",
            "return_line_id",
            "id",
        ],
    ),
    "ix_parcels_report": ("parcels", ["received_at", "station_id", "unexpected"]),
    "ix_refunds_report": (
        "refunds",
        ["created_at", "parcel_id", "status", "currency", "total", "id"],
    ),
    "ix_order_lines_report": ("order_lines", ["order_id", "product_id", "quantity"]),
    "ix_orders_report": ("orders", ["placed_at", "id"]),
    "ix_returns_report": ("returns", ["created_at", "id"]),
    "ix_return_lines_report": (
        "return_lines",
        ["return_id", "order_line_id", "quantity", "reason_code"],
    ),
    "ix_refund_lines_report": (
        "refund_lines",
        ["refund_id", "deduction", "deduction_reason", "currency"],
    ),
}


def upgrade() -> None:
    for name, (table, columns) in _INDEXES.items():
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, (table, _columns) in _INDEXES.items():
        op.drop_index(name, table_name=table)
