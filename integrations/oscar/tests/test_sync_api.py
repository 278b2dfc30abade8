"""The sync contract (docs/sync-api.yaml) against the app, through Django's test client."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.test import TestCase
from oscar.core.loading import get_model
from rest_framework.test import APIClient

from returnsdesk_oscar.management.commands.seed_returnsdesk_bulk import seed_bulk
from returnsdesk_oscar.management.commands.seed_returnsdesk_demo import seed
from returnsdesk_oscar.models import IdempotencyRecord, ReturnAuthorisation

PaymentEvent = get_model("order", "PaymentEvent")
StockRecord = get_model("partner", "StockRecord")

API = "/returnsdesk/api/v1"
SHOE = "5012345000015"
JACKET = "5012345000022"


class SyncApiTestCase(TestCase):
    demo: dict[str, Any]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.demo = seed()

    def setUp(self) -> None:
        self.client_ = APIClient()
        self.client_.credentials(HTTP_AUTHORIZATION=f"Token {self.demo['staff']['token']}")

    def post(self, path: str, body: dict[str, Any], key: str | None) -> Any:
        headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
        return self.client_.post(f"{API}{path}", body, format="json", **headers)

    def get(self, path: str) -> Any:
        return self.client_.get(f"{API}{path}")

    def line_ref(self, rma: str, sku: str) -> str:
        ra = ReturnAuthorisation.objects.get(rma_number=rma)
        return str(ra.lines.get(order_line__upc=sku).order_line_id)

    def refund_body(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "rma_number": "RMA-000101",
            "currency": "GBP",
            "total": "79.99",
            "lines": [
                {
                    "line_ref": self.line_ref("RMA-000101", SHOE),
                    "sku": SHOE,
                    "quantity": 1,
                    "amount": "79.99",
                    "deduction": "10.00",
                    "deduction_reason": "worn soles",
                }
            ],
            "station_refund_id": "station-refund-1",
        }
        body.update(overrides)
        return body

    def refund_events(self, rma: str) -> list[tuple[Decimal, str]]:
        return [
            (event.amount, event.reference)
            for event in PaymentEvent.objects.filter(
                event_type__name="Refund",
                returnsdesk_refund__return_authorisation__rma_number=rma,
            )
        ]


class AuthTests(SyncApiTestCase):
    def test_no_token_is_401_with_the_error_shape(self) -> None:
        response = APIClient().get(f"{API}/orders/RD-100001")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["WWW-Authenticate"], "Token")
        self.assertEqual(response.json()["error"], "not_authenticated")
        self.assertIn("message", response.json())

    def test_a_wrong_token_is_401(self) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
        self.assertEqual(client.get(f"{API}/orders/RD-100001").status_code, 401)

    def test_a_customer_token_is_403(self) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {self.demo['customer']['token']}")
        response = client.post(f"{API}/refunds", self.refund_body(), format="json")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["error"], "forbidden")
        self.assertEqual(self.refund_events("RMA-000101"), [])


class ReadTests(SyncApiTestCase):
    def test_order_has_lines_with_prices_as_strings_and_serials(self) -> None:
        order = self.get("/orders/RD-100002").json()
        self.assertEqual(order["currency"], "GBP")
        self.assertEqual(order["customer"], {"name": "Bob Sample", "email": "bob@example.com"})
        self.assertIsNotNone(order["delivered_at"])
        headphones = order["lines"][0]
        self.assertEqual(headphones["unit_price"], "149.00")
        self.assertEqual(headphones["serial_numbers"], ["HP-SN-000123"])

    def test_order_lines_carry_what_the_station_needs_of_the_product(self) -> None:
        headphones, grinder = self.get("/orders/RD-100002").json()["lines"]
        self.assertEqual(
            headphones["product"],
            {
                "title": "Wireless headphones",
                "category": "electronics",
                "unit_value": "149.00",
                "gtins": ["5012345000039"],
                "serialised": True,
            },
        )
        self.assertEqual(
            (grinder["product"]["category"], grinder["product"]["serialised"]), ("home", False)
        )

    def test_undelivered_order_and_unknown_order(self) -> None:
        self.assertIsNone(self.get("/orders/RD-100004").json()["delivered_at"])
        response = self.get("/orders/RD-999999")
        self.assertEqual((response.status_code, response.json()["error"]), (404, "not_found"))

    def test_discounted_unit_price_is_what_was_paid(self) -> None:
        (mats,) = self.get("/orders/RD-100003").json()["lines"]
        self.assertEqual((mats["quantity"], mats["unit_price"]), (3, "19.95"))

    def test_lookup_by_rma_tracking_and_order(self) -> None:
        by_rma = self.get("/returns/lookup?rma=rma-000102").json()
        by_tracking = self.get("/returns/lookup?tracking=JJD 0003 9000 7827 312345").json()
        by_order = self.get("/returns/lookup?order=RD-100002").json()
        self.assertEqual(by_rma, by_tracking)
        # RD-100002 also has a cancelled return; the open one is the one a station holds.
        self.assertEqual(by_order["rma_number"], "RMA-000102")
        self.assertEqual(by_rma["lines"][0]["reason_code"], "defective")
        self.assertEqual(by_rma["order"]["number"], "RD-100002")

    def test_lookup_misses_and_bad_queries(self) -> None:
        self.assertEqual(self.get("/returns/lookup?rma=RMA-999").status_code, 404)
        self.assertEqual(self.get("/returns/lookup?order=RD-100004").status_code, 404)
        self.assertEqual(self.get("/returns/lookup").status_code, 400)
        self.assertEqual(self.get("/returns/lookup?rma=A&order=B").status_code, 400)

    def test_changes_pages_through_everything_once_then_waits(self) -> None:
        seen: list[str] = []
        cursor = ""
        for _ in range(10):
            page = self.get(f"/returns/changes?limit=3&cursor={cursor}").json()
            seen += [item["rma_number"] for item in page["items"]]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
        self.assertEqual(seen, self.demo["returns"])
        empty = self.get(f"/returns/changes?cursor={cursor}").json()
        self.assertEqual((empty["items"], empty["next_cursor"]), ([], cursor))

        # When a return changes it comes again, after the cursor.
        self.post(
            "/returns/RMA-000103/status", {"status": "received", "at": "2026-01-02T10:00:00Z"}, "k"
        )
        again = self.get(f"/returns/changes?cursor={cursor}").json()
        self.assertEqual([i["rma_number"] for i in again["items"]], ["RMA-000103"])

    def test_each_return_names_the_customers_language_and_payment_method(self) -> None:
        page = self.get("/returns/changes?limit=10&cursor=").json()
        orders = {item["rma_number"]: item["order"] for item in page["items"]}
        said = {
            rma: (order["customer_language"], order["payment_method"])
            for rma, order in orders.items()
        }
        self.assertEqual(
            said,
            {
                "RMA-000101": ("en-GB", "card"),
                "RMA-000102": ("de-DE", "paypal"),
                "RMA-000103": ("en-GB", "bank-transfer"),
                "RMA-000104": ("de-DE", "paypal"),
            },
        )
        # An order without a payment source, or a return without a language: null, not ""
        ra = ReturnAuthorisation.objects.get(rma_number="RMA-000101")
        ra.customer_language = ""
        ra.save()
        ra.order.sources.all().delete()
        found = self.get("/returns/lookup?rma=RMA-000101").json()
        self.assertIsNone(found["order"]["customer_language"])
        self.assertIsNone(found["order"]["payment_method"])

    def test_a_registered_customers_tier_group_is_the_returns_customer_tier(self) -> None:
        page = self.get("/returns/changes?limit=10&cursor=").json()
        tiers = {item["rma_number"]: item.get("customer_tier", "absent") for item in page["items"]}
        # The shopper is in the group "tier:gold"; guests have no tier, so none is sent
        self.assertEqual(
            tiers,
            {"RMA-000101": "gold", "RMA-000102": "absent", "RMA-000103": "absent",
             "RMA-000104": "absent"},
        )  # fmt: skip
        # Groups that are no tier, or a name longer than the contract allows, say nothing
        ra = ReturnAuthorisation.objects.get(rma_number="RMA-000101")
        user = ra.order.user
        user.groups.clear()
        user.groups.add(Group.objects.create(name="Dashboard staff"))
        user.groups.add(Group.objects.create(name="tier:" + "g" * 33))
        found = self.get("/returns/lookup?rma=RMA-000101").json()
        self.assertNotIn("customer_tier", found)

    def test_a_page_of_500_returns_is_served(self) -> None:
        # 1,000+ order lines on one page: more ids than SQLite takes in one query.
        seed_bulk(510)
        page = self.get("/returns/changes?limit=500").json()
        self.assertEqual((len(page["items"]), page["has_more"]), (500, True))
        rest = self.get(f"/returns/changes?limit=500&cursor={page['next_cursor']}").json()
        self.assertEqual((len(rest["items"]), rest["has_more"]), (514 - 500, False))
        bulk = next(item for item in page["items"] if item["rma_number"] == "RMA-B000001")
        self.assertEqual([line["quantity"] for line in bulk["lines"]], [1, 2])

    def test_changes_refuses_bad_limits_and_cursors(self) -> None:
        for query in ("limit=0", "limit=501", "limit=x", "cursor=!!!", "cursor=bm90LWEtY3Vyc29y"):
            response = self.get(f"/returns/changes?{query}")
            self.assertEqual(response.status_code, 400, query)


class RefundTests(SyncApiTestCase):
    def test_refund_is_recorded_as_an_oscar_payment_event(self) -> None:
        response = self.post("/refunds", self.refund_body(), "key-1")
        self.assertEqual(response.status_code, 201)
        self.assertEqual(
            {k: v for k, v in response.json().items() if k != "refund_id"},
            {"rma_number": "RMA-000101", "total": "79.99", "currency": "GBP", "status": "recorded"},
        )
        self.assertEqual(self.refund_events("RMA-000101"), [(Decimal("79.99"), "key-1")])

    def test_same_key_same_body_replays_the_first_answer_exactly(self) -> None:
        first = self.post("/refunds", self.refund_body(), "key-1")
        # The same JSON value with other key order and spacing is the same request.
        raw = json.dumps(dict(reversed(list(self.refund_body().items()))), indent=2)
        second = self.client_.post(
            f"{API}/refunds", raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="key-1"
        )
        self.assertEqual((second.status_code, second.content), (first.status_code, first.content))
        self.assertEqual(second["Idempotent-Replayed"], "true")
        self.assertEqual(len(self.refund_events("RMA-000101")), 1)

    def test_same_key_other_body_is_422_and_applies_nothing(self) -> None:
        self.post("/refunds", self.refund_body(), "key-1")
        other = self.refund_body(total="69.99", station_refund_id="station-refund-2")
        other["lines"][0]["amount"] = "69.99"
        response = self.post("/refunds", other, "key-1")
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["error"], "idempotency_key_reused")
        self.assertEqual(self.refund_events("RMA-000101"), [(Decimal("79.99"), "key-1")])

    def test_a_key_is_bound_to_its_endpoint(self) -> None:
        self.post("/refunds", self.refund_body(), "key-1")
        response = self.post(
            "/stock-adjustments", {"sku": SHOE, "delta": 1, "reason": "restock"}, "key-1"
        )
        self.assertEqual(response.json()["error"], "idempotency_key_reused")

    def test_missing_key_and_invalid_bodies_are_400_and_not_remembered(self) -> None:
        self.assertEqual(
            self.post("/refunds", self.refund_body(), None).json()["error"],
            "idempotency_key_required",
        )
        for bad in (
            self.refund_body(total=79.99),  # a JSON number, not a string
            self.refund_body(total="79.999"),
            self.refund_body(lines=[]),
            self.refund_body(currency="gbp"),
        ):
            response = self.post("/refunds", bad, "key-bad")
            self.assertEqual(response.status_code, 400, bad)
            self.assertEqual(response.json()["error"], "invalid_request")
        self.assertFalse(IdempotencyRecord.objects.exists())
        # The client fixed the body and retries with the same key: it goes through.
        self.assertEqual(self.post("/refunds", self.refund_body(), "key-bad").status_code, 201)

    def test_over_refund_is_refused(self) -> None:
        body = self.refund_body(total="90.00")
        body["lines"][0]["amount"] = "90.00"  # the shoe cost 89.99
        response = self.post("/refunds", body, "key-1")
        self.assertEqual((response.status_code, response.json()["error"]), (422, "over_refund"))

        self.assertEqual(self.post("/refunds", self.refund_body(), "key-2").status_code, 201)
        # One shoe was returned and it is refunded already: a second refund is too much.
        again = self.post("/refunds", self.refund_body(station_refund_id="s-2"), "key-3")
        self.assertEqual((again.status_code, again.json()["error"]), (422, "over_refund"))
        self.assertEqual(len(self.refund_events("RMA-000101")), 1)

    def test_partial_refunds_add_up_to_at_most_what_was_paid(self) -> None:
        ref = self.line_ref("RMA-000103", "5012345000053")
        mat = {"line_ref": ref, "sku": "5012345000053", "quantity": 1, "deduction": "0.00"}

        def refund(key: str, amount: str) -> Any:
            body = {
                "rma_number": "RMA-000103",
                "currency": "GBP",
                "total": amount,
                "lines": [dict(mat, amount=amount)],
                "station_refund_id": key,
            }
            return self.post("/refunds", body, key)

        # Two of the three discounted mats (19.95 each) were returned.
        self.assertEqual(refund("a", "19.95").status_code, 201)
        self.assertEqual(refund("b", "19.95").status_code, 201)
        self.assertEqual(refund("c", "0.01").json()["error"], "over_refund")

    def test_refusals_are_remembered_too(self) -> None:
        body = self.refund_body(currency="EUR")
        first = self.post("/refunds", body, "key-1")
        self.assertEqual((first.status_code, first.json()["error"]), (422, "currency_mismatch"))
        second = self.post("/refunds", body, "key-1")
        self.assertEqual((second.status_code, second.content), (422, first.content))

    def test_unknown_return_total_mismatch_and_foreign_lines(self) -> None:
        cases = [
            (self.refund_body(rma_number="RMA-404"), 404, "not_found"),
            (self.refund_body(total="80.00"), 422, "total_mismatch"),
            (self.refund_body(rma_number="RMA-000104"), 422, "return_cancelled"),
        ]
        foreign = self.refund_body()
        foreign["lines"][0]["line_ref"] = self.line_ref("RMA-000102", "5012345000039")
        cases.append((foreign, 422, "unknown_line"))
        wrong_sku = self.refund_body()
        wrong_sku["lines"][0]["sku"] = JACKET
        cases.append((wrong_sku, 422, "sku_mismatch"))
        for number, (body, status_code, error) in enumerate(cases):
            response = self.post("/refunds", body, f"key-{number}")
            self.assertEqual((response.status_code, response.json()["error"]), (status_code, error))
        self.assertEqual(self.refund_events("RMA-000101"), [])

    def test_a_key_says_whether_it_was_applied_refused_or_is_unknown(self) -> None:
        foreign = self.refund_body()
        foreign["lines"][0]["line_ref"] = self.line_ref("RMA-000102", "5012345000039")
        self.post("/refunds", foreign, "refused-1")
        self.post("/refunds", self.refund_body(), "applied-1")
        self.post("/refunds", self.refund_body(total="1.234"), "invalid-1")  # 400: forgotten

        def outcome(key: str) -> dict[str, Any]:
            answer = self.get(f"/idempotency-keys/{key}")
            self.assertEqual(answer.status_code, 200)
            body: dict[str, Any] = answer.json()
            body.pop("recorded_at", None)
            return body

        self.assertEqual(
            outcome("refused-1"),
            {"key": "refused-1", "outcome": "refused", "operation": "POST refunds",
             "status_code": 422, "error": "unknown_line"},
        )  # fmt: skip
        self.assertEqual(
            outcome("applied-1"),
            {"key": "applied-1", "outcome": "applied", "operation": "POST refunds",
             "status_code": 201},
        )  # fmt: skip
        self.assertEqual(outcome("invalid-1"), {"key": "invalid-1", "outcome": "unknown"})
        self.assertEqual(outcome("never-sent"), {"key": "never-sent", "outcome": "unknown"})
        too_long = self.get("/idempotency-keys/" + "k" * 129)
        self.assertEqual((too_long.status_code, too_long.json()["error"]), (400, "invalid_request"))

    def test_one_station_refund_is_paid_once_even_under_two_keys(self) -> None:
        self.post("/refunds", self.refund_body(), "key-1")
        response = self.post("/refunds", self.refund_body(), "key-2")
        self.assertEqual(
            (response.status_code, response.json()["error"]), (409, "duplicate_refund")
        )


class StockTests(SyncApiTestCase):
    def stock(self, sku: str) -> int:
        return int(StockRecord.objects.get(product__upc=sku).num_in_stock)

    def test_adjustments_increment_and_replay_without_applying_twice(self) -> None:
        body = {"sku": SHOE, "delta": 1, "location": "A1", "reason": "restock", "reference": "r"}
        first = self.post("/stock-adjustments", body, "s-1")
        self.assertEqual(
            (first.status_code, first.json()), (201, {"sku": SHOE, "num_in_stock": 13})
        )
        self.assertEqual(self.post("/stock-adjustments", body, "s-1").content, first.content)
        self.assertEqual(self.stock(SHOE), 13)

    def test_an_adjustment_adds_to_a_concurrent_change_instead_of_overwriting_it(self) -> None:
        # Given Oscar's checkout sold two shoes after the station last read the stock ...
        StockRecord.objects.filter(product__upc=SHOE).update(num_in_stock=10)
        # ... when the station returns one to stock, the sale is not undone.
        body = {"sku": "SHOE-TRAIL-42", "delta": 1, "reason": "restock"}
        response = self.post("/stock-adjustments", body, "s-1")
        self.assertEqual(response.json(), {"sku": "SHOE-TRAIL-42", "num_in_stock": 11})

    def test_unknown_sku_and_stock_going_below_zero(self) -> None:
        missing = self.post("/stock-adjustments", {"sku": "0000000000000", "delta": 1}, "s-1")
        self.assertEqual((missing.status_code, missing.json()["error"]), (404, "not_found"))
        below = self.post("/stock-adjustments", {"sku": SHOE, "delta": -13}, "s-2")
        self.assertEqual((below.status_code, below.json()["error"]), (422, "insufficient_stock"))
        self.assertEqual(
            self.post("/stock-adjustments", {"sku": SHOE, "delta": 0}, "s-3").status_code, 400
        )
        self.assertEqual(self.stock(SHOE), 12)

    def test_a_delta_that_is_not_a_json_integer_is_refused(self) -> None:
        for n, delta in enumerate((1.0, "1", True, 1.5)):
            with self.subTest(delta=delta):
                refused = self.post("/stock-adjustments", {"sku": SHOE, "delta": delta}, f"f-{n}")
                self.assertEqual(
                    (refused.status_code, refused.json()["error"]), (400, "invalid_request")
                )
                self.assertIn("delta", refused.json()["details"])
        self.assertEqual(self.stock(SHOE), 12)


class StatusTests(SyncApiTestCase):
    def test_forward_moves_noops_and_refused_moves(self) -> None:
        at = "2026-01-02T10:00:00Z"
        received = self.post("/returns/RMA-000101/status", {"status": "received", "at": at}, "1")
        self.assertEqual((received.status_code, received.json()["status"]), (200, "received"))
        same = self.post("/returns/RMA-000101/status", {"status": "received", "at": at}, "2")
        self.assertEqual(same.status_code, 200)
        back = self.post("/returns/RMA-000101/status", {"status": "authorised", "at": at}, "3")
        self.assertEqual((back.status_code, back.json()["error"]), (422, "invalid_transition"))
        closed = self.post("/returns/RMA-000101/status", {"status": "closed", "at": at}, "4")
        self.assertEqual(closed.json()["status"], "closed")
        cancel = self.post("/returns/RMA-000101/status", {"status": "cancelled", "at": at}, "5")
        self.assertEqual(cancel.status_code, 422)
        missing = self.post("/returns/RMA-404/status", {"status": "closed", "at": at}, "6")
        self.assertEqual(missing.status_code, 404)

    def test_the_same_key_for_another_return_is_reuse(self) -> None:
        body = {"status": "received", "at": "2026-01-02T10:00:00Z"}
        self.post("/returns/RMA-000101/status", body, "k")
        response = self.post("/returns/RMA-000102/status", body, "k")
        self.assertEqual(response.json()["error"], "idempotency_key_reused")
