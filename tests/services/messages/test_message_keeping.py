"""Delivered customer messages outlive the outbox prune of other events: the lead still sees
what a customer was told, and when, for ``messages.keep_days``; then they go too."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.config import load_settings
from returnsdesk.data.models import OutboxEvent
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.vocabulary import OutboxStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.messages.ledger import list_messages
from returnsdesk.services.messages.queue import MESSAGE_EVENT
from returnsdesk.services.sync.housekeeping import prune_delivered


def event_types(env: StationEnvironment) -> list[str]:
    with env.database.session() as session:
        return list(
            session.exec(select(OutboxEvent.event_type).order_by(col(OutboxEvent.sequence))).all()
        )


def test_delivered_messages_are_kept_longer_than_other_delivered_events(
    demo_env: StationEnvironment,
) -> None:
    # Given a worked return whose every event was delivered 40 days ago, and a later one
    # still pending (it also keeps the newest sequence number)
    complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100001"))
    now = utc_now()  # the demo and the completion are dated by the machine's clock
    with demo_env.database.session() as session:
        session.execute(
            update(OutboxEvent).values(
                status=OutboxStatus.DELIVERED, delivered_at=now - timedelta(days=40)
            )
        )
    complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100002"))
    with demo_env.database.session() as session:
        first_return = set(
            session.exec(
                select(OutboxEvent.id).where(OutboxEvent.status == OutboxStatus.DELIVERED)
            ).all()
        )
    shown_before = list_messages(demo_env.database, "RMA-100001")
    assert [m.kind for m in shown_before] == [
        "parcel_received",
        "inspection_finished",
        "refund_issued",
    ]
    settings = load_settings(environ={})
    assert settings.messages.keep_days == 365 > settings.order_system.keep_delivered_days == 30

    # When the outbox is pruned with the settings' defaults
    pruned = prune_delivered(
        demo_env.database,
        keep_days=settings.order_system.keep_delivered_days,
        keep_message_days=settings.messages.keep_days,
        now=now,
    )

    # Then the first return's order-system events are gone, its messages are not, and the
    # lead's list shows them as before
    with demo_env.database.session() as session:
        left = set(session.exec(select(OutboxEvent.id)).all())
    gone = first_return - left
    assert pruned == len(gone) > 0
    assert all(e not in left for e in gone)
    assert list_messages(demo_env.database, "RMA-100001") == shown_before

    # And a year and more later, the messages go too
    assert prune_delivered(
        demo_env.database, keep_days=30, keep_message_days=365, now=now + timedelta(days=330)
    ) == len(shown_before)
    assert list_messages(demo_env.database, "RMA-100001") == []
    # while the pending events of the second return stay throughout
    assert MESSAGE_EVENT in event_types(demo_env)
