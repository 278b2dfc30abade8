"""Finding products by what is printed on them, in one shop's catalogue.

Each shop has its own products (``Product.client_code``; None: the station's own shop): the
same SKU or GTIN may name another shop's product, which a lookup never returns.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection

from sqlalchemy import ColumnElement, Select, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from returnsdesk.data.models import Product, ProductGtin


def of_shop(column: str | None, client_code: str | None) -> ColumnElement[bool]:
    """``column`` (a model's ``client_code``) names this shop: IS NULL for the station's own,
    as the own shop's partial unique index is written, so that index serves the lookup."""
    code = col(column)
    return code.is_(None) if client_code is None else code == client_code


def product_by_gtin(session: Session, gtin: str, *, client_code: str | None) -> Product | None:
    """The shop's product with this GTIN (any length up to 14 digits; stored zero-padded)."""
    return session.exec(
        select(Product)
        .join(ProductGtin, col(ProductGtin.product_id) == col(Product.id))
        .where(ProductGtin.gtin == gtin.zfill(14), of_shop(ProductGtin.client_code, client_code))
    ).first()


def product_by_sku(
    session: Session, sku: str, *, client_code: str | None, any_case: bool = False
) -> Product | None:
    """The shop's product with this SKU (``any_case``: as typed or scanned, in any case)."""
    match = func.upper(Product.sku) == sku.upper() if any_case else Product.sku == sku
    return session.exec(
        select(Product).where(match, of_shop(Product.client_code, client_code))
    ).first()


def product_ids(
    session: Session, skus: Collection[str], *, client_code: str | None
) -> dict[str, uuid.UUID]:
    """The shop's products with these SKUs, by SKU."""
    rows = session.connection().execute(
        _product_ids(own_shop=client_code is None), {"skus": list(skus), "shop": client_code}
    )
    return {sku: product_id for sku, product_id in rows}


@functools.cache
def _product_ids(*, own_shop: bool) -> Select[str, uuid.UUID]:
    # Built once (data/returns._statement: building a statement costs more than running it).
    shop = col(Product.client_code)
    return sa_select(col(Product.sku), col(Product.id)).where(
        col(Product.sku).in_(bindparam("skus", expanding=True)),
        shop.is_(None) if own_shop else shop == bindparam("shop"),
    )
