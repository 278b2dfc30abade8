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
from collections.abc import Mapping
from typing import TYPE_CHECKING

from returnsdesk.config import OrderSystemSettings
from returnsdesk.data.db import Database
from returnsdesk.services.sync.credentials import DEFAULT_TOKEN_ENV, order_system_token
from returnsdesk.services.sync.inbound import Puller, PullStats
from returnsdesk.services.sync.relay import Relay

if TYPE_CHECKING:
    from returnsdesk.services.sync.http_connector import HttpContractConnector

log = logging.getLogger(__name__)


class StationPull:
    def __init__(self, database: Database, connector: HttpContractConnector, interval_s: float):
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

    def __init__(self, database: Database, connector: HttpContractConnector) -> None:
        self._connector = connector
        self._relay = Relay(database, connector)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._relay.run_forever, args=(self._stop,), name="returnsdesk-relay"
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
) -> StationRelay | None:
    """The relay for this station, or None when no order system or no token is set up."""
    connector = _connector(settings, environ, "relay")
    return None if connector is None else StationRelay(database, connector)


def station_key_inquiry(
    settings: OrderSystemSettings, environ: Mapping[str, str] | None = None
) -> HttpContractConnector | None:
    """What the lead's resend asks ("what did this key do?"); None without an order system."""
    return _connector(settings, environ, "resend of parked events")


def _connector(
    settings: OrderSystemSettings, environ: Mapping[str, str] | None, what: str
) -> HttpContractConnector | None:
    if settings.kind == "none" or settings.url is None:
        return None
    token = order_system_token(DEFAULT_TOKEN_ENV, os.environ if environ is None else environ)
    if token is None:
        log.warning(
            "Order system %s: no API token, so no %s (see docs/it-guide.md)", settings.url, what
        )
        return None
    from returnsdesk.services.sync.http_connector import HttpContractConnector  # loads httpx

    try:
        return HttpContractConnector(settings.url, token)
    except ValueError as exc:
        log.warning("Order system not usable, no %s: %s", what, exc)
        return None
