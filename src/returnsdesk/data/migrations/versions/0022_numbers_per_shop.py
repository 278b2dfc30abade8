"""Order and RMA numbers unique per shop, not across shops.

At a third-party-logistics desk two client shops may use the same numbers (every Shopify store
starts at #1001). ``uq_orders_number`` and ``uq_returns_rma_number`` give way to a unique index
over (number, client_code) and, since NULLs never collide in a unique index, a partial unique
index of the number alone for the station's own shop (client_code NULL): both enforce on
SQLite and PostgreSQL (models._unique_per_shop). Tracking numbers stay unique across shops:
they are the carriers'.

Downgrading is refused by the database once two shops hold the same number.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NUMBERS = (("orders", "number"), ("returns", "rma_number"))
_OWN_SHOP = sa.text("client_code IS NULL")


def upgrade() -> None:
    for table, number in _NUMBERS:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_{number}", type_="unique")
            batch.create_index(f"uq_{table}_{number}_client", [number, "client_code"], unique=True)
            batch.create_index(
                f"uq_{table}_{number}_own_shop",
                [number],
                unique=True,
                sqlite_where=_OWN_SHOP,
                postgresql_where=_OWN_SHOP,
            )


def downgrade() -> None:
    for table, number in reversed(_NUMBERS):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"uq_{table}_{number}_own_shop")
            batch.drop_index(f"uq_{table}_{number}_client")
            batch.create_unique_constraint(f"uq_{table}_{number}", [number])
