"""Finding products by what is printed on them."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from returnsdesk.data.models import Product, ProductGtin


def product_by_gtin(session: Session, gtin: str) -> Product | None:
    """The product with this GTIN (any length up to 14 digits; stored zero-padded)."""
    return session.exec(
        select(Product)
        .join(ProductGtin, col(ProductGtin.product_id) == col(Product.id))
        .where(ProductGtin.gtin == gtin.zfill(14))
    ).first()


def product_by_sku(session: Session, sku: str, *, any_case: bool = False) -> Product | None:
    match = func.upper(Product.sku) == sku.upper() if any_case else Product.sku == sku
    return session.exec(select(Product).where(match)).first()
