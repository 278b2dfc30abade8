"""A parked event sent again under a new key: only on the shop's word that the old key was
refused (services/sync/recovery.py). The shop is the contract-checked test shop; the same
story against the real Oscar app is tests/integration/test_oscar_recovery.py."""

from __future__ import annotations

import io
import random
import sys
import uuid

import httpx
import pytest
from fake_shop import FakeShop, write_synthetic_return
from sqlmodel import col, select

from returnsdesk.cli import sync as cli_sync
from returnsdesk.data.db import Database
from returnsdesk.data.models import AuditEntry, Operator, OutboxEvent, OutboxKeyReplacement
from returnsdesk.data.repositories import verify_audit_chain
from returnsdesk.domain.vocabulary import OperatorRole, OutboxStatus
from returnsdesk.services.operators import ensure_station, hash_pin
from returnsdesk.services.sync import HttpContractConnector, Relay
from returnsdesk.services.sync.recovery import ResendRefused, replaced_keys, resend_parked
from returnsdesk.services.sync.relay import SyncEventNotParked, SyncNotAllowed
from returnsdesk.services.views import StationContext


def people(database: Database) -> tuple[StationContext, StationContext]:
    found = []
    with database.session() as session:
        station = ensure_station(session, code="STATION-01")
        for code, role in (("LEAD-1", OperatorRole.SHIFT_LEAD), ("INSP-1", OperatorRole.INSPECTOR)):
            operator = Operator(code=code, name=code.title(), role=role)
            session.add(operator)
            session.flush()
            found.append(
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
    return found[0], found[1]


def relay_all(database: Database, http: HttpContractConnector) -> None:
    Relay(database, http, rng=random.Random(1)).drain()


def event(database: Database, event_id: uuid.UUID) -> OutboxEvent:
    with database.session() as session:
        found = session.get(OutboxEvent, event_id)
        assert found is not None
        return found


def first_parked(database: Database) -> OutboxEvent:
    with database.session() as session:
        return session.exec(
            select(OutboxEvent)
            .where(OutboxEvent.status == OutboxStatus.NEEDS_ATTENTION)
            .order_by(col(OutboxEvent.sequence))
        ).first() or pytest.fail("nothing parked")


def audit(database: Database) -> list[AuditEntry]:
    with database.session() as session:
        return list(
            session.exec(
                select(AuditEntry)
                .where(col(AuditEntry.action).startswith("sync."))
                .order_by(col(AuditEntry.sequence))
            ).all()
        )


def test_a_refusal_fixed_in_the_shop_goes_through_under_a_new_key_once(
    database: Database,
) -> None:
    # Given a return the shop does not know yet: its first event is refused (404, remembered)
    with database.session() as session:
        written = write_synthetic_return(session, n=1, rng=random.Random(3), units=1,
                                         refund_status="approved")  # fmt: skip
    lead, inspector = people(database)
    with FakeShop(known_rmas=set()) as shop, HttpContractConnector(shop.url, shop.token) as http:
        relay_all(database, http)
        parked = first_parked(database)
        assert parked.event_type == "return.received" and "HTTP 404" in (parked.last_error or "")
        old_key = parked.idempotency_key

        # When an inspector asks: refused, before the shop is even asked
        with pytest.raises(SyncNotAllowed):
            resend_parked(database, parked.id, inspector, shop=http)
        # When the shop learns the return (its staff fix it) and the lead resends
        assert shop.known_rmas is not None
        shop.known_rmas.add(written.rma_number)
        resent = resend_parked(database, parked.id, lead, shop=http)
        relay_all(database, http)

        # Then the event went through under its new key, in its place; the rest followed
        assert resent.idempotency_key != old_key
        assert event(database, parked.id).status is OutboxStatus.DELIVERED
        with shop.locked() as state:
            assert state.timeline[written.rma_number] == [
                "status:received", "refund", "status:closed", "notice"
            ]  # fmt: skip
            assert len(state.refunds) == 1
            sent = [(c.key, c.status) for c in state.calls if c.path.endswith("/status")][:2]
        assert sent == [(old_key, 404), (resent.idempotency_key, 200)]
        # And the old key still says refused: it can never apply beside the new one
        assert http.key_outcome(old_key).state.value == "refused"
        assert http.key_outcome(resent.idempotency_key).state.value == "applied"
        # And a second resend of the delivered event is refused
        with pytest.raises(SyncEventNotParked):
            resend_parked(database, parked.id, lead, shop=http)

    # The new key is recorded against the old one, and both are in the audit trail
    assert replaced_keys(database, parked.id) == [(old_key, resent.idempotency_key)]
    entries = audit(database)
    assert [(e.action, e.operator_id) for e in entries] == [
        ("sync.resend_refused", inspector.operator_id),
        ("sync.resent", lead.operator_id),
    ]
    assert entries[1].details["old_key"] == old_key
    assert entries[1].details["new_key"] == resent.idempotency_key
    assert entries[1].details[
        "shop_said"
    ] == "refused (POST returns/{rma}/status 404 not_found)".replace("{rma}", written.rma_number)
    with database.session() as session:
        assert verify_audit_chain(session).ok


def test_no_new_key_when_the_shop_applied_the_old_one_or_does_not_know_it_or_cannot_say(
    database: Database,
) -> None:
    with database.session() as session:
        applied = write_synthetic_return(session, n=1, rng=random.Random(4), units=1,
                                         refund_status="approved")  # fmt: skip
    with database.session() as session:
        refused_400 = write_synthetic_return(session, n=2, rng=random.Random(5), units=1,
                                             refund_status="approved", currency="EURO")  # fmt: skip
    lead, _ = people(database)
    with FakeShop() as shop, HttpContractConnector(shop.url, shop.token) as http:
        relay_all(database, http)
        # A 400 is not remembered by the shop: its key is unknown there
        unknown = first_parked(database)
        assert unknown.aggregate_id == refused_400.return_id
        # An event the shop applied, parked all the same (as a relay would after a proxy's
        # 404 in front of the shop): the shop says applied
        with database.session() as session:
            delivered = session.exec(
                select(OutboxEvent).where(
                    OutboxEvent.aggregate_id == applied.return_id,
                    OutboxEvent.event_type == "refund.requested",
                )
            ).one()
            delivered.status = OutboxStatus.NEEDS_ATTENTION
            session.add(delivered)

        with pytest.raises(ResendRefused, match="applied .*could apply it twice"):
            resend_parked(database, delivered.id, lead, shop=http)
        with pytest.raises(ResendRefused, match="no record of key .* with its own key"):
            resend_parked(database, unknown.id, lead, shop=http)
        with shop.locked() as state:
            refunds = len(state.refunds)
        assert shop.contract_log is not None  # the EURO refund broke the contract, on purpose
        assert ["'EURO' does not match" in b for b in shop.contract_log.take()] == [True]
    # A shop that does not answer cannot say: refused
    closed = HttpContractConnector(shop.url, shop.token, timeout_s=2)
    with pytest.raises(ResendRefused, match="could not say what key"):
        resend_parked(database, unknown.id, lead, shop=closed)
    with pytest.raises(ResendRefused, match="no order system"):
        resend_parked(database, unknown.id, lead, shop=None)

    # Then nothing changed: same keys, still parked, no replacement, one refund in the shop
    for parked, key in ((delivered, delivered.idempotency_key), (unknown, unknown.idempotency_key)):
        now = event(database, parked.id)
        assert (now.status, now.idempotency_key) == (OutboxStatus.NEEDS_ATTENTION, key)
    with database.session() as session:
        assert session.exec(select(OutboxKeyReplacement)).all() == []
    assert refunds == 1
    refusals = audit(database)
    assert [e.action for e in refusals] == ["sync.resend_refused"] * 4
    assert "could apply it twice" in refusals[0].details["why"]
    with pytest.raises(httpx.ConnectError):  # the shop really is gone
        httpx.get(shop.url, timeout=2)


def test_a_lead_resends_from_the_command_line(
    database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with database.session() as session:
        written = write_synthetic_return(session, n=1, rng=random.Random(6), units=1,
                                         refund_status="approved")  # fmt: skip
        session.add(Operator(code="OP-LEAD", name="Lee", role=OperatorRole.SHIFT_LEAD,
                             pin_hash=hash_pin("2468")))  # fmt: skip
    url = database.engine.url.render_as_string(hide_password=False)
    with FakeShop(known_rmas=set()) as shop, HttpContractConnector(shop.url, shop.token) as http:
        relay_all(database, http)
        parked = first_parked(database)
        monkeypatch.setenv(cli_sync.DEFAULT_TOKEN_ENV, shop.token)

        def resend(pin: str) -> int:
            with monkeypatch.context() as patch:
                patch.setattr(sys, "stdin", io.StringIO(pin + "\n"))
                return cli_sync.main(["--resend", str(parked.sequence), "--badge", "OP-LEAD",
                                      "--database", url, "--url", shop.url])  # fmt: skip

        # A wrong PIN is refused, nothing changed
        assert resend("1111") == 1
        assert "refused, nothing changed" in capsys.readouterr().err
        assert shop.known_rmas is not None
        shop.known_rmas.add(written.rma_number)
        assert resend("2468") == 0
        said = capsys.readouterr().out
        assert f"#{parked.sequence} return.received queued again under key" in said
        assert f"(was {parked.idempotency_key})" in said
        relay_all(database, http)
        assert event(database, parked.id).status is OutboxStatus.DELIVERED
        # And there is nothing parked left to resend
        assert resend("2468") == 1
        assert f"no parked event #{parked.sequence}" in capsys.readouterr().err
