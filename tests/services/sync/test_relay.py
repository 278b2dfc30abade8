"""The outbox relay against a real HTTP server: order, retries, parking, faults, two relays.

The shop is ``fake_shop.FakeShop``, a test double of the sync API's POST endpoints with the
contract's idempotency; the reference shop runs in tests/integration. ``faulty_proxy`` sits in
between where the network should misbehave. Time is a fake clock wherever the relay waits, so
backoff and Retry-After cost no wall time; only the proxy's injected timeouts do.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_shop import (
    FakeShop,
    expected_effects,
    shop_effects,
    write_synthetic_return,
    write_synthetic_returns,
)
from faulty_proxy import APPLIED_BUT_FAILED, Fault, FaultyProxy
from sqlmodel import col, select

from completing import complete_parcel, station_service
from postgres import BACKENDS
from returnsdesk.config import MessagesSettings, load_settings
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.models import (
    AuditEntry,
    Operator,
    OutboxEvent,
    Refund,
    StockMovement,
)
from returnsdesk.data.repositories import ANCHOR_EVENT, verify_audit_chain
from returnsdesk.domain.vocabulary import OperatorRole, OutboxStatus, RefundStatus
from returnsdesk.services.bootstrap import open_environment
from returnsdesk.services.operators import ensure_station
from returnsdesk.services.sync import (
    DeliveryOutcome,
    DeliveryResult,
    HttpContractConnector,
    OutboxEventView,
    Relay,
    RelayStats,
    SyncEventNotParked,
    SyncNotAllowed,
    mark_resolved,
    parse_retry_after,
    retry_parked,
    sync_health,
)
from returnsdesk.services.sync.station_pull import station_connector
from returnsdesk.services.views import StationContext

TIMEOUT_S = 0.1  # the relay's per-call timeout in these tests; the proxy holds 0.15 s

EVERY_FAULT = {
    Fault.NONE: 78,
    Fault.TIMEOUT_BEFORE: 1,
    Fault.TIMEOUT_AFTER: 1,
    Fault.ERROR_500: 3,
    Fault.BAD_GATEWAY_AFTER: 3,
    Fault.RATE_LIMITED: 3,
    Fault.RESET: 3,
    Fault.SLOW: 4,
    Fault.MALFORMED: 4,
}


# --- fixtures and helpers ------------------------------------------------------------------


class FakeClock:
    """Time that moves only when told to (or when the relay sleeps)."""

    def __init__(self) -> None:
        # Events get the real time as next_attempt_at when written: start there.
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def catch_up(self) -> None:
        """Move to the real time, when events were written after this clock was made."""
        self.now = max(self.now, datetime.now(UTC))


@pytest.fixture(autouse=True)
def _no_demo_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the printable demo barcode PDF; nothing here reads it."""
    monkeypatch.setattr(
        "returnsdesk.services.demo_sheet.write_demo_sheet", lambda _summary, path: path
    )


@pytest.fixture(autouse=True, params=[1, 4], ids=["serial", "parallel"])
def relay_parallel(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every test here runs twice: one event at a time, and four returns at once."""
    defaults = Relay.__init__.__kwdefaults__
    assert defaults is not None
    monkeypatch.setitem(defaults, "parallel", request.param)
    return int(request.param)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def connector_for(
    url: str, shop: FakeShop, clock: FakeClock | None = None
) -> HttpContractConnector:
    if clock is None:
        return HttpContractConnector(url, shop.token, timeout_s=TIMEOUT_S)
    return HttpContractConnector(url, shop.token, timeout_s=TIMEOUT_S, clock=clock)


def drain(relay: Relay, clock: FakeClock, *, max_rounds: int = 100_000) -> RelayStats:
    """Run the relay until nothing is pending (parked events aside), jumping the clock to the
    next due time whenever nothing is due now."""
    clock.catch_up()
    total = RelayStats()
    for _ in range(max_rounds):
        stats = relay.run_once()
        total = total + stats
        if stats.claimed == 0:
            if stats.next_due_at is None:
                return total
            clock.now = max(clock.now, stats.next_due_at)
    raise AssertionError(f"relay did not drain in {max_rounds} rounds: {total}")


def outbox(database: Database) -> list[OutboxEvent]:
    with database.session() as session:
        return list(session.exec(select(OutboxEvent).order_by(col(OutboxEvent.sequence))).all())


class RecordingConnector:
    """Wraps a connector; remembers every delivery in order, and calls ``during`` mid-call."""

    def __init__(self, inner: Any, during: Callable[[OutboxEventView], None] | None = None):
        self.inner = inner
        self.during = during
        self.sent: list[OutboxEventView] = []
        self.results: list[DeliveryResult] = []

    def deliver(self, event: OutboxEventView) -> DeliveryResult:
        self.sent.append(event)
        if self.during is not None:
            self.during(event)
        result: DeliveryResult = self.inner.deliver(event)
        self.results.append(result)
        return result


def complete_demo_returns(database_url: str) -> Database:
    """Receive, inspect every unit of, and complete each open demo return, with the station's
    own services (so the outbox holds exactly what a station writes)."""
    settings = load_settings(environ={}, overrides={"database.url": database_url})
    env = open_environment(settings, demo=True)
    assert env.demo is not None
    service = station_service(env)
    for parcel in env.demo.parcels:
        complete_parcel(service, parcel)
    return env.database


def assert_shop_holds_exactly_the_station_books(shop: FakeShop, database: Database) -> None:
    """Nothing lost, nothing doubled: per refund, per stock reference, and in sum."""
    expected, applied = expected_effects(database), shop_effects(shop)
    assert applied.refunds == expected.refunds
    assert applied.stock == expected.stock
    assert set(applied.refund_applications.values()) <= {1}, "a refund was applied twice"
    assert set(applied.stock_applications.values()) <= {1}, "a stock delta was applied twice"
    assert applied.refund_sum == expected.refund_sum
    with shop.locked() as state:
        assert +state.num_in_stock == +expected.stock_by_sku()


def assert_shop_saw_each_return_in_order(shop: FakeShop) -> None:
    with shop.locked() as state:
        for rma, timeline in state.timeline.items():
            assert timeline[0] == "status:received", (rma, timeline)
            # The customer hears of the outcome last, once the refund and the closing are
            # booked (a station's messages also say "parcel received" after the receipt).
            assert timeline[-1] == "notice", (rma, timeline)
            assert timeline.count("status:received") == timeline.count("status:closed") == 1
            assert 1 <= timeline.count("notice") <= 4, (rma, timeline)
            assert timeline.count("refund") <= 1, (rma, timeline)


def lead_and_inspector(database: Database) -> tuple[StationContext, StationContext]:
    contexts = []
    with database.session() as session:
        station = ensure_station(session, code="STATION-01")
        for code, role in (("LEAD-1", OperatorRole.SHIFT_LEAD), ("INSP-1", OperatorRole.INSPECTOR)):
            operator = Operator(code=code, name=code.title(), role=role)
            session.add(operator)
            session.flush()
            contexts.append(
                StationContext(
                    station_id=station.id,
                    station_code=station.code,
                    station_name=station.name,
                    operator_id=operator.id,
                    operator_code=operator.code,
                    operator_name=operator.name,
                    role=role,
                )
            )
    return contexts[0], contexts[1]


# --- order per return -----------------------------------------------------------------------


def shapes(events: list[OutboxEvent]) -> set[tuple[str, frozenset[str]]]:
    """Event types with their payload keys, and the keys of refund lines."""
    found = {(e.event_type, frozenset(e.payload)) for e in events}
    for e in events:
        for line in e.payload.get("lines", []):
            found.add(("refund line", frozenset(line)))
    return found


def synthetic_sample(folder: Path) -> list[OutboxEvent]:
    scratch = Database(make_engine(f"sqlite:///{folder / 'synthetic.sqlite3'}"))
    ensure_schema(scratch.engine)
    try:
        write_synthetic_returns(scratch, returns=5, rng=random.Random(0))
        return outbox(scratch)
    finally:
        scratch.dispose()


def test_real_station_events_reach_the_shop_in_order_and_match_its_books(
    database_url: str, tmp_path: Path, shop: FakeShop, clock: FakeClock
) -> None:
    # Given every open demo return completed at a station
    database = complete_demo_returns(database_url)
    try:
        events = outbox(database)
        assert len({e.aggregate_id for e in events}) >= 40
        # (the synthetic returns the other tests use have exactly these payload shapes, besides
        # the audit trail's anchors: every ANCHOR_EVERY-th audit entry)
        # (customer messages aside: the station queues customer.message, rendered by the
        # message deliverer (tests/services/messages); the synthetic returns keep the older
        # customer.notification, which the connector still maps)
        notices = (ANCHOR_EVENT, "customer.message", "customer.notification")
        returns = [e for e in events if e.event_type not in notices]
        synthetic = [e for e in synthetic_sample(tmp_path) if e.event_type not in notices]
        assert shapes(returns) == shapes(synthetic) and len(shapes(returns)) == 6
        anchors = [e for e in events if e.event_type == ANCHOR_EVENT]
        assert anchors

        # When the relay delivers the outbox straight to the shop (no faults here: a timeout
        # would only be the machine's load, so it is generous)
        with HttpContractConnector(shop.url, shop.token, timeout_s=10) as http:
            recording = RecordingConnector(
                station_connector(
                    database, {None: http}, MessagesSettings(grace_minutes=0), clock=clock
                )
            )
            stats = drain(Relay(database, recording, clock=clock, rng=random.Random(1)), clock)

        # Then every event went once, in sequence order within its return
        assert stats.delivered == len(events) and stats.retried == stats.parked == 0
        assert [e.status for e in outbox(database)] == [OutboxStatus.DELIVERED] * len(events)
        per_return: dict[uuid.UUID, list[int]] = {}
        for sent in recording.sent:
            per_return.setdefault(sent.aggregate_id, []).append(sent.sequence)
        for sequences in per_return.values():
            assert sequences == sorted(set(sequences))
        assert_shop_saw_each_return_in_order(shop)

        # And the shop's refunds and stock are the station's own rows, to the cent and unit
        with database.session() as session:
            refunds = session.exec(select(Refund)).all()
            movements = session.exec(select(StockMovement)).all()
        payable = {
            str(r.id): r.total
            for r in refunds
            if r.status is RefundStatus.APPROVED and r.total != 0
        }
        applied = shop_effects(shop)
        assert {k: total for k, (_, _, total) in applied.refunds.items()} == payable
        assert applied.stock == {str(m.inspection_id): (m.sku, m.quantity_delta) for m in movements}
        assert_shop_holds_exactly_the_station_books(shop, database)
        # The shop holds the audit trail's anchors, as the station wrote them
        assert shop.state.anchors == {
            (a.payload["key_id"], a.payload["sequence"]): a.payload["entry_hash"] for a in anchors
        }
        # Unapproved refunds and unit events made no call
        assert len(shop.state.calls) == sum(1 for r in recording.results if r.remote_call)
    finally:
        database.dispose()


# --- retries ----------------------------------------------------------------------------------


def test_a_call_whose_answer_was_lost_is_sent_again_with_the_same_key_and_applied_once(
    database: Database, shop: FakeShop, clock: FakeClock
) -> None:
    # Given one return: received, one unit, an approved refund, closed
    with database.session() as session:
        written = write_synthetic_return(
            session, n=1, rng=random.Random(3), units=1, refund_status="approved"
        )
    # And a network that loses the shop's answers to the first call twice, and to the refund
    script = [
        Fault.TIMEOUT_AFTER,  # return.received: applied, relay sees a timeout
        Fault.MALFORMED,  # its retry: replayed by the shop, garbled on the way back
        Fault.NONE,
        Fault.NONE,  # stock.adjusted
        Fault.BAD_GATEWAY_AFTER,  # refund: applied, relay sees a 502
        Fault.NONE,
        Fault.NONE,  # return.closed
        Fault.NONE,  # customer.notification
    ]
    with (
        FaultyProxy(shop.url, seed=1, script=script, hold_s=0.15) as proxy,
        connector_for(proxy.url, shop) as http,
    ):
        # When the relay delivers it
        drain(Relay(database, http, clock=clock, rng=random.Random(2)), clock)

    # Then each call took effect once although some were sent two or three times
    events = {e.event_type: e for e in outbox(database)}
    assert all(e.status is OutboxStatus.DELIVERED for e in events.values())
    assert events["return.received"].attempts == 3
    assert events["refund.requested"].attempts == 2
    with shop.locked() as state:
        assert state.timeline[written.rma_number] == [
            "status:received",
            "refund",
            "status:closed",
            "notice",
        ]
        by_key = Counter(call.key for call in state.calls)
        replays = [call.key for call in state.calls if call.replayed]
    assert by_key[events["return.received"].idempotency_key] == 3
    assert by_key[events["refund.requested"].idempotency_key] == 2
    # And every resend carried the key stored with the event, never a new one
    assert set(by_key) == {
        e.idempotency_key for e in events.values() if e.event_type != "unit.inspected"
    }
    assert sorted(replays) == sorted(
        [events["return.received"].idempotency_key] * 2
        + [events["refund.requested"].idempotency_key]
    )
    assert_shop_holds_exactly_the_station_books(shop, database)


def test_retry_after_from_the_shop_is_honoured(
    database: Database, shop: FakeShop, clock: FakeClock
) -> None:
    with database.session() as session:
        write_synthetic_return(session, n=1, rng=random.Random(3), units=1)
    clock.catch_up()
    first = outbox(database)[0]
    with (
        FaultyProxy(shop.url, seed=1, script=[Fault.RATE_LIMITED], retry_after_s=[7]) as proxy,
        connector_for(proxy.url, shop, clock) as http,
    ):
        relay = Relay(database, http, clock=clock, rng=random.Random(2), max_backoff_s=1)
        # When the shop answers 429 with Retry-After: 7
        stats = relay.run_once()
        attempted_at = clock.now
        # (the first event; the five after it, claimed with it, are handed back to wait)
        assert (stats.claimed, stats.retried, stats.released) == (6, 1, 5)
        event = outbox(database)[0]
        assert event.attempts == 1 and "429" in (event.last_error or "")
        # Then the relay waits those 7 s, not its own (at most 1 s) backoff
        assert event.next_attempt_at == attempted_at + timedelta(seconds=7)
        clock.advance(6.9)
        assert relay.run_once().claimed == 0
        clock.advance(0.1)
        assert relay.run_once().delivered >= 1
    assert outbox(database)[0].status is OutboxStatus.DELIVERED
    with shop.locked() as state:
        assert [c.key for c in state.calls][0] == first.idempotency_key


def test_retry_after_may_be_seconds_or_an_http_date() -> None:
    now = datetime(2025, 3, 3, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == 120
    assert parse_retry_after("Mon, 03 Mar 2025 12:00:30 GMT", now=now) == 30
    assert parse_retry_after("Mon, 03 Mar 2025 11:00:00 GMT", now=now) == 0  # past: now
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None, now=now) is None
    assert parse_retry_after("99999999", now=now) == 3600  # believed for an hour at most


# --- how answers are classified ----------------------------------------------------------------


def _view(event_type: str, payload: dict[str, Any]) -> OutboxEventView:
    now = datetime.now(UTC)
    return OutboxEventView(
        id=uuid.uuid4(),
        sequence=1,
        event_type=event_type,
        aggregate_id=uuid.uuid4(),
        payload=payload,
        idempotency_key="k" * 32,
        status=OutboxStatus.PENDING,
        attempts=0,
        last_error=None,
        created_at=now,
        next_attempt_at=now,
        delivered_at=None,
    )


STOCK = _view(
    "stock.adjusted",
    {
        "sku": "APP-1",
        "location": "A-01",
        "quantity_delta": 1,
        "reason": "return_restock",
        "inspection_id": str(uuid.uuid4()),
    },
)


@pytest.mark.parametrize(
    ("status", "body", "headers", "outcome", "retry_after", "detail"),
    [
        (201, b'{"sku": "APP-1", "num_in_stock": 4}', {}, DeliveryOutcome.DELIVERED, None, ""),
        (204, b"", {}, DeliveryOutcome.DELIVERED, None, ""),
        (200, b'{"sku": "AP', {}, DeliveryOutcome.RETRY, None, "outcome unknown"),
        (201, b"[]", {}, DeliveryOutcome.RETRY, None, "outcome unknown"),
        (500, b"boom", {}, DeliveryOutcome.RETRY, None, "HTTP 500 boom"),
        (408, b"", {}, DeliveryOutcome.RETRY, None, "HTTP 408"),
        (429, b"{}", {"Retry-After": "12"}, DeliveryOutcome.RETRY, 12.0, "HTTP 429"),
        (
            503,
            b"",
            {"Retry-After": "Mon, 03 Mar 2025 12:01:00 GMT"},
            DeliveryOutcome.RETRY,
            60.0,
            "HTTP 503",
        ),
        (401, b'{"error": "unauthorized"}', {}, DeliveryOutcome.RETRY, None, "token"),
        (302, b"", {"Location": "https://x/"}, DeliveryOutcome.RETRY, None, "redirected"),
        (
            400,
            b'{"error": "invalid_request", "message": "unknown SKU APP-1"}',
            {},
            DeliveryOutcome.PARKED,
            None,
            "HTTP 400 invalid_request: unknown SKU APP-1",
        ),
        (
            422,
            b'{"error": "idempotency_key_reused", "message": "other body"}',
            {},
            DeliveryOutcome.PARKED,
            None,
            "idempotency_key_reused: other body",
        ),
        (404, b"Not Found", {}, DeliveryOutcome.PARKED, None, "HTTP 404 Not Found"),
        (
            409,
            b'{"error": "in_progress", "message": "same key in flight"}',
            {"Retry-After": "3"},
            DeliveryOutcome.RETRY,
            3.0,
            "in_progress",
        ),
        (
            409,
            b'{"error": "duplicate_refund", "message": "recorded"}',
            {},
            DeliveryOutcome.PARKED,
            None,
            "HTTP 409 duplicate_refund: recorded",
        ),
        (
            201,
            b'{"sku": "APP-1", "num_in_stock": 4}',
            {"Idempotent-Replayed": "true"},
            DeliveryOutcome.DELIVERED,
            None,
            "(replayed)",
        ),
    ],
)
def test_answers_are_sorted_into_delivered_retry_and_parked(
    status: int,
    body: bytes,
    headers: dict[str, str],
    outcome: DeliveryOutcome,
    retry_after: float | None,
    detail: str,
) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=body, headers=headers)

    now = datetime(2025, 3, 3, 12, 0, 0, tzinfo=UTC)
    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        connector = HttpContractConnector(
            "https://shop.example", "secret", client=client, clock=lambda: now
        )
        result = connector.deliver(STOCK)
    assert (result.outcome, result.retry_after_s) == (outcome, retry_after)
    assert detail in result.detail
    (request,) = seen
    assert request.url == "https://shop.example/returnsdesk/api/v1/stock-adjustments"
    assert request.headers["Authorization"] == "Token secret"
    assert request.headers["Idempotency-Key"] == STOCK.idempotency_key


def test_network_errors_come_back_as_retry_never_as_exceptions() -> None:
    with FakeShop() as stopped:
        url = stopped.url
    # The port is closed now: connection refused
    connector = HttpContractConnector(url, "t", timeout_s=0.5)
    with connector:
        result = connector.deliver(STOCK)
    assert result.outcome is DeliveryOutcome.RETRY and result.status_code is None
    assert "ConnectError" in result.detail


@pytest.mark.parametrize(
    ("event_type", "payload", "outcome", "detail"),
    [
        ("unit.inspected", {"rma_number": "RMA-1"}, DeliveryOutcome.DELIVERED, "no remote call"),
        (
            "refund.requested",
            {
                "rma_number": "R",
                "refund_id": "x",
                "currency": "EUR",
                "total": "10.00",
                "status": "pending_approval",
                "lines": [],
            },
            DeliveryOutcome.DELIVERED,
            "pending_approval",
        ),
        ("refund.paid", {}, DeliveryOutcome.PARKED, "no order-system call"),
        (
            "refund.requested",
            {
                "rma_number": "R",
                "refund_id": "x",
                "currency": "EUR",
                "total": "10.01",
                "status": "approved",
                "lines": [
                    {"sku": "A", "unit_index": 0, "amount": "10.005", "deduction": "0"},
                ],
            },
            DeliveryOutcome.PARKED,
            "10.005 EUR has more digits than the currency's minor unit",
        ),
        ("stock.adjusted", {"sku": "A"}, DeliveryOutcome.PARKED, "KeyError"),
    ],
)
def test_events_without_a_call_are_no_ops_and_unsendable_ones_are_parked(
    event_type: str, payload: dict[str, Any], outcome: DeliveryOutcome, detail: str
) -> None:
    def no_network(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"no call expected, got {request.method} {request.url}")

    with httpx.Client(transport=httpx.MockTransport(no_network)) as client:
        result = HttpContractConnector("http://shop", "t", client=client).deliver(
            _view(event_type, payload)
        )
    assert result.outcome is outcome and detail in result.detail
    assert not result.remote_call


# --- parking ----------------------------------------------------------------------------------


def test_a_rejected_event_is_parked_and_holds_back_only_its_own_return(
    database: Database, shop: FakeShop, clock: FakeClock
) -> None:
    # Given two returns, the first with a refund the shop refuses (a currency it rejects)
    rng = random.Random(5)
    with database.session() as session:
        bad = write_synthetic_return(
            session, n=1, rng=rng, units=2, refund_status="approved", currency="EURO"
        )
    with database.session() as session:
        good = write_synthetic_return(session, n=2, rng=rng, units=2, refund_status="approved")
    lead, inspector = lead_and_inspector(database)

    with connector_for(shop.url, shop) as http:
        relay = Relay(database, http, clock=clock, rng=random.Random(1))
        # When the relay runs, and runs again an hour later
        drain(relay, clock)
        clock.advance(3600)
        drain(relay, clock)

        # Then the refund is parked with the shop's own message
        events = {(e.aggregate_id, e.event_type): e for e in outbox(database)}
        refund = events[bad.return_id, "refund.requested"]
        assert refund.status is OutboxStatus.NEEDS_ATTENTION and refund.attempts == 1
        assert refund.last_error is not None
        assert (
            "HTTP 400 invalid_request: currency must be ISO 4217, not 'EURO'" in refund.last_error
        )
        # And the return's later event waits, never attempted, while the other return went through
        closed = events[bad.return_id, "return.closed"]
        assert (closed.status, closed.attempts) == (OutboxStatus.PENDING, 0)
        assert all(
            e.status is OutboxStatus.DELIVERED
            for (rid, _), e in events.items()
            if rid == good.return_id
        )
        with shop.locked() as state:
            assert state.timeline[bad.rma_number] == ["status:received"]
            assert state.timeline[good.rma_number] == [
                "status:received",
                "refund",
                "status:closed",
                "notice",
            ]
        health = sync_health(database, clock.now)
        assert (health.pending, health.needs_attention) == (2, 1)  # its closing and notice
        assert health.last_error == refund.last_error
        assert health.oldest_pending_age is not None and health.oldest_pending_age > timedelta(
            minutes=59
        )

        # When an inspector tries to retry it: refused
        with pytest.raises(SyncNotAllowed):
            retry_parked(database, refund.id, inspector, now=clock.now)
        # When the shift lead retries it unchanged, the shop refuses it again
        retry_parked(database, refund.id, lead, now=clock.now)
        drain(relay, clock)
        again = outbox(database)[refund.sequence - 1]
        assert (again.status, again.attempts) == (OutboxStatus.NEEDS_ATTENTION, 2)
        with shop.locked() as state:
            tries = [c for c in state.calls if c.key == refund.idempotency_key]
        # (a 400 is not remembered by the shop: a corrected body could go through)
        assert [(c.status, c.replayed) for c in tries] == [(400, False), (400, False)]
        # When the lead resolves it (refunded by hand in the shop)
        mark_resolved(database, refund.id, lead, note="Refunded by hand in the shop", now=clock.now)
        with pytest.raises(SyncEventNotParked):
            mark_resolved(database, refund.id, lead, note="again", now=clock.now)
        drain(relay, clock)

    # Then the return's closing goes through; its notice, in the same refused currency, is
    # parked in turn (nothing else of the return waits behind it)
    assert {e.event_type for e in outbox(database) if e.status is not OutboxStatus.DELIVERED} == {
        "customer.notification"
    }
    with shop.locked() as state:
        assert state.timeline[bad.rma_number] == ["status:received", "status:closed"]
    # And both decisions are in the audit trail under the lead's name, after the inspector's
    # refused attempt
    with database.session() as session:
        entries = session.exec(
            select(AuditEntry).where(col(AuditEntry.action).startswith("sync."))
        ).all()
        assert [(e.action, e.operator_id) for e in entries] == [
            ("sync.retry_refused", inspector.operator_id),
            ("sync.retried", lead.operator_id),
            ("sync.resolved", lead.operator_id),
        ]
        assert entries[2].details["note"] == "Refunded by hand in the shop"
        assert entries[2].details["rma_number"] == bad.rma_number
        assert verify_audit_chain(session).ok
    assert sync_health(database, clock.now).needs_attention == 1  # the notice
    # And the contract check saw the same breaches the shop refused: the refund, twice, and the
    # notice, each for its currency (the relay sends what the station wrote, as it wrote it)
    assert shop.contract_log is not None
    breaches = shop.contract_log.take()
    assert [b.split(":")[0] for b in breaches] == [
        "request POST /returnsdesk/api/v1/refunds",
        "request POST /returnsdesk/api/v1/refunds",
        f"request POST /returnsdesk/api/v1/returns/{bad.rma_number}/notifications",
    ]
    assert all("'EURO' does not match" in b for b in breaches)


# --- thousands of events through a bad network ---------------------------------------------


@pytest.mark.slow
def test_thousands_of_events_through_a_faulty_network_reach_the_shop_exactly_once(
    fast_dir: Path, shop: FakeShop, clock: FakeClock
) -> None:
    # Given a few hundred completed returns' events (in the shapes the station writes, see
    # the first test), over 2,000 events
    database = Database(make_engine(f"sqlite:///{fast_dir / 'station.sqlite3'}"))
    ensure_schema(database.engine)
    try:
        written = write_synthetic_returns(database, returns=290, rng=random.Random(11))
        assert written == len(outbox(database)) >= 2000

        # When the relay delivers them through a network with every fault, seeded
        with FaultyProxy(shop.url, seed=20250303, weights=EVERY_FAULT, hold_s=0.15) as proxy:
            with connector_for(proxy.url, shop, clock) as http:
                relay = Relay(database, http, clock=clock, rng=random.Random(7), batch=50)
                stats = drain(relay, clock)
            injected = proxy.injected

        # Then everything was delivered, nothing parked
        assert stats.parked == 0
        assert {e.status for e in outbox(database)} == {OutboxStatus.DELIVERED}
        # And the network really misbehaved, including answers lost after the shop applied
        for fault in EVERY_FAULT:
            assert injected[fault] >= 3, injected
        assert stats.retried >= sum(
            n for f, n in injected.items() if f not in (Fault.NONE, Fault.SLOW)
        )
        with shop.locked() as state:
            replays = sum(call.replayed for call in state.calls)
        # (every call applied but answered badly is sent again, and the shop replays it)
        assert replays >= sum(injected[f] for f in APPLIED_BUT_FAILED)
        # And the shop holds exactly the station's refunds and stock: none lost, none doubled
        assert_shop_holds_exactly_the_station_books(shop, database)
        assert_shop_saw_each_return_in_order(shop)
        expected = expected_effects(database)
        assert len(expected.refunds) > 200 and len(expected.stock) > 700
        assert expected.refund_sum > Decimal(10_000)
    finally:
        database.dispose()


# --- more than one relay ---------------------------------------------------------------------


def test_a_relay_that_lost_its_claim_does_not_overwrite_the_new_owner(
    database: Database, shop: FakeShop, clock: FakeClock
) -> None:
    # Given one event, and two relays on one database
    with database.session() as session:
        write_synthetic_return(session, n=1, rng=random.Random(3), units=1)
    clock.catch_up()
    with connector_for(shop.url, shop) as http:
        second = Relay(database, http, clock=clock, lease_s=30, rng=random.Random(2))
        stalled: list[RelayStats] = []

        def stall_past_the_lease(_event: OutboxEventView) -> None:
            # The first relay hangs in its call for longer than its lease; meanwhile the
            # second relay finds the claim expired and delivers the event itself.
            clock.advance(31)
            stalled.append(second.run_once())

        class TimesOut:
            def deliver(self, event: OutboxEventView) -> DeliveryResult:
                return DeliveryResult.retry("no answer within 10 s")

        first = Relay(
            database,
            RecordingConnector(TimesOut(), during=stall_past_the_lease),
            clock=clock,
            lease_s=30,
            batch=1,
            rng=random.Random(1),
        )
        # When the first relay's call finally fails
        stats = first.run_once()

    # Then its late "retry" is dropped: the event stays delivered by the second relay
    assert stalled[0].delivered == 6  # the whole return, its first event included
    assert stats.retried == 1 and stats.lost == 1
    received = outbox(database)[0]
    assert received.status is OutboxStatus.DELIVERED and received.last_error is None


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_three_relays_on_one_database_never_send_one_event_at_once(
    fast_dir: Path, shop: FakeShop, backend: str, request: pytest.FixtureRequest
) -> None:
    # Given a few hundred returns' events and three relays, each with its own engine (as three
    # processes, or three stations on a shared PostgreSQL, would have), on a slow, faulty network
    url = (
        f"sqlite:///{fast_dir / 'station.sqlite3'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")()
    )
    setup = Database(make_engine(url))
    ensure_schema(setup.engine)
    write_synthetic_returns(setup, returns=60, rng=random.Random(4))
    setup.dispose()
    in_flight: dict[str, int] = {}
    overlaps: list[str] = []
    lock = threading.Lock()

    class Exclusive:
        """Notes any event handed to two relays' connectors at the same time."""

        def __init__(self, inner: HttpContractConnector) -> None:
            self.inner = inner
            self.delivered = 0

        def deliver(self, event: OutboxEventView) -> DeliveryResult:
            with lock:
                if in_flight.get(event.idempotency_key):
                    overlaps.append(event.idempotency_key)
                in_flight[event.idempotency_key] = in_flight.get(event.idempotency_key, 0) + 1
            try:
                result = self.inner.deliver(event)
            finally:
                with lock:
                    in_flight[event.idempotency_key] -= 1
            if result.outcome is DeliveryOutcome.DELIVERED and result.remote_call:
                self.delivered += 1
            return result

    weights = {
        Fault.NONE: 60,
        Fault.SLOW: 30,
        Fault.ERROR_500: 4,
        Fault.TIMEOUT_AFTER: 2,
        Fault.MALFORMED: 4,
    }
    stop = threading.Event()
    databases = [Database(make_engine(url)) for _ in range(3)]
    with FaultyProxy(shop.url, seed=9, weights=weights, hold_s=0.15, slow_s=0.01) as proxy:
        connectors = [Exclusive(connector_for(proxy.url, shop)) for _ in databases]
        relays = [
            Relay(
                db,
                connector,
                batch=5,
                lease_s=5,
                base_backoff_s=0.01,
                max_backoff_s=0.05,
                idle_poll_s=0.02,
                rng=random.Random(i),
            )
            for i, (db, connector) in enumerate(zip(databases, connectors, strict=True))
        ]
        threads = [
            threading.Thread(target=relay.run_forever, args=(stop,), name=f"relay-{i}")
            for i, relay in enumerate(relays)
        ]
        for thread in threads:
            thread.start()
        try:
            deadline = datetime.now(UTC) + timedelta(seconds=40)
            while datetime.now(UTC) < deadline:
                health = sync_health(databases[0], datetime.now(UTC))
                if health.pending == 0:
                    break
                stop.wait(0.05)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=10)
            for connector in connectors:
                connector.inner.close()
    assert not any(thread.is_alive() for thread in threads)
    try:
        # Then all was delivered, by more than one relay, never by two at once
        assert sync_health(databases[0], datetime.now(UTC)).pending == 0
        assert overlaps == []
        assert sum(c.delivered > 0 for c in connectors) >= 2
        assert_shop_holds_exactly_the_station_books(shop, databases[0])
        assert_shop_saw_each_return_in_order(shop)
    finally:
        for db in databases:
            db.dispose()


# --- telling a window what changed --------------------------------------------------------------


def test_a_running_relay_tells_its_listener_after_each_round_that_changed_the_outbox(
    database: Database, shop: FakeShop
) -> None:
    # Given a return's events, and a listener whose first call fails (a window's bug)
    write_synthetic_returns(database, returns=1, rng=random.Random(5))
    heard: list[tuple[str, RelayStats]] = []
    delivered = threading.Event()

    def listener(stats: RelayStats) -> None:
        heard.append((threading.current_thread().name, stats))
        if len(heard) == 1:
            raise RuntimeError("a window's bug")
        if sync_health(database, datetime.now(UTC)).pending == 0:
            delivered.set()

    # When the relay runs on its own thread, and more events come while it does
    stop = threading.Event()
    connector = connector_for(shop.url, shop)
    relay = Relay(database, connector, batch=2, idle_poll_s=0.05)
    thread = threading.Thread(target=relay.run_forever, args=(stop, listener), name="relay-t")
    thread.start()
    try:
        assert delivered.wait(10)
        delivered.clear()
        write_synthetic_returns(database, returns=1, rng=random.Random(6))
        assert delivered.wait(10)
    finally:
        stop.set()
        thread.join(timeout=10)
        connector.close()

    # Then it told the listener on its own thread, round by round, about every delivery, and
    # the failing listener stopped nothing; rounds that found nothing due were not told
    assert not thread.is_alive()
    assert {name for name, _stats in heard} == {"relay-t"}
    assert all(stats.attempted > 0 for _name, stats in heard)
    assert sum(stats.delivered for _name, stats in heard) == len(outbox(database))
    assert all(e.status is OutboxStatus.DELIVERED for e in outbox(database))
