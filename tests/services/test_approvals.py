"""A shift lead decides the refunds policy held back; only approved refunds are paid."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlmodel import col, select

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.data.models import AuditEntry, OutboxEvent, Refund
from returnsdesk.data.repositories import verify_audit_chain
from returnsdesk.domain.vocabulary import RefundStatus
from returnsdesk.services.approvals import (
    NotAShiftLead,
    RefundAlreadyDecided,
    RejectionNeedsReason,
    SignInFailed,
    authorize_lead,
    decide_refund,
    pending_refunds,
)
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.sync.connector import ContractCall, NoRemoteCall, plan_call
from returnsdesk.services.sync.relay import event_view
from returnsdesk.services.views import StationContext

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def held(demo_env: StationEnvironment) -> Refund:
    """RMA-100004 (above EUR 500) completed by an inspector: its refund waits for a lead."""
    result = complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100004"))
    assert result.refund_status is RefundStatus.PENDING_APPROVAL
    with demo_env.database.session() as session:
        refund = session.get(Refund, result.refund_id)
        assert refund is not None
        session.expunge(refund)
        return refund


def lead(demo_env: StationEnvironment) -> StationContext:
    return authorize_lead(
        demo_env.database, operator_code="op-0003", pin=None, station_code="STATION-01"
    )


def test_the_held_refund_is_listed_with_its_reason_and_lines(
    demo_env: StationEnvironment, held: Refund
) -> None:
    # And a refund within policy is not listed
    complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100001"))
    (pending,) = pending_refunds(demo_env.database)
    assert pending.rma_number == "RMA-100004"
    assert pending.customer_name == "Mateusz Kowalski"
    assert pending.total.amount == held.total > Decimal(500)
    assert "500" in pending.reason
    assert pending.inspector == "Alex Morgan" and pending.station_code == "STATION-01"
    assert sum(line.amount.amount for line in pending.lines) == held.total


def test_approval_queues_the_payment_and_is_audited(
    demo_env: StationEnvironment, held: Refund
) -> None:
    decision = decide_refund(
        demo_env.database,
        held.id,
        lead(demo_env),
        approve=True,
        note="customer of 10 years",
        now=NOW,
    )
    assert decision.status is RefundStatus.APPROVED
    assert decision.decided_by == "Jonas Weber"
    assert pending_refunds(demo_env.database) == []
    with demo_env.database.session() as session:
        refund = session.get(Refund, held.id)
        assert refund is not None and refund.status is RefundStatus.APPROVED
        assert "approved by OP-0003: customer of 10 years" in refund.status_reason
        events = session.exec(
            select(OutboxEvent)
            .where(col(OutboxEvent.event_type).startswith("refund."))
            .order_by(col(OutboxEvent.sequence))
        ).all()
        audit = session.exec(
            select(AuditEntry).order_by(col(AuditEntry.sequence).desc()).limit(1)
        ).one()
    assert [e.event_type for e in events] == ["refund.requested", "refund.approved"]
    requested, approved = (plan_call(event_view(e)) for e in events)
    # The completion's event pays nothing; the approval's event is the payment call
    assert isinstance(requested, NoRemoteCall)
    assert isinstance(approved, ContractCall) and approved.path == "/refunds"
    assert approved.body["rma_number"] == "RMA-100004"
    assert Decimal(approved.body["total"]) == held.total
    assert events[1].idempotency_key != events[0].idempotency_key
    assert audit.action == "refund.approved" and audit.subject == "RMA-100004"
    assert audit.details["note"] == "customer of 10 years"
    assert verify_audit_chain_ok(demo_env)


def test_rejection_needs_a_reason_pays_nothing_and_is_final(
    demo_env: StationEnvironment, held: Refund
) -> None:
    shift_lead = lead(demo_env)
    with pytest.raises(RejectionNeedsReason):
        decide_refund(demo_env.database, held.id, shift_lead, approve=False, note="  ", now=NOW)
    assert len(pending_refunds(demo_env.database)) == 1  # nothing changed

    decide_refund(
        demo_env.database, held.id, shift_lead, approve=False, note="item swapped", now=NOW
    )
    with pytest.raises(RefundAlreadyDecided, match="rejected already"):
        decide_refund(demo_env.database, held.id, shift_lead, approve=True, note="", now=NOW)
    with demo_env.database.session() as session:
        refund = session.get(Refund, held.id)
        assert refund is not None and refund.status is RefundStatus.REJECTED
        approved = session.exec(
            select(OutboxEvent).where(OutboxEvent.event_type == "refund.approved")
        ).all()
    assert approved == []


def test_an_inspector_cannot_decide_and_a_wrong_badge_is_refused(
    demo_env: StationEnvironment, held: Refund
) -> None:
    inspector = station_service(demo_env).context
    with pytest.raises(NotAShiftLead):
        decide_refund(demo_env.database, held.id, inspector, approve=True, note="", now=NOW)
    with pytest.raises(NotAShiftLead, match="Alex Morgan is not a shift lead"):
        authorize_lead(demo_env.database, operator_code="OP-0001", pin=None, station_code="S")
    with pytest.raises(SignInFailed):
        authorize_lead(demo_env.database, operator_code="NOBODY", pin=None, station_code="S")
    assert len(pending_refunds(demo_env.database)) == 1


def verify_audit_chain_ok(demo_env: StationEnvironment) -> bool:
    with demo_env.database.session() as session:
        return verify_audit_chain(session).ok
