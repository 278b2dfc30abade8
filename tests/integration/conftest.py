"""The reference shop as a fixture: one fresh shop (own database, own server) per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from integration.oscar_shop import OscarShop, ShopUnavailable


@pytest.fixture(scope="module")
def oscar_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OscarShop]:
    try:
        shop = OscarShop.start(tmp_path_factory.mktemp("oscar-shop"))
    except ShopUnavailable as reason:
        pytest.skip(str(reason))
    with shop:
        yield shop
