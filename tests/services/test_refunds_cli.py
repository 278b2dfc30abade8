"""A shift lead decides held refunds with ``returnsdesk refunds``, under the station's rules."""

from __future__ import annotations

import io
import sys

import pytest

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.cli import refunds as cli_refunds
from returnsdesk.domain.vocabulary import RefundStatus
from returnsdesk.services.approvals import pending_refunds
from returnsdesk.services.bootstrap import StationEnvironment


def run(
    env: StationEnvironment, *args: str, pin: str = "", monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """The command as a lead types it, the PIN piped in on standard input."""
    out, err = io.StringIO(), io.StringIO()
    url = env.database.engine.url.render_as_string(hide_password=False)
    # A context, not monkeypatch.undo(): that would also undo conftest's private directories
    # (and with them this test's audit key file).
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO(pin + "\n"))
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        code = cli_refunds.main(["--database", url, *args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def held_by_a_lead(demo_env: StationEnvironment) -> StationEnvironment:
    """RMA-100004 (above the limit) inspected and completed by the lead OP-0003."""
    service = station_service(demo_env, operator_code="OP-0003", pin="2468")
    result = complete_parcel(service, demo_parcel(demo_env, "RMA-100004"))
    assert result.refund_status is RefundStatus.PENDING_APPROVAL
    return demo_env


def test_the_lead_who_inspected_is_refused_and_another_lead_approves(
    held_by_a_lead: StationEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = held_by_a_lead
    code, out, _ = run(env, "list", monkeypatch=monkeypatch)
    assert code == 0 and "RMA-100004" in out and "approval limit" in out
    # The lead who inspected it cannot push it through from a terminal either
    code, _, err = run(env, "approve", "rma-100004", "--badge", "OP-0003", pin="2468",
                       monkeypatch=monkeypatch)  # fmt: skip
    assert code == 1 and "another shift lead must decide" in err
    assert len(pending_refunds(env.database)) == 1
    # Nor can an inspector, nor a lead with a wrong PIN
    code, _, err = run(env, "approve", "RMA-100004", "--badge", "OP-0001",
                       monkeypatch=monkeypatch)  # fmt: skip
    assert code == 1 and "not a shift lead" in err
    code, _, err = run(env, "approve", "RMA-100004", "--badge", "OP-0004", pin="1111",
                       monkeypatch=monkeypatch)  # fmt: skip
    assert code == 1 and "Wrong PIN. 9 tries left." in err
    assert len(pending_refunds(env.database)) == 1
    # Another lead approves it
    code, out, _ = run(env, "approve", "RMA-100004", "--badge", "OP-0004", "--note", "checked",
                       pin="1357", monkeypatch=monkeypatch)  # fmt: skip
    assert code == 0 and "approved by Maria Costa" in out
    assert pending_refunds(env.database) == []


def test_a_rejection_needs_a_note_and_an_unknown_rma_is_refused(
    held_by_a_lead: StationEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = held_by_a_lead
    code, _, err = run(env, "reject", "RMA-100004", "--badge", "OP-0004", pin="1357",
                       monkeypatch=monkeypatch)  # fmt: skip
    assert code == 1 and "say why with --note" in err
    code, _, err = run(env, "approve", "RMA-999999", "--badge", "OP-0004", pin="1357",
                       monkeypatch=monkeypatch)  # fmt: skip
    assert code == 1 and "no refund for 'RMA-999999'" in err
    code, out, _ = run(env, "reject", "RMA-100004", "--badge", "OP-0004", "--note", "item swapped",
                       pin="1357", monkeypatch=monkeypatch)  # fmt: skip
    assert code == 0 and "rejected by Maria Costa" in out
