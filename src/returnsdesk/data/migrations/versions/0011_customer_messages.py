"""Customer messages need the order's payment method and the customer's language:
orders.payment_method and orders.customer_language (services/messages).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-12 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("payment_method", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("customer_language", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("customer_language")
        batch.drop_column("payment_method")
