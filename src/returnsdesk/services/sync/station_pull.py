"""The station app's own sync: the pull every ``pull_interval_s`` and the outbox relay.

The Qt layer calls ``StationPull.pull`` from a background op (never on the GUI thread) and
starts ``StationRelay`` on its own thread. Each keeps its own HTTP client. The relay claims
events with leases, so a station app and a ``returnsdesk sync --forever`` service on the same
database share the work without sending an event twice at once.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from returnsdesk.config import MessagesSettings, OrderSystemSettings
from returnsdesk.data.db import Database
from returnsdesk.services.sync.connector import KeyOutcome, KeyOutcomeUnavailable
from returnsdesk.services.sync.credentials import DEFAULT_TOKEN_ENV, order_system_token
from returnsdesk.services.sync.inbound import Puller, PullStats
from returnsdesk.services.sync.relay import Relay, RelayStats

if TYPE_CHECKING:
    from returnsdesk.services.messages.deliver import NoOrderSystem
    from returnsdesk.services.sync.http_connector import HttpContractConnector
    from returnsdesk.services.sync.shopify import ShopifyConnector

    OrderSystemConnector = HttpContractConnector | ShopifyConnector

log = logging.getLogger(__name__)


class StationPull:
    def __init__(
        self, database: Database, connector: OrderSystemConnector, interval_s: float
    ) -> None:
        self.interval_s = interval_s
        self._connector = connector
        self._puller = Puller(database, connector)
        self._stop = threading.Event()

    def pull(self) -> PullStats:
        """One pull (raises ``PullFailed`` / ``MalformedAnswer``); stops early after ``close``."""
        return self._puller.pull(self._stop)

    def close(self) -> None:
        """Stop at the next page and close the HTTP client (a call in flight ends with an error,
        which a closing window no longer shows)."""
        self._stop.set()
        self._connector.close()


class StationRelay:
    """The outbox relay on a thread of its own, for as long as the station window is open."""

    def __init__(
        self,
        database: Database,
        connector: OrderSystemConnector | NoOrderSystem,
        messages: MessagesSettings | None = None,
        on_change: Callable[[RelayStats], None] | None = None,
        *,
        parallel_returns: int = 1,
    ) -> None:
        from returnsdesk.services.messages.deliver import (  # loads jinja2
            MessageConnector,
            NoOrderSystem,
        )
        from returnsdesk.services.messages.queue import MESSAGE_EVENT

        self._connector = connector
        order_system = not isinstance(connector, NoOrderSystem)
        # Customer messages go through the same relay (rendered, then to the shop or SMTP).
        # Without an order system it sends them alone; other events wait, as with no relay.
        self._relay = Relay(
            database,
            MessageConnector(
                connector, database, messages or MessagesSettings(), order_system=order_system
            ),
            event_types=None if order_system else frozenset({MESSAGE_EVENT}),
            parallel=parallel_returns,
        )
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


def station_pull(
    settings: OrderSystemSettings,
    database: Database,
    environ: Mapping[str, str] | None = None,
) -> StationPull | None:
    """The pull for this station, or None when no order system or no token is set up."""
    connector = _connector(settings, environ, "pull")
    return None if connector is None else StationPull(database, connector, settings.pull_interval_s)


def station_relay(
    settings: OrderSystemSettings,
    database: Database,
    environ: Mapping[str, str] | None = None,
    *,
    messages: MessagesSettings | None = None,
    on_change: Callable[[RelayStats], None] | None = None,
) -> StationRelay | None:
    """The relay for this station, or None when it has nothing to send to: no order system (or
    no token) and no SMTP server for customer messages.

    ``messages``: how customer messages are rendered and sent (None: the defaults). With SMTP
    delivery and no order system, the relay sends the messages alone.
    """
    connector: OrderSystemConnector | NoOrderSystem | None = _connector(settings, environ, "relay")
    if connector is None and messages is not None and messages.delivery == "smtp":
        from returnsdesk.services.messages.deliver import NoOrderSystem

        log.info("No order system: the relay sends customer messages by SMTP only")
        connector = NoOrderSystem()
    if connector is None:
        return None
    return StationRelay(
        database, connector, messages, on_change, parallel_returns=settings.parallel_returns
    )


class StationKeyInquiry:
    """Asks the order system what a key did, for a lead's resend (rare): each question opens
    a connection of its own and closes it, so the station holds none for it meanwhile."""

    def __init__(
        self, settings: OrderSystemSettings, environ: Mapping[str, str] | None = None
    ) -> None:
        self._settings = settings
        self._environ = environ

    def key_outcome(self, key: str) -> KeyOutcome:
        connector = _connector(self._settings, self._environ, "resend of parked events")
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


def _connector(
    settings: OrderSystemSettings, environ: Mapping[str, str] | None, what: str
) -> OrderSystemConnector | None:
    if settings.kind == "none" or settings.url is None:
        return None
    token = order_system_token(DEFAULT_TOKEN_ENV, os.environ if environ is None else environ)
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
