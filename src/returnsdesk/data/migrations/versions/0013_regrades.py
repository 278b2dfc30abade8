"""Grader consistency: units queued for a blind second grading, and its result (regrades).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-12 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import returnsdesk.data.types

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{table}.id"],
        name=op.f(f"fk_regrades_{column}_{table}"),
        initially="DEFERRED",
        deferrable=True,
    )


def upgrade() -> None:
    op.create_table(
        "regrades",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("inspection_id", sa.Uuid(), nullable=False),
        sa.Column("first_operator_id", sa.Uuid(), nullable=False),
        sa.Column("first_grade", sa.String(length=8), nullable=False),
        sa.Column("queued_at", returnsdesk.data.types.UTCDateTime(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=True),
        sa.Column("station_id", sa.Uuid(), nullable=True),
        sa.Column("grade", sa.String(length=8), nullable=True),
        sa.Column("regraded_at", returnsdesk.data.types.UTCDateTime(), nullable=True),
        _fk("inspection_id", "inspections"),
        _fk("first_operator_id", "operators"),
        _fk("operator_id", "operators"),
        _fk("station_id", "stations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regrades")),
        sa.UniqueConstraint("inspection_id", name=op.f("uq_regrades_inspection_id")),
    )
    with op.batch_alter_table("regrades", schema=None) as batch_op:
        for column in (
            "first_operator_id",
            "queued_at",
            "operator_id",
            "station_id",
            "regraded_at",
        ):
            batch_op.create_index(batch_op.f(f"ix_regrades_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("regrades")
