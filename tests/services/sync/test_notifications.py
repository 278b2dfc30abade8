"""The customer is told how their return was decided: a ``customer.notification`` event written
with the decision, relayed over real HTTP after the return's refund and closing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fake_shop import FakeShop
from sqlmodel import col, select

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.data.models import OutboxEvent, Return
from returnsdesk.domain.vocabulary import OutboxStatus, RefundStatus
from returnsdesk.services.approvals import authorize_lead, decide_refund
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.operators import LockoutPolicy
from returnsdesk.services.sync import HttpContractConnector, Relay

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def shop() -> Iterator[FakeShop]:
    with FakeShop() as running:
        yield running


def relay_all(env: StationEnvironment, shop: FakeShop) -> None:
    with HttpContractConnector(shop.url, shop.token, timeout_s=10) as http:
        Relay(env.database, http).drain()
    with env.database.session() as session:
        statuses = {e.status for e in session.exec(select(OutboxEvent))}
    assert statuses == {OutboxStatus.DELIVERED}


def customer_email(env: StationEnvironment, rma: str) -> str:
    with env.database.session() as session:
        return session.exec(select(Return).where(Return.rma_number == rma)).one().customer_email


def notices(shop: FakeShop, rma: str) -> list[dict[str, Any]]:
    with shop.locked() as state:
        return [n for n in state.notices if n["rma_number"] == rma]


def test_a_completed_return_tells_the_customer_what_was_refunded_after_the_refund_is_booked(
    demo_env: StationEnvironment, shop: FakeShop
) -> None:
    result = complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100001"))
    assert result.refund_status is RefundStatus.APPROVED
    with demo_env.database.session() as session:
        last = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.sequence).desc())).first()
        assert last is not None and last.event_type == "customer.notification"

    relay_all(demo_env, shop)

    (notice,) = notices(shop, "RMA-100001")
    total = f"{result.refund_total.amount:.2f}"
    assert notice["to"] == customer_email(demo_env, "RMA-100001")
    assert notice["status"] == "refunded"
    assert notice["message"] == (
        f"We have inspected your return RMA-100001 and refunded {total} EUR."
    )
    assert notice["total"] == total
    assert sum(Decimal(line["amount"]) for line in notice["lines"]) == Decimal(total)
    with shop.locked() as state:
        assert state.timeline["RMA-100001"] == [
            "status:received",
            "refund",
            "status:closed",
            "notice",
        ]


@pytest.mark.parametrize("approve", [False, True])
def test_a_held_refund_is_announced_as_held_then_as_the_shift_leads_decision(
    demo_env: StationEnvironment, shop: FakeShop, approve: bool
) -> None:
    # Given RMA-100004 (above EUR 500): its refund waits for a shift lead
    result = complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100004"))
    assert result.refund_status is RefundStatus.PENDING_APPROVAL
    relay_all(demo_env, shop)
    (held,) = notices(shop, "RMA-100004")
    assert held["status"] == "held" and "being reviewed" in held["message"]
    assert "500" in held["message"]  # the policy's reason

    # When the shift lead decides
    lead = authorize_lead(
        demo_env.database,
        operator_code="op-0003",
        pin="2468",  # the demo lead's (services/demo.py)
        station_code="STATION-01",
        now=NOW,
        lockout=LockoutPolicy(),
    )
    decide_refund(
        demo_env.database,
        result.refund_id,
        lead,
        approve=approve,
        note="loyal customer" if approve else "the seal was broken",
        now=NOW,
    )
    relay_all(demo_env, shop)

    # Then the customer hears the decision, after the refund when there is one
    decided = notices(shop, "RMA-100004")[1]
    with shop.locked() as state:
        timeline = state.timeline["RMA-100004"]
        paid = [r for r in state.refunds if r["rma_number"] == "RMA-100004"]
    if approve:
        assert decided["status"] == "refunded"
        assert f"refunded {result.refund_total.amount:.2f} EUR" in decided["message"]
        assert len(paid) == 1 and timeline[-2:] == ["refund", "notice"]
    else:
        assert decided["status"] == "rejected"
        assert decided["message"].endswith("We cannot refund it: the seal was broken")
        assert paid == [] and timeline[-1] == "notice"
    assert decided["to"] == customer_email(demo_env, "RMA-100004")
