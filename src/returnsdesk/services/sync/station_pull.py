"""The station app's own sync: the pull every ``pull_interval_s`` and the outbox relay.

The Qt layer calls ``StationPull.pull`` from a background op (never on the GUI thread) and
starts ``StationRelay`` on its own thread. Each keeps its own HTTP client. The relay claims
events with leases, so a station app and a ``returnsdesk sync --forever`` service on the same
database share the work without sending an event twice at once.

With client shops (``[clients.<code>]``, ``clients.py``) the pull reads each shop's feed in
turn, and the relay sends each event through its own shop's connection only.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from returnsdesk.config import ClientSettings, MessagesSettings, OrderSystemSettings, Settings
from returnsdesk.data.db import Database
from returnsdesk.domain.clock import Clock, utc_now
from returnsdesk.services.sync.clients import ClientRouter, ShopConnection, shop_connections
from returnsdesk.services.sync.connector import (
    ClosableConnector,
    KeyOutcome,
    KeyOutcomeUnavailable,
)
from returnsdesk.services.sync.credentials import (
    DEFAULT_TOKEN_ENV,
    KEYRING_USER,
    order_system_token,
)
from returnsdesk.services.sync.inbound import Puller, PullStats, ShopPullers
from returnsdesk.services.sync.relay import Relay, RelayStats

if TYPE_CHECKING:
    from returnsdesk.services.messages.deliver import NoOrderSystem
    from returnsdesk.services.sync.http_connector import HttpContractConnector
    from returnsdesk.services.sync.shopify import ShopifyConnector

    OrderSystemConnector = HttpContractConnector | ShopifyConnector

log = logging.getLogger(__name__)


class StationPull:
    def __init__(
        self,
        database: Database,
        feeds: Sequence[tuple[str | None, OrderSystemConnector]],
        interval_s: float,
    ) -> None:
        """``feeds``: each shop's client code (None: the station's own) and connector."""
        self.interval_s = interval_s
        self._connectors = [connector for _, connector in feeds]
        self._pullers = ShopPullers(
            [Puller(database, connector, client_code=code) for code, connector in feeds]
        )
        self._stop = threading.Event()

    def pull(self) -> PullStats:
        """One pull of every shop (raises ``PullFailed`` / ``MalformedAnswer``, after the other
        shops were pulled); stops early after ``close``."""
        return self._pullers.pull(self._stop)

    def close(self) -> None:
        """Stop at the next page and close the HTTP clients (a call in flight ends with an
        error, which a closing window no longer shows)."""
        self._stop.set()
        for connector in self._connectors:
            connector.close()


class StationRelay:
    """The outbox relay on a thread of its own, for as long as the station window is open."""

    def __init__(
        self,
        database: Database,
        connector: ClosableConnector,
        on_change: Callable[[RelayStats], None] | None = None,
        *,
        event_types: frozenset[str] | None = None,
        parallel_returns: int = 1,
    ) -> None:
        """``connector``: what ``station_connector`` builds; closed when the relay stops."""
        self._connector = connector
        self._relay = Relay(database, connector, event_types=event_types, parallel=parallel_returns)
        self._stop = threading.Event()
        # on_change: called on the relay's thread after a round that changed the outbox.
        self._thread = threading.Thread(
            target=self._relay.run_forever,
            args=(self._stop, on_change),
            name="returnsdesk-relay",
        )

    def start(self) -> None:
        self._thread.start()

    def close(self, timeout_s: float = 15.0) -> None:
        """Let the call in flight finish and be recorded, then close the HTTP client. An event
        still unanswered after ``timeout_s`` keeps its lease and goes again with the same key."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        self._connector.close()


def station_connector(
    database: Database,
    shops: Mapping[str | None, ClosableConnector],
    messages: MessagesSettings | None = None,
    *,
    clients: Sequence[ClientSettings] = (),
    clock: Clock = utc_now,
) -> ClosableConnector:
    """What the station's relay delivers through, for the window, ``returnsdesk sync`` and
    tests alike: each shop's order-system connector (``shops`` by client code, None: the
    station's own; a ``NoOrderSystem`` where it has none) with its customer messages beside it,
    rendered and sent to that shop or by SMTP, in the client's name and from its address
    (``clients``). With client shops a router sends each event to its own shop only.

    ``messages``: how customer messages are rendered and sent (None: the defaults).
    """
    from returnsdesk.services.messages.deliver import (  # loads jinja2: not at start-up
        MessageConnector,
        NoOrderSystem,
    )

    settings = messages or MessagesSettings()
    by_code = {client.code: client for client in clients}
    routes: dict[str | None, ClosableConnector] = {}
    for code, connector in shops.items():
        client = None if code is None else by_code[code]
        routes[code] = MessageConnector(
            connector,
            database,
            settings
            if client is None
            else replace(settings, from_address=client.from_address or settings.from_address),
            clock=clock,
            # No order system books this shop's refunds: its messages wait for no other event.
            order_system=not isinstance(connector, NoOrderSystem),
            sender_name="" if client is None else client.sender_name or client.name,
        )
    if list(routes) == [None]:
        return routes[None]
    return ClientRouter(routes)


def station_pull(
    settings: OrderSystemSettings,
    database: Database,
    environ: Mapping[str, str] | None = None,
    *,
    clients: Sequence[ClientSettings] = (),
) -> StationPull | None:
    """The pull for this station, or None when no order system or no token is set up.

    ``clients``: client shops ([clients.<code>]) whose feeds are pulled too, each tagged."""
    feeds: list[tuple[str | None, OrderSystemConnector]] = []
    intervals = []
    for shop in shop_connections(Settings(order_system=settings, clients=tuple(clients))):
        connector = _shop_connector(shop, environ, "pull")
        if connector is not None:
            feeds.append((shop.code, connector))
            intervals.append(shop.order_system.pull_interval_s)
    if not feeds:
        return None
    # The most eager shop's interval: each pull reads every feed.
    return StationPull(database, feeds, min(intervals))


def station_relay(
    settings: OrderSystemSettings,
    database: Database,
    environ: Mapping[str, str] | None = None,
    *,
    messages: MessagesSettings | None = None,
    on_change: Callable[[RelayStats], None] | None = None,
    clients: Sequence[ClientSettings] = (),
) -> StationRelay | None:
    """The relay for this station, or None when it has nothing to send to: no order system (or
    no token) and no SMTP server for customer messages.

    ``messages``: how customer messages are rendered and sent (None: the defaults). With SMTP
    delivery and no order system, the relay sends the messages alone.
    """
    connector: OrderSystemConnector | NoOrderSystem | None = _connector(settings, environ, "relay")
    client_routes: dict[str | None, OrderSystemConnector] = {}
    for shop in shop_connections(Settings(order_system=settings, clients=tuple(clients))):
        if shop.client is None:
            continue
        client_connector = _shop_connector(shop, environ, "relay")
        if client_connector is not None:
            client_routes[shop.code] = client_connector
    smtp = messages is not None and messages.delivery == "smtp"
    if connector is None and (smtp or client_routes):
        from returnsdesk.services.messages.deliver import NoOrderSystem

        if not client_routes:
            log.info("No order system: the relay sends customer messages by SMTP only")
        connector = NoOrderSystem()
    if connector is None:
        return None
    from returnsdesk.services.messages.deliver import NoOrderSystem
    from returnsdesk.services.messages.queue import MESSAGE_EVENT

    shops: dict[str | None, OrderSystemConnector | NoOrderSystem] = {None: connector}
    shops.update(client_routes)
    # Customer messages go through the same relay (rendered, then to the shop or SMTP).
    # Without any order system it sends them alone; other events wait, as with no relay.
    order_system = any(not isinstance(c, NoOrderSystem) for c in shops.values())
    return StationRelay(
        database,
        station_connector(database, shops, messages, clients=clients),
        on_change,
        event_types=None if order_system else frozenset({MESSAGE_EVENT}),
        parallel_returns=settings.parallel_returns,
    )


class StationKeyInquiry:
    """Asks the order system what a key did, for a lead's resend (rare): each question opens
    a connection of its own and closes it, so the station holds none for it meanwhile."""

    def __init__(
        self,
        settings: OrderSystemSettings,
        environ: Mapping[str, str] | None = None,
        *,
        token_variable: str = DEFAULT_TOKEN_ENV,
        keyring_user: str = KEYRING_USER,
    ) -> None:
        self._settings = settings
        self._environ = environ
        self._token = (token_variable, keyring_user)

    def key_outcome(self, key: str) -> KeyOutcome:
        variable, user = self._token
        connector = _connector(
            self._settings,
            self._environ,
            "resend of parked events",
            token_variable=variable,
            keyring_user=user,
        )
        if connector is None:
            raise KeyOutcomeUnavailable(
                "The order system is not reachable from this station (no address or token)."
            )
        try:
            return connector.key_outcome(key)
        finally:
            connector.close()


def station_key_inquiry(
    settings: OrderSystemSettings, environ: Mapping[str, str] | None = None
) -> StationKeyInquiry | None:
    """What the lead's resend asks ("what did this key do?"); None without an order system."""
    if settings.kind == "none" or settings.url is None:
        return None
    return StationKeyInquiry(settings, environ)


def client_key_inquiries(
    clients: Sequence[ClientSettings], environ: Mapping[str, str] | None = None
) -> dict[str, StationKeyInquiry]:
    """The same question for each client shop's events, asked at that shop only."""
    return {
        shop.client.code: StationKeyInquiry(
            shop.order_system,
            environ,
            token_variable=shop.token_variable,
            keyring_user=shop.keyring_user,
        )
        for shop in shop_connections(Settings(clients=tuple(clients)))
        if shop.client is not None
        and shop.order_system.kind != "none"
        and shop.order_system.url is not None
    }


def _shop_connector(
    shop: ShopConnection, environ: Mapping[str, str] | None, what: str
) -> OrderSystemConnector | None:
    return _connector(
        shop.order_system,
        environ,
        f"{what} for {shop.label}",
        token_variable=shop.token_variable,
        keyring_user=shop.keyring_user,
    )


def _connector(
    settings: OrderSystemSettings,
    environ: Mapping[str, str] | None,
    what: str,
    *,
    token_variable: str = DEFAULT_TOKEN_ENV,
    keyring_user: str = KEYRING_USER,
) -> OrderSystemConnector | None:
    if settings.kind == "none" or settings.url is None:
        return None
    token = order_system_token(
        token_variable, os.environ if environ is None else environ, keyring_user
    )
    if token is None:
        log.warning(
            "Order system %s: no API token, so no %s (see docs/it-guide.md)", settings.url, what
        )
        return None
    try:
        if settings.kind == "shopify":
            from returnsdesk.services.sync.shopify import ShopifyConnector  # loads httpx

            return ShopifyConnector(
                settings.url,
                token,
                api_version=settings.api_version,
                location_id=settings.location_id,
            )
        from returnsdesk.services.sync.http_connector import HttpContractConnector

        return HttpContractConnector(settings.url, token)
    except ValueError as exc:
        log.warning("Order system not usable, no %s: %s", what, exc)
        return None
