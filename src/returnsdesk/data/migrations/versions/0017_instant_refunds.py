"""Trusted instant refunds: refunds released on receipt, recovery cases when inspection finds
less, and the customer tier that return windows may depend on.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import returnsdesk.data.types

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{table}.id"],
        name=op.f(f"fk_recovery_cases_{column}_{table}"),
        initially="DEFERRED",
        deferrable=True,
    )


def upgrade() -> None:
    with op.batch_alter_table("refunds") as batch:
        batch.add_column(
            sa.Column(
                "released_on_receipt", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("returns") as batch:
        batch.add_column(sa.Column("customer_tier", sa.String(length=32), nullable=True))
    op.create_table(
        "recovery_cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=False),
        sa.Column("refund_id", sa.Uuid(), nullable=False),
        sa.Column("paid", returnsdesk.data.types.ExactDecimal(), nullable=False),
        sa.Column("inspected", returnsdesk.data.types.ExactDecimal(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("opened_at", returnsdesk.data.types.UTCDateTime(), nullable=False),
        sa.Column("closed_at", returnsdesk.data.types.UTCDateTime(), nullable=True),
        _fk("return_id", "returns"),
        _fk("refund_id", "refunds"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_cases")),
        sa.UniqueConstraint("return_id", name=op.f("uq_recovery_cases_return_id")),
    )
    with op.batch_alter_table("recovery_cases") as batch:
        for column in ("refund_id", "opened_at"):
            batch.create_index(batch.f(f"ix_recovery_cases_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("recovery_cases")
    with op.batch_alter_table("returns") as batch:
        batch.drop_column("customer_tier")
    with op.batch_alter_table("refunds") as batch:
        batch.drop_column("released_on_receipt")
