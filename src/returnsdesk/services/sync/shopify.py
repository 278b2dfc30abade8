"""The Shopify connector: the station's pull and outbox over Shopify's Admin GraphQL API.

Inbound: orders changed since the cursor (``orders(sortKey: UPDATED_AT, query:
"updated_at:>=...")``, paginated), each with its OPEN returns, their return line items, reverse
fulfillment orders and the tracking numbers of their reverse deliveries, the customer (a tag
``tier:<name>`` is its tier, for longer return windows), and the line items' variants (SKU,
barcode, inventory item). ``fetch_return_changes`` turns a page into the sync contract's
``/returns/changes`` shape, so ``inbound.Puller`` checks and writes it into the same tables as
any other pull. Order lines keep the Shopify ``LineItem`` id as ``line_ref``; the RMA number is
the return's name (``#1001-R1``).

Outbound, per outbox event (every mutation carries ``@idempotent(key:)`` with the event's own
stored key, so a resend after a lost answer is replayed by Shopify, never applied twice):

=====================  ========================================================================
stock.adjusted         restock: none (returnProcess RESTOCKED puts the unit back on sale);
                       refurbish: ``inventoryAdjustQuantities`` quality_control/quality_control;
                       liquidate: damaged/damaged; recycle: none (the unit leaves stock)
refund.requested       the order's Shopify return named by the RMA: ``returnProcess`` with its
                       line items and dispositions (restock -> RESTOCKED at the sellable
                       location, refurbish -> PROCESSING_REQUIRED, liquidate/recycle ->
                       NOT_RESTOCKED, missing -> MISSING) and, for an approved refund above 0,
                       ``financialTransfer.issueRefund``; an order without a Shopify return:
                       ``refundCreate`` (approved refunds above 0 only)
refund.approved        ``refundCreate`` on the order (its return was processed when completed)
anything the station   none: Shopify has no call for it (received, inspected, closed,
knows else             notifications, audit anchors); unknown types are parked
=====================  ========================================================================

Limits: every answer's ``extensions.cost.throttleStatus`` is kept; a THROTTLED answer is
retried after the time the bucket needs to refill (``RETRY`` for the relay, a wait in a pull).
``userErrors`` park the event with Shopify's message. HTTP 429/5xx/timeouts are retried as the
HTTP connector does; other GraphQL errors (a document or input Shopify refuses) are parked.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import TracebackType
from typing import Any

import httpx

from returnsdesk.domain.barcodes import is_valid_gtin
from returnsdesk.domain.clock import Clock, utc_now
from returnsdesk.domain.messages import language_tag, payment_method_word
from returnsdesk.domain.money import currency_exponent
from returnsdesk.domain.return_window import TIER_LIMIT, customer_tier
from returnsdesk.domain.vocabulary import RefundStatus
from returnsdesk.services.sync.backoff import parse_retry_after
from returnsdesk.services.sync.connector import (
    DeliveryResult,
    KeyOutcome,
    KeyOutcomeUnavailable,
    OutboxEventView,
)
from returnsdesk.services.sync.inbound import PullFailed
from returnsdesk.services.sync.remote import MalformedAnswer

log = logging.getLogger(__name__)

DEFAULT_API_VERSION = "2026-10"
USER_AGENT = "returnsdesk-shopify"
_MESSAGE_LIMIT = 1000
_PAGE_LIMIT = 50  # orders per page: each carries nested returns and lines (query cost)
_POLICY_WINDOW_DAYS = 30  # Shopify's return rules are not in the Admin API's order data

# --- the documents (tests/services/sync/test_shopify_schema.py validates each one) -------------

PULL_QUERY = """
query ReturnsdeskPull($first: Int!, $after: String, $search: String) {
  orders(first: $first, after: $after, query: $search, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      name
      createdAt
      updatedAt
      currencyCode
      email
      customer { displayName tags }
      customerLocale
      paymentGatewayNames
      lineItems(first: 100) {
        nodes {
          id
          sku
          title
          quantity
          discountedUnitPriceAfterAllDiscountsSet { shopMoney { amount currencyCode } }
          product { title productType }
          variant { sku barcode inventoryItem { id } }
        }
      }
      returns(first: 20, query: "status:OPEN") {
        nodes {
          id
          name
          status
          createdAt
          returnLineItems(first: 100) {
            nodes {
              ... on ReturnLineItem {
                id
                quantity
                customerNote
                returnReasonNote
                returnReasonDefinition { handle }
                fulfillmentLineItem { lineItem { id } }
              }
            }
          }
          reverseFulfillmentOrders(first: 10) {
            nodes {
              id
              lineItems(first: 100) {
                nodes { id totalQuantity fulfillmentLineItem { lineItem { id } } }
              }
              reverseDeliveries(first: 10) {
                nodes {
                  deliverable {
                    ... on ReverseDeliveryShippingDeliverable {
                      tracking { number carrierName }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
"""

ORDER_QUERY = """
query ReturnsdeskOrder($search: String!) {
  orders(first: 1, query: $search) {
    nodes {
      id
      name
      currencyCode
      transactions(first: 50) { id kind status gateway }
      returns(first: 20) {
        nodes {
          id
          name
          status
          returnLineItems(first: 100) {
            nodes {
              ... on ReturnLineItem {
                id
                processableQuantity
                fulfillmentLineItem { lineItem { id } }
              }
            }
          }
          reverseFulfillmentOrders(first: 10) {
            nodes {
              lineItems(first: 100) {
                nodes { id totalQuantity fulfillmentLineItem { lineItem { id } } }
              }
            }
          }
        }
      }
    }
  }
}
"""

INVENTORY_ITEM_QUERY = """
query ReturnsdeskInventoryItem($search: String!) {
  inventoryItems(first: 1, query: $search) { nodes { id sku } }
}
"""

LOCATION_QUERY = """
query ReturnsdeskLocation {
  locations(first: 1, query: "active:true") { nodes { id name } }
}
"""

RETURN_PROCESS = """
mutation ReturnsdeskReturnProcess($input: ReturnProcessInput!, $key: String!) {
  returnProcess(input: $input) @idempotent(key: $key) {
    return { id status }
    userErrors { field message code }
  }
}
"""

REFUND_CREATE = """
mutation ReturnsdeskRefundCreate($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id totalRefundedSet { shopMoney { amount currencyCode } } }
    userErrors { field message }
  }
}
"""

INVENTORY_ADJUST = """
mutation ReturnsdeskInventoryAdjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason changes { name delta } }
    userErrors { field message code }
  }
}
"""

DOCUMENTS = {
    "pull": PULL_QUERY,
    "order": ORDER_QUERY,
    "inventory_item": INVENTORY_ITEM_QUERY,
    "location": LOCATION_QUERY,
    "returnProcess": RETURN_PROCESS,
    "refundCreate": REFUND_CREATE,
    "inventoryAdjustQuantities": INVENTORY_ADJUST,
}

# The station's disposition -> Shopify's ReverseFulfillmentOrderDispositionType.
DISPOSITION_TYPES = {
    "restock": "RESTOCKED",
    "refurbish": "PROCESSING_REQUIRED",
    "liquidate": "NOT_RESTOCKED",
    "recycle": "NOT_RESTOCKED",
    "missing": "MISSING",
}
# The station's disposition -> (inventory quantity name, reason) for inventoryAdjustQuantities;
# None: no adjustment (restocked by returnProcess, or gone from stock).
INVENTORY_STATES: dict[str, tuple[str, str] | None] = {
    "restock": None,
    "refurbish": ("quality_control", "quality_control"),
    "liquidate": ("damaged", "damaged"),
    "recycle": None,
}
_NO_CALL = {
    "return.received": "Shopify has no receipt call; returnProcess books the outcome",
    "unit.inspected": "dispositions reach Shopify inside returnProcess",
    "return.closed": "returnProcess closes a fully processed return",
    "customer.notification": "Shopify notifies the customer of its refunds itself",
    "audit.anchored": "Shopify keeps no audit anchors",
}
_REFUNDABLE_KINDS = ("SALE", "CAPTURE")


@dataclass(frozen=True, slots=True)
class ThrottleStatus:
    maximum_available: float
    currently_available: float
    restore_rate: float


class _Transient(Exception):
    """The outcome is unknown or the shop is busy: the same call may be sent again."""

    def __init__(
        self, detail: str, *, retry_after_s: float | None = None, status_code: int | None = None
    ) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s
        self.status_code = status_code


class _Refused(Exception):
    """Shopify refused the call itself: the same call would be refused again."""

    def __init__(self, detail: str, *, status_code: int | None = None) -> None:
        super().__init__(detail)
        self.status_code = status_code


class _NotSendable(Exception):
    """The event cannot become a Shopify call (a payload or shop data it needs is missing)."""


class ShopifyConnector:
    """Pull and ``deliver`` against one shop; ``shop_url`` is ``https://NAME.myshopify.com``
    (or a stand-in's loopback address)."""

    def __init__(
        self,
        shop_url: str,
        token: str,
        *,
        api_version: str = DEFAULT_API_VERSION,
        location_id: str | None = None,
        client: httpx.Client | None = None,
        timeout_s: float = 10.0,
        clock: Clock = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        pull_throttle_waits: int = 5,
    ) -> None:
        url = httpx.URL(shop_url.rstrip("/"))
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(
                f"Shopify shop URL must be https://SHOP.myshopify.com, not {shop_url!r}"
            )
        self.endpoint = f"{url.scheme}://{url.netloc.decode()}/admin/api/{api_version}/graphql.json"
        self.timeout_s = timeout_s
        self.throttle: ThrottleStatus | None = None  # from the last answer that reported it
        self._token = token
        self._location_id = location_id
        self._clock = clock
        self._sleep = sleep
        self._pull_throttle_waits = pull_throttle_waits
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(follow_redirects=False)
        self._timeout = httpx.Timeout(timeout_s)

    def __repr__(self) -> str:  # no token in logs or crash reports
        return f"ShopifyConnector({self.endpoint!r})"

    def key_outcome(self, key: str) -> KeyOutcome:
        """Shopify replays an ``@idempotent`` key's answer but cannot be asked what it did, so
        a parked event is never resent under a new key here (that could pay twice)."""
        raise KeyOutcomeUnavailable(
            "Shopify cannot say what an earlier attempt did: check the order in Shopify's admin,"
            " then mark the event resolved."
        )

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> ShopifyConnector:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- the transport -------------------------------------------------------------------------

    def _post(self, document: str, variables: Mapping[str, Any], where: str) -> dict[str, Any]:
        """The ``data`` of one GraphQL call; raises ``_Transient`` or ``_Refused``."""
        body = json.dumps(
            {"query": document, "variables": dict(variables)},
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )
        try:
            response = self._client.post(
                self.endpoint,
                content=body.encode(),
                headers={
                    "X-Shopify-Access-Token": self._token,
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    "User-Agent": USER_AGENT,
                },
                timeout=self._timeout,
            )
        except httpx.TimeoutException as exc:
            raise _Transient(
                f"{where}: no answer within {self.timeout_s:g} s ({type(exc).__name__}); "
                "outcome unknown, will send again with the same key"
            ) from None
        except httpx.HTTPError as exc:
            raise _Transient(f"{where}: {type(exc).__name__}: {exc}"[:_MESSAGE_LIMIT]) from None
        code = response.status_code
        if code != 200:
            message = f"{where}: HTTP {code} {_error_text(response)}".rstrip()
            retry_after = parse_retry_after(response.headers.get("Retry-After"), now=self._clock())
            if code in (408, 429) or code >= 500:
                raise _Transient(message, retry_after_s=retry_after, status_code=code)
            if code in (401, 403):
                raise _Transient(f"{message} (check the Shopify access token)", status_code=code)
            if 300 <= code < 400:
                raise _Transient(f"{message} (check order_system.url)", status_code=code)
            raise _Refused(message, status_code=code)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise _Transient(
                f"{where}: HTTP 200 with an unreadable body; outcome unknown", status_code=200
            )
        requested = self._note_cost(answer)
        errors = answer.get("errors")
        if errors:
            if _throttled(errors):
                raise _Transient(
                    f"{where}: THROTTLED by Shopify (query cost {requested:g})",
                    retry_after_s=self._refill_delay(requested),
                    status_code=200,
                )
            text = "; ".join(_graphql_error_text(e) for e in _as_list(errors))
            if _internal(errors):
                raise _Transient(f"{where}: {text}"[:_MESSAGE_LIMIT], status_code=200)
            raise _Refused(f"{where}: {text}"[:_MESSAGE_LIMIT], status_code=200)
        data = answer.get("data")
        if not isinstance(data, dict):
            raise _Transient(f"{where}: HTTP 200 without data; outcome unknown", status_code=200)
        return data

    def _note_cost(self, answer: Mapping[str, Any]) -> float:
        cost = _path(answer, "extensions", "cost")
        if not isinstance(cost, Mapping):
            return 0.0
        status = cost.get("throttleStatus")
        if isinstance(status, Mapping):
            with contextlib.suppress(KeyError, TypeError, ValueError):
                self.throttle = ThrottleStatus(
                    float(status["maximumAvailable"]),
                    float(status["currentlyAvailable"]),
                    float(status["restoreRate"]),
                )
        requested = cost.get("requestedQueryCost")
        return float(requested) if isinstance(requested, int | float) else 0.0

    def _refill_delay(self, requested: float) -> float:
        """Seconds until the bucket holds ``requested`` points again (at least a tenth)."""
        status = self.throttle
        if status is None or status.restore_rate <= 0:
            return 1.0
        return max((requested - status.currently_available) / status.restore_rate, 0.1)

    # --- inbound -------------------------------------------------------------------------------

    def fetch_return_changes(self, cursor: str, limit: int) -> object:
        """One page of changed orders' OPEN returns, in the sync contract's changes shape.

        The cursor is ``SINCE|AFTER``: the ``updatedAt`` the query starts from, and the page
        cursor within that query. Raises ``PullFailed`` (``MalformedAnswer`` for a bad shape).
        """
        since, _, after = cursor.partition("|")
        variables = {
            "first": max(1, min(limit, _PAGE_LIMIT)),
            "after": after or None,
            "search": f"updated_at:>='{since}'" if since else None,
        }
        waits = 0
        while True:
            try:
                data = self._post(PULL_QUERY, variables, "orders (pull)")
                break
            except _Transient as exc:
                if "THROTTLED" in str(exc) and waits < self._pull_throttle_waits:
                    waits += 1
                    self._sleep(exc.retry_after_s or 1.0)
                    continue
                raise PullFailed(str(exc)) from None
            except _Refused as exc:
                raise PullFailed(str(exc)) from None
        try:
            return _changes_page(data, since)
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            raise MalformedAnswer(
                f"Shopify orders page out of shape: {type(exc).__name__}: {exc}"[:_MESSAGE_LIMIT]
            ) from None

    # --- outbound ------------------------------------------------------------------------------

    def deliver(self, event: OutboxEventView) -> DeliveryResult:
        try:
            return self._deliver(event)
        except _Transient as exc:
            return DeliveryResult.retry(
                str(exc), retry_after_s=exc.retry_after_s, status_code=exc.status_code
            )
        except _Refused as exc:
            return DeliveryResult.parked(str(exc), status_code=exc.status_code)
        except _NotSendable as exc:
            return DeliveryResult.parked(f"{event.event_type}: {exc}", remote_call=False)
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            return DeliveryResult.parked(
                f"{event.event_type} payload cannot be sent: {type(exc).__name__}: {exc}",
                remote_call=False,
            )

    def _deliver(self, event: OutboxEventView) -> DeliveryResult:
        kind, payload = event.event_type, event.payload
        if kind in _NO_CALL:
            return DeliveryResult.no_op(f"no Shopify call: {_NO_CALL[kind]}")
        if kind == "stock.adjusted":
            return self._stock_adjusted(payload, event.idempotency_key)
        if kind == "refund.requested":
            return self._refund(payload, event.idempotency_key, approved_later=False)
        if kind == "refund.approved":
            return self._refund(payload, event.idempotency_key, approved_later=True)
        raise _NotSendable(f"no Shopify call is defined for event type {kind!r}")

    def _mutate(
        self, name: str, document: str, payload_input: dict[str, Any], key: str
    ) -> DeliveryResult:
        data = self._post(document, {"input": payload_input, "key": key}, name)
        result = data.get(name)
        if not isinstance(result, Mapping):
            raise _Transient(f"{name}: no result in the answer; outcome unknown", status_code=200)
        errors = result.get("userErrors") or []
        if errors:
            text = "; ".join(_user_error_text(e) for e in _as_list(errors))
            return DeliveryResult.parked(f"{name}: {text}"[:_MESSAGE_LIMIT], status_code=200)
        return DeliveryResult.delivered(f"{name}: done", status_code=200)

    def _stock_adjusted(self, p: Mapping[str, Any], key: str) -> DeliveryResult:
        disposition = _text(p["reason"]).removeprefix("return_")
        if disposition not in INVENTORY_STATES:
            raise _NotSendable(f"no Shopify inventory state for disposition {disposition!r}")
        state = INVENTORY_STATES[disposition]
        if state is None:
            why = "returnProcess restocks it" if disposition == "restock" else "it leaves stock"
            return DeliveryResult.no_op(f"no Shopify call for {disposition}: {why}")
        delta = p["quantity_delta"]
        if not isinstance(delta, int) or isinstance(delta, bool):
            raise ValueError(f"quantity_delta must be an integer, not {delta!r}")
        sku = _text(p["sku"])
        found = self._post(
            INVENTORY_ITEM_QUERY, {"search": f"sku:'{_quoted(sku)}'"}, "inventoryItems"
        )
        items = _path(found, "inventoryItems", "nodes") or []
        if not items:
            raise _NotSendable(f"Shopify has no inventory item with SKU {sku!r}")
        name, reason = state
        inspection = _text(p["inspection_id"])
        change_input = {
            "name": name,
            "reason": reason,
            "referenceDocumentUri": f"gid://returnsdesk/Inspection/{inspection}",
            "changes": [
                {
                    "delta": delta,
                    "inventoryItemId": _text(items[0]["id"]),
                    "locationId": self._location(),
                    "ledgerDocumentUri": f"gid://returnsdesk/StockMovement/{inspection}",
                    "changeFromQuantity": None,  # the station counts returns in, not stock
                }
            ],
        }
        return self._mutate("inventoryAdjustQuantities", INVENTORY_ADJUST, change_input, key)

    def _location(self) -> str:
        if self._location_id is None:
            found = self._post(LOCATION_QUERY, {}, "locations")
            nodes = _path(found, "locations", "nodes") or []
            if not nodes:
                raise _NotSendable("Shopify has no active location to restock at")
            self._location_id = _text(nodes[0]["id"])
        return self._location_id

    def _refund(self, p: Mapping[str, Any], key: str, *, approved_later: bool) -> DeliveryResult:
        status = RefundStatus(p["status"])
        currency = _text(p["currency"])
        total = _money(p["total"], currency)
        pays = status is RefundStatus.APPROVED and Decimal(total) > 0
        lines: Sequence[Mapping[str, Any]] = p["lines"]
        if approved_later and not pays:
            return DeliveryResult.no_op(f"refund is {status.value}: nothing to pay")
        order_number = _text(p["order_number"])
        found = self._post(ORDER_QUERY, {"search": f"name:'{_quoted(order_number)}'"}, "orders")
        orders = _path(found, "orders", "nodes") or []
        if not orders:
            raise _NotSendable(f"Shopify has no order {order_number!r}")
        order = orders[0]
        shop_return = next(
            (r for r in _nodes(order.get("returns")) if r.get("name") == p["rma_number"]), None
        )
        if shop_return is not None and not approved_later:
            process = self._return_process_input(shop_return, lines)
            if pays:
                process["financialTransfer"] = {
                    "issueRefund": {
                        "orderTransactions": [
                            {
                                "parentId": _parent_transaction(order),
                                "transactionAmount": {"amount": total, "currencyCode": currency},
                            }
                        ]
                    }
                }
            return self._mutate("returnProcess", RETURN_PROCESS, process, key)
        if not pays:
            return DeliveryResult.no_op(f"refund is {status.value} or 0: nothing to pay")
        refund: dict[str, Any] = {
            "orderId": _text(order["id"]),
            "currency": currency,
            "note": f"Return {p['rma_number']} inspected (station refund {p['refund_id']})",
            "transactions": [
                {
                    "orderId": _text(order["id"]),
                    "parentId": _parent_transaction(order),
                    "amount": total,
                    "gateway": _gateway(order),
                    "kind": "REFUND",
                }
            ],
        }
        if not approved_later:  # the units go with the refund; a processed return has them
            refund["refundLineItems"] = [
                {
                    "lineItemId": line_ref,
                    "quantity": count,
                    "restockType": "RETURN" if disposition == "restock" else "NO_RESTOCK",
                    **({"locationId": self._location()} if disposition == "restock" else {}),
                }
                for (line_ref, disposition), count in sorted(_units(lines).items())
                if disposition != "missing"
            ]
        return self._mutate("refundCreate", REFUND_CREATE, refund, key)

    def _return_process_input(
        self, shop_return: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]:
        by_line_item = {
            _path(item, "fulfillmentLineItem", "lineItem", "id"): item
            for item in _nodes(shop_return.get("returnLineItems"))
        }
        rfo_items = {
            _path(item, "fulfillmentLineItem", "lineItem", "id"): item
            for rfo in _nodes(shop_return.get("reverseFulfillmentOrders"))
            for item in _nodes(rfo.get("lineItems"))
        }
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for (line_ref, disposition), count in sorted(_units(lines).items()):
            if line_ref not in by_line_item or line_ref not in rfo_items:
                raise _NotSendable(
                    f"return {shop_return.get('name')} has no line for order line {line_ref!r}"
                )
            if disposition not in DISPOSITION_TYPES:
                raise _NotSendable(f"no Shopify disposition for {disposition!r}")
            dispose: dict[str, Any] = {
                "dispositionType": DISPOSITION_TYPES[disposition],
                "quantity": count,
                "reverseFulfillmentOrderLineItemId": _text(rfo_items[line_ref]["id"]),
            }
            if disposition == "restock":
                dispose["locationId"] = self._location()
            grouped[line_ref].append(dispose)
        return {
            "returnId": _text(shop_return["id"]),
            "returnLineItems": [
                {
                    "id": _text(by_line_item[line_ref]["id"]),
                    "quantity": sum(d["quantity"] for d in dispositions),
                    "dispositions": dispositions,
                }
                for line_ref, dispositions in grouped.items()
            ],
            "notifyCustomer": False,  # the shop's own notification settings decide
        }


# --- shaping a pulled page ---------------------------------------------------------------------


def _changes_page(data: Mapping[str, Any], since: str) -> dict[str, Any]:
    orders = data["orders"]
    info = orders["pageInfo"]
    items: list[dict[str, Any]] = []
    newest = since
    for order in orders["nodes"]:
        updated = _text(order["updatedAt"])
        newest = max(newest, updated)
        items.extend(_contract_return(order, r) for r in _nodes(order.get("returns")))
    has_more = bool(info["hasNextPage"])
    end = info.get("endCursor")
    next_cursor = f"{since}|{end}" if has_more and end else f"{newest}|"
    return {"items": items, "next_cursor": next_cursor, "has_more": has_more}


def _contract_return(order: Mapping[str, Any], shop_return: Mapping[str, Any]) -> dict[str, Any]:
    currency = _text(order["currencyCode"])
    customer = order.get("customer") or {}
    lines = [_contract_order_line(line, currency) for line in _nodes(order["lineItems"])]
    tracking = [
        {"number": t["number"], "carrier": t.get("carrierName") or ""}
        for rfo in _nodes(shop_return.get("reverseFulfillmentOrders"))
        for delivery in _nodes(rfo.get("reverseDeliveries"))
        if (t := _path(delivery, "deliverable", "tracking")) and t.get("number")
    ]
    skus = {line["line_ref"]: line["sku"] for line in lines}
    return_lines = []
    for item in _nodes(shop_return.get("returnLineItems")):
        line_ref = _path(item, "fulfillmentLineItem", "lineItem", "id")
        return_lines.append(
            {
                "line_ref": line_ref,
                "sku": skus.get(line_ref, ""),
                "quantity": item["quantity"],
                "reason_code": _path(item, "returnReasonDefinition", "handle") or "other",
                "comment": item.get("customerNote") or item.get("returnReasonNote") or "",
            }
        )
    return {
        "rma_number": shop_return["name"],
        "status": "authorised",  # only OPEN returns are pulled
        "created_at": shop_return["createdAt"],
        "updated_at": order["updatedAt"],
        "policy_window_days": _POLICY_WINDOW_DAYS,
        "tracking_numbers": tracking,
        "order": {
            "number": order["name"],
            "placed_at": order["createdAt"],
            "delivered_at": None,
            "currency": currency,
            "customer": {
                "name": customer.get("displayName") or "",
                "email": order.get("email") or "",
            },
            "customer_language": language_tag(order.get("customerLocale")),
            "payment_method": payment_method(order.get("paymentGatewayNames") or []),
            "lines": lines,
        },
        "lines": return_lines,
        "customer_tier": tier_of(customer.get("tags") or []),
    }


_TIER_TAG = "tier:"


def tier_of(tags: Sequence[object]) -> str | None:
    """The customer's tier from a tag ``tier:gold`` (Shopify has no tiers of its own; shops tag
    customers, often by an app); the first such tag that names one, None without any."""
    for tag in tags:
        if isinstance(tag, str) and tag.strip().casefold().startswith(_TIER_TAG):
            tier = customer_tier(tag.strip()[len(_TIER_TAG) :])
            if tier is not None and len(tier) <= TIER_LIMIT:
                return tier
    return None


# Shopify's gateway names for the payment methods of [messages] lead_times; any other gateway
# goes on by its own name ("Klarna" is "klarna"), for which a shop may set a lead time too.
_GATEWAY_METHODS = {
    "shopify_payments": "card",
    "stripe": "card",
    "paypal": "paypal",
    "paypal_express_checkout": "paypal",
    "bank_deposit": "bank_transfer",
}
# Not how the customer is paid back: a gift card's share is refunded to the gift card.
_NOT_A_METHOD = {"gift_card"}


def payment_method(gateways: Sequence[object]) -> str | None:
    """The order's payment method as a lead-time key, from its first real payment gateway."""
    for gateway in gateways:
        word = payment_method_word(gateway if isinstance(gateway, str) else None)
        if word is not None and word not in _NOT_A_METHOD:
            return _GATEWAY_METHODS.get(word, word)
    return None


def _contract_order_line(line: Mapping[str, Any], currency: str) -> dict[str, Any]:
    variant = line.get("variant") or {}
    product = line.get("product") or {}
    line_id = _text(line["id"])
    sku = line.get("sku") or variant.get("sku") or line_id.rsplit("/", 1)[-1]
    price = _money(
        _path(line, "discountedUnitPriceAfterAllDiscountsSet", "shopMoney", "amount"), currency
    )
    barcode = (variant.get("barcode") or "").strip()
    return {
        "line_ref": line_id,
        "sku": sku,
        "title": line.get("title") or "",
        "quantity": line["quantity"],
        "unit_price": price,
        "serial_numbers": [],
        "product": {
            "title": product.get("title") or line.get("title") or "",
            "category": product.get("productType") or "",
            "unit_value": price,
            # Shopify barcodes are free text; only a GTIN with its check digit is kept.
            "gtins": [barcode] if barcode.isdigit() and is_valid_gtin(barcode) else [],
            "serialised": False,
        },
    }


# --- small readers -----------------------------------------------------------------------------


def _units(lines: Sequence[Mapping[str, Any]]) -> Counter[tuple[str, str]]:
    """Units per (order line, disposition); the station refunds unit by unit."""
    counted: Counter[tuple[str, str]] = Counter()
    for line in lines:
        line_ref = line.get("line_ref")
        if not isinstance(line_ref, str) or not line_ref:
            raise _NotSendable(f"line {line.get('sku')!r} has no Shopify line (not pulled)")
        disposition = line.get("disposition")
        if not isinstance(disposition, str):
            raise _NotSendable(f"line {line.get('sku')!r} has no disposition")
        counted[(line_ref, disposition)] += 1
    return counted


def _parent_transaction(order: Mapping[str, Any]) -> str:
    for transaction in order.get("transactions") or []:
        if transaction.get("kind") in _REFUNDABLE_KINDS and transaction.get("status") == "SUCCESS":
            return _text(transaction["id"])
    raise _NotSendable(f"order {order.get('name')} has no paid transaction to refund")


def _gateway(order: Mapping[str, Any]) -> str:
    for transaction in order.get("transactions") or []:
        if transaction.get("kind") in _REFUNDABLE_KINDS and transaction.get("gateway"):
            return str(transaction["gateway"])
    return "manual"


def _nodes(field: object) -> list[Mapping[str, Any]]:
    """The nodes of a GraphQL connection field (``{"nodes": [...]}``) in an answer."""
    if not isinstance(field, Mapping):
        return []
    nodes = field.get("nodes")
    return [n for n in nodes if isinstance(n, Mapping)] if isinstance(nodes, list) else []


def _path(value: object, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _throttled(errors: object) -> bool:
    return any(_path(e, "extensions", "code") == "THROTTLED" for e in _as_list(errors))


def _internal(errors: object) -> bool:
    return any(_path(e, "extensions", "code") == "INTERNAL_SERVER_ERROR" for e in _as_list(errors))


def _graphql_error_text(error: object) -> str:
    if isinstance(error, Mapping):
        return str(error.get("message", error))
    return str(error)


def _user_error_text(error: object) -> str:
    if not isinstance(error, Mapping):
        return str(error)
    field = error.get("field")
    where = f" ({'.'.join(str(f) for f in field)})" if isinstance(field, list) and field else ""
    return f"{error.get('message', '')}{where}"


def _error_text(response: httpx.Response) -> str:
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if isinstance(answer, Mapping) and "errors" in answer:
        errors = answer["errors"]
        if isinstance(errors, str):
            return errors[:_MESSAGE_LIMIT]
        return "; ".join(_graphql_error_text(e) for e in _as_list(errors))[:_MESSAGE_LIMIT]
    return response.text.strip().replace("\n", " ")[:_MESSAGE_LIMIT]


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected non-empty text, not {value!r}")
    return value


def _quoted(value: str) -> str:
    """A value inside single quotes of Shopify's search syntax."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _money(value: object, currency: str) -> str:
    """A decimal amount in the currency's minor unit ("89.00"); more digits are refused."""
    if not isinstance(value, str | int | Decimal) or isinstance(value, bool):
        raise ValueError(f"expected a decimal amount, not {value!r}")
    amount = Decimal(value)
    minor = Decimal(1).scaleb(-currency_exponent(currency))
    if not amount.is_finite() or amount != amount.quantize(minor):
        raise ValueError(f"{value} {currency} is not an amount in the currency's minor unit")
    return f"{amount.quantize(minor):f}"
