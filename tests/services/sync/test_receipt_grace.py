"""The grace period of a receipt, with the relay running: the shop hears of a parcel only once
F7 can no longer take it back, and never waits for it when the return has moved on (completed,
or refunded on receipt). Real SQLite, the relay over real HTTP to the fake shop, time stepped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fake_shop import FakeShop
from sqlmodel import col, select

from completing import complete_parcel, demo_parcel
from returnsdesk.config import MessagesSettings
from returnsdesk.data.models import AuditEntry, OutboxEvent, Return
from returnsdesk.domain.policy import AmountByCurrency, InstantRefundRule
from returnsdesk.domain.vocabulary import OutboxStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.operators import sign_in
from returnsdesk.services.station import ParcelOpened, StationService
from returnsdesk.services.sync import HttpContractConnector, Relay, sync_health
from returnsdesk.services.sync.station_pull import station_connector
from returnsdesk.station.screen import State, Tone
from workflow_driver import Station

GRACE = timedelta(minutes=15)
# The station's settings, as it passes them to its relay and its service (receipt_grace)
MESSAGES = MessagesSettings(grace_minutes=15)


class StepClock:
    """Time that moves only when told to; starts at the real time, as the demo's dates do."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


def service(
    env: StationEnvironment, clock: StepClock, *, station_code: str = "STATION-01"
) -> StationService:
    with env.database.session() as session:
        context = sign_in(session, operator_code="OP-0001", station_code=station_code)
    return StationService(
        database=env.database,
        policies=env.policies,
        context=context,
        scan_rules=env.scan_rules,
        clock=clock,
        receipt_grace=timedelta(minutes=MESSAGES.grace_minutes),
    )


@pytest.fixture
def relay(demo_env: StationEnvironment, shop: FakeShop, clock: StepClock) -> Iterator[Relay]:
    with HttpContractConnector(shop.url, shop.token, timeout_s=10) as http:
        yield Relay(
            demo_env.database,
            station_connector(demo_env.database, {None: http}, MESSAGES, clock=clock),
            clock=clock,
            max_backoff_s=1,
            idle_poll_s=0.02,
        )


@pytest.fixture
def live_relay(relay: Relay) -> Iterator[Relay]:
    """The relay running on its own thread, as in the station, until the test ends."""
    stop = threading.Event()
    thread = threading.Thread(
        target=relay.run_forever, args=(stop,), name="relay-live", daemon=True
    )
    thread.start()
    yield relay
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def heard_of(shop: FakeShop, rma: str) -> list[str]:
    with shop.locked() as state:
        return list(state.timeline.get(rma, []))


def events_of(env: StationEnvironment, rma: str) -> list[tuple[str, OutboxStatus]]:
    with env.database.read() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
        rows = session.exec(
            select(OutboxEvent)
            .where(OutboxEvent.aggregate_id == return_.id)
            .order_by(col(OutboxEvent.sequence))
        ).all()
        return [(row.event_type, row.status) for row in rows]


def test_f7_within_the_grace_period_works_with_the_relay_running_and_the_shop_never_hears(
    demo_env: StationEnvironment, shop: FakeShop, clock: StepClock, live_relay: Relay
) -> None:
    wrong, right = demo_parcel(demo_env, "RMA-100001"), demo_parcel(demo_env, "RMA-100002")
    station = Station(service(demo_env, clock))
    # Given the inspector scanned the wrong label while the relay runs
    assert station.scan(wrong.tracking_number).state is State.RETURN
    # And meanwhile another station completed a return, which the shop heard of at once: the
    # relay has looked at the outbox since the wrong receipt was written
    other = service(demo_env, clock, station_code="STATION-02")
    done = demo_parcel(demo_env, "RMA-100003")
    complete_parcel(other, done)
    wait_for(lambda: "status:closed" in heard_of(shop, done.rma_number), "the completed return")
    clock.now += GRACE - timedelta(seconds=1)
    time.sleep(0.2)  # a few more relay rounds, a second before the grace period ends
    assert heard_of(shop, wrong.rma_number) == []
    # When they press F7 and Enter, 14 minutes 59 seconds after the scan
    station.press("F7")
    screen = station.press("Enter")
    # Then the receipt is undone, as without a relay
    assert screen.state is State.IDLE and screen.banner.tone is Tone.OK
    assert "Receipt of RMA-100001 undone" in screen.banner.text
    assert events_of(demo_env, wrong.rma_number) == []
    # And the audit entry names the held event it cancelled
    with demo_env.database.read() as session:
        (entry,) = session.exec(
            select(AuditEntry).where(AuditEntry.action == "parcel.receipt_undone")
        ).all()
    cancelled = entry.details["cancelled_event"]
    assert datetime.fromisoformat(cancelled["held_until"]) > clock.now
    # When the right label is scanned and its grace period passes
    assert station.scan(right.tracking_number).state is State.RETURN
    clock.now += GRACE
    wait_for(lambda: "status:received" in heard_of(shop, right.rma_number), "the right receipt")
    # Then the shop heard of the right parcel only, and so did the customer
    wait_for(lambda: bool(notices(shop, right.rma_number)), "the right receipt's message")
    assert heard_of(shop, wrong.rma_number) == []
    with shop.locked() as state:
        assert not [c for c in state.calls if wrong.rma_number in c.path]
        assert wrong.rma_number not in {n["rma_number"] for n in state.notices}


def notices(shop: FakeShop, rma: str) -> list[str]:
    with shop.locked() as state:
        return [str(n["kind"]) for n in state.notices if n["rma_number"] == rma]


def test_after_the_grace_period_the_shop_hears_and_f7_is_refused(
    demo_env: StationEnvironment, shop: FakeShop, clock: StepClock, relay: Relay
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    station = Station(service(demo_env, clock))
    received_at = clock.now
    station.scan(parcel.tracking_number)
    # Within the grace period the relay sends nothing (the customer's message waits for the
    # receipt to reach the shop), and knows when to look again
    stats = relay.run_once()
    assert stats.delivered == 0 and relay.run_once().claimed == 0
    assert heard_of(shop, parcel.rma_number) == []
    with demo_env.database.read() as session:
        received = session.exec(
            select(OutboxEvent).where(OutboxEvent.event_type == "return.received")
        ).one()
    assert received.next_attempt_at == received.held_until == received_at + GRACE
    # A receipt in its grace period is not late for the Sync panel
    health = sync_health(demo_env.database, received_at + timedelta(minutes=14))
    assert health.pending >= 1
    assert (health.oldest_pending_age or timedelta(0)) < timedelta(minutes=14)
    # When the grace period has passed, the shop hears of the receipt, then the customer
    clock.now = received_at + GRACE
    relay.drain()
    assert heard_of(shop, parcel.rma_number) == ["status:received", "notice"]
    assert notices(shop, parcel.rma_number) == ["parcel_received"]
    # And F7 is refused as before: the shop cannot be told otherwise
    station.press("F7")
    screen = station.press("Enter")
    assert screen.state is State.RETURN and screen.banner.tone is Tone.ERROR
    assert "The shop already knows that RMA-100001 was received" in screen.banner.text
    assert events_of(demo_env, parcel.rma_number)[0] == ("return.received", OutboxStatus.DELIVERED)


def test_a_return_completed_within_the_grace_period_goes_to_the_shop_at_once(
    demo_env: StationEnvironment, shop: FakeShop, clock: StepClock, relay: Relay
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")
    station = service(demo_env, clock)
    # Given the parcel was received and, a minute later, completed
    opened = station.open_parcel(station.classify(parcel.tracking_number))
    assert isinstance(opened, ParcelOpened)
    assert relay.run_once().claimed == 0  # held
    clock.now += timedelta(minutes=1)
    result = complete_parcel(station, parcel)  # resumes the open parcel
    assert result.refund_total.amount > 0
    # When the relay runs, with no more time passed
    relay.drain()
    # Then every event of the return reached the shop in order, the refund included
    events = events_of(demo_env, parcel.rma_number)
    assert [status for _, status in events] == [OutboxStatus.DELIVERED] * len(events)
    timeline = heard_of(shop, parcel.rma_number)
    assert timeline[0] == "status:received" and "refund" in timeline
    assert timeline.index("refund") < timeline.index("status:closed")
    # And so did the customer's messages, the "parcel received" one not waiting either
    assert notices(shop, parcel.rma_number)[:3] == [
        "parcel_received",
        "inspection_finished",
        "refund_issued",
    ]


def test_a_refund_released_on_receipt_is_not_kept_waiting_by_the_grace_period(
    demo_env: StationEnvironment, shop: FakeShop, clock: StepClock, relay: Relay
) -> None:
    station = service(demo_env, clock)
    rule = InstantRefundRule(min_returns=1, max_value=AmountByCurrency(Decimal("100000")))
    station.policies = replace(
        demo_env.policies, refunds=replace(demo_env.policies.refunds, instant_refund=rule)
    )
    # Given a customer with a clean return before (the same e-mail)
    complete_parcel(station, demo_parcel(demo_env, "RMA-100001"))
    with demo_env.database.session() as session:
        first = session.exec(select(Return).where(Return.rma_number == "RMA-100001")).one()
        this = session.exec(select(Return).where(Return.rma_number == "RMA-100002")).one()
        this.customer_email = first.customer_email
        session.add(this)
    relay.drain()
    # When their next parcel is received (the refund released on receipt) and the relay runs
    parcel = demo_parcel(demo_env, "RMA-100002")
    opened = station.open_parcel(station.classify(parcel.tracking_number))
    assert isinstance(opened, ParcelOpened)
    relay.drain()
    # Then the shop has the receipt and the refund at once, no grace period waited
    timeline = heard_of(shop, parcel.rma_number)
    assert timeline[0] == "status:received" and "refund" in timeline
    assert events_of(demo_env, parcel.rma_number) == [
        ("return.received", OutboxStatus.DELIVERED),
        ("refund.requested", OutboxStatus.DELIVERED),
    ]
    assert notices(shop, parcel.rma_number) == ["parcel_received", "refund_issued"]
    # And F7 is refused: the refund stands
    workflow = Station(station)
    workflow.scan(parcel.tracking_number)  # resumes the open parcel
    workflow.press("F7")
    assert "released on receipt" in workflow.press("Enter").banner.text
