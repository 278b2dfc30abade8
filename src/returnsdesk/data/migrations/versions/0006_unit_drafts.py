"""Units finished before their parcel is completed survive a restart: the unit_drafts table.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import returnsdesk.data.types

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unit_drafts",
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("parcel_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", returnsdesk.data.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_unit_drafts_operator_id_operators"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["parcels.id"],
            name=op.f("fk_unit_drafts_parcel_id_parcels"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_unit_drafts_station_id_stations"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_unit_drafts")),
    )
    with op.batch_alter_table("unit_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_drafts_operator_id"), ["operator_id"])
        batch_op.create_index(batch_op.f("ix_unit_drafts_parcel_id"), ["parcel_id"])
        batch_op.create_index(batch_op.f("ix_unit_drafts_station_id"), ["station_id"])


def downgrade() -> None:
    with op.batch_alter_table("unit_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_drafts_station_id"))
        batch_op.drop_index(batch_op.f("ix_unit_drafts_parcel_id"))
        batch_op.drop_index(batch_op.f("ix_unit_drafts_operator_id"))
    op.drop_table("unit_drafts")
