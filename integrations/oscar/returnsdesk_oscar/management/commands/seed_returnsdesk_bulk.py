"""Many more orders and returns on top of the demo data, for benchmarks (bench/bench_pull.py).

``manage.py seed_returnsdesk_bulk 2000`` adds orders RD-B000001... with two lines each (a shoe
and two jackets of the demo catalogue) and one authorised return per order (RMA-B000001...)
with a tracking number. Deterministic and idempotent like the demo seed; run it after it.
"""

from __future__ import annotations

import warnings
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model

from returnsdesk_oscar.management.commands.seed_returnsdesk_demo import (
    CUSTOMER_USERNAME,
    DemoLine,
    DemoOrder,
    _create_order,
)
from returnsdesk_oscar.models import ReturnAuthorisation, ReturnLine, ReturnTracking
from returnsdesk_oscar.serializers import DELIVERED_EVENT_CODE

Country = get_model("address", "Country")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
PaymentEventType = get_model("order", "PaymentEventType")
ShippingEventType = get_model("order", "ShippingEventType")


class Command(BaseCommand):
    help = "Add COUNT bulk orders with one return each (after seed_returnsdesk_demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        with warnings.catch_warnings(), transaction.atomic():
            warnings.filterwarnings("ignore", "update is not implemented", UserWarning)
            created = seed_bulk(options["count"])
        self.stdout.write(f"{created} bulk returns added")


def seed_bulk(count: int) -> int:
    records = list(StockRecord.objects.select_related("partner", "product").order_by("id"))
    country = Country.objects.get(iso_3166_1_a2="GB")
    customer = get_user_model().objects.get(username=CUSTOMER_USERNAME)
    paid_type = PaymentEventType.objects.get(name="Paid")
    delivered_type = ShippingEventType.objects.get(code=DELIVERED_EVENT_CODE)
    now = timezone.now().replace(microsecond=0)
    created = 0
    for index in range(1, count + 1):
        number = f"RD-B{index:06}"
        if Order.objects.filter(number=number).exists():
            continue
        demo = DemoOrder(number, "Bulk", f"Customer {index}", f"bulk{index}@example.com", 10, 5,
                         (DemoLine(0, 1), DemoLine(1, 2)))  # fmt: skip
        order = _create_order(demo, records, country, customer, paid_type, delivered_type, now)
        ra = ReturnAuthorisation.objects.create(rma_number=f"RMA-B{index:06}", order=order)
        ReturnTracking.objects.create(
            return_authorisation=ra, number=f"BULK{index:010}", carrier="UPS"
        )
        for line, quantity in zip(order.lines.order_by("id"), (1, 2), strict=True):
            ReturnLine.objects.create(
                return_authorisation=ra,
                order_line=line,
                quantity=quantity,
                reason_code="changed_mind",
            )
        created += 1
    return created
