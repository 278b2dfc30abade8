"""Photo evidence: the photos table (the JPEG files live under the photo root).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 22:42:10.296986
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import returnsdesk.data.types

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "photos",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parcel_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("relative_path", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("taken_at", returnsdesk.data.types.UTCDateTime(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_photos_operator_id_operators"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["parcels.id"],
            name=op.f("fk_photos_parcel_id_parcels"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_photos_station_id_stations"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
    )
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_photos_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_photos_parcel_id"), ["parcel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_photos_station_id"), ["station_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_photos_taken_at"), ["taken_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_photos_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_photos_unit_id"))
        batch_op.drop_index(batch_op.f("ix_photos_taken_at"))
        batch_op.drop_index(batch_op.f("ix_photos_station_id"))
        batch_op.drop_index(batch_op.f("ix_photos_parcel_id"))
        batch_op.drop_index(batch_op.f("ix_photos_operator_id"))

    op.drop_table("photos")
