"""A shift lead closes recovery cases (refunds paid on receipt that inspection found too high)
with ``returnsdesk recovery``, under the rules of a refund decision."""

from __future__ import annotations

import io
import sys
from datetime import timedelta

import pytest
from sqlmodel import col, select

from completing import complete_parcel, demo_parcel, known_customer, trusting
from returnsdesk.__main__ import main as returnsdesk_main
from returnsdesk.cli import recovery as cli_recovery
from returnsdesk.data.models import AuditEntry, Operator, RecoveryCase, Refund
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.vocabulary import RecoveryResolution
from returnsdesk.services.approvals import authorize_lead
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.operators import DEFAULT_LOCKOUT
from returnsdesk.services.recovery_cases import (
    RecoveryAlreadyClosed,
    RecoveryNeedsNote,
    close_case,
    open_cases,
)


def run(
    env: StationEnvironment, *args: str, pin: str = "", monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """The command as a lead types it, the PIN piped in on standard input."""
    out, err = io.StringIO(), io.StringIO()
    url = env.database.engine.url.render_as_string(hide_password=False)
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO(pin + "\n"))
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        code = cli_recovery.main(["--database", url, *args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def case_opened(demo_env: StationEnvironment) -> StationEnvironment:
    """RMA-100002 refunded on receipt, then inspected grade D (half deducted) by the lead
    OP-0003: a recovery case."""
    service = trusting(demo_env, operator_code="OP-0003", pin="2468")
    known_customer(demo_env, service, "RMA-100002")
    result = complete_parcel(service, demo_parcel(demo_env, "RMA-100002"), grade="4")
    assert result.recovery_case_id is not None
    return demo_env


def stored_case(env: StationEnvironment) -> RecoveryCase:
    with env.database.read() as session:
        return session.exec(select(RecoveryCase)).one()


def audit_actions(env: StationEnvironment) -> list[tuple[str, str]]:
    with env.database.read() as session:
        rows = session.exec(
            select(AuditEntry.action, Operator.code).join(
                Operator, col(Operator.id) == col(AuditEntry.operator_id)
            )
        )
        return [(action, code) for action, code in rows]


def test_a_lead_lists_the_case_and_another_lead_closes_it_as_recovered(
    case_opened: StationEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = case_opened
    case = stored_case(env)
    # The list shows the return, what was paid and is at stake, who opened it and what was found
    code, out, _ = run(env, "list", monkeypatch=monkeypatch)
    (row,) = out.splitlines()[1:]
    assert code == 0 and row.startswith("RMA-100002")
    at_stake = case.paid - case.inspected
    assert at_stake > 0
    assert f"EUR {case.paid:,.2f}" in row and f"EUR {at_stake:,.2f}" in row
    with env.database.read() as session:
        opener = session.exec(select(Operator).where(Operator.code == "OP-0003")).one()
    assert opener.name[:20] in row and "paid on receipt" in row
    # The lead who inspected it cannot close it, nor can an inspector
    code, _, err = run(env, "close", "RMA-100002", "--resolution", "written_off", "--badge",
                       "OP-0003", "--note", "goodwill", pin="2468",
                       monkeypatch=monkeypatch)  # fmt: skip
    assert code == 1 and "another shift lead must close" in err
    code, _, err = run(env, "close", "RMA-100002", "--resolution", "written_off", "--badge",
                       "OP-0001", "--note", "goodwill", monkeypatch=monkeypatch)  # fmt: skip
    assert code == 1 and "not a shift lead" in err
    # Nor does a blank note, an unknown resolution or an RMA without an open case pass
    code, _, err = run(env, "close", "RMA-100002", "--resolution", "recovered", "--badge",
                       "OP-0004", "--note", "  ", pin="1357", monkeypatch=monkeypatch)  # fmt: skip
    assert code == 1 and "say what happened with --note" in err
    code, _, _ = run(env, "close", "RMA-100002", "--resolution", "forgiven", "--badge",
                     "OP-0004", "--note", "x", pin="1357", monkeypatch=monkeypatch)  # fmt: skip
    assert code == 2
    code, _, err = run(env, "close", "RMA-100001", "--resolution", "recovered", "--badge",
                       "OP-0004", "--note", "x", pin="1357", monkeypatch=monkeypatch)  # fmt: skip
    assert code == 1 and "has no open recovery case" in err
    assert stored_case(env).closed_at is None
    # Another lead closes it: recovered, with a note
    code, out, _ = run(env, "close", "rma-100002", "--resolution", "recovered", "--badge",
                       "OP-0004", "--note", "paid back by bank transfer", pin="1357",
                       monkeypatch=monkeypatch)  # fmt: skip
    assert code == 0, out
    assert f"RMA-100002 closed, recovered from the customer (EUR {at_stake:,.2f})" in out
    closed = stored_case(env)
    with env.database.read() as session:
        lead = session.exec(select(Operator).where(Operator.code == "OP-0004")).one()
        (refund,) = session.exec(select(Refund).where(Refund.id == closed.refund_id))
    assert closed.closed_at is not None and closed.closed_by == lead.id
    assert closed.resolution is RecoveryResolution.RECOVERED
    assert closed.resolution_note == "paid back by bank transfer"
    assert refund.total == case.paid  # closing changes no refund
    actions = audit_actions(env)
    assert ("refund.recovery_closed", "OP-0004") in actions
    assert ("refund.recovery_close_refused", "OP-0003") in actions
    assert ("lead.confirmation_refused", "OP-0001") in actions
    # And the list, as `returnsdesk recovery list` shows it, is empty
    out_stream = io.StringIO()
    url = env.database.engine.url.render_as_string(hide_password=False)
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", out_stream)
        patch.setattr(sys, "stderr", err_stream := io.StringIO())
        code = returnsdesk_main(["recovery", "--database", url, "list"])
    assert code == 0 and out_stream.getvalue() == "No recovery case is open.\n", (
        err_stream.getvalue()
    )


def test_a_case_closes_once_and_a_closing_says_what_happened(
    case_opened: StationEnvironment,
) -> None:
    env = case_opened
    (view,) = open_cases(env.database)
    lead = authorize_lead(
        env.database,
        operator_code="OP-0004",
        pin="1357",
        station_code="STATION-01",
        now=utc_now(),
        lockout=DEFAULT_LOCKOUT,
    )
    with pytest.raises(RecoveryNeedsNote):
        close_case(env.database, view.case_id, lead, resolution=RecoveryResolution.DISPUTED,
                   note=" ", now=utc_now())  # fmt: skip
    closed_at = utc_now() + timedelta(minutes=5)
    closed = close_case(env.database, view.case_id, lead,
                        resolution=RecoveryResolution.DISPUTED, note="chargeback filed",
                        now=closed_at)  # fmt: skip
    assert (
        closed.resolution is RecoveryResolution.DISPUTED and closed.closed_by == lead.operator_name
    )
    # A second closing (another lead's, a second window's) finds it closed and changes nothing
    with pytest.raises(RecoveryAlreadyClosed, match="closed already"):
        close_case(env.database, view.case_id, lead, resolution=RecoveryResolution.RECOVERED,
                   note="again", now=utc_now())  # fmt: skip
    stored = stored_case(env)
    assert stored.resolution is RecoveryResolution.DISPUTED and stored.closed_at == closed_at
    assert open_cases(env.database) == []
