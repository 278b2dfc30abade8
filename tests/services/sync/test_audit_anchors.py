"""The audit trail's anchors reach the order system through the outbox (issue 11)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from fake_shop import FakeShop
from sqlmodel import select

from audit_tampering import drop_append_only_triggers
from returnsdesk.data import audit_key
from returnsdesk.data.db import Database
from returnsdesk.data.models import OutboxEvent
from returnsdesk.data.repositories import ANCHOR_EVENT, AUDIT_TRAIL_ID, append_audit
from returnsdesk.domain.vocabulary import OutboxStatus
from returnsdesk.services.sync import ContractCall, HttpContractConnector, Relay, plan_call
from returnsdesk.services.sync.relay import event_view


def _approve(database: Database) -> None:
    with database.session() as session:
        append_audit(
            session,
            action="refund.approved",
            subject=f"return {uuid.uuid4()}",
            details={"total": Decimal("12.50")},
            operator_id=None,
            station_id=None,
        )


def _anchors(database: Database) -> list[OutboxEvent]:
    with database.session() as session:
        return list(session.exec(select(OutboxEvent).where(OutboxEvent.event_type == ANCHOR_EVENT)))


def _relay_all(database: Database, shop: FakeShop) -> None:
    with HttpContractConnector(shop.url, shop.token, timeout_s=5) as http:
        relay = Relay(database, http)
        while relay.run_once().claimed:
            pass


def test_an_anchor_becomes_a_call_to_audit_anchors(database: Database) -> None:
    _approve(database)
    (anchor,) = _anchors(database)
    assert anchor.aggregate_id == AUDIT_TRAIL_ID
    call = plan_call(event_view(anchor))
    key = audit_key.load_key()
    assert key is not None
    assert call == ContractCall(
        "POST",
        "/audit-anchors",
        {
            "key_id": key.key_id,
            "sequence": 1,
            "entry_hash": anchor.payload["entry_hash"],
            "at": anchor.payload["at"],
        },
    )


def test_the_relay_delivers_anchors_and_the_shop_keeps_them(database: Database) -> None:
    _approve(database)
    _approve(database)
    with FakeShop() as shop:
        _relay_all(database, shop)
        anchors = _anchors(database)
        assert [a.status for a in anchors] == [OutboxStatus.DELIVERED] * 2
        assert shop.state.anchors == {
            (a.payload["key_id"], a.payload["sequence"]): a.payload["entry_hash"] for a in anchors
        }


def test_a_rewritten_head_is_refused_by_the_shop_and_parked(
    database: Database, tmp_path: Path
) -> None:
    # Given entry #1 anchored at the shop
    _approve(database)
    with FakeShop() as shop:
        _relay_all(database, shop)
        # When the trail is thrown away and started again, entry #1 has another hash
        drop_append_only_triggers(database.engine)
        with database.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM audit_entries")
            connection.exec_driver_sql("DELETE FROM audit_seal")
        _approve(database)
        _relay_all(database, shop)
        # Then the shop refuses the second anchor of #1 and a person has to look at it
        first, second = sorted(_anchors(database), key=lambda a: a.sequence or 0)
        assert first.status is OutboxStatus.DELIVERED
        assert second.status is OutboxStatus.NEEDS_ATTENTION
        assert "anchor_mismatch" in (second.last_error or "")
