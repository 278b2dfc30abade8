"""On PostgreSQL, stations completing at once overlap: the append lock is taken at commit.

Outbox events are numbered and audit entries chained under an advisory lock held to the end
of the transaction (data/repositories.py). Taken by a completion's first event, it made every
other station wait for nearly all of that completion (issue 16: 1.5 s of a 1.9 s p95 with 8
stations). Now it is taken right before COMMIT. These tests check, on a real server, that a
transaction whose work is done holds no lock another station needs (``lock_timeout``: a
station that would wait fails instead), and that what the lock guarantees still holds:
sequences increase in commit order, so a reader that only asks for numbers above the last one
it saw misses nothing, and the audit trail stays one chain.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, func, select, text

from completing import inspect_parcel, station_service
from returnsdesk.config import load_settings
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.models import AuditEntry, OutboxEvent, Refund, Return
from returnsdesk.data.repositories import add_outbox_event, append_audit, verify_audit_chain
from returnsdesk.domain.clock import utc_now
from returnsdesk.services.bootstrap import StationEnvironment, open_environment
from returnsdesk.services.demo import DemoParcel
from returnsdesk.services.views import CompletionResult

pytestmark = pytest.mark.postgres

# A station that would have to wait for a lock fails after this instead: the tests below
# assert on that, not on how long anything took.
NO_WAITING = "?options=-c%20lock_timeout%3D2000"


def _advisory_locks_held(database: Database) -> int:
    with database.engine.connect() as connection:
        held = connection.execute(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
        ).scalar_one()
    return int(held)


def _writes(session: Session, aggregate: uuid.UUID, what: str) -> None:
    """What a completion appends: a few outbox events and an audit entry."""
    for event_type in ("return.received", "refund.approved", "return.completed"):
        add_outbox_event(
            session, event_type=event_type, aggregate_id=aggregate, payload={}, now=utc_now()
        )
    append_audit(
        session,
        action="return.completed",
        subject=what,
        details={},
        operator_id=None,
        station_id=None,
    )


@pytest.fixture
def url(postgres_url: Callable[[], str]) -> str:
    return postgres_url()


def test_a_transaction_waiting_to_commit_holds_back_no_other_writer(url: str) -> None:
    first = Database(make_engine(url))
    ensure_schema(first.engine)
    second = Database(make_engine(url + NO_WAITING))
    a, b = uuid.uuid4(), uuid.uuid4()
    try:
        # Given station A has written its events and audit entry, not yet committed
        with first.session() as session_a:
            _writes(session_a, a, "A")
            session_a.flush()
            # Then it holds no advisory lock
            assert _advisory_locks_held(second) == 0
            # And station B writes and commits meanwhile without waiting for one
            with second.session() as session_b:
                _writes(session_b, b, "B")
            # When A commits after B

        # Then the numbers follow the commits: B's before A's, each in the order written
        with first.read() as session:
            events = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.sequence))).all()
            entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.sequence))).all()
            assert [(e.sequence, e.aggregate_id, e.event_type) for e in events] == [
                (1, b, "return.received"),
                (2, b, "refund.approved"),
                (3, b, "return.completed"),
                (4, a, "return.received"),
                (5, a, "refund.approved"),
                (6, a, "return.completed"),
            ]
            assert [(e.sequence, e.subject) for e in entries] == [(1, "B"), (2, "A")]
            # And the audit trail is one unbroken chain
            assert verify_audit_chain(session).ok
    finally:
        first.dispose()
        second.dispose()


def test_a_reader_asking_for_higher_numbers_misses_no_event(url: str) -> None:
    """Writers interleave and commit in any order; a relay-like reader that keeps asking for
    sequences above the highest it has seen still sees every event, and the chain holds."""
    database = Database(make_engine(url))
    ensure_schema(database.engine)
    writers, rounds = 4, 15
    done = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for n in range(rounds):
                with database.session() as session:
                    _writes(session, uuid.uuid4(), f"{threading.current_thread().name} {n}")
                    session.flush()  # the rows are in, unnumbered: the commit numbers them
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def read() -> None:
        try:
            while True:
                finished = done.is_set()  # then this read comes after every commit
                with database.read() as session:
                    after = seen[-1] if seen else 0
                    seen.extend(
                        session.exec(
                            select(OutboxEvent.sequence)
                            .where(col(OutboxEvent.sequence) > after)
                            .order_by(col(OutboxEvent.sequence))
                        ).all()
                    )
                if finished:
                    return
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, name=f"writer-{n}") for n in range(writers)]
    reader = threading.Thread(target=read)
    try:
        reader.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        done.set()
        reader.join(timeout=30)
        assert errors == []
        with database.read() as session:
            # 3 per transaction, and an audit anchor after the 50th entry
            total = len(session.exec(select(OutboxEvent.id)).all())
            assert total == writers * rounds * 3 + 1
            assert seen == list(range(1, total + 1))  # nothing skipped, nothing out of order
            assert verify_audit_chain(session).ok
            assert len(session.exec(select(AuditEntry.sequence)).all()) == writers * rounds
    finally:
        done.set()
        database.dispose()


@pytest.fixture
def two_stations(
    postgres_url: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[StationEnvironment, StationEnvironment]]:
    monkeypatch.setattr(
        "returnsdesk.services.demo_sheet.write_demo_sheet", lambda _summary, path: path
    )
    url = postgres_url()
    envs = [
        open_environment(load_settings(environ={}, overrides={"database.url": each}), demo=True)
        for each in (url, url + NO_WAITING)  # the second finds the demo data seeded
    ]
    yield envs[0], envs[1]
    for env in envs:
        env.database.dispose()


def _two_parcels(env: StationEnvironment) -> tuple[DemoParcel, DemoParcel]:
    """Two demo parcels of different products, so their completions share no stock row."""
    assert env.demo is not None
    parcels = env.demo.parcels
    first = parcels[0]
    gtins = {item.gtin for item in first.items}
    second = next(p for p in parcels[1:] if not gtins & {item.gtin for item in p.items})
    return first, second


def test_a_completion_about_to_commit_does_not_hold_back_another_station(
    two_stations: tuple[StationEnvironment, StationEnvironment],
) -> None:
    env_a, env_b = two_stations
    station_a = station_service(env_a, operator_code="OP-0001", station_code="STATION-01")
    station_b = station_service(env_b, operator_code="OP-0002", station_code="STATION-02")
    parcel_a, parcel_b = _two_parcels(env_a)
    received_a, work_a = inspect_parcel(station_a, parcel_a)
    received_b, work_b = inspect_parcel(station_b, parcel_b)
    with env_a.database.read() as session:  # the receipts' events
        received = session.exec(select(func.max(col(OutboxEvent.sequence)))).one() or 0
    at_commit, carry_on = threading.Event(), threading.Event()
    outcome: list[Any] = []

    def hold_at_commit(session: Session) -> None:
        # Before the append hook (insert=True): A's completion (one transaction, the first
        # commit on its thread) has done all its work.
        if threading.current_thread().name == "station-a":
            at_commit.set()
            carry_on.wait(timeout=60)

    def complete_a() -> None:
        try:
            outcome.append(station_a.complete(received_a.parcel_id, work_a))
        except BaseException as exc:  # noqa: BLE001 - asserted below
            outcome.append(exc)

    event.listen(Session, "before_commit", hold_at_commit, insert=True)
    thread = threading.Thread(target=complete_a, name="station-a")
    try:
        # Given station A's completion has done everything but commit
        thread.start()
        assert at_commit.wait(timeout=60)
        # Then it holds no advisory lock
        assert _advisory_locks_held(env_b.database) == 0
        # And station B completes meanwhile without waiting for a lock
        result_b = station_b.complete(received_b.parcel_id, work_b)
    finally:
        carry_on.set()
        thread.join(timeout=60)
        event.remove(Session, "before_commit", hold_at_commit)
    # When A commits after B
    assert len(outcome) == 1 and isinstance(outcome[0], CompletionResult), outcome
    result_a = outcome[0]

    # Then both refunds are there, B's completion events come before A's, the chain holds
    with env_a.database.read() as session:
        refunds = session.exec(select(Refund.id)).all()
        assert {result_a.refund_id, result_b.refund_id} <= set(refunds)
        returns = dict(session.exec(select(Return.rma_number, Return.id)).all())
        events = session.exec(
            select(OutboxEvent)
            .where(col(OutboxEvent.sequence) > received)
            .order_by(col(OutboxEvent.sequence))
        ).all()
        of_a = [e.sequence for e in events if e.aggregate_id == returns[parcel_a.rma_number]]
        of_b = [e.sequence for e in events if e.aggregate_id == returns[parcel_b.rma_number]]
        assert of_a and of_b and max(of_b) < min(of_a), (of_b, of_a)
        assert all(e.sequence is not None for e in events)
        assert verify_audit_chain(session).ok
