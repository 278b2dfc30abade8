"""The customer of a refund released on receipt is told so, in their language, with the amount
and the day: the message the receipt queued, rendered as it is sent."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import col, select

from completing import demo_parcel, known_customer, trusting
from returnsdesk.config import MessagesSettings
from returnsdesk.data.models import OutboxEvent, Refund, Return
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.messages.queue import message_stream
from returnsdesk.services.messages.render import MessageRenderer
from returnsdesk.services.station import ParcelOpened

GERMAN_MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]


def received_trusted(env: StationEnvironment) -> tuple[Refund, dict[str, Any]]:
    """RMA-100002 of a trusted customer scanned in: its refund and the 'refund issued' message
    queued with it (the only one: completing the parcel later adds none)."""
    service = trusting(env)
    known_customer(env, service, "RMA-100002")
    parcel = demo_parcel(env, "RMA-100002")
    opened = service.open_parcel(service.classify(parcel.tracking_number))
    assert isinstance(opened, ParcelOpened)
    with env.database.read() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == "RMA-100002")).one()
        refund = session.exec(select(Refund).where(Refund.return_id == return_.id)).one()
        (issued,) = [
            event.payload
            for event in session.exec(
                select(OutboxEvent)
                .where(OutboxEvent.aggregate_id == message_stream(return_.id))
                .order_by(col(OutboxEvent.sequence))
            )
            if event.payload["kind"] == "refund_issued"
        ]
    assert refund.released_on_receipt
    return refund, issued


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_refund_issued_on_receipt_is_told_with_amount_and_day(
    demo_env: StationEnvironment, language: str
) -> None:
    refund, issued = received_trusted(demo_env)
    message = MessageRenderer(MessagesSettings()).render(issued | {"language": language}, "k1")
    day = refund.created_at.astimezone(UTC).date()
    amount = Decimal(refund.total).quantize(Decimal("0.01"))
    assert amount > 0
    if language == "en":
        said = (
            f"we have refunded €{amount:,} for your return RMA-100002",
            f"on {day:%B} {day.day}, {day.year}",
            "We issued this refund on receipt of your parcel, before inspecting it",
        )
    else:
        euros = f"{amount:,}".replace(",", " ").replace(".", ",").replace(" ", ".")
        said = (
            f"wir haben Ihnen am {day.day}. {GERMAN_MONTHS[day.month - 1]} {day.year}"
            f" {euros}\xa0€ für Ihre Retoure RMA-100002",
            "Wir haben diese Erstattung beim Eingang Ihres Pakets veranlasst, noch vor der Prüfung",
        )
    assert message.language == language
    for words in said:
        assert words in message.text, message.text
    assert said[-1] in message.html


def test_a_refund_after_inspection_does_not_say_on_receipt(demo_env: StationEnvironment) -> None:
    _refund, issued = received_trusted(demo_env)
    message = MessageRenderer(MessagesSettings()).render(issued | {"on_receipt": False}, "k2")
    assert "on receipt" not in message.text and "Eingang Ihres Pakets" not in message.text
