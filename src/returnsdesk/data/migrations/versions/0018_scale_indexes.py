"""A parcel scan finds the return's open parcel with one probe of (return_id, status).

``returns.open_parcel_of`` asks for ``return_id = ? AND status = 'open'``. With an index on
each column alone, SQLite (no statistics) and PostgreSQL both chose the status index
(EXPLAIN QUERY PLAN: ``SEARCH parcels USING INDEX ix_parcels_status (status=?)``), which reads
every open parcel of the warehouse to find one. The pair replaces the return_id index, which
is its prefix. Measured with bench/bench_scale.py (README, "Warehouse scale").

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 06:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_parcels_return_id_status", "parcels", ["return_id", "status"])
    op.drop_index("ix_parcels_return_id", table_name="parcels")


def downgrade() -> None:
    op.create_index("ix_parcels_return_id", "parcels", ["return_id"])
    op.drop_index("ix_parcels_return_id_status", table_name="parcels")
