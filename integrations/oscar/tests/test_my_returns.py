"""A message the station rendered is sent as it is, under its Message-ID, and the customer's
"My returns" page shows the return's timeline and the day the refund should arrive."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import TestCase
from rest_framework.test import APIClient

from returnsdesk_oscar.management.commands.seed_returnsdesk_demo import CUSTOMER_USERNAME, seed
from returnsdesk_oscar.models import ReturnAuthorisation

PATH = "/returnsdesk/api/v1/returns/{rma}/notifications"


def message(rma: str, kind: str, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "to": "dana@example.com",
        "customer_name": "<b>Dana</b>",
        "status": status,
        "message": f"Return {rma}",
        "currency": "GBP",
        "total": "79.99",
        "lines": [],
        "at": "2026-11-23T09:00:00Z",
        "kind": kind,
        "language": "en",
        "subject": f"Return {rma}: {kind}",
        "text": f"Plain text for {rma}",
        "html": f"<p>HTML for {rma}</p>",
        "message_id": f"<{kind}-key@shop.example>",
    } | extra


class MyReturnsTests(TestCase):
    demo: dict[str, Any]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.demo = seed()

    def setUp(self) -> None:
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Token {self.demo['staff']['token']}")

    def post(self, rma: str, body: dict[str, Any], key: str) -> Any:
        return self.api.post(PATH.format(rma=rma), body, format="json", HTTP_IDEMPOTENCY_KEY=key)

    def test_station_messages_are_sent_as_rendered_and_shown_on_my_returns(self) -> None:
        ra = ReturnAuthorisation.objects.filter(order__user__username=CUSTOMER_USERNAME).first()
        assert ra is not None
        rma = ra.rma_number
        received = message(rma, "parcel_received", "received")
        refunded = message(
            rma,
            "refund_issued",
            "refunded",
            refund_expected_by="2026-12-31",
            at="2026-11-24T10:00:00Z",
        )
        self.assertEqual(self.post(rma, received, "k-1").status_code, 201)
        self.assertEqual(self.post(rma, refunded, "k-2").status_code, 201)
        # The same key again: replayed, not sent twice
        self.assertEqual(self.post(rma, refunded, "k-2").status_code, 201)
        self.assertEqual(len(mail.outbox), 2)
        sent = mail.outbox[1]
        self.assertEqual(sent.subject, f"Return {rma}: refund_issued")
        self.assertEqual(sent.extra_headers["Message-ID"], "<refund_issued-key@shop.example>")
        self.assertEqual(sent.body, f"Plain text for {rma}")

        self.client.login(username=CUSTOMER_USERNAME, password=CUSTOMER_USERNAME)
        page = self.client.get("/accounts/returns/")
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        self.assertIn(f"Return {rma}", html)
        self.assertIn("Parcel received", html)
        self.assertIn("money expected by 31 Dec 2026", html)
        self.assertIn("Your refund should arrive by <strong>31 December 2026</strong>", html)

    def test_my_returns_needs_a_signed_in_customer(self) -> None:
        page = self.client.get("/accounts/returns/")
        self.assertEqual(page.status_code, 302)
