"""parcels.tracking_number holds 80 characters, the longest scan a station accepts by default
(scanner.max_length): a GS1-128 label or a long carrier code received as an unexpected parcel
is recorded whole.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("parcels") as batch:
        batch.alter_column(
            "tracking_number",
            existing_type=sa.String(length=64),
            type_=sa.String(length=80),
            existing_nullable=False,
        )


def downgrade() -> None:
    # Refused by PostgreSQL while a longer number is stored: shortening would lose it.
    with op.batch_alter_table("parcels") as batch:
        batch.alter_column(
            "tracking_number",
            existing_type=sa.String(length=80),
            type_=sa.String(length=64),
            existing_nullable=False,
        )
