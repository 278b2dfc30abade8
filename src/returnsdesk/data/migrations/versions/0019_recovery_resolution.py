"""Recovery cases closed by a shift lead: who opened and closed each, the resolution and the
lead's note; the flags that opened a case.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("recovery_cases") as batch:
        batch.add_column(sa.Column("opened_by", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("closed_by", sa.Uuid(), nullable=True))
        batch.add_column(
            sa.Column(
                "resolution",
                sa.Enum(
                    "recovered",
                    "written_off",
                    "disputed",
                    name="recoveryresolution",
                    native_enum=False,
                    length=32,
                ),
                nullable=True,
            )
        )
        batch.add_column(
            sa.Column("resolution_note", sa.String(length=1000), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("flags", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        for column in ("opened_by", "closed_by"):
            batch.create_foreign_key(
                batch.f(f"fk_recovery_cases_{column}_operators"),
                "operators",
                [column],
                ["id"],
                initially="DEFERRED",
                deferrable=True,
            )


def downgrade() -> None:
    with op.batch_alter_table("recovery_cases") as batch:
        for column in ("closed_by", "opened_by"):
            batch.drop_constraint(
                batch.f(f"fk_recovery_cases_{column}_operators"), type_="foreignkey"
            )
        for column in ("flags", "resolution_note", "resolution", "closed_by", "opened_by"):
            batch.drop_column(column)
