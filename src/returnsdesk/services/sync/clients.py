"""Several client shops at one station (third-party logistics): one door per shop.

A station serving client shops (``[clients.<code>]`` in the settings) holds one order-system
connection per shop, each with its own token (``RETURNSDESK_CLIENT_TOKEN_<CODE>``, else the
keyring user ``order_system:<code>``). Every order, return and outbox event carries its
shop's ``client_code`` (None: the station's own ``[order_system]``).

``ClientRouter`` is the connector the relay delivers through: an event goes to the connector
of its own ``client_code`` and to no other, so one shop never sees another's refunds, stock
changes or customer messages. Ordering per return, claims and leases stay the relay's: the
router only picks the door. An event whose shop has no connection here (no URL or no token on
this station) waits, retried hourly, as events do on a station without an order system.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from returnsdesk.config import ClientSettings, OrderSystemSettings, Settings, client_token_variable
from returnsdesk.services.sync.connector import (
    ClosableConnector,
    DeliveryResult,
    OutboxEventView,
)
from returnsdesk.services.sync.credentials import (
    DEFAULT_TOKEN_ENV,
    KEYRING_USER,
    client_keyring_user,
)

log = logging.getLogger(__name__)

NOT_CONNECTED_RETRY_S = 3600.0


@dataclass(frozen=True, slots=True)
class ShopConnection:
    """Where one shop's order system is and where its token is kept."""

    client: ClientSettings | None  # None: the station's own shop, [order_system]
    order_system: OrderSystemSettings
    token_variable: str
    keyring_user: str

    @property
    def code(self) -> str | None:
        return None if self.client is None else self.client.code

    @property
    def label(self) -> str:
        return "the station's order system" if self.client is None else f"client {self.code}"


def shop_connections(settings: Settings) -> list[ShopConnection]:
    """The station's own order system, then each client shop's, as the settings name them."""
    own = ShopConnection(None, settings.order_system, DEFAULT_TOKEN_ENV, KEYRING_USER)
    return [own] + [
        ShopConnection(
            client,
            client.order_system,
            client_token_variable(client.code),
            client_keyring_user(client.code),
        )
        for client in settings.clients
    ]


class ClientRouter:
    """Delivers each event through its own shop's connector only (see the module doc)."""

    def __init__(self, connectors: Mapping[str | None, ClosableConnector]) -> None:
        self._connectors = dict(connectors)

    def __repr__(self) -> str:
        shops = ", ".join(code or "(own)" for code in self._connectors)
        return f"ClientRouter({shops})"

    def deliver(self, event: OutboxEventView) -> DeliveryResult:
        connector = self._connectors.get(event.client_code)
        if connector is None:
            whose = (
                "the station's own shop ([order_system])"
                if event.client_code is None
                else f"client {event.client_code} ([clients.{event.client_code}])"
            )
            return DeliveryResult.retry(
                f"no order system connected here for {whose}",
                retry_after_s=NOT_CONNECTED_RETRY_S,
            )
        return connector.deliver(event)

    def close(self) -> None:
        for connector in self._connectors.values():
            connector.close()
