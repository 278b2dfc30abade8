"""A shift lead decides the refunds policy held back; only approved refunds are paid."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlmodel import col, select

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.data.models import AuditEntry, Operator, OutboxEvent, Refund
from returnsdesk.data.refunds import handled_by
from returnsdesk.data.repositories import verify_audit_chain
from returnsdesk.domain.vocabulary import Disposition, OperatorRole, RefundStatus
from returnsdesk.services.approvals import (
    FourEyesRequired,
    NotAShiftLead,
    RefundAlreadyDecided,
    RejectionNeedsReason,
    SignInFailed,
    authorize_lead,
    decide_refund,
    pending_refunds,
)
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.demo import DEMO_OPERATORS
from returnsdesk.services.operator_admin import set_role
from returnsdesk.services.operators import LockoutPolicy
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


def lead(
    demo_env: StationEnvironment, badge: str = "op-0003", station: str = "STATION-01"
) -> StationContext:
    return authorize_lead(
        demo_env.database,
        operator_code=badge,
        pin=DEMO_PINS[badge.upper()],
        station_code=station,
        now=NOW,
        lockout=LockoutPolicy(),
    )


DEMO_PINS = {code: pin for code, _name, _role, pin in DEMO_OPERATORS}


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
        authorize(demo_env, "OP-0001", None)
    with pytest.raises(SignInFailed):
        authorize(demo_env, "NOBODY", None)
    assert len(pending_refunds(demo_env.database)) == 1
    # Every refusal is in the audit trail, with the station
    assert [(a.action, a.details.get("station")) for a in audit_since(demo_env, "refund")] == [
        ("refund.decision_refused", "STATION-01")
    ]
    refusals = [a.action for a in audit_since(demo_env, "operator")]
    assert refusals[-2:] == ["operator.signed_in", "operator.sign_in_failed"]
    assert audit_since(demo_env, "lead")[-1].action == "lead.confirmation_refused"


def test_a_lead_never_confirms_with_the_badge_alone(
    demo_env: StationEnvironment, held: Refund
) -> None:
    with pytest.raises(SignInFailed, match="Wrong PIN"):
        authorize(demo_env, "OP-0003", None)
    with pytest.raises(SignInFailed, match="Wrong PIN"):
        authorize(demo_env, "OP-0003", "0000")
    assert len(pending_refunds(demo_env.database)) == 1


def test_a_lead_who_inspected_the_return_cannot_approve_its_refund(
    demo_env: StationEnvironment,
) -> None:
    # Given the lead Jonas inspected and completed a refund that policy held
    inspecting_lead = station_service(demo_env, operator_code="OP-0003", pin="2468")
    result = complete_parcel(inspecting_lead, demo_parcel(demo_env, "RMA-100004"))
    assert result.refund_status is RefundStatus.PENDING_APPROVAL
    # When he confirms with his own badge and PIN, at his station or at another one
    for station in ("STATION-01", "STATION-02"):
        with pytest.raises(FourEyesRequired, match="another shift lead"):
            decide_refund(
                demo_env.database,
                result.refund_id,
                lead(demo_env, "OP-0003", station),
                approve=True,
                note="fine",
                now=NOW,
            )
    # Then nothing is paid, each attempt is audited, and another lead can decide
    assert len(pending_refunds(demo_env.database)) == 1
    refused = audit_since(demo_env, "refund.decision_refused")
    assert len(refused) == 2 and {a.details["station"] for a in refused} == {
        "STATION-01",
        "STATION-02",
    }
    decision = decide_refund(
        demo_env.database,
        result.refund_id,
        lead(demo_env, "OP-0004"),
        approve=True,
        note="checked the photos",
        now=NOW,
    )
    assert decision.status is RefundStatus.APPROVED and decision.decided_by == "Maria Costa"


def test_an_overridden_disposition_holds_a_refund_within_policy_for_a_lead(
    demo_env: StationEnvironment,
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    result = complete_parcel(station_service(demo_env), parcel, override=Disposition.RECYCLE)
    assert result.refund_status is RefundStatus.PENDING_APPROVAL
    (pending,) = pending_refunds(demo_env.database)
    assert pending.rma_number == "RMA-100001"
    assert pending.reason == "Disposition overridden on 1 unit"


def test_handled_by_counts_who_received_inspected_and_completed(
    demo_env: StationEnvironment, held: Refund
) -> None:
    with demo_env.database.session() as session:
        people = handled_by(session, held.return_id)
        codes = {session.get(Operator, person).code for person in people}  # type: ignore[union-attr]
    assert codes == {"OP-0001"}


def test_a_context_that_claims_a_lead_role_is_checked_against_the_database(
    demo_env: StationEnvironment, held: Refund
) -> None:
    inspector = station_service(demo_env).context
    forged = replace(inspector, role=OperatorRole.SHIFT_LEAD)
    with pytest.raises(NotAShiftLead):
        decide_refund(demo_env.database, held.id, forged, approve=True, note="", now=NOW)
    # A lead demoted since they confirmed is refused too
    shift_lead = lead(demo_env, "OP-0004")
    with demo_env.database.session() as session:
        set_role(session, code="OP-0004", role=OperatorRole.INSPECTOR, by="it")
    with pytest.raises(NotAShiftLead):
        decide_refund(demo_env.database, held.id, shift_lead, approve=True, note="", now=NOW)
    assert len(pending_refunds(demo_env.database)) == 1


def authorize(demo_env: StationEnvironment, badge: str, pin: str | None) -> StationContext:
    return authorize_lead(
        demo_env.database,
        operator_code=badge,
        pin=pin,
        station_code="STATION-01",
        now=NOW,
        lockout=LockoutPolicy(),
    )


def audit_since(demo_env: StationEnvironment, prefix: str) -> list[AuditEntry]:
    with demo_env.database.session() as session:
        return list(
            session.exec(
                select(AuditEntry)
                .where(col(AuditEntry.action).startswith(prefix))
                .order_by(col(AuditEntry.sequence))
            )
        )


def verify_audit_chain_ok(demo_env: StationEnvironment) -> bool:
    with demo_env.database.session() as session:
        return verify_audit_chain(session).ok
