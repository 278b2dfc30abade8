"""What the relay hands a connector, what it gets back, and which call each event becomes.

A ``Connector`` delivers one outbox event to the order system and says how it went:

* ``DELIVERED``: the order system has it (or the event needs no remote call at all);
* ``RETRY``: transient, or the outcome is unknown: 5xx, 408, 429, 409 ``in_progress``,
  connection errors, timeouts, a 2xx whose body cannot be read. The relay sends the event again
  later with the *same* idempotency key, so if the first call did land, the shop replays its
  first answer. Also 401/403 and redirects: the station's token or URL is wrong, which is
  fixed once for all events, not event by event (the contract says they "need a person"; the
  Sync panel shows the error while the relay keeps trying at its slowest pace);
* ``PARKED``: permanent: the shop refused the request itself (400, 404, 409
  ``duplicate_refund``, 422), or the event cannot be turned into a call. Retrying the same
  body cannot help; a shift lead looks at it in the Sync panel.

Event -> contract call (paths under ``/returnsdesk/api/v1``; every POST carries the event's
stored ``Idempotency-Key``; money as decimal strings beside its currency):

======================  ===============================================  ===========================
event_type              call                                             body from the payload
======================  ===============================================  ===========================
return.received         POST /returns/{rma}/status                       status "received", at =
                                                                         received_at, note names
                                                                         tracking no. and station
unit.inspected          none (delivered as a no-op)                      grades and dispositions
                                                                         reach the shop inside the
                                                                         stock and refund calls
stock.adjusted          POST /stock-adjustments                          sku, delta=quantity_delta,
                                                                         location, reason,
                                                                         reference = inspection_id
refund.requested        POST /refunds, only when status is "approved"    rma_number, currency,
                        and total > 0; otherwise a no-op (a refund        total, lines (per unit),
                        pending approval must not be paid out; a          station_refund_id =
                        rejected or zero refund pays nothing)             refund_id
refund.approved         POST /refunds (a shift lead approved a refund     as refund.requested
                        that was pending approval)
return.closed           POST /returns/{rma}/status                       status "closed", at =
                                                                         completed_at
customer.notification   POST /returns/{rma}/notifications                to = customer_email,
                        (after the return's refund and closed events)    status, message, reason,
                                                                         currency, total, lines
audit.anchored          POST /audit-anchors (the newest audit entry, so   key_id, sequence,
                        the shop holds proof of the trail's head off the  entry_hash, at
                        station; data/repositories.py says when)
anything else           none: PARKED (a station newer than this relay,
                        or a bug; never silently dropped)
======================  ===============================================  ===========================

Status "inspected" is not sent: the station completes a return in one transaction, so
"inspected" and "closed" would arrive together (the contract lets a status skip steps).
Money goes in the currency's minor unit ("89.00"); an amount with more digits is parked, never
rounded. ``deduction_reason`` is cut to the contract's 200 characters.

Refund lines name the shop's order line by ``line_ref``, which the inbound pull stores on
the station's order lines and completion copies into the event. A return that did not come
from the order system (demo data, a CSV import) has none: its lines go with ``line_ref: null``
and ``sku`` + ``unit_index``, which a shop enforcing the contract refuses (400, parked for a
shift lead) rather than guessing the line.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import quote

from returnsdesk.domain.errors import OperatorError, ReturnsDeskError
from returnsdesk.domain.money import currency_exponent
from returnsdesk.domain.vocabulary import OutboxStatus, RefundStatus

API_BASE_PATH = "/returnsdesk/api/v1"


@dataclass(frozen=True, slots=True)
class OutboxEventView:
    """A detached copy of an outbox row: safe to hand to another thread or a connector."""

    id: uuid.UUID
    sequence: int
    event_type: str
    aggregate_id: uuid.UUID
    payload: Mapping[str, Any]
    idempotency_key: str
    status: OutboxStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
    held_until: datetime | None = None  # written held (a receipt's grace period)
    client_code: str | None = None  # whose order system it goes to; None: [order_system]


class DeliveryOutcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    PARKED = "parked"


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    outcome: DeliveryOutcome
    detail: str = ""  # the shop's message, or why the call could not be made; stored as last_error
    retry_after_s: float | None = None  # the shop's Retry-After, when it sent one
    status_code: int | None = None  # None: no HTTP answer (network error, or no call made)
    remote_call: bool = True  # False: nothing was sent (an event with no call in the contract)

    @classmethod
    def delivered(cls, detail: str = "", status_code: int | None = None) -> DeliveryResult:
        return cls(DeliveryOutcome.DELIVERED, detail, None, status_code)

    @classmethod
    def no_op(cls, detail: str) -> DeliveryResult:
        """Delivered without a call; the relay may record it together with the next outcome."""
        return cls(DeliveryOutcome.DELIVERED, detail, None, None, remote_call=False)

    @classmethod
    def retry(
        cls, detail: str, *, retry_after_s: float | None = None, status_code: int | None = None
    ) -> DeliveryResult:
        return cls(DeliveryOutcome.RETRY, detail, retry_after_s, status_code)

    @classmethod
    def parked(
        cls, detail: str, *, status_code: int | None = None, remote_call: bool = True
    ) -> DeliveryResult:
        return cls(DeliveryOutcome.PARKED, detail, None, status_code, remote_call)


class Connector(Protocol):
    """Delivers one event. Must not raise for network trouble: return ``RETRY`` instead."""

    def deliver(self, event: OutboxEventView) -> DeliveryResult: ...


class ClosableConnector(Connector, Protocol):
    """A connector holding connections (an HTTP client): ``close`` ends them, once the relay
    that delivers through it has stopped."""

    def close(self) -> None: ...


class KeyState(StrEnum):
    """What the shop did with a request under a key (docs/sync-api.yaml, getKeyOutcome)."""

    APPLIED = "applied"  # the change is in the shop
    REFUSED = "refused"  # a remembered refusal: nothing applied, and the key replays it
    UNKNOWN = "unknown"  # no record: never arrived, not remembered, or purged


@dataclass(frozen=True, slots=True)
class KeyOutcome:
    state: KeyState
    detail: str  # the shop's words, for the lead and the audit trail ("POST refunds: HTTP 422 ...")


class KeyOutcomeUnavailable(OperatorError):
    """The order system could not say what a key did (no answer, an error, a wrong answer)."""


class KeyInquiry(Protocol):
    """Asks the order system what became of a key. Raises ``KeyOutcomeUnavailable``."""

    def key_outcome(self, key: str) -> KeyOutcome: ...


# --- the mapping ---------------------------------------------------------------------------


class UnsendableEvent(ReturnsDeskError):
    """The event cannot become a contract call (unknown type, payload missing a field)."""


@dataclass(frozen=True, slots=True)
class ContractCall:
    method: str
    path: str  # below API_BASE_PATH
    body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NoRemoteCall:
    reason: str


def plan_call(event: OutboxEventView) -> ContractCall | NoRemoteCall:
    """The contract call for ``event`` (see the table above); raises ``UnsendableEvent``.

    Pure and deterministic: every attempt builds the same body from the stored payload, which
    is what lets the shop recognise a retry (same key, same body) and replay its first answer.
    """
    builder = _BUILDERS.get(event.event_type)
    if builder is None:
        raise UnsendableEvent(
            f"no order-system call is defined for event type {event.event_type!r}"
        )
    try:
        return builder(event.payload)
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise UnsendableEvent(
            f"{event.event_type} payload cannot be sent: {type(exc).__name__}: {exc}"
        ) from exc


def _status_path(rma_number: object) -> str:
    return f"/returns/{quote(_text(rma_number), safe='')}/status"


def _return_received(p: Mapping[str, Any]) -> ContractCall:
    where = f" ({p['carrier']})" if p.get("carrier") else ""
    note = f"Parcel {p['tracking_number']}{where} received at station {p['station']}"
    return ContractCall(
        "POST",
        _status_path(p["rma_number"]),
        {"status": "received", "at": _text(p["received_at"]), "note": note},
    )


def _unit_inspected(p: Mapping[str, Any]) -> NoRemoteCall:
    return NoRemoteCall("the contract has no per-unit call; stock and refund calls carry it")


def _stock_adjusted(p: Mapping[str, Any]) -> ContractCall:
    delta = p["quantity_delta"]
    if not isinstance(delta, int) or isinstance(delta, bool):
        raise ValueError(f"quantity_delta must be an integer, not {delta!r}")
    return ContractCall(
        "POST",
        "/stock-adjustments",
        {
            "sku": _text(p["sku"]),
            "delta": delta,
            "location": _text(p["location"]),
            "reason": _text(p["reason"]),
            "reference": _text(p["inspection_id"]),
        },
    )


def _refund_requested(p: Mapping[str, Any]) -> ContractCall | NoRemoteCall:
    status = RefundStatus(p["status"])
    currency = _text(p["currency"])
    total = _decimal(p["total"])
    if status is not RefundStatus.APPROVED:
        return NoRemoteCall(f"refund is {status.value}: nothing is paid until it is approved")
    if total == 0:
        return NoRemoteCall("refund total is 0: nothing to pay")
    lines = [
        {
            "line_ref": _optional_ref(line.get("line_ref")),
            "sku": _text(line["sku"]),
            "unit_index": line["unit_index"],
            "quantity": 1,  # the station refunds unit by unit
            "amount": _money(line["amount"], currency),
            "deduction": _money(line["deduction"], currency),
            # The contract keeps 200 characters; the station's full text stays in its database.
            "deduction_reason": _optional_text(line.get("deduction_reason"))[:200],
        }
        for line in p["lines"]
    ]
    return ContractCall(
        "POST",
        "/refunds",
        {
            "rma_number": _text(p["rma_number"]),
            "currency": currency,
            "total": _money(total, currency),
            "lines": lines,
            "station_refund_id": _text(p["refund_id"]),
        },
    )


def _return_closed(p: Mapping[str, Any]) -> ContractCall:
    return ContractCall(
        "POST",
        _status_path(p["rma_number"]),
        {"status": "closed", "at": _text(p["completed_at"]), "note": "Inspection completed"},
    )


def _customer_notification(p: Mapping[str, Any]) -> ContractCall:
    currency = _text(p["currency"])
    lines = [
        {
            "sku": _text(line["sku"]),
            "unit_index": line["unit_index"],
            "amount": _money(line["amount"], currency),
            "deduction": _money(line["deduction"], currency),
            "deduction_reason": _optional_text(line.get("deduction_reason"))[:200],
        }
        for line in p["lines"]
    ]
    body: dict[str, Any] = {
        "to": _text(p["customer_email"]),
        "customer_name": _optional_text(p.get("customer_name")),
        "status": _text(p["status"]),
        "message": _text(p["message"])[:2000],
        "reason": _optional_text(p.get("reason"))[:2000],
        "currency": currency,
        "total": _money(p["total"], currency),
        "lines": lines,
        "at": _text(p["at"]),
    }
    # A rendered customer message (services/messages/deliver.py) brings its text, its
    # Message-ID and its dates; the shop sends that text and shows the dates.
    for name in _MESSAGE_FIELDS:
        if p.get(name) is not None:
            body[name] = _text(p[name])
    return ContractCall(
        "POST", f"/returns/{quote(_text(p['rma_number']), safe='')}/notifications", body
    )


_MESSAGE_FIELDS = (
    "kind",
    "language",
    "subject",
    "text",
    "html",
    "message_id",
    "refund_expected_by",
    "review_by",
)


def _audit_anchored(p: Mapping[str, Any]) -> ContractCall:
    sequence = p["sequence"]
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise ValueError(f"sequence must be a positive integer, not {sequence!r}")
    return ContractCall(
        "POST",
        "/audit-anchors",
        {
            "key_id": _text(p["key_id"]),
            "sequence": sequence,
            "entry_hash": _text(p["entry_hash"]),
            "at": _text(p["at"]),
        },
    )


_BUILDERS: dict[str, Callable[[Mapping[str, Any]], ContractCall | NoRemoteCall]] = {
    "return.received": _return_received,
    "unit.inspected": _unit_inspected,
    "stock.adjusted": _stock_adjusted,
    "refund.requested": _refund_requested,
    # A shift lead approved a held refund: the same call, now with status "approved".
    "refund.approved": _refund_requested,
    "return.closed": _return_closed,
    "customer.notification": _customer_notification,
    "audit.anchored": _audit_anchored,
}


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected non-empty text, not {value!r}")
    return value


def _optional_ref(value: object) -> str | None:
    if value is None:
        return None
    return _text(value)


def _optional_text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"expected text, not {value!r}")
    return value


def _decimal(value: object) -> Decimal:
    if not isinstance(value, str | int | Decimal) or isinstance(value, bool):
        raise ValueError(f"expected a decimal string, not {value!r}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"expected a finite amount, not {value!r}")
    return amount


def _money(value: object, currency: str) -> str:
    """The amount in the currency's minor unit, as the contract's money string ("89.00").

    Never rounds: the refund policy already rounds every amount, and the shop checks that the
    lines add up to the total, so an amount with more digits is a station bug to be looked at
    (the event is parked), not something to paper over.
    """
    amount = _decimal(value)
    minor = Decimal(1).scaleb(-currency_exponent(currency))
    if amount != amount.quantize(minor):
        raise ValueError(f"{amount} {currency} has more digits than the currency's minor unit")
    return f"{amount.quantize(minor):f}"
