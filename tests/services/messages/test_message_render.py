"""Rendering messages: the promised dates (business days, public holidays, explicit dates
only), the customer's language, hostile text, a shop's own templates, the sandbox."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from returnsdesk.config import MessagesSettings
from returnsdesk.domain.messages import add_business_days, parse_lead_times
from returnsdesk.services.messages.render import MessageNotRenderable, MessageRenderer

# Wednesday 23 December 2026, 15:00 UTC: Christmas (25th, 26th) and a weekend follow.
BEFORE_CHRISTMAS = datetime(2026, 12, 23, 15, 0, tzinfo=UTC)


def payload(kind: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": kind,
        "return_id": "8d4f7a0e-0000-4000-8000-000000000001",
        "rma_number": "RMA-100001",
        "order_number": "WEB-5001",
        "customer_name": "Erika Mustermann",
        "customer_email": "erika@example.com",
        "language": "de-DE",
        "payment_method": "card",
        "currency": "EUR",
        "at": BEFORE_CHRISTMAS.isoformat(),
        "total": "1234.50",
        "refund_status": "approved",
        "items": [
            {
                "title": "Trail runner, size 42",
                "sku": "SHOE-42",
                "unit_index": 0,
                "outcome": "accepted",
                "flags": [],
                "gross": "1250.00",
                "deduction": "15.50",
                "deduction_reason": "worn sole",
                "amount": "1234.50",
                "note": "scuffed heel",
            }
        ],
    }
    return base | changes


def test_business_days_skip_weekends_and_the_given_holidays() -> None:
    christmas = {date(2026, 12, 25), date(2026, 12, 26)}
    assert add_business_days(date(2026, 12, 23), 1, christmas) == date(2026, 12, 24)
    assert add_business_days(date(2026, 12, 23), 2, christmas) == date(2026, 12, 28)
    assert add_business_days(date(2026, 12, 26), 0, christmas) == date(2026, 12, 28)
    assert parse_lead_times(("card=5", " PayPal = 2 ")) == {"card": 5, "paypal": 2}
    with pytest.raises(ValueError, match="card=soon"):
        parse_lead_times(("card=soon",))


def test_refund_issued_in_german_states_amounts_and_the_day_the_money_arrives() -> None:
    renderer = MessageRenderer(MessagesSettings(warehouse_country="DE"))
    message = renderer.render(payload("refund_issued"), "k1")
    # card: 5 business days from Wed 23 Dec: 24, (25/26 holidays, weekend) 28, 29, 30, 31
    assert message.refund_expected_by == date(2026, 12, 31)
    assert message.language == "de"
    assert message.subject == "Erstattung von 1.234,50\xa0€ für Ihre Retoure RMA-100001"
    assert "Trail runner, size 42: 1.234,50\xa0€ (15,50\xa0€ Abzug: worn sole)" in message.text
    assert "sollte bis 31. Dezember 2026 bei Ihnen sein" in message.text
    assert "31. Dezember 2026" in message.html
    assert message.message_id == "<k1@example.com>"


def test_english_customer_and_paypal_and_a_holiday_free_country() -> None:
    settings = MessagesSettings(lead_times=("paypal=2",), warehouse_country="US")
    message = MessageRenderer(settings).render(
        payload("refund_issued", language="en", payment_method="paypal"), "k2"
    )
    # US: 25 Dec is a holiday, 26 Dec (Saturday) is not a business day anyway
    assert message.refund_expected_by == date(2026, 12, 28)
    assert "should be with you by December 28, 2026" in message.text
    assert "€1,234.50" in message.subject


def test_unknown_language_falls_back_to_the_default_and_unknown_method_to_the_longest_wait() -> (
    None
):
    settings = MessagesSettings(default_language="en", default_lead_days=10)
    message = MessageRenderer(settings).render(
        payload("refund_issued", language="fr", payment_method="cheque"), "k3"
    )
    assert message.language == "en"
    assert message.refund_expected_by == date(2027, 1, 8)  # 10 business days, 2 holidays


def test_held_refund_promises_no_money_only_the_review_date() -> None:
    message = MessageRenderer(MessagesSettings(review_days=2)).render(
        payload("refund_held", language="en"), "k4"
    )
    assert message.review_by == date(2026, 12, 28)
    assert message.refund_expected_by is None
    assert "1,234.50" not in message.text + message.html + message.subject
    assert "you will hear from us by December 28, 2026" in message.text
    assert "Nothing is refunded yet" in message.text


def test_inspector_notes_reach_the_customer_only_where_policy_shares_them() -> None:
    body = payload("inspection_finished", language="en")
    hidden = MessageRenderer(MessagesSettings()).render(body, "k5")
    shown = MessageRenderer(MessagesSettings(share_inspector_notes=True)).render(body, "k5")
    assert "scuffed heel" not in hidden.text and "scuffed heel" not in hidden.html
    assert "Our inspector's note: scuffed heel" in shown.text
    assert "€15.50 deducted from €1,250.00: worn sole" in shown.text


def test_hostile_name_and_note_render_as_text() -> None:
    hostile = '<script>alert("x")</script>{{ 7*7 }}\r\nBcc: evil@example.com'
    items = payload("inspection_finished")["items"]
    items[0]["note"] = "<img src=x onerror=alert(1)>"
    message = MessageRenderer(MessagesSettings(share_inspector_notes=True)).render(
        payload("inspection_finished", customer_name=hostile, items=items, language="en"), "k6"
    )
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html
    assert "<img" not in message.html and "&lt;img src=x" in message.html
    assert "{{ 7*7 }}" in message.text and "49" not in message.text  # data, not a template
    assert "\r" not in message.customer_name and "\n" not in message.customer_name


def test_a_shop_replaces_one_template_and_the_sandbox_refuses_unsafe_ones(tmp_path: Path) -> None:
    own = tmp_path / "en"
    own.mkdir()
    (own / "parcel_received.subject.txt").write_text("Got it: {{ rma_number }}\n")
    (own / "refund_held.subject.txt").write_text("{{ ''.__class__.__mro__ }}")
    settings = MessagesSettings(templates=tmp_path)
    renderer = MessageRenderer(settings)
    received = renderer.render(payload("parcel_received", language="en", items=[]), "k7")
    assert received.subject == "Got it: RMA-100001"
    assert "arrived at our warehouse on December 23, 2026" in received.text  # bundled body
    with pytest.raises(MessageNotRenderable, match="unsafe"):
        renderer.render(payload("refund_held", language="en"), "k8")


def test_a_refund_released_on_a_weekend_counts_from_that_day() -> None:
    assert add_business_days(date(2026, 12, 5), 1, set()) == date(2026, 12, 7)  # Sat -> Mon
    assert add_business_days(date(2026, 12, 4), 1, set()) == date(2026, 12, 7)  # Fri -> Mon
