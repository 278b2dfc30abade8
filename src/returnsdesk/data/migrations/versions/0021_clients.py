"""Several client shops at one station: the client of each order, return and outbox event.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table, indexed in (("orders", True), ("returns", True), ("outbox_events", False)):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("client_code", sa.String(length=40), nullable=True))
            if indexed:  # reports by client; the relay routes by the event's own column
                batch.create_index(batch.f(f"ix_{table}_client_code"), ["client_code"])


def downgrade() -> None:
    for table, indexed in (("outbox_events", False), ("returns", True), ("orders", True)):
        with op.batch_alter_table(table) as batch:
            if indexed:
                batch.drop_index(batch.f(f"ix_{table}_client_code"))
            batch.drop_column("client_code")
