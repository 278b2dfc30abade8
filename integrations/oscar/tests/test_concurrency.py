"""Concurrent requests on separate database connections (threads), as a threaded server has."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.test import TransactionTestCase
from oscar.core.loading import get_model
from rest_framework.test import APIClient

from returnsdesk_oscar.management.commands.seed_returnsdesk_demo import seed
from returnsdesk_oscar.models import ReturnAuthorisation

PaymentEvent = get_model("order", "PaymentEvent")
StockRecord = get_model("partner", "StockRecord")

API = "/returnsdesk/api/v1"
SHOE = "5012345000015"
THREADS = 8


def run_together(work: Callable[[int], Any]) -> list[Any]:
    """Start THREADS calls of work(i) at the same moment; return their results in order."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def one(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=one, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class ConcurrencyTests(TransactionTestCase):
    def setUp(self) -> None:
        self.token = seed()["staff"]["token"]

    def client_(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {self.token}")
        return client

    def test_concurrent_adjustments_all_count(self) -> None:
        def adjust(i: int) -> int:
            response = self.client_().post(
                f"{API}/stock-adjustments",
                {"sku": SHOE, "delta": 1, "reason": "restock"},
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"adjust-{i}",
            )
            return int(response.status_code)

        self.assertEqual(run_together(adjust), [201] * THREADS)
        self.assertEqual(StockRecord.objects.get(product__upc=SHOE).num_in_stock, 12 + THREADS)

    def test_concurrent_requests_with_one_key_apply_once(self) -> None:
        ra = ReturnAuthorisation.objects.get(rma_number="RMA-000101")
        line_ref = str(ra.lines.get(order_line__upc=SHOE).order_line_id)
        body = {
            "rma_number": "RMA-000101",
            "currency": "GBP",
            "total": "89.99",
            "lines": [
                {
                    "line_ref": line_ref,
                    "sku": SHOE,
                    "quantity": 1,
                    "amount": "89.99",
                    "deduction": "0.00",
                    "deduction_reason": "",
                }
            ],
            "station_refund_id": "station-refund-1",
        }

        def refund(_: int) -> tuple[int, bytes]:
            response = self.client_().post(
                f"{API}/refunds", body, format="json", HTTP_IDEMPOTENCY_KEY="the-key"
            )
            return int(response.status_code), bytes(response.content)

        results = run_together(refund)
        # Documented: the others wait and get the first answer (or 409 in_progress on timeout).
        created = [content for status, content in results if status == 201]
        self.assertTrue(created)
        self.assertEqual(len(set(created)), 1)
        self.assertTrue(all(status in (201, 409) for status, _ in results), results)
        events = PaymentEvent.objects.filter(event_type__name="Refund")
        self.assertEqual([(str(e.amount), e.reference) for e in events], [("89.99", "the-key")])
