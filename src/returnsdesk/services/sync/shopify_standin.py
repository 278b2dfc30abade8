"""A STAND-IN for a Shopify shop, for tests and demos: not Shopify, and no substitute for it.

It executes Shopify's own Admin GraphQL schema (``resources/shopify``, via graphql-core) on
loopback, so a document or input the real API would refuse as unknown is refused here too.
Resolvers cover only what ``shopify.ShopifyConnector`` uses, over real state: orders with
their line items, transactions and refunds, returns with reverse fulfillment orders and
reverse deliveries, inventory levels by (item, location, quantity name). Like Shopify it:

* serves ``POST /admin/api/<version>/graphql.json`` and checks ``X-Shopify-Access-Token``;
* replays ``@idempotent(key:)`` mutations: the same key gives the first result again and
  applies nothing twice (the three mutations refuse to run without a key);
* refuses an over-refund (more than paid minus refunded) with ``userErrors``;
* throttles by query cost with a leaky bucket, answering ``THROTTLED`` with
  ``extensions.cost.throttleStatus``. The cost is a simplification of Shopify's (1 per call
  plus each connection's ``first``; 10 per mutation).

``fail_next`` queues plain HTTP answers (503, 429, ...) for fault tests.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLResolveInfo,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    execute_sync,
    get_named_type,
    parse,
    validate,
)
from graphql.execution.values import get_directive_values

from returnsdesk.domain.clock import utc_now
from returnsdesk.services.sync.shopify import DEFAULT_API_VERSION
from returnsdesk.services.sync.shopify_schema import admin_schema

INVENTORY_NAMES = frozenset({"available", "damaged", "quality_control", "safety_stock", "reserved"})
INVENTORY_REASONS = frozenset(
    {"correction", "damaged", "quality_control", "restock", "received", "other", "shrinkage"}
)
_MUTATION_COST = 10
_IDEMPOTENT = ("returnProcess", "refundCreate", "inventoryAdjustQuantities")
_KEPT_DOCUMENTS = 64


@dataclass
class StandinLine:
    sku: str
    title: str
    price: Decimal
    quantity: int = 1
    barcode: str = ""
    product_type: str = "apparel"


@dataclass
class LeakyBucket:
    """Shopify's cost limit: ``maximum`` points, refilled at ``restore_rate`` per second."""

    maximum: float = 2000.0
    restore_rate: float = 100.0
    clock: Callable[[], float] = time.monotonic
    available: float = field(init=False)
    _at: float = field(init=False)

    def __post_init__(self) -> None:
        self.available = self.maximum
        self._at = self.clock()

    def take(self, cost: float) -> bool:
        now = self.clock()
        self.available = min(self.maximum, self.available + (now - self._at) * self.restore_rate)
        self._at = now
        if cost > self.available:
            return False
        self.available -= cost
        return True

    def status(self) -> dict[str, float]:
        return {
            "maximumAvailable": self.maximum,
            "currentlyAvailable": self.available,
            "restoreRate": self.restore_rate,
        }


class StandinShop:
    """The shop's state and its GraphQL endpoint (``answer``); ``serve()`` puts it on loopback."""

    def __init__(
        self,
        *,
        token: str = "standin-token",
        api_version: str = DEFAULT_API_VERSION,
        bucket: LeakyBucket | None = None,
        location_name: str = "Returns warehouse",
    ) -> None:
        self.token = token
        self.api_version = api_version
        self.schema = admin_schema(api_version)
        self.bucket = bucket if bucket is not None else LeakyBucket()
        self.lock = threading.Lock()
        self._ids = itertools.count(1001)
        self.location: dict[str, Any] = {
            "id": self._gid("Location"),
            "name": location_name,
            "isActive": True,
        }
        self.orders: list[dict[str, Any]] = []
        self.items_by_sku: dict[str, dict[str, Any]] = {}
        self.inventory: dict[tuple[str, str, str], int] = {}  # (item id, location id, name)
        self.refunds: list[dict[str, Any]] = []
        self.processed: list[dict[str, Any]] = []  # each returnProcess applied
        self.adjustments: list[dict[str, Any]] = []  # each inventory adjustment group applied
        self.replayed = 0  # mutations answered from the idempotency store
        self.fail_next: list[tuple[int, dict[str, str]]] = []  # (status, headers) to answer first
        self.requests = 0
        self._idempotent: dict[tuple[str, str], Any] = {}
        # document text -> (parsed, validation errors): a client sends the same few documents,
        # and validating one against 3,500 types costs far more than executing it
        self._documents: dict[str, tuple[DocumentNode, list[GraphQLError]]] = {}

    def _gid(self, kind: str) -> str:
        return f"gid://shopify/{kind}/{next(self._ids)}"

    # --- seeding ---------------------------------------------------------------------------

    def add_order(
        self,
        name: str,
        lines: list[StandinLine],
        *,
        customer: str = "Dana Customer",
        email: str = "dana@example.com",
        currency: str = "EUR",
        at: str = "2026-11-20T10:00:00Z",
        locale: str | None = "en",
        gateway: str = "manual",
        tags: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        order_id = self._gid("Order")
        line_items = []
        for line in lines:
            item = self.items_by_sku.get(line.sku)
            if item is None:
                item = {"id": self._gid("InventoryItem"), "sku": line.sku}
                self.items_by_sku[line.sku] = item
            money = {"amount": f"{line.price:f}", "currencyCode": currency}
            line_items.append(
                {
                    "id": self._gid("LineItem"),
                    "sku": line.sku,
                    "title": line.title,
                    "quantity": line.quantity,
                    "discountedUnitPriceAfterAllDiscountsSet": {
                        "shopMoney": money,
                        "presentmentMoney": money,
                    },
                    "product": {"title": line.title, "productType": line.product_type},
                    "variant": {"sku": line.sku, "barcode": line.barcode, "inventoryItem": item},
                }
            )
        paid = sum((line.price * line.quantity for line in lines), Decimal(0))
        order = {
            "id": order_id,
            "name": name,
            "createdAt": at,
            "updatedAt": at,
            "currencyCode": currency,
            "email": email,
            "customer": {"displayName": customer, "tags": list(tags)},
            "customerLocale": locale,
            "paymentGatewayNames": [gateway],
            "lineItems": line_items,
            "returns": [],
            "transactions": [
                {
                    "id": self._gid("OrderTransaction"),
                    "kind": "SALE",
                    "status": "SUCCESS",
                    "gateway": gateway,
                    "amount": paid,
                }
            ],
            "refunds": [],
        }
        self.orders.append(order)
        return order

    def add_return(
        self,
        order: dict[str, Any],
        items: list[tuple[str, int]],
        *,
        tracking: str | None = None,
        carrier: str = "UPS",
        at: str = "2026-11-21T09:00:00Z",
    ) -> dict[str, Any]:
        """An OPEN return of ``(sku, quantity)`` with one reverse fulfillment order."""
        by_sku = {line["sku"]: line for line in order["lineItems"]}
        return_items, rfo_items = [], []
        for sku, quantity in items:
            fulfillment = {"id": self._gid("FulfillmentLineItem"), "lineItem": by_sku[sku]}
            return_items.append(
                {
                    "__typename": "ReturnLineItem",
                    "id": self._gid("ReturnLineItem"),
                    "quantity": quantity,
                    "processableQuantity": quantity,
                    "customerNote": "",
                    "returnReasonNote": "",
                    "returnReasonDefinition": {"handle": "size-too-small", "name": "Too small"},
                    "fulfillmentLineItem": fulfillment,
                }
            )
            rfo_items.append(
                {
                    "id": self._gid("ReverseFulfillmentOrderLineItem"),
                    "totalQuantity": quantity,
                    "fulfillmentLineItem": fulfillment,
                    "dispositions": [],
                }
            )
        deliveries = []
        if tracking is not None:
            deliveries.append(
                {
                    "id": self._gid("ReverseDelivery"),
                    "deliverable": {
                        "__typename": "ReverseDeliveryShippingDeliverable",
                        "tracking": {"number": tracking, "carrierName": carrier, "url": None},
                    },
                }
            )
        shop_return = {
            "id": self._gid("Return"),
            "name": f"{order['name']}-R{len(order['returns']) + 1}",
            "status": "OPEN",
            "createdAt": at,
            "returnLineItems": return_items,
            "reverseFulfillmentOrders": [
                {
                    "id": self._gid("ReverseFulfillmentOrder"),
                    "lineItems": rfo_items,
                    "reverseDeliveries": deliveries,
                }
            ],
        }
        order["returns"].append(shop_return)
        order["updatedAt"] = at
        return shop_return

    # --- reading state (tests, the demo) ---------------------------------------------------

    def refunded(self, order: Mapping[str, Any]) -> Decimal:
        return sum((Decimal(r["amount"]) for r in order["refunds"]), Decimal(0))

    def stock(self, sku: str, name: str = "available") -> int:
        item = self.items_by_sku[sku]["id"]
        return self.inventory.get((item, self.location["id"], name), 0)

    def snapshot_for_tests(self) -> dict[str, Any]:
        """TEST-ONLY, no Shopify API: what the shop holds, as plain JSON, for tests that run
        the stand-in in another process and check it after the relay has delivered."""
        with self.lock:
            skus = {item["id"]: sku for sku, item in self.items_by_sku.items()}
            return {
                "returns": {r["name"]: r["status"] for o in self.orders for r in o["returns"]},
                "processed": [p["return"] for p in self.processed],
                "refunds": [
                    {"order": o["name"], "amount": f"{Decimal(r['amount']):f}"}
                    for o in self.orders
                    for r in o["refunds"]
                ],
                "adjustments": [
                    {
                        "name": a["name"],
                        "reason": a["reason"],
                        "reference": a["input"].get("referenceDocumentUri"),
                        "changes": [
                            [skus[c["inventoryItemId"]], c["delta"]] for c in a["input"]["changes"]
                        ],
                    }
                    for a in self.adjustments
                ],
                "inventory": [
                    [skus[item], name, quantity]
                    for (item, location, name), quantity in sorted(self.inventory.items())
                    if location == self.location["id"]
                ],
                "keys": sorted(key for _field, key in self._idempotent),
                "replayed": self.replayed,
                "requests": self.requests,
            }

    # --- the endpoint ----------------------------------------------------------------------

    def answer(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The JSON answer to one GraphQL request (HTTP 200 in every case, as Shopify)."""
        query, variables = body.get("query"), body.get("variables") or {}
        if not isinstance(query, str) or not isinstance(variables, dict):
            return {"errors": [{"message": "Bad request: query and variables expected"}]}
        with self.lock:
            try:
                document, invalid = self._checked(query)
            except Exception as exc:  # noqa: BLE001 - a GraphQLSyntaxError, answered as Shopify
                return {"errors": [{"message": str(exc)}]}
            cost = _cost(document, variables)
            if not self.bucket.take(cost):
                return {
                    "errors": [
                        {
                            "message": "Throttled",
                            "extensions": {"code": "THROTTLED"},
                        }
                    ],
                    "extensions": self._cost_extension(cost, None),
                }
            result = (
                ExecutionResult(data=None, errors=invalid)
                if invalid
                else execute_sync(
                    self.schema,
                    document,
                    root_value=self._root(document),
                    variable_values=variables,
                    field_resolver=_resolve,
                )
            )
            answer: dict[str, Any] = {"data": result.data}
            if result.errors:
                answer["errors"] = [error.formatted for error in result.errors]
            answer["extensions"] = self._cost_extension(cost, cost)
            return answer

    def _checked(self, query: str) -> tuple[DocumentNode, list[GraphQLError]]:
        checked = self._documents.get(query)
        if checked is None:
            document = parse(query)
            checked = (document, validate(self.schema, document))
            if len(self._documents) < _KEPT_DOCUMENTS:
                self._documents[query] = checked
        return checked

    def _cost_extension(self, requested: float, actual: float | None) -> dict[str, Any]:
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": self.bucket.status(),
            }
        }

    def _root(self, document: Any) -> dict[str, Any]:
        operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        if operation.operation is OperationType.MUTATION:
            return {
                "returnProcess": self._idempotent_call(self._return_process),
                "refundCreate": self._idempotent_call(self._refund_create),
                "inventoryAdjustQuantities": self._idempotent_call(self._inventory_adjust),
            }
        return {
            "orders": self._orders,
            "inventoryItems": self._inventory_items,
            "locations": lambda info, **args: _connection([self.location], args),
        }

    # --- queries ---------------------------------------------------------------------------

    def _orders(self, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        orders = list(self.orders)
        for key, op, value in _search_terms(args.get("query")):
            if key == "name":
                orders = [o for o in orders if o["name"] == value]
            elif key == "updated_at" and op == ">=":
                orders = [o for o in orders if o["updatedAt"] >= value]
            elif key == "updated_at" and op == ">":
                orders = [o for o in orders if o["updatedAt"] > value]
        if args.get("sortKey") == "UPDATED_AT":
            orders.sort(key=lambda o: (o["updatedAt"], o["id"]))
        return _connection(orders, {k: v for k, v in args.items() if k != "query"})

    def _inventory_items(self, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        items = list(self.items_by_sku.values())
        for key, _op, value in _search_terms(args.get("query")):
            if key == "sku":
                items = [i for i in items if i["sku"] == value]
        return _connection(items, {k: v for k, v in args.items() if k != "query"})

    # --- mutations -------------------------------------------------------------------------

    def _idempotent_call(
        self, apply: Callable[[Mapping[str, Any]], dict[str, Any]]
    ) -> Callable[..., dict[str, Any]]:
        def call(info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
            directive = self.schema.get_directive("idempotent")
            assert directive is not None
            values = get_directive_values(directive, info.field_nodes[0], info.variable_values)
            if not values or not values.get("key"):
                raise ValueError(f"{info.field_name} requires @idempotent(key:) in this shop")
            stored_key = (info.field_name, values["key"])
            if stored_key in self._idempotent:
                self.replayed += 1
                return self._idempotent[stored_key]  # type: ignore[no-any-return]
            result = apply(args["input"])
            self._idempotent[stored_key] = result
            return result

        return call

    def _find_return(self, return_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        for order in self.orders:
            for shop_return in order["returns"]:
                if shop_return["id"] == return_id:
                    return order, shop_return
        return None

    def _refundable(self, order: Mapping[str, Any]) -> Decimal:
        paid = sum(
            (t["amount"] for t in order["transactions"] if t["kind"] in ("SALE", "CAPTURE")),
            Decimal(0),
        )
        return paid - self.refunded(order)

    def _return_process(self, data: Mapping[str, Any]) -> dict[str, Any]:
        found = self._find_return(data["returnId"])
        if found is None:
            return _user_error(["returnId"], "Return does not exist.", "NOT_FOUND", "return")
        order, shop_return = found
        if shop_return["status"] != "OPEN":
            return _user_error(["returnId"], "Return is not open.", "INVALID_STATE", "return")
        items = {i["id"]: i for i in shop_return["returnLineItems"]}
        rfo_items = {
            i["id"]: i for rfo in shop_return["reverseFulfillmentOrders"] for i in rfo["lineItems"]
        }
        plan = []
        for index, line in enumerate(data.get("returnLineItems") or []):
            where = ["input", "returnLineItems", str(index)]
            item = items.get(line["id"])
            if item is None:
                return _user_error(where, "Return line item does not exist.", "NOT_FOUND", "return")
            if line["quantity"] > item["processableQuantity"]:
                return _user_error(
                    where, "Quantity exceeds the processable quantity.", "INVALID", "return"
                )
            dispositions = line.get("dispositions") or []
            if sum(d["quantity"] for d in dispositions) != line["quantity"]:
                return _user_error(
                    where, "Dispositions must add up to the quantity.", "INVALID", "return"
                )
            for d in dispositions:
                if d["reverseFulfillmentOrderLineItemId"] not in rfo_items:
                    return _user_error(
                        where,
                        "Reverse fulfillment order line item does not exist.",
                        "NOT_FOUND",
                        "return",
                    )
                if (
                    d["dispositionType"] == "RESTOCKED"
                    and d.get("locationId") != self.location["id"]
                ):
                    return _user_error(
                        where, "A restocked item needs a valid location.", "INVALID", "return"
                    )
            plan.append((item, dispositions))
        amount = Decimal(0)
        parent = None
        transfer = (data.get("financialTransfer") or {}).get("issueRefund")
        if transfer is not None:
            for tx in transfer["orderTransactions"]:
                amount += Decimal(str(tx["transactionAmount"]["amount"]))
                parent = tx["parentId"]
            if not transfer.get("allowOverRefunding") and amount > self._refundable(order):
                return _user_error(
                    ["input", "financialTransfer"],
                    f"Refund amount {amount} exceeds the refundable amount "
                    f"{self._refundable(order)}.",
                    "INVALID",
                    "return",
                )
        for item, dispositions in plan:
            item["processableQuantity"] -= sum(d["quantity"] for d in dispositions)
            for d in dispositions:
                rfo_items[d["reverseFulfillmentOrderLineItemId"]]["dispositions"].append(dict(d))
                if d["dispositionType"] == "RESTOCKED":
                    inventory_item = item["fulfillmentLineItem"]["lineItem"]["variant"][
                        "inventoryItem"
                    ]["id"]
                    level = (inventory_item, d["locationId"], "available")
                    self.inventory[level] = self.inventory.get(level, 0) + d["quantity"]
        if amount > 0:
            self._book_refund(order, amount, parent, note=f"return {shop_return['name']}")
        if all(i["processableQuantity"] == 0 for i in shop_return["returnLineItems"]):
            shop_return["status"] = "CLOSED"
        self.processed.append({"return": shop_return["name"], "input": dict(data)})
        return {"return": shop_return, "userErrors": []}

    def _book_refund(
        self, order: dict[str, Any], amount: Decimal, parent: str | None, *, note: str
    ) -> dict[str, Any]:
        money = {"amount": f"{amount:f}", "currencyCode": order["currencyCode"]}
        refund = {
            "id": self._gid("Refund"),
            "amount": amount,
            "parentId": parent,
            "note": note,
            "totalRefundedSet": {"shopMoney": money, "presentmentMoney": money},
        }
        order["refunds"].append(refund)
        self.refunds.append(refund)
        return refund

    def _refund_create(self, data: Mapping[str, Any]) -> dict[str, Any]:
        order = next((o for o in self.orders if o["id"] == data["orderId"]), None)
        if order is None:
            return _user_error(["orderId"], "Order does not exist.", None, "refund")
        amount = sum(
            (Decimal(str(t["amount"])) for t in data.get("transactions") or []), Decimal(0)
        )
        if not data.get("allowOverRefunding") and amount > self._refundable(order):
            return _user_error(
                ["transactions"],
                f"Refund amount {amount} exceeds the refundable amount {self._refundable(order)}.",
                None,
                "refund",
            )
        lines = {line["id"]: line for line in order["lineItems"]}
        for index, refund_line in enumerate(data.get("refundLineItems") or []):
            if refund_line["lineItemId"] not in lines:
                return _user_error(
                    ["refundLineItems", str(index)], "Line item does not exist.", None, "refund"
                )
        for refund_line in data.get("refundLineItems") or []:
            if refund_line.get("restockType") == "RETURN":
                item = lines[refund_line["lineItemId"]]["variant"]["inventoryItem"]["id"]
                level = (item, refund_line.get("locationId") or self.location["id"], "available")
                self.inventory[level] = self.inventory.get(level, 0) + refund_line["quantity"]
        transactions = data.get("transactions") or []
        parent = transactions[0].get("parentId") if transactions else None
        refund = self._book_refund(order, amount, parent, note=data.get("note") or "")
        return {"refund": refund, "order": order, "userErrors": []}

    def _inventory_adjust(self, data: Mapping[str, Any]) -> dict[str, Any]:
        name, reason = data["name"], data["reason"]
        if name not in INVENTORY_NAMES:
            return _user_error(
                ["input", "name"],
                f"Invalid quantity name {name!r}.",
                "INVALID_QUANTITY_NAME",
                "inventory",
            )
        if reason not in INVENTORY_REASONS:
            return _user_error(
                ["input", "reason"], f"Invalid reason {reason!r}.", "INVALID_REASON", "inventory"
            )
        known = {item["id"] for item in self.items_by_sku.values()}
        for index, change in enumerate(data["changes"]):
            where = ["input", "changes", str(index)]
            if change["inventoryItemId"] not in known:
                return _user_error(
                    where, "Inventory item does not exist.", "INVALID_INVENTORY_ITEM", "inventory"
                )
            if change["locationId"] != self.location["id"]:
                return _user_error(
                    where, "Location does not exist.", "INVALID_LOCATION", "inventory"
                )
            if name != "available" and not change.get("ledgerDocumentUri"):
                return _user_error(
                    where, "A ledger document URI is required.", "INVALID", "inventory"
                )
        changes = []
        for change in data["changes"]:
            level = (change["inventoryItemId"], change["locationId"], name)
            self.inventory[level] = self.inventory.get(level, 0) + change["delta"]
            changes.append(
                {
                    "name": name,
                    "delta": change["delta"],
                    "quantityAfterChange": self.inventory[level],
                }
            )
        group = {"id": self._gid("InventoryAdjustmentGroup"), "reason": reason, "changes": changes}
        self.adjustments.append({"name": name, "reason": reason, "input": dict(data)})
        return {"inventoryAdjustmentGroup": group, "userErrors": []}

    # --- on loopback -----------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> StandinServer:
        return StandinServer(self, host, port)


class StandinServer:
    """``with shop.serve() as server: server.url`` serves the stand-in from its own thread."""

    def __init__(self, shop: StandinShop, host: str, port: int) -> None:
        self.shop = shop
        handler = type("Handler", (_Handler,), {"shop": shop})
        self._server = _Server((host, port), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="shopify-standin", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up mid-answer


class _Handler(BaseHTTPRequestHandler):
    shop: StandinShop
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        shop = self.shop
        with shop.lock:
            shop.requests += 1
            injected = shop.fail_next.pop(0) if shop.fail_next else None
        if injected is not None:
            status, headers = injected
            self._send(status, {"errors": "Injected failure (stand-in)"}, headers)
            return
        if self.path != f"/admin/api/{shop.api_version}/graphql.json":
            self._send(404, {"errors": "Not Found"})
            return
        if self.headers.get("X-Shopify-Access-Token") != shop.token:
            self._send(
                401,
                {
                    "errors": "[API] Invalid API key or access token (unrecognized login or wrong"
                    " password)"
                },
            )
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self._send(400, {"errors": "Bad Request: the body is not JSON"})
            return
        self._send(200, shop.answer(body if isinstance(body, dict) else {}))

    def _send(self, status: int, body: object, headers: Mapping[str, str] | None = None) -> None:
        data = json.dumps(body, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


# --- executing the schema ----------------------------------------------------------------------


def _resolve(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    """Dict fields by name; callables get the arguments; lists become connections."""
    value = source.get(info.field_name) if isinstance(source, Mapping) else None
    if callable(value):
        return value(info, **args)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, list) and get_named_type(info.return_type).name.endswith("Connection"):
        return _connection(value, args)
    return value


def _connection(nodes: list[Any], args: Mapping[str, Any]) -> dict[str, Any]:
    for key, _op, value in _search_terms(args.get("query")):
        if key == "status":
            nodes = [n for n in nodes if str(n.get("status", "")).upper() == value.upper()]
        elif key == "active":
            nodes = [n for n in nodes if n.get("isActive") is (value == "true")]
    start = int(args["after"]) if args.get("after") else 0
    first = args.get("first") or 50
    page = nodes[start : start + first]
    end = start + len(page)
    return {
        "nodes": page,
        "edges": [{"node": n, "cursor": str(start + i + 1)} for i, n in enumerate(page)],
        "pageInfo": {
            "hasNextPage": end < len(nodes),
            "hasPreviousPage": start > 0,
            "startCursor": str(start + 1) if page else None,
            "endCursor": str(end) if page else None,
        },
    }


def _search_terms(query: object) -> Iterator[tuple[str, str, str]]:
    """``key:value``, ``key:>='value'`` terms of Shopify's search syntax joined by AND."""
    if not isinstance(query, str):
        return
    for term in query.split(" AND "):
        key, _, rest = term.strip().partition(":")
        op = next((o for o in (">=", "<=", ">", "<") if rest.startswith(o)), "")
        value = rest[len(op) :]
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1].replace("\\'", "'").replace("\\\\", "\\")
        yield key, op, value


def _cost(document: Any, variables: Mapping[str, Any]) -> float:
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    if operation.operation is OperationType.MUTATION:
        return _MUTATION_COST
    total = 1.0

    def walk(selections: Any) -> None:
        nonlocal total
        for selection in selections or ():
            if isinstance(selection, FieldNode):
                for argument in selection.arguments or ():
                    if argument.name.value == "first":
                        node = argument.value
                        value = (
                            variables.get(node.name.value)
                            if isinstance(node, VariableNode)
                            else getattr(node, "value", 0)
                        )
                        total += float(value or 0)
            if selection.selection_set is not None:
                walk(selection.selection_set.selections)

    walk(operation.selection_set.selections)
    return total


def _user_error(field: list[str], message: str, code: str | None, kind: str) -> dict[str, Any]:
    error: dict[str, Any] = {"field": field, "message": message}
    if code is not None:
        error["code"] = code
    empty = {"return": {"return": None}, "refund": {"refund": None, "order": None}}.get(
        kind, {"inventoryAdjustmentGroup": None}
    )
    return {**empty, "userErrors": [error]}


# --- a demo shop ---------------------------------------------------------------------------


def demo_shop(token: str, now: datetime) -> StandinShop:
    """A stand-in with one paid order and an OPEN return, for trying the station against it:
    ordered two days before ``now``, returned the day before (inside the refund policy)."""
    shop = StandinShop(token=token)
    order = shop.add_order(
        "#1001",
        [
            StandinLine(
                "SHOE-42", "Trail shoe, size 42", Decimal("89.00"), barcode="4006381333931"
            ),
            StandinLine(
                "BOOT-40", "Winter boot, size 40", Decimal("129.00"), barcode="5901234123457"
            ),
        ],
        at=_iso(now - timedelta(days=2)),
    )
    shop.add_return(
        order,
        [("SHOE-42", 1), ("BOOT-40", 1)],
        tracking="1Z999AA10123456784",
        at=_iso(now - timedelta(days=1)),
    )
    return shop


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a STAND-IN Shopify shop on loopback.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="standin-token")
    args = parser.parse_args(argv)
    with demo_shop(args.token, utc_now()).serve(port=args.port) as server:
        print(f"Stand-in Shopify shop (not Shopify) at {server.url}; Ctrl+C stops it")  # noqa: T201
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
