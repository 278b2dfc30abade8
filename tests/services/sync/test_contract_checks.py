"""The contract check itself (tests/sync_contract.py): it must catch what breaks the YAML."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fake_shop import FakeShop

from sync_contract import ContractViolation, Deviation, contract
from sync_feed import ReturnFeedServer, remote_return

URL = "http://shop/returnsdesk/api/v1"
AUTH = {"Authorization": "Token t", "Content-Type": "application/json"}


def stock_request(body: Any, **headers: str) -> list[str]:
    return contract().request_problems(
        "POST",
        URL + "/stock-adjustments",
        {**AUTH, "Idempotency-Key": "k-1", **headers},
        json.dumps(body).encode(),
    )


def test_a_conforming_request_passes() -> None:
    assert stock_request({"sku": "5012345000015", "delta": -2, "reason": "restock"}) == []


@pytest.mark.parametrize(
    ("body", "headers", "says"),
    [
        ({"sku": "5012345000015", "delta": 1.0}, {}, "the number 1.0 has a fraction"),
        ({"sku": "5012345000015", "delta": "1"}, {}, "'1' is not of type 'integer'"),
        ({"sku": "5012345000015", "delta": 0}, {}, "delta: 0 should not be valid"),
        ({"sku": "5012345000015"}, {}, "'delta' is a required property"),
        ({"sku": "5012345000015", "delta": 1}, {"Idempotency-Key": ""}, "Idempotency-Key"),
    ],
)
def test_a_request_off_the_contract_is_named_with_its_field(
    body: dict[str, Any], headers: dict[str, str], says: str
) -> None:
    problems = stock_request(body, **headers)
    assert problems, body
    assert says in " ".join(problems)


def test_an_answer_off_the_contract_is_named() -> None:
    def answer(status: int, body: Any) -> list[str]:
        return contract().response_problems(
            "POST",
            URL + "/refunds",
            {**AUTH, "Idempotency-Key": "k"},
            b"{}",
            status,
            {"Content-Type": "application/json"},
            json.dumps(body).encode(),
        )

    good = {"refund_id": "7", "rma_number": "R", "total": "9.99", "currency": "GBP"}
    assert answer(201, {**good, "status": "recorded"}) == []
    assert "'status' is a required property" in " ".join(answer(201, good))
    as_number = answer(201, {**good, "status": "recorded", "total": 9.99})
    assert "has a fraction" in " ".join(as_number)
    assert "9.99 is not of type 'string'" in " ".join(as_number)
    assert "ResponseNotFound" in " ".join(answer(418, {"error": "teapot", "message": ""}))
    assert "is not one of" in " ".join(answer(422, {"error": "made_up", "message": "m"}))


def test_the_test_shops_deviation_is_granted_only_where_named() -> None:
    body = {
        "rma_number": "RMA-1",
        "currency": "EUR",
        "total": "1.00",
        "lines": [{"line_ref": None, "sku": "S", "quantity": 1, "amount": "1.00",
                   "deduction": "0.00"}],
        "station_refund_id": "r-1",
    }  # fmt: skip
    headers = {**AUTH, "Idempotency-Key": "k"}
    raw = json.dumps(body).encode()
    assert contract().request_problems("POST", URL + "/refunds", headers, raw)
    lenient = contract(Deviation.NULL_LINE_REF)
    assert lenient.request_problems("POST", URL + "/refunds", headers, raw) == []


@pytest.fixture
def quiet_client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


def test_the_test_shop_fails_the_test_that_sent_it_a_breach(quiet_client: httpx.Client) -> None:
    breach = r"(?s)1 breach.*the number 1.0 has a fraction"
    with pytest.raises(ContractViolation, match=breach), FakeShop() as shop:
        answer = quiet_client.post(
            shop.url + "/returnsdesk/api/v1/stock-adjustments",
            content=b'{"sku": "S1", "delta": 1.0}',
            headers={"Authorization": f"Token {shop.token}", "Idempotency-Key": "k",
                     "Content-Type": "application/json"},
        )  # fmt: skip
        assert answer.status_code == 400  # refused, and the test fails as well
        assert shop.contract_log is not None and shop.contract_log.checked == 1


def test_the_feed_double_checks_its_answers(quiet_client: httpx.Client) -> None:
    broken = remote_return("RMA-1")
    broken["order"]["lines"][0]["unit_price"] = "40"  # fine: money may have no decimals
    broken["policy_window_days"] = -1
    breach = r"policy_window_days: -1 is less than"
    with pytest.raises(ContractViolation, match=breach), ReturnFeedServer() as feed:
        feed.publish(broken)
        answer = quiet_client.get(
            feed.base_url + "/returns/changes", headers={"Authorization": "Token feed-token"}
        )
        assert answer.status_code == 200


@pytest.mark.parametrize(
    ("tier", "breach"),
    [(7, "customer_tier: 7 is not of type"), ("g" * 33, "customer_tier: 'ggg")],
)
def test_the_customer_tier_is_optional_text_of_at_most_32_characters(
    quiet_client: httpx.Client, tier: object, breach: str
) -> None:
    with ReturnFeedServer() as feed:  # a tier in the contract's shape, and none at all
        feed.publish(remote_return("RMA-1") | {"customer_tier": "gold"}, remote_return("RMA-2"))
        quiet_client.get(
            feed.base_url + "/returns/changes", headers={"Authorization": "Token feed-token"}
        )
    broken = remote_return("RMA-3") | {"customer_tier": tier}
    with pytest.raises(ContractViolation, match=breach), ReturnFeedServer() as feed:
        feed.publish(broken)
        quiet_client.get(
            feed.base_url + "/returns/changes", headers={"Authorization": "Token feed-token"}
        )
