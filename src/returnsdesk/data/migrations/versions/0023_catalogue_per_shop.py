"""The product catalogue per shop: a product belongs to one shop, unique per (shop, SKU).

Until now an SKU was one product for every shop at the desk, so one client shop's feed could
rename or reprice another's product and an item scan could match another shop's product. A
product now carries ``client_code`` (NULL: the station's own shop); its SKU is unique within
its shop and so is each GTIN: a unique key on (client_code, sku) for client shops, and, since
NULL repeats in a unique key on SQLite and PostgreSQL alike, a partial unique index on the SKU
where client_code IS NULL for the own shop (the same for GTINs).

Back-fill: a product takes the shop of the orders whose lines name it and of the returns in
which a unit of its SKU was inspected. One used by several shops is split: the station's own
shop (else the first client by code) keeps the row, each other shop gets a copy with the same
values and GTINs, and its order lines move to it. Inspections and stock movements then name
the product of their return's shop (``product_id``).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 09:00:00
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OWN_SHOP = sa.text("client_code IS NULL")
_REPORT_COLUMNS = [
    "finished_at",
    "station_id",
    "outcome",
    "grade",
    "operator_id",
    "started_at",
    "sku_scanned",
    "return_line_id",
    "id",
]
# Every column of a product but its id and shop, copied as stored.
_PRODUCT_VALUES = "sku, title, category, unit_value, currency, weight_grams, serialised, size"


def _fk(batch: BatchOperations, table: str, column: str) -> None:
    batch.create_foreign_key(
        f"fk_{table}_{column}_products",
        "products",
        [column],
        ["id"],
        initially="DEFERRED",
        deferrable=True,
    )


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("client_code", sa.String(length=40), nullable=True))
        batch.drop_constraint("uq_products_sku", type_="unique")
    with op.batch_alter_table("product_gtins") as batch:
        batch.add_column(sa.Column("client_code", sa.String(length=40), nullable=True))
        batch.drop_index("ix_product_gtins_product_id")  # the new key's first column
        batch.drop_constraint("pk_product_gtins", type_="primary")
        batch.create_primary_key("pk_product_gtins", ["product_id", "gtin"])
    _split_shared_products()
    _check_references_now()
    for table, code in (("products", "sku"), ("product_gtins", "gtin")):
        with op.batch_alter_table(table) as batch:
            batch.create_unique_constraint(f"uq_{table}_shop_{code}", ["client_code", code])
        op.create_index(
            f"uq_{table}_own_{code}",
            table,
            [code],
            unique=True,
            sqlite_where=_OWN_SHOP,
            postgresql_where=_OWN_SHOP,
        )

    op.drop_index("ix_inspections_report", table_name="inspections")
    with op.batch_alter_table("inspections") as batch:
        batch.add_column(sa.Column("product_id", sa.Uuid(), nullable=True))
        _fk(batch, "inspections", "product_id")
    _name_inspected_products()
    _check_references_now()
    op.create_index(
        "ix_inspections_report", "inspections", [*_REPORT_COLUMNS, "product_id"], unique=False
    )

    with op.batch_alter_table("stock_movements") as batch:
        batch.add_column(sa.Column("product_id", sa.Uuid(), nullable=True))
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE stock_movements SET product_id = (SELECT i.product_id FROM inspections i"
            " WHERE i.id = stock_movements.inspection_id)"
        )
    )
    unnamed = bind.execute(
        sa.text("SELECT count(*) FROM stock_movements WHERE product_id IS NULL")
    ).scalar_one()
    _check_references_now()
    if unnamed:
        raise RuntimeError(
            f"{unnamed} stock movement(s) name an SKU no product has: add the products, then"
            " start again (nothing was changed)"
        )
    with op.batch_alter_table("stock_movements") as batch:
        batch.alter_column("product_id", existing_type=sa.Uuid(), nullable=False)
        batch.create_index("ix_stock_movements_product_id", ["product_id"])
        _fk(batch, "stock_movements", "product_id")


def _check_references_now() -> None:
    """PostgreSQL refuses DDL on a table with deferred foreign-key checks still pending from an
    UPDATE in this transaction: run them now, then defer again (as every key is declared)."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))
        bind.execute(sa.text("SET CONSTRAINTS ALL DEFERRED"))


def _split_shared_products() -> None:
    bind = op.get_bind()
    uuid_type = sa.Uuid()
    shops: dict[uuid.UUID, set[str | None]] = defaultdict(set)
    used = bind.execute(
        sa.text(
            "SELECT DISTINCT ol.product_id, o.client_code FROM order_lines ol"
            " JOIN orders o ON o.id = ol.order_id"
            " UNION SELECT DISTINCT p.id, r.client_code FROM inspections i"
            " JOIN parcels pa ON pa.id = i.parcel_id JOIN returns r ON r.id = pa.return_id"
            " JOIN products p ON p.sku = i.sku_scanned"
        ).columns(sa.column("product_id", uuid_type), sa.column("client_code", sa.String))
    )
    for product_id, shop in used:
        shops[product_id].add(shop)
    for product_id, users in shops.items():
        # The own shop (None) first, then clients by code: the first keeps the row.
        keeper, *others = sorted(users, key=lambda shop: (shop is not None, shop or ""))
        bind.execute(
            sa.text("UPDATE products SET client_code = :shop WHERE id = :id").bindparams(
                sa.bindparam("id", type_=uuid_type)
            ),
            {"shop": keeper, "id": product_id},
        )
        bind.execute(
            sa.text(
                "UPDATE product_gtins SET client_code = :shop WHERE product_id = :id"
            ).bindparams(sa.bindparam("id", type_=uuid_type)),
            {"shop": keeper, "id": product_id},
        )
        for shop in others:
            _copy_product(product_id, shop)


def _copy_product(product_id: uuid.UUID, shop: str | None) -> None:
    """A copy of the product in ``shop``'s catalogue, named by that shop's order lines."""
    bind = op.get_bind()
    ids = {"id": product_id, "copy": uuid.uuid4(), "shop": shop}
    params = (sa.bindparam("id", type_=sa.Uuid()), sa.bindparam("copy", type_=sa.Uuid()))
    for statement in (
        f"INSERT INTO products (id, client_code, {_PRODUCT_VALUES})"
        f" SELECT :copy, :shop, {_PRODUCT_VALUES} FROM products WHERE id = :id",
        "INSERT INTO product_gtins (product_id, gtin, client_code)"
        " SELECT :copy, gtin, :shop FROM product_gtins WHERE product_id = :id",
        "UPDATE order_lines SET product_id = :copy WHERE product_id = :id AND order_id IN"
        " (SELECT o.id FROM orders o WHERE coalesce(o.client_code, '') = coalesce(:shop, ''))",
    ):
        bind.execute(sa.text(statement).bindparams(*params), ids)


def _name_inspected_products() -> None:
    """Each inspected unit names the product of its return's shop with the SKU it scanned."""
    op.get_bind().execute(
        sa.text(
            "UPDATE inspections SET product_id = (SELECT p.id FROM parcels pa"
            " JOIN returns r ON r.id = pa.return_id"
            " JOIN products p ON p.sku = inspections.sku_scanned"
            " AND coalesce(p.client_code, '') = coalesce(r.client_code, '')"
            " WHERE pa.id = inspections.parcel_id)"
            " WHERE sku_scanned IS NOT NULL"
        )
    )


def downgrade() -> None:
    bind = op.get_bind()
    for kind, table in (("SKU", "products"), ("GTIN", "product_gtins")):
        column = kind.lower()
        shared = bind.execute(
            sa.text(f"SELECT {column} FROM {table} GROUP BY {column} HAVING count(*) > 1 LIMIT 1")
        ).first()
        if shared is not None:
            raise RuntimeError(
                f"{kind} {shared[0]} names products of more than one shop: a catalogue shared"
                " by all shops cannot hold it (nothing was changed)"
            )
    with op.batch_alter_table("stock_movements") as batch:
        batch.drop_constraint("fk_stock_movements_product_id_products", type_="foreignkey")
        batch.drop_index("ix_stock_movements_product_id")
        batch.drop_column("product_id")
    op.drop_index("ix_inspections_report", table_name="inspections")
    with op.batch_alter_table("inspections") as batch:
        batch.drop_constraint("fk_inspections_product_id_products", type_="foreignkey")
        batch.drop_column("product_id")
    op.create_index("ix_inspections_report", "inspections", _REPORT_COLUMNS, unique=False)
    for table, code in (("product_gtins", "gtin"), ("products", "sku")):
        op.drop_index(f"uq_{table}_own_{code}", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_shop_{code}", type_="unique")
    with op.batch_alter_table("product_gtins") as batch:
        batch.drop_constraint("pk_product_gtins", type_="primary")
        batch.create_primary_key("pk_product_gtins", ["gtin"])
        batch.create_index("ix_product_gtins_product_id", ["product_id"])
        batch.drop_column("client_code")
    with op.batch_alter_table("products") as batch:
        batch.create_unique_constraint("uq_products_sku", ["sku"])
        batch.drop_column("client_code")
