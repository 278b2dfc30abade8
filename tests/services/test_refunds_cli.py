"""A shift lead decides held refunds with ``returnsdesk refunds``, under the station's rules."""

from __future__ import annotations

import io
import sys

import pytest

from completing import (
    complete_parcel,
    demo_parcel,
    same_numbers_for_shop,
    station_service,
    ups_tracking,
)
from returnsdesk.cli import messages as cli_messages
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


def test_an_rma_two_shops_use_is_refused_until_client_says_whose(
    demo_env: StationEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given RMA-100004 held for a lead twice: the station's own and Acme's (same numbers)
    own = demo_parcel(demo_env, "RMA-100004")
    acme = same_numbers_for_shop(demo_env, own, "ACME", ups_tracking("ACME04", 4))
    service = station_service(demo_env, operator_code="OP-0003", pin="2468")
    for parcel in (own, acme):
        assert complete_parcel(service, parcel).refund_status is RefundStatus.PENDING_APPROVAL
    # When a lead approves by RMA alone, then it is refused, naming the shops; nothing changed
    code, _, err = run(demo_env, "approve", "RMA-100004", "--badge", "OP-0004", pin="1357",
                       monkeypatch=monkeypatch)  # fmt: skip
    assert code == 1 and "RMA-100004 is an RMA number of several shops" in err
    assert "- (the station's own), ACME" in err and "--client CODE" in err
    assert len(pending_refunds(demo_env.database)) == 2
    # With --client ACME, Acme's is approved and the station's own still waits
    code, out, _ = run(demo_env, "approve", "RMA-100004", "--client", "ACME", "--badge", "OP-0004",
                       pin="1357", monkeypatch=monkeypatch)  # fmt: skip
    assert code == 0 and "approved" in out
    assert [(p.rma_number, p.client_code) for p in pending_refunds(demo_env.database)] == [
        ("RMA-100004", None)
    ]
    # Its messages too: by RMA alone refused, with --client - the station's own
    out, err = io.StringIO(), io.StringIO()
    url = demo_env.database.engine.url.render_as_string(hide_password=False)
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        refused = cli_messages.main(["--database", url, "list", "RMA-100004"])
        listed = cli_messages.main(["--database", url, "list", "RMA-100004", "--client", "-"])
    assert refused == 1 and "several shops" in err.getvalue() and "--client" in err.getvalue()
    assert listed == 0 and "parcel_received" in out.getvalue()
