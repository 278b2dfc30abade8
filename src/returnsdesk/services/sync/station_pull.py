"""The station app's own pull: the order system's changes, read every ``pull_interval_s``.

The Qt layer calls ``StationPull.pull`` from a background op (never on the GUI thread); this
module keeps the HTTP client and the puller together and knows when it is not configured.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping

from returnsdesk.config import OrderSystemSettings
from returnsdesk.data.db import Database
from returnsdesk.services.sync.credentials import DEFAULT_TOKEN_ENV, order_system_token
from returnsdesk.services.sync.http_connector import HttpContractConnector
from returnsdesk.services.sync.inbound import Puller, PullStats

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


def station_pull(
    settings: OrderSystemSettings,
    database: Database,
    environ: Mapping[str, str] | None = None,
) -> StationPull | None:
    """The pull for this station, or None when no order system or no token is set up."""
    if settings.kind == "none" or settings.url is None:
        return None
    token = order_system_token(DEFAULT_TOKEN_ENV, os.environ if environ is None else environ)
    if token is None:
        log.warning(
            "Order system %s: no API token, so no pull (see docs/it-guide.md)", settings.url
        )
        return None
    try:
        connector = HttpContractConnector(settings.url, token)
    except ValueError as exc:
        log.warning("Order system not usable, no pull: %s", exc)
        return None
    return StationPull(database, connector, settings.pull_interval_s)
