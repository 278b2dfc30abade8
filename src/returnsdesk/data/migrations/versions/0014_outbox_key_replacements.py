"""A parked event resent under a new idempotency key is recorded against the old one:
the outbox_key_replacements table (services/sync/recovery.py).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import returnsdesk.data.types

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_key_replacements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("old_key", sa.String(length=64), nullable=False),
        sa.Column("new_key", sa.String(length=64), nullable=False),
        sa.Column("shop_answer", sa.String(length=500), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=True),
        sa.Column("replaced_at", returnsdesk.data.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_outbox_key_replacements_operator_id_operators"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_outbox_key_replacements_station_id_stations"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_key_replacements")),
        sa.UniqueConstraint("new_key", name=op.f("uq_outbox_key_replacements_new_key")),
        sa.UniqueConstraint("old_key", name=op.f("uq_outbox_key_replacements_old_key")),
    )
    with op.batch_alter_table("outbox_key_replacements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_key_replacements_event_id"), ["event_id"])
        batch_op.create_index(batch_op.f("ix_outbox_key_replacements_operator_id"), ["operator_id"])
        batch_op.create_index(batch_op.f("ix_outbox_key_replacements_station_id"), ["station_id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox_key_replacements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_key_replacements_station_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_key_replacements_operator_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_key_replacements_event_id"))
    op.drop_table("outbox_key_replacements")
