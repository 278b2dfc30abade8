"""Inbound sync: the shop's line_ref on order lines, the pulled version of a return, feed
cursors, and the outbox index the relay's claim reads by.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 00:56:22.823396
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import returnsdesk.data.types

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_cursors",
        sa.Column("feed", sa.String(length=64), nullable=False),
        sa.Column("cursor", sa.String(length=1000), nullable=False),
        sa.Column("pulled_at", returnsdesk.data.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("feed", name=op.f("pk_sync_cursors")),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("line_ref", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_order_lines_order_id"), ["order_id", "line_ref"]
        )

    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_events_status_sequence", ["status", "sequence"], unique=False
        )

    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("remote_updated_at", returnsdesk.data.types.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_column("remote_updated_at")

    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_events_status_sequence")

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_order_lines_order_id"), type_="unique")
        batch_op.drop_column("line_ref")

    op.drop_table("sync_cursors")
