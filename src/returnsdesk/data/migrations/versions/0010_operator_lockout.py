"""Wrong PINs are counted per operator and lock the badge: operators.failed_pin_attempts and
operators.locked_until (PCI DSS 8.3.4; services/operators.py).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 23:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import returnsdesk.data.types

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.add_column(
            sa.Column(
                "failed_pin_attempts", sa.Integer(), nullable=False, server_default=sa.text("0")
            )
        )
        batch.add_column(
            sa.Column("locked_until", returnsdesk.data.types.UTCDateTime(), nullable=True)
        )
    # The model has no server default: new rows get theirs from the application.
    with op.batch_alter_table("operators") as batch:
        batch.alter_column("failed_pin_attempts", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_pin_attempts")
