"""A mis-scan undone at the station (F7) within the grace period: the customer hears nothing, and
the shop neither; the parcel scanned next is announced as usual. Through the relay, to the fake
shop over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fake_shop import FakeShop
from sqlmodel import col, select

from completing import demo_parcel, station_service
from returnsdesk.config import MessagesSettings
from returnsdesk.data.models import OutboxEvent
from returnsdesk.domain.vocabulary import OutboxStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.messages.queue import MESSAGE_EVENT
from returnsdesk.services.sync import HttpContractConnector, Relay
from returnsdesk.services.sync.station_pull import station_connector
from returnsdesk.station.screen import State
from workflow_driver import Station


class StepClock:
    """Time that moves only when told to; starts at the real time, as events are written."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def test_an_undone_receipt_sends_nothing_and_the_next_one_is_announced(
    demo_env: StationEnvironment, shop: FakeShop
) -> None:
    wrong, right = demo_parcel(demo_env, "RMA-100001"), demo_parcel(demo_env, "RMA-100002")
    station = Station(station_service(demo_env))
    # Given the inspector scanned the wrong label, undid it with F7 and Enter, and then
    # scanned the right one
    station.scan(wrong.tracking_number)
    station.press("F7")
    assert station.press("Enter").state is State.IDLE
    assert station.scan(right.tracking_number).state is State.RETURN
    settings = MessagesSettings(grace_minutes=10)
    clock = StepClock()
    with HttpContractConnector(shop.url, shop.token, timeout_s=10) as http:
        relay = Relay(
            demo_env.database,
            station_connector(demo_env.database, {None: http}, settings, clock=clock),
            clock=clock,
            max_backoff_s=60,
        )
        # When the relay runs within the grace period: the shop hears of the right receipt only
        relay.run_once()
        with shop.locked() as state:
            assert wrong.rma_number not in state.timeline
            assert state.timeline[right.rma_number] == ["status:received"]
            assert state.notices == []
        # And when the grace period has passed
        clock.now += timedelta(minutes=10, seconds=1)
        for _ in range(20):
            if relay.run_once().claimed == 0:
                break
    # Then only the right parcel was announced to its customer
    with shop.locked() as state:
        notices = [(n["rma_number"], n["kind"]) for n in state.notices]
        assert notices == [(right.rma_number, "parcel_received")]
        assert wrong.rma_number not in state.timeline
        assert not [c for c in state.calls if wrong.rma_number in c.path]
    # And the undone receipt's message is done with, as nothing to send, not waiting for ever
    with demo_env.database.session() as session:
        messages = session.exec(
            select(OutboxEvent)
            .where(OutboxEvent.event_type == MESSAGE_EVENT)
            .order_by(col(OutboxEvent.sequence))
        ).all()
    assert [(m.payload["rma_number"], m.status) for m in messages] == [
        (wrong.rma_number, OutboxStatus.DELIVERED),
        (right.rma_number, OutboxStatus.DELIVERED),
    ]
