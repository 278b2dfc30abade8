"""Sync with the order system: the outbox relay and its connectors.

The station writes outbox events in the same transaction as the change they report
(``data.repositories.add_outbox_event``); the ``Relay`` delivers them through a ``Connector``
(``HttpContractConnector`` for the sync API in ``docs/sync-api.yaml``), in order per return,
at least once, each with its stored idempotency key. See ``relay.py`` for claims, crash safety
and retries, and ``connector.py`` for which event becomes which call.

The other direction: ``inbound.Puller`` pulls the order system's returns (with orders,
customers and products) by a cursor into the local database (``inbound.py`` has the merge
rule); ``housekeeping.prune_delivered`` keeps the outbox small.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from returnsdesk.services.sync.backoff import backoff_delay, parse_retry_after
from returnsdesk.services.sync.connector import (
    API_BASE_PATH,
    Connector,
    ContractCall,
    DeliveryOutcome,
    DeliveryResult,
    KeyInquiry,
    KeyOutcome,
    KeyOutcomeUnavailable,
    KeyState,
    NoRemoteCall,
    OutboxEventView,
    UnsendableEvent,
    plan_call,
)
from returnsdesk.services.sync.relay import (
    Relay,
    RelayStats,
    SyncEventNotParked,
    SyncHealth,
    SyncNotAllowed,
    event_view,
    mark_resolved,
    parked_events,
    retry_parked,
    sync_health,
)

if TYPE_CHECKING:
    from returnsdesk.services.sync.http_connector import HttpContractConnector


def __getattr__(name: str) -> object:
    # The station imports this package for its sync health; httpx (about 0.2 s to import) is
    # loaded only where a connector is made (the relay process, diagnostics, tests).
    if name == "HttpContractConnector":
        from returnsdesk.services.sync.http_connector import HttpContractConnector

        return HttpContractConnector
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "API_BASE_PATH",
    "Connector",
    "ContractCall",
    "DeliveryOutcome",
    "DeliveryResult",
    "HttpContractConnector",
    "KeyInquiry",
    "KeyOutcome",
    "KeyOutcomeUnavailable",
    "KeyState",
    "NoRemoteCall",
    "OutboxEventView",
    "Relay",
    "RelayStats",
    "SyncEventNotParked",
    "SyncHealth",
    "SyncNotAllowed",
    "UnsendableEvent",
    "backoff_delay",
    "event_view",
    "mark_resolved",
    "parked_events",
    "parse_retry_after",
    "plan_call",
    "retry_parked",
    "sync_health",
]
