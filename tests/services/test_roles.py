"""Each shift-lead action, called as an inspector, is refused below the screens and audited.

The table in docs/it-guide.md ("Who may do what") lists these actions; the screens hide
nothing here: every call goes straight to the service, as a script or a bug would.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.data.models import AuditEntry, Operator, OutboxEvent, Refund
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.vocabulary import OutboxStatus, RefundStatus
from returnsdesk.services.approvals import NotAShiftLead, decide_refund
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.operators import unlock_by_lead
from returnsdesk.services.sync.relay import SyncNotAllowed, mark_resolved, retry_parked
from returnsdesk.services.views import StationContext

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def floor(demo_env: StationEnvironment) -> StationEnvironment:
    """A held refund, a parked order-system event and a locked badge, as a lead finds them."""
    result = complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100004"))
    assert result.refund_status is RefundStatus.PENDING_APPROVAL
    with demo_env.database.session() as session:
        event = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.sequence))).first()
        assert event is not None
        event.status = OutboxStatus.NEEDS_ATTENTION
        session.add(event)
        lead = session.exec(select(Operator).where(Operator.code == "OP-0003")).one()
        lead.locked_until = NOW.replace(year=2999)
        session.add(lead)
    return demo_env


Action = Callable[[StationEnvironment, StationContext], object]


def _refund_id(env: StationEnvironment) -> object:
    with env.database.session() as session:
        return session.exec(select(Refund.id)).one()


def _event_id(env: StationEnvironment) -> object:
    with env.database.session() as session:
        return session.exec(
            select(OutboxEvent.id).where(OutboxEvent.status == OutboxStatus.NEEDS_ATTENTION)
        ).one()


ACTIONS: dict[str, tuple[Action, type[OperatorError], str]] = {
    "approve a held refund": (
        lambda env, who: decide_refund(
            env.database,
            _refund_id(env),
            who,
            approve=True,
            note="",
            now=NOW,  # type: ignore[arg-type]
        ),
        NotAShiftLead,
        "refund.decision_refused",
    ),
    "reject a held refund": (
        lambda env, who: decide_refund(
            env.database,
            _refund_id(env),
            who,
            approve=False,
            note="no",
            now=NOW,  # type: ignore[arg-type]
        ),
        NotAShiftLead,
        "refund.decision_refused",
    ),
    "send a parked event again": (
        lambda env, who: retry_parked(env.database, _event_id(env), who, now=NOW),  # type: ignore[arg-type]
        SyncNotAllowed,
        "sync.retry_refused",
    ),
    "mark a parked event resolved": (
        lambda env, who: mark_resolved(
            env.database,
            _event_id(env),
            who,
            note="done by hand",
            now=NOW,  # type: ignore[arg-type]
        ),
        SyncNotAllowed,
        "sync.resolve_refused",
    ),
    "unlock a badge": (
        lambda env, who: unlock_by_lead(env.database, code="OP-0003", lead=who),
        NotAShiftLead,
        "operator.unlock_refused",
    ),
}


@pytest.mark.parametrize("action", ACTIONS, ids=list(ACTIONS))
def test_an_inspector_is_refused_every_lead_action_and_the_attempt_is_audited(
    floor: StationEnvironment, action: str
) -> None:
    call, refusal, audited = ACTIONS[action]
    inspector = station_service(floor, operator_code="OP-0002", station_code="STATION-02").context
    before = snapshot(floor)
    with pytest.raises(refusal):
        call(floor, inspector)
    assert snapshot(floor) == before  # nothing changed
    with floor.database.session() as session:
        entry = session.exec(
            select(AuditEntry).order_by(col(AuditEntry.sequence).desc()).limit(1)
        ).one()
    assert (entry.action, entry.details["badge"], entry.details["station"]) == (
        audited,
        "OP-0002",
        "STATION-02",
    )


def test_a_lead_may_do_each_of_them(floor: StationEnvironment) -> None:
    lead = station_service(floor, operator_code="OP-0004", pin="1357").context
    # Each refund and event is decided once: approving and retrying leave nothing to reject
    # or resolve (tests/services/test_approvals.py and sync/test_relay.py do those).
    for action in ("approve a held refund", "send a parked event again", "unlock a badge"):
        call, _refusal, _audited = ACTIONS[action]
        call(floor, lead)
    with floor.database.session() as session:
        locked = session.exec(select(Operator).where(Operator.code == "OP-0003")).one()
        assert locked.locked_until is None


def snapshot(env: StationEnvironment) -> tuple[object, ...]:
    with env.database.session() as session:
        return (
            session.exec(select(Refund.status)).all(),
            # The refusal's audit entry may be the one whose head is anchored: not a change.
            session.exec(
                select(OutboxEvent.status)
                .where(OutboxEvent.event_type != "audit.anchored")
                .order_by(col(OutboxEvent.sequence))
            ).all(),
            session.exec(select(Operator.locked_until).order_by(Operator.code)).all(),
        )
