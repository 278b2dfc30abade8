"""The sync contract (docs/sync-api.yaml) over real HTTP against the django-oscar reference shop.

One shop per module; tests touch different returns and SKUs so their order does not matter.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from integration.oscar_shop import ApiResponse, OscarShop

pytestmark = pytest.mark.slow

SHOE = "5012345000015"
JACKET = "5012345000022"
HEADPHONES = "5012345000039"
MAT = "5012345000053"
GRINDER = "5012345000046"


def key() -> str:
    return f"test-{uuid.uuid4()}"


def post(shop: OscarShop, path: str, body: Any, idempotency_key: str) -> ApiResponse:
    return shop.request("POST", path, body=body, headers={"Idempotency-Key": idempotency_key})


def line_ref(shop: OscarShop, rma: str, sku: str) -> str:
    found = shop.request("GET", f"/returns/lookup?rma={rma}").json()
    return str(next(line["line_ref"] for line in found["lines"] if line["sku"] == sku))


def refund_body(shop: OscarShop, rma: str, units: list[tuple[str, str]]) -> dict[str, Any]:
    """A refund of one unit per (sku, amount)."""
    lines = [
        {
            "line_ref": line_ref(shop, rma, sku),
            "sku": sku,
            "quantity": 1,
            "amount": amount,
            "deduction": "0.00",
            "deduction_reason": "",
        }
        for sku, amount in units
    ]
    total = sum((Decimal(amount) for _, amount in units), Decimal("0.00"))
    return {
        "rma_number": rma,
        "currency": "GBP",
        "total": str(total),
        "lines": lines,
        "station_refund_id": str(uuid.uuid4()),
    }


def test_without_a_staff_token_nothing_is_served(oscar_shop: OscarShop) -> None:
    anonymous = oscar_shop.request("GET", "/orders/RD-100001", token=None)
    assert anonymous.status == 401
    assert anonymous.headers["www-authenticate"] == "Token"
    assert anonymous.json()["error"] == "not_authenticated"
    assert oscar_shop.request("GET", "/orders/RD-100001", token="nonsense").status == 401
    customer = oscar_shop.request("GET", "/orders/RD-100001", token=oscar_shop.customer_token)
    assert (customer.status, customer.json()["error"]) == (403, "forbidden")


def test_lookup_finds_one_return_by_rma_tracking_or_order(oscar_shop: OscarShop) -> None:
    by_rma = oscar_shop.request("GET", "/returns/lookup?rma=RMA-000102").json()
    by_tracking = oscar_shop.request("GET", "/returns/lookup?tracking=JJD000390007827312345")
    by_order = oscar_shop.request("GET", "/returns/lookup?order=RD-100002")
    assert by_tracking.json()["rma_number"] == by_order.json()["rma_number"] == "RMA-000102"
    assert {t["carrier"] for t in by_rma["tracking_numbers"]} == {"DHL", "USPS"}
    assert by_rma["policy_window_days"] == 30
    assert "customer_tier" not in by_rma  # a guest's order: no tier
    shopper = oscar_shop.request("GET", "/returns/lookup?rma=RMA-000101").json()
    assert shopper["customer_tier"] == "gold"  # the registered shopper is in "tier:gold"
    (line,) = by_rma["lines"]
    assert (line["sku"], line["quantity"], line["reason_code"]) == (HEADPHONES, 1, "defective")
    (ordered, _grinder) = by_rma["order"]["lines"]
    assert ordered["unit_price"] == "149.00"  # a decimal string, never a number
    assert ordered["serial_numbers"] == ["HP-SN-000123"]
    missing = oscar_shop.request("GET", "/returns/lookup?rma=RMA-999999")
    assert (missing.status, missing.json()["error"]) == (404, "not_found")


def test_changes_page_by_cursor_and_bring_back_what_changed(oscar_shop: OscarShop) -> None:
    seen: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = oscar_shop.request("GET", f"/returns/changes?limit=1&cursor={cursor}").json()
        seen += page["items"]
        if not page["items"]:
            assert page["next_cursor"] == cursor  # nothing new: the cursor stays put
            break
        cursor = page["next_cursor"]
    assert sorted(r["rma_number"] for r in seen) == oscar_shop.demo["returns"]
    stamps = [datetime.fromisoformat(r["updated_at"]) for r in seen]
    assert stamps == sorted(stamps)

    # When RMA-000103 is received it comes again, and only it.
    changed = post(
        oscar_shop,
        "/returns/RMA-000103/status",
        {"status": "received", "at": "2026-01-02T10:00:00Z", "note": "parcel in"},
        key(),
    )
    assert (changed.status, changed.json()["status"]) == (200, "received")
    page = oscar_shop.request("GET", f"/returns/changes?cursor={cursor}").json()
    assert [r["rma_number"] for r in page["items"]] == ["RMA-000103"]


def test_a_refund_is_recorded_once_and_replayed_exactly(oscar_shop: OscarShop) -> None:
    body = refund_body(oscar_shop, "RMA-000102", [(HEADPHONES, "149.00")])
    refund_key = key()

    first = post(oscar_shop, "/refunds", body, refund_key)
    again = post(oscar_shop, "/refunds", body, refund_key)

    assert first.status == 201
    assert first.json()["status"] == "recorded"
    assert first.json()["total"] == "149.00"
    assert (again.status, again.body) == (first.status, first.body)
    assert again.headers["idempotent-replayed"] == "true"
    assert oscar_shop.refund_events("RMA-000102") == [(Decimal("149.00"), refund_key)]


def test_a_key_reused_with_another_body_is_refused(oscar_shop: OscarShop) -> None:
    refund_key = key()
    body = refund_body(oscar_shop, "RMA-000103", [(MAT, "19.95")])
    assert post(oscar_shop, "/refunds", body, refund_key).status == 201

    other = dict(body, station_refund_id=str(uuid.uuid4()))
    reused = post(oscar_shop, "/refunds", other, refund_key)

    assert (reused.status, reused.json()["error"]) == (422, "idempotency_key_reused")
    assert oscar_shop.refund_events("RMA-000103") == [(Decimal("19.95"), refund_key)]


def test_more_than_was_paid_is_refused(oscar_shop: OscarShop) -> None:
    too_much = refund_body(oscar_shop, "RMA-000101", [(SHOE, "90.00")])  # it cost 89.99
    refused = post(oscar_shop, "/refunds", too_much, key())
    assert (refused.status, refused.json()["error"]) == (422, "over_refund")

    both_jackets = refund_body(oscar_shop, "RMA-000101", [(JACKET, "59.50"), (JACKET, "59.50")])
    assert post(oscar_shop, "/refunds", both_jackets, key()).status == 201
    third = refund_body(oscar_shop, "RMA-000101", [(JACKET, "1.00")])  # only two came back
    assert post(oscar_shop, "/refunds", third, key()).json()["error"] == "over_refund"
    assert [amount for amount, _ in oscar_shop.refund_events("RMA-000101")] == [Decimal("119.00")]


def test_concurrent_requests_with_one_key_refund_once(oscar_shop: OscarShop) -> None:
    body = refund_body(oscar_shop, "RMA-000103", [(MAT, "19.95")])
    refund_key = key()
    before = oscar_shop.refund_events("RMA-000103")

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: post(oscar_shop, "/refunds", body, refund_key), range(6)))

    # The contract: one applies, the others replay it (or get 409 in_progress on a timeout).
    assert {a.status for a in answers} <= {201, 409}
    assert len({a.body for a in answers if a.status == 201}) == 1
    after = oscar_shop.refund_events("RMA-000103")
    assert after == [*before, (Decimal("19.95"), refund_key)]


def test_stock_adjustments_increment_and_never_twice(oscar_shop: OscarShop) -> None:
    start = oscar_shop.num_in_stock(GRINDER)
    adjustment = {"sku": GRINDER, "delta": 1, "location": "returns", "reason": "restock"}
    adjustment_key = key()

    first = post(oscar_shop, "/stock-adjustments", adjustment, adjustment_key)
    replay = post(oscar_shop, "/stock-adjustments", adjustment, adjustment_key)
    assert (first.status, first.json()) == (201, {"sku": GRINDER, "num_in_stock": start + 1})
    assert replay.body == first.body

    # Ten stations restocking at once: every unit counts (an UPDATE ... + delta, no overwrite).
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(
            pool.map(lambda _: post(oscar_shop, "/stock-adjustments", adjustment, key()).status,
                     range(10))
        )  # fmt: skip
    assert statuses == [201] * 10
    removed = post(oscar_shop, "/stock-adjustments", dict(adjustment, delta=-3), key())
    assert removed.json()["num_in_stock"] == start + 11 - 3
    assert oscar_shop.num_in_stock(GRINDER) == start + 8

    unknown = post(oscar_shop, "/stock-adjustments", dict(adjustment, sku="0000000000000"), key())
    assert (unknown.status, unknown.json()["error"]) == (404, "not_found")


def test_audit_anchors_are_kept_and_a_second_hash_for_one_entry_is_refused(
    oscar_shop: OscarShop,
) -> None:
    key_id = uuid.uuid4().hex[:16]  # a station's audit key id, fresh for this test
    anchor = {
        "key_id": key_id,
        "sequence": 50,
        "entry_hash": "c" * 64,
        "at": "2026-12-05T23:30:00+00:00",
    }
    anchor_key = key()

    first = post(oscar_shop, "/audit-anchors", anchor, anchor_key)
    replay = post(oscar_shop, "/audit-anchors", anchor, anchor_key)
    assert (first.status, first.json()) == (
        201,
        {"key_id": key_id, "sequence": 50, "status": "recorded"},
    )
    assert replay.body == first.body
    # The same head again under a new key is fine; another hash for entry #50 is not.
    assert post(oscar_shop, "/audit-anchors", anchor, key()).status == 201
    rewritten = post(oscar_shop, "/audit-anchors", dict(anchor, entry_hash="d" * 64), key())
    assert (rewritten.status, rewritten.json()["error"]) == (409, "anchor_mismatch")


@pytest.mark.parametrize("delta", [1.0, "1"])
def test_a_stock_delta_that_is_not_a_json_integer_is_refused(
    oscar_shop: OscarShop, delta: object
) -> None:
    before = oscar_shop.num_in_stock(GRINDER)
    refused = post(oscar_shop, "/stock-adjustments", {"sku": GRINDER, "delta": delta}, key())
    assert (refused.status, refused.json()["error"]) == (400, "invalid_request")
    assert "delta" in refused.json()["details"]
    assert oscar_shop.num_in_stock(GRINDER) == before
