"""The reference shop as a fixture: one fresh shop (own database, own server) per module.

A shop that cannot be installed skips its tests, except under RETURNSDESK_REQUIRE_SHOP=1
(set by .ci/run), where that is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from integration.oscar_shop import API_PREFIX, OscarShop, ShopUnavailable, unavailable
from sync_contract import ContractProxy


@pytest.fixture(scope="module")
def oscar_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OscarShop]:
    try:
        shop = OscarShop.start(tmp_path_factory.mktemp("oscar-shop"))
    except ShopUnavailable as reason:
        raise unavailable(reason) from None
    with shop:
        yield shop


@pytest.fixture
def checked_api(oscar_shop: OscarShop) -> Iterator[str]:
    """The shop's API root behind a ContractProxy: point the station's connector here, and
    every request it sends and every answer it gets is checked against docs/sync-api.yaml."""
    with ContractProxy(oscar_shop.root_url) as proxy:
        yield proxy.url + API_PREFIX
    assert proxy.log.checked > 0, "nothing went through the contract proxy"
    proxy.log.assert_clean()
