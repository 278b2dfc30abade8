"""Print what Oscar recorded, as JSON: refund payment events of a return, stock of a SKU.

    manage.py returnsdesk_query refund-events RMA-000101
    manage.py returnsdesk_query stock 5012345000015

Read-only; used by the station's integration tests and handy when reconciling by hand.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q, Sum
from oscar.core.loading import get_model

from returnsdesk_oscar.services import REFUND_EVENT_TYPE

PaymentEvent = get_model("order", "PaymentEvent")
StockRecord = get_model("partner", "StockRecord")


class Command(BaseCommand):
    help = "Print refund events of a return or the stock of a SKU as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["refund-events", "stock"])
        parser.add_argument("key", help="an RMA number (refund-events) or a SKU (stock)")

    def handle(self, *args: Any, **options: Any) -> None:
        key: str = options["key"]
        if options["what"] == "refund-events":
            events = (
                PaymentEvent.objects.filter(
                    event_type__name=REFUND_EVENT_TYPE,
                    returnsdesk_refund__return_authorisation__rma_number=key,
                )
                .select_related("order")
                .order_by("id")
            )
            result: Any = [
                {"amount": str(e.amount), "reference": e.reference, "order": e.order.number}
                for e in events
            ]
        else:
            records = StockRecord.objects.filter(Q(product__upc=key) | Q(partner_sku=key))
            if not records.exists():
                raise CommandError(f"no stock record for {key}")
            result = {"sku": key, "num_in_stock": records.aggregate(n=Sum("num_in_stock"))["n"]}
        self.stdout.write(json.dumps(result))
