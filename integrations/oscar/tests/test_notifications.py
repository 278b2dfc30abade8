"""POST /returns/{rma}/notifications: the customer is emailed through Oscar's communication
framework (Django's locmem backend in tests), once per Idempotency-Key."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import TestCase
from oscar.core.loading import get_model
from rest_framework.test import APIClient

from returnsdesk_oscar.management.commands.seed_returnsdesk_demo import seed
from returnsdesk_oscar.models import IdempotencyRecord, ReturnAuthorisation

CommunicationEvent = get_model("order", "CommunicationEvent")
CommunicationEventType = get_model("communication", "CommunicationEventType")

PATH = "/returnsdesk/api/v1/returns/RMA-000101/notifications"


def notice(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "to": "dana@example.com",
        "customer_name": "Dana Shopper",
        "status": "refunded",
        "message": "We have inspected your return RMA-000101 and refunded 79.99 GBP.",
        "reason": "",
        "currency": "GBP",
        "total": "79.99",
        "lines": [
            {
                "sku": "5012345000015",
                "unit_index": 0,
                "amount": "79.99",
                "deduction": "10.00",
                "deduction_reason": "worn soles",
            }
        ],
        "at": "2026-11-23T09:00:00Z",
    }
    return body | overrides


class NotificationTests(TestCase):
    demo: dict[str, Any]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.demo = seed()

    def setUp(self) -> None:
        self.client_ = APIClient()
        self.client_.credentials(HTTP_AUTHORIZATION=f"Token {self.demo['staff']['token']}")

    def post(self, body: dict[str, Any], key: str, path: str = PATH) -> Any:
        return self.client_.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)

    def test_the_customer_gets_one_email_saying_what_was_refunded_and_the_order_logs_it(
        self,
    ) -> None:
        first = self.post(notice(), "notice-1")
        again = self.post(notice(), "notice-1")

        assert first.status_code == 201, first.content
        assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
        assert again.content == first.content
        assert len(mail.outbox) == 1  # the replay sent nothing
        email = mail.outbox[0]
        assert email.to == ["dana@example.com"]
        assert email.subject == "Your return RMA-000101: refunded"
        assert "Dear Dana Shopper," in email.body
        assert "refunded 79.99 GBP" in email.body
        assert "- 5012345000015 (unit 0): 79.99 GBP (worn soles)" in email.body
        assert "Total: 79.99 GBP" in email.body
        order = ReturnAuthorisation.objects.get(rma_number="RMA-000101").order
        assert f"Order {order.number}, return RMA-000101." in email.body
        logged = CommunicationEvent.objects.filter(order=order).get()
        assert logged.event_type.code == "RETURNSDESK_NOTICE"
        assert IdempotencyRecord.objects.get(key="notice-1").status_code == 201

    def test_a_rejection_says_why_and_the_shops_own_template_wins(self) -> None:
        CommunicationEventType.objects.create(
            code="RETURNSDESK_NOTICE",
            name="Edited by staff",
            email_subject_template="About {{ rma_number }}",
            email_body_template="{{ status }}: {{ reason }}",
        )
        answer = self.post(
            notice(status="rejected", reason="the seal was broken", total="0.00", lines=[]),
            "notice-2",
        )

        assert answer.status_code == 201, answer.content
        assert answer.json()["subject"] == "About RMA-000101"
        assert [(m.subject, m.body) for m in mail.outbox] == [
            ("About RMA-000101", "rejected: the seal was broken")
        ]

    def test_bad_requests_send_nothing(self) -> None:
        unknown = self.post(
            notice(), "notice-3", "/returnsdesk/api/v1/returns/RMA-NOPE/notifications"
        )
        no_key = self.client_.post(PATH, notice(), format="json")
        bad_email = self.post(notice(to="not an address"), "notice-4")
        bad_status = self.post(notice(status="maybe"), "notice-5")

        assert unknown.status_code == 404
        assert no_key.status_code == 400
        assert bad_email.status_code == 400 and "to" in bad_email.json()["details"]
        assert bad_status.status_code == 400
        assert mail.outbox == []
        assert CommunicationEvent.objects.count() == 0
