"""Messages from working a return at the station to the customer: through the order system,
and by the station's own SMTP (a real aiosmtpd server on loopback, STARTTLS). Faults delay a
message, never lose it, and a message sent twice carries one Message-ID."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import holidays
import pytest
from fake_shop import FakeShop
from smtp_server import SmtpServer
from sqlmodel import col, select

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.config import MessagesSettings
from returnsdesk.data.models import Order, OutboxEvent, Return
from returnsdesk.domain.vocabulary import OutboxStatus, RefundStatus
from returnsdesk.services.approvals import authorize_lead, decide_refund
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.messages.ledger import list_messages, resend_message
from returnsdesk.services.messages.queue import MESSAGE_EVENT
from returnsdesk.services.operators import LockoutPolicy, NotAShiftLead, sign_in
from returnsdesk.services.sync import HttpContractConnector, Relay, retry_parked
from returnsdesk.services.sync.station_pull import station_connector


class FakeClock:
    """Time that moves only when told to; starts at the real time, as events are written."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def catch_up(self) -> None:
        self.now = max(self.now, datetime.now(UTC))


def drain(relay: Relay, clock: FakeClock) -> None:
    """Run the relay until nothing is pending (parked aside), jumping to each next due time."""
    clock.catch_up()
    for _ in range(10_000):
        if relay.run_once().claimed == 0:
            due = relay.run_once().next_due_at
            if due is None:
                return
            clock.now = max(clock.now, due)
    raise AssertionError("the relay did not drain")


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path)
    server.start()
    yield server
    server.stop()


def smtp_settings(server: SmtpServer, **changes: Any) -> MessagesSettings:
    return MessagesSettings(
        delivery="smtp",
        smtp_host="127.0.0.1",
        smtp_port=server.port,
        smtp_ca_file=server.ca_file,
        smtp_timeout_s=5.0,
        from_address="returns@shop.example",
        **changes,
    )


def customer(env: StationEnvironment, rma: str, *, language: str, method: str) -> str:
    """Give the return's order a language and payment method; its customer's address."""
    with env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
        order = session.get(Order, return_.order_id)
        assert order is not None
        order.customer_language, order.payment_method = language, method
        session.add(order)
        return return_.customer_email


def relay(
    env: StationEnvironment, shop: FakeShop, settings: MessagesSettings, clock: FakeClock
) -> Iterator[Relay]:
    with HttpContractConnector(shop.url, shop.token, timeout_s=10) as http:
        yield Relay(
            env.database,
            station_connector(env.database, {None: http}, settings, clock=clock),
            clock=clock,
            max_backoff_s=60,
        )


def message_events(env: StationEnvironment) -> list[OutboxEvent]:
    with env.database.session() as session:
        return list(
            session.exec(
                select(OutboxEvent)
                .where(OutboxEvent.event_type == MESSAGE_EVENT)
                .order_by(col(OutboxEvent.sequence))
            ).all()
        )


def oracle_day(start: datetime, business_days: int) -> date:
    """Written out apart from the code under test: DE public holidays, Monday to Friday."""
    day = start.date()  # the warehouse's time zone is UTC in these settings
    calendar = holidays.country_holidays("DE", years=range(day.year, day.year + 2))
    counted = 0
    while counted < business_days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in calendar:
            counted += 1
    return day


def test_order_system_path_german_customer_hears_each_step_in_order(
    demo_env: StationEnvironment, shop: FakeShop
) -> None:
    # Given a German customer who paid by card, whose return is worked at the station
    email = customer(demo_env, "RMA-100001", language="de", method="card")
    result = complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100001"))
    assert result.refund_status is RefundStatus.APPROVED
    clock = FakeClock()

    # When the relay runs (the receipt's grace period passes on the way)
    for running in relay(demo_env, shop, MessagesSettings(), clock):
        drain(running, clock)

    # Then the shop got the messages in order, after the refund it booked
    with shop.locked() as state:
        notices = [n for n in state.notices if n["rma_number"] == "RMA-100001"]
        timeline = state.timeline["RMA-100001"]
    assert [n["kind"] for n in notices] == [
        "parcel_received",
        "inspection_finished",
        "refund_issued",
    ]
    assert timeline.index("refund") < len(timeline) - 1 and timeline[-1] == "notice"
    received, inspected, refunded = notices
    assert all(n["to"] == email and n["language"] == "de" for n in notices)
    total = f"{result.refund_total.amount:.2f}".replace(".", ",")
    assert total in refunded["subject"] and "RMA-100001" in refunded["subject"]
    assert refunded["total"] == f"{result.refund_total.amount:.2f}"
    at = datetime.fromisoformat(message_events(demo_env)[2].payload["at"])
    expected = oracle_day(at, 5)
    assert refunded["refund_expected_by"] == expected.isoformat()
    assert f"{expected.day}. " in refunded["text"] and str(expected.year) in refunded["text"]
    assert "Angenommen:" in inspected["text"] and "eingetroffen" in received["text"]


def test_a_held_refund_promises_nothing_until_a_lead_releases_it(
    demo_env: StationEnvironment, shop: FakeShop
) -> None:
    result = complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100004"))
    assert result.refund_status is RefundStatus.PENDING_APPROVAL
    clock = FakeClock()
    for running in relay(demo_env, shop, MessagesSettings(), clock):
        drain(running, clock)
        with shop.locked() as state:
            kinds = [n["kind"] for n in state.notices if n["rma_number"] == "RMA-100004"]
            held = state.notices[-1]
        assert kinds == ["parcel_received", "inspection_finished", "refund_held"]
        amount = f"{result.refund_total.amount:,.2f}"
        assert amount not in held["text"] and amount not in held["subject"]
        assert "review" in held["text"]

        # When a lead approves it
        lead = authorize_lead(
            demo_env.database,
            operator_code="OP-0003",
            pin="2468",
            station_code="STATION-01",
            now=clock(),
            lockout=LockoutPolicy(),
        )
        decide_refund(
            demo_env.database, result.refund_id, lead, approve=True, note="ok", now=clock()
        )
        drain(running, clock)
    # Then "refund issued" follows, after the shop booked the refund
    with shop.locked() as state:
        last = state.notices[-1]
        timeline = state.timeline["RMA-100004"]
    assert last["kind"] == "refund_issued" and amount in last["subject"]
    assert timeline[-2:] == ["refund", "notice"]


def emails_to(smtp: SmtpServer, address: str) -> list[EmailMessage]:
    return [m for m in smtp.mailbox.received if address in str(m["To"])]


def test_smtp_path_sends_the_messages_with_starttls_in_the_customers_language(
    demo_env: StationEnvironment, shop: FakeShop, smtp: SmtpServer
) -> None:
    email = customer(demo_env, "RMA-100002", language="en-GB", method="paypal")
    result = complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100002"))
    clock = FakeClock()
    for running in relay(demo_env, shop, smtp_settings(smtp), clock):
        drain(running, clock)
    sent = emails_to(smtp, email)
    assert [m["Subject"].split(" ")[0] for m in sent] == ["We", "Your", "Refund"]
    refund = sent[2]
    assert refund["From"] == "returns@shop.example"
    assert refund["Content-Language"] == "en"
    events = message_events(demo_env)
    assert [m["Message-ID"] for m in sent] == [
        f"<{e.idempotency_key}@shop.example>" for e in events
    ]
    body = refund.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "£" not in text and f"€{result.refund_total.amount:,.2f}" in text  # en-GB, EUR
    expected = oracle_day(datetime.fromisoformat(events[2].payload["at"]), 2)  # paypal=2
    assert f"{expected.day} {expected:%B} {expected.year}" in text  # en-GB: 8 January 2027
    html = refund.get_body(("html",))
    assert html is not None and "RMA-100002" in html.get_content()
    # The shop got the order-system events, but no notices: the station sent the mail
    with shop.locked() as state:
        assert not [n for n in state.notices if n["rma_number"] == "RMA-100002"]
        assert "refund" in state.timeline["RMA-100002"]


def test_smtp_faults_delay_but_never_lose_a_message(
    demo_env: StationEnvironment, shop: FakeShop, smtp: SmtpServer
) -> None:
    email = customer(demo_env, "RMA-100001", language="en", method="card")
    complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100001"))
    clock = FakeClock()
    for running in relay(demo_env, shop, smtp_settings(smtp, grace_minutes=0), clock):
        # Given the server is down
        smtp.stop()
        clock.catch_up()
        running.run_once()
        running.run_once()
        assert all(e.status is OutboxStatus.PENDING for e in message_events(demo_env))
        assert "ConnectionRefused" in (message_events(demo_env)[0].last_error or "")
        # When it is back but answers 451, then takes the message and drops the connection
        # before its reply, then refuses the same message with 554
        smtp.start()
        smtp.mailbox.faults[:] = ["451 4.3.0 try again later", "drop", "554 5.7.1 not today"]
        drain(running, clock)
        # Then the first message is parked for a lead, and the later ones wait behind it
        events = message_events(demo_env)
        assert [(e.status, e.attempts) for e in events] == [
            (OutboxStatus.NEEDS_ATTENTION, 4),  # refused, 451, dropped, 554
            (OutboxStatus.PENDING, 0),
            (OutboxStatus.PENDING, 0),
        ]
        assert "554 5.7.1 not today" in (events[0].last_error or "")
        # When a lead sends the parked one again once the server takes it
        with demo_env.database.session() as session:
            lead = sign_in(session, operator_code="OP-0003", station_code="STATION-01", pin="2468")
        retry_parked(demo_env.database, events[0].id, lead, now=clock())
        drain(running, clock)
    # Then every message arrived, the one cut off after DATA twice, under one Message-ID
    sent = emails_to(smtp, email)
    ids = [m["Message-ID"] for m in sent]
    keys = [f"<{e.idempotency_key}@shop.example>" for e in message_events(demo_env)]
    assert ids == [keys[0], keys[0], keys[1], keys[2]]
    assert all(e.status is OutboxStatus.DELIVERED for e in message_events(demo_env))


def test_the_lead_lists_what_was_sent_and_resends_audited(
    demo_env: StationEnvironment, shop: FakeShop, smtp: SmtpServer
) -> None:
    email = customer(demo_env, "RMA-100001", language="en", method="card")
    complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100001"))
    clock = FakeClock()
    for running in relay(demo_env, shop, smtp_settings(smtp), clock):
        drain(running, clock)
        records = list_messages(demo_env.database, "rma-100001")
        assert [(r.kind, r.status) for r in records] == [
            ("parcel_received", OutboxStatus.DELIVERED),
            ("inspection_finished", OutboxStatus.DELIVERED),
            ("refund_issued", OutboxStatus.DELIVERED),
        ]
        assert all(r.to == email and r.delivered_at is not None for r in records)
        with demo_env.database.session() as session:
            inspector = sign_in(session, operator_code="OP-0001", station_code="STATION-01")
            lead = sign_in(session, operator_code="OP-0003", station_code="STATION-01", pin="2468")
        with pytest.raises(NotAShiftLead):
            resend_message(demo_env.database, records[2].event_id, inspector, now=clock())
        again = resend_message(demo_env.database, records[2].event_id, lead, now=clock())
        drain(running, clock)
    assert again.resend_of == records[2].event_id
    sent = emails_to(smtp, email)
    assert [m["Subject"] for m in sent][-2] == [m["Subject"] for m in sent][-1]
    assert len({m["Message-ID"] for m in sent}) == 4  # a resend is a new message
    from returnsdesk.data.models import AuditEntry

    with demo_env.database.session() as session:
        actions = [
            (e.action, e.operator_id)
            for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.sequence)))
            if e.action.startswith("message.")
        ]
    assert actions == [
        ("message.resend_refused", inspector.operator_id),
        ("message.resent", lead.operator_id),
    ]
