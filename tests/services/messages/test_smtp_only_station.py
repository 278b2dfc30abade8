"""A station with SMTP delivery but no order system still tells its customers: its relay
sends the messages alone (a real aiosmtpd server on loopback), and every other event waits
untouched, as on a station without any relay, for an order system to be set up."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from smtp_server import SmtpServer
from sqlmodel import col, select

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.config import MessagesSettings, OrderSystemSettings
from returnsdesk.data.models import OutboxEvent
from returnsdesk.domain.vocabulary import OutboxStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.messages.queue import MESSAGE_EVENT
from returnsdesk.services.sync.station_pull import station_relay

NO_ORDER_SYSTEM = OrderSystemSettings()  # kind "none"


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path)
    server.start()
    yield server
    server.stop()


def smtp_settings(server: SmtpServer) -> MessagesSettings:
    return MessagesSettings(
        delivery="smtp",
        grace_minutes=0,
        smtp_host="127.0.0.1",
        smtp_port=server.port,
        smtp_ca_file=server.ca_file,
        smtp_timeout_s=5.0,
        from_address="returns@shop.example",
    )


def outbox(env: StationEnvironment) -> list[OutboxEvent]:
    with env.database.session() as session:
        return list(session.exec(select(OutboxEvent).order_by(col(OutboxEvent.sequence))).all())


def test_without_an_order_system_the_relay_sends_the_messages_by_smtp_alone(
    demo_env: StationEnvironment, smtp: SmtpServer
) -> None:
    assert NO_ORDER_SYSTEM.kind == "none"
    # Given a return worked at a station that has SMTP but no order system
    complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100001"))
    others_before = [
        (e.id, e.status, e.attempts, e.last_error, e.next_attempt_at)
        for e in outbox(demo_env)
        if e.event_type != MESSAGE_EVENT
    ]
    assert others_before, "completion writes order-system events"

    # When the station's relay runs (as the window starts it)
    relay = station_relay(
        NO_ORDER_SYSTEM, demo_env.database, environ={}, messages=smtp_settings(smtp)
    )
    assert relay is not None
    relay.start()
    try:
        deadline = time.monotonic() + 30
        while len(smtp.mailbox.received) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        relay.close()

    # Then the customer got the three messages, in order, each under its own Message-ID
    events = [e for e in outbox(demo_env) if e.event_type == MESSAGE_EVENT]
    sent = smtp.mailbox.received
    assert [e.payload["kind"] for e in events] == [
        "parcel_received",
        "inspection_finished",
        "refund_issued",
    ]
    assert {e.status for e in events} == {OutboxStatus.DELIVERED}
    assert [m["Message-ID"] for m in sent] == [
        f"<{e.idempotency_key}@shop.example>" for e in events
    ]
    assert {m["To"].addresses[0].addr_spec for m in sent} == {events[0].payload["customer_email"]}
    assert "RMA-100001" in sent[2]["Subject"]
    # And the order-system events were not touched: pending, never tried, no error
    others_after = [
        (e.id, e.status, e.attempts, e.last_error, e.next_attempt_at)
        for e in outbox(demo_env)
        if e.event_type != MESSAGE_EVENT
    ]
    assert others_after == others_before
    assert {status for _, status, *_ in others_after} == {OutboxStatus.PENDING}


def test_without_an_order_system_or_smtp_there_is_no_relay(demo_env: StationEnvironment) -> None:
    assert station_relay(NO_ORDER_SYSTEM, demo_env.database, environ={}) is None
    assert (
        station_relay(NO_ORDER_SYSTEM, demo_env.database, environ={}, messages=MessagesSettings())
        is None
    )
