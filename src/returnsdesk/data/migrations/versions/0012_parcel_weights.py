"""The weight check: what a parcel weighed on the bench scale when it was opened, and what it
should have weighed (parcels.weighed_grams, expected_grams, lowest_grams, weighed_at).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-12 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import returnsdesk.data.types

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("parcels") as batch:
        batch.add_column(sa.Column("weighed_grams", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("expected_grams", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("lowest_grams", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("weighed_at", returnsdesk.data.types.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("parcels") as batch:
        batch.drop_column("weighed_at")
        batch.drop_column("lowest_grams")
        batch.drop_column("expected_grams")
        batch.drop_column("weighed_grams")
