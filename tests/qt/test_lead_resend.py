"""The shift lead resends a parked event under a new key (N), only on the shop's word that the
old key applied nothing (services/sync/recovery.py), against the contract-checked test shop."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from PySide6.QtCore import Qt

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.config import Settings, load_settings
from returnsdesk.data.models import AuditEntry, OutboxEvent
from returnsdesk.domain.vocabulary import OutboxStatus
from returnsdesk.qt import ops
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.sync.credentials import DEFAULT_TOKEN_ENV
from returnsdesk.services.sync.recovery import replaced_keys
from services.sync.fake_shop import FakeShop
from station_driver import answer_next_dialog, open_station_window, press


@pytest.fixture
def shop(
    demo_env: StationEnvironment, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakeShop, Settings]]:
    """A shop that knows only RMA-100001: the station's events for other returns are refused
    (404, remembered for their key)."""
    with FakeShop(known_rmas={"RMA-100001"}) as shop:
        monkeypatch.setenv(DEFAULT_TOKEN_ENV, shop.token)
        settings = load_settings(
            environ={},
            overrides={
                "database.url": str(demo_env.database.engine.url),
                "ui.sounds": False,
                "order_system.kind": "oscar",
                "order_system.url": shop.url,
                "order_system.pull_interval_s": 3600.0,  # the shop's feed is empty anyway
            },
        )
        yield shop, settings


def first_event_of(env: StationEnvironment, rma: str) -> OutboxEvent:
    with env.database.session() as session:
        events = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.sequence))).all()
        return next(e for e in events if e.payload.get("rma_number") == rma)


def park_unsent(env: StationEnvironment, event_id: uuid.UUID) -> None:
    """Parked after a timeout: the shop never saw its key."""
    with env.database.session() as session:
        event = session.get(OutboxEvent, event_id)
        assert event is not None
        event.status, event.attempts = OutboxStatus.NEEDS_ATTENTION, 8
        event.last_error = "timed out waiting for the order system"
        session.add(event)


def row_of(window: MainWindow, event_id: uuid.UUID) -> int:
    return [e.id for e in window.lead_view.parked_events()].index(event_id)


def resend_audits(env: StationEnvironment) -> list[tuple[str, str]]:
    with env.database.session() as session:
        entries = session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).startswith("sync.resen"))
            .order_by(col(AuditEntry.sequence))
        ).all()
        return [(e.action, e.subject) for e in entries]


def test_a_lead_resends_a_refusal_fixed_in_the_shop_under_a_new_key_and_only_then(
    qtbot: QtBot, demo_env: StationEnvironment, shop: tuple[FakeShop, Settings]
) -> None:
    fake_shop, settings = shop
    # Given two returns the shop does not know, completed at another station: the relay will
    # send RMA-100002's first event and the shop refuses it; RMA-100003's first event was
    # parked after timeouts, its key never reached the shop
    other = station_service(demo_env)
    for rma in ("RMA-100002", "RMA-100003"):
        complete_parcel(other, demo_parcel(demo_env, rma))
    refused = first_event_of(demo_env, "RMA-100002")
    unsent = first_event_of(demo_env, "RMA-100003")
    park_unsent(demo_env, unsent.id)
    window = open_station_window(qtbot, demo_env, settings, "OP-0003", pin="2468")
    lead = window.lead_view
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(lead.parked_events()) == 2, timeout=15_000)
    shop_said = lead.parked_events()[row_of(window, refused.id)].last_error or ""
    assert "no return RMA-100002" in shop_said

    # When the lead asks for a new key for the event the shop never saw
    lead.select_event(row_of(window, unsent.id))
    answer_next_dialog(qtbot, "", "2468")
    press(qtbot, window, "N")
    # Then it is refused, in words: the shop has no record, so a retry with its own key is safe
    qtbot.waitUntil(lambda: "has no record of key" in lead.message(), timeout=10_000)
    assert "retry" in lead.message()
    assert first_event_of(demo_env, "RMA-100003").idempotency_key == unsent.idempotency_key
    assert first_event_of(demo_env, "RMA-100003").status is OutboxStatus.NEEDS_ATTENTION

    # When the return is fixed in the shop and the lead resends the refused event
    assert fake_shop.known_rmas is not None
    fake_shop.known_rmas.add("RMA-100002")
    lead.select_event(row_of(window, refused.id))
    answer_next_dialog(qtbot, "", "2468")
    press(qtbot, window, "N")
    qtbot.waitUntil(lambda: "queued again under a new key" in lead.message(), timeout=10_000)

    # Then the relay delivers it under its new key; it leaves the lead's list
    qtbot.waitUntil(
        lambda: first_event_of(demo_env, "RMA-100002").status is OutboxStatus.DELIVERED,
        timeout=15_000,
    )
    qtbot.waitUntil(lambda: [e.id for e in lead.parked_events()] == [unsent.id], timeout=10_000)
    new_key = first_event_of(demo_env, "RMA-100002").idempotency_key
    assert replaced_keys(demo_env.database, refused.id) == [(refused.idempotency_key, new_key)]
    with fake_shop.locked() as state:
        status_calls = [
            (c.key, c.status) for c in state.calls if c.path.endswith("RMA-100002/status")
        ]
    assert status_calls[:2] == [(refused.idempotency_key, 404), (new_key, 200)]
    # And both the refusal and the resend are in the audit trail
    assert resend_audits(demo_env) == [
        ("sync.resend_refused", str(unsent.id)),
        ("sync.resent", f"outbox #{refused.sequence}"),
    ]
    ops.wait_for_all()
    window.close()
