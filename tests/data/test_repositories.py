from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import col, select

from returnsdesk.data.db import Database
from returnsdesk.data.models import Operator, OutboxEvent
from returnsdesk.data.repositories import (
    GENESIS_HASH,
    AuditVerification,
    add_outbox_event,
    append_audit,
    to_json_payload,
    verify_audit_chain,
)
from returnsdesk.domain.vocabulary import Disposition

RETURN_ID = uuid.UUID("5f0c3a4e-2b7d-4c1e-9a6f-0d8e7b6a5c4b")
AT = datetime(2031, 7, 1, 8, 0, tzinfo=UTC)  # the caller's clock, far from the machine's


@pytest.fixture
def database_url(url_on_each_backend: str) -> str:
    """On SQLite and on PostgreSQL: concurrent appends and the audit chain behave alike."""
    return url_on_each_backend


def _outbox(database: Database) -> list[OutboxEvent]:
    with database.session() as session:
        return list(session.exec(select(OutboxEvent).order_by(col(OutboxEvent.sequence))))


def _audit(database: Database, action: str, **details: Any) -> None:
    with database.session() as session:
        append_audit(
            session,
            action=action,
            subject=f"return {RETURN_ID}",
            details=details,
            operator_id=None,
            station_id=None,
        )


def _verify(database: Database) -> AuditVerification:
    with database.session() as session:
        return verify_audit_chain(session)


def test_to_json_payload_converts_to_plain_json_data() -> None:
    at = datetime(2024, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    payload = {
        "return_id": RETURN_ID,
        "refund": {"total": Decimal("12.50"), "lines": (Decimal("10.00"), Decimal("2.50"))},
        "completed_at": at,
        "disposition": Disposition.RESTOCK,
        "flags": [],
        "quantity": 2,
        "note": None,
    }
    assert to_json_payload(payload) == {
        "return_id": "5f0c3a4e-2b7d-4c1e-9a6f-0d8e7b6a5c4b",
        "refund": {"total": "12.50", "lines": ["10.00", "2.50"]},
        "completed_at": "2024-05-01T12:30:00+00:00",
        "disposition": "restock",
        "flags": [],
        "quantity": 2,
        "note": None,
    }


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"at": datetime(2024, 5, 1, 12, 0)}, ValueError),  # naive: which timezone?
        ({"counts": {1: "a"}}, TypeError),  # JSON would turn the key into "1"
        ({"ratio": float("nan")}, ValueError),
        ({"serials": {"A1", "B2"}}, TypeError),
    ],
)
def test_to_json_payload_refuses_what_would_not_read_back_as_written(
    payload: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        to_json_payload(payload)


def test_outbox_events_get_increasing_sequences_and_unique_keys(database: Database) -> None:
    # Given two events in one user action and one in the next
    with database.session() as session:
        for event_type in ("return.received", "refund.approved"):
            add_outbox_event(
                session,
                event_type=event_type,
                aggregate_id=RETURN_ID,
                payload={"total": Decimal("12.50")},
                now=AT,
            )
    with database.session() as session:
        add_outbox_event(
            session, event_type="return.completed", aggregate_id=RETURN_ID, payload={}, now=AT
        )

    events = _outbox(database)
    assert [(e.sequence, e.event_type) for e in events] == [
        (1, "return.received"),
        (2, "refund.approved"),
        (3, "return.completed"),
    ]
    assert len({e.idempotency_key for e in events}) == 3
    assert events[0].payload == {"total": "12.50"}
    # stamped by the caller's clock, and due then
    assert {(e.created_at, e.next_attempt_at) for e in events} == {(AT, AT)}


def test_outbox_sequences_stay_unique_under_concurrent_writers(database: Database) -> None:
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def add_50_events() -> None:
        try:
            start.wait()
            for _ in range(50):
                with database.session() as session:
                    add_outbox_event(
                        session,
                        event_type="stock.moved",
                        aggregate_id=RETURN_ID,
                        payload={},
                        now=AT,
                    )
        except BaseException as error:  # reported below; a thread's exception would be lost
            errors.append(error)

    threads = [threading.Thread(target=add_50_events) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert [e.sequence for e in _outbox(database)] == list(range(1, 101))


def test_audit_chain_links_every_entry_to_the_previous_one(database: Database) -> None:
    with database.session() as session:
        operator = Operator(code="OP-1", name="Ana")
        session.add(operator)
        session.flush()
        first = append_audit(
            session,
            action="parcel.received",
            subject="parcel 1Z999AA10123456784",
            details={"at": datetime(2024, 5, 1, tzinfo=UTC)},
            operator_id=operator.id,
            station_id=None,
        )
        second = append_audit(
            session,
            action="refund.approved",
            subject=f"return {RETURN_ID}",
            details={"total": Decimal("12.50")},
            operator_id=operator.id,
            station_id=None,
        )
    _audit(database, "return.completed")

    assert (first.sequence, first.previous_hash) == (1, GENESIS_HASH)
    assert (second.sequence, second.previous_hash) == (2, first.entry_hash)
    assert _verify(database) == AuditVerification(
        ok=True, entries_checked=3, first_broken_sequence=None
    )


def test_an_empty_audit_trail_verifies(database: Database) -> None:
    assert _verify(database) == AuditVerification(
        ok=True, entries_checked=0, first_broken_sequence=None
    )
