"""Return windows per category and customer tier, as the station applies them (no window).

Returns come in by CSV import, delivered 40 days before the station's clock, with the shop's
30-day window; refunds.toml [windows] gives furniture 60 days and gold customers 365.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest
from sqlmodel import select

from completing import station_service
from returnsdesk.data.models import Order, Refund, Return
from returnsdesk.domain.barcodes import gtin_check_digit
from returnsdesk.domain.clock import fixed_clock
from returnsdesk.domain.inspection import UnitStep
from returnsdesk.domain.policy import ReturnWindows
from returnsdesk.domain.vocabulary import RefundStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.csv_import import import_returns
from returnsdesk.station.screen import State
from workflow_driver import Station

DELIVERED = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
NOW = DELIVERED + timedelta(days=40, hours=3)  # 40 days: past 30 + 7 days' transit grace
SOFA = "401234500001" + gtin_check_digit("401234500001")  # furniture
TEE = "401234500002" + gtin_check_digit("401234500002")  # apparel


def import_return(env: StationEnvironment, rma: str, gtin: str, tier: str) -> None:
    category = "furniture" if gtin == SOFA else "apparel"
    row = {
        "rma_number": rma,
        "order_number": f"WEB-{rma}",
        "customer_name": "Wim Window",
        "customer_email": f"{rma.lower()}@example.com",
        "currency": "EUR",
        "sku": f"WIN-{category}",
        "quantity": "1",
        "unit_price": "49.00",
        "reason_code": "changed_mind",
        "delivered_at": DELIVERED.isoformat(),
        "policy_window_days": "30",
        "product_title": f"A {category} thing",
        "category": category,
        "gtin": gtin,
        "customer_tier": tier,
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    import_returns(env.database, out.getvalue())


@pytest.fixture
def station(demo_env: StationEnvironment) -> Station:
    service = station_service(demo_env)
    windows = ReturnWindows(
        categories=MappingProxyType({"furniture": 60}), tiers=MappingProxyType({"gold": 365})
    )
    refunds = replace(demo_env.policies.refunds, windows=windows)
    service.policies = replace(demo_env.policies, refunds=refunds)
    service.clock = fixed_clock(NOW)
    return Station(service)


def work_the_return(station: Station, rma: str, gtin: str) -> tuple[str, str | None]:
    """Scan the parcel and its one item, grade it; the window line and the refund's hold."""
    screen = station.scan(rma)
    assert screen.state is State.RETURN and screen.return_view is not None
    window_text = screen.return_view.window_text
    station.scan(gtin)
    station.press("2")
    while station.screen.unit is not None and station.screen.unit.step is UnitStep.CHECKLIST:
        station.press("Y")
    assert station.screen.refund is not None and station.screen.refund.confirming
    approval = station.screen.refund.approval
    station.press("Enter")
    assert station.state is State.OUTCOME
    return window_text, approval


def refund_status(env: StationEnvironment, rma: str) -> RefundStatus:
    with env.database.read() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
        return session.exec(select(Refund).where(Refund.return_id == return_.id)).one().status


def test_late_by_the_returns_window_but_inside_its_categorys_is_not_held(
    station: Station, demo_env: StationEnvironment
) -> None:
    import_return(demo_env, "RMA-900001", SOFA, tier="")
    text, approval = work_the_return(station, "RMA-900001", SOFA)
    assert text == "40 days since delivery, within the 60-day furniture window (product category)"
    assert approval is None
    assert refund_status(demo_env, "RMA-900001") is RefundStatus.APPROVED


def test_a_gold_customer_has_the_gold_window(
    station: Station, demo_env: StationEnvironment
) -> None:
    import_return(demo_env, "RMA-900002", TEE, tier="Gold")
    text, approval = work_the_return(station, "RMA-900002", TEE)
    assert text == "40 days since delivery, within the 365-day gold window (customer tier)"
    assert approval is None
    assert refund_status(demo_env, "RMA-900002") is RefundStatus.APPROVED


def test_a_tier_the_policy_does_not_name_gets_the_returns_own_window(
    station: Station, demo_env: StationEnvironment
) -> None:
    import_return(demo_env, "RMA-900003", TEE, tier="platinum")
    text, approval = work_the_return(station, "RMA-900003", TEE)
    assert text == "Returned 40 days after delivery, window 30 days + 7 days in transit: OUTSIDE"
    assert approval == "Received 40 days after delivery, past the 30-day return window"
    assert refund_status(demo_env, "RMA-900003") is RefundStatus.PENDING_APPROVAL


def test_the_demos_gold_customer_is_inside_the_shipped_gold_window(
    demo_env: StationEnvironment,
) -> None:
    # Given the demo with the shipped policies, at the moment its gold parcel is 45 days late
    with demo_env.database.read() as session:
        gold = session.exec(select(Return).where(Return.rma_number == "RMA-100006")).one()
        delivered = session.exec(select(Order.delivered_at).where(Order.id == gold.order_id)).one()
    assert delivered is not None
    service = station_service(demo_env)
    service.clock = fixed_clock(delivered + timedelta(days=45, hours=1))
    station = Station(service)
    # When the inspector scans it, then the late one with no tier
    gold_view = station.scan("RMA-100006").return_view
    station.press("Esc")
    late_view = station.scan("RMA-100005").return_view
    # Then the gold parcel is within its window, the other one outside the return's own
    assert gold_view is not None and late_view is not None
    assert gold_view.window_text == (
        "45 days since delivery, within the 365-day gold window (customer tier)"
    )
    assert gold_view.within_window and not late_view.within_window
    assert "window 30 days + 7 days in transit: OUTSIDE" in late_view.window_text
