"""Demo data for the returnsdesk sync API: users, a catalogue, orders and returns.

Deterministic: the same numbers, SKUs, prices and stock every time; dates are relative to the
day of seeding so return windows stay open (one is deliberately past its window). Running it
again changes nothing and prints the same tokens.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model
from rest_framework.authtoken.models import Token

from returnsdesk_oscar.models import (
    ReturnAuthorisation,
    ReturnLine,
    ReturnStatus,
    ReturnTracking,
)
from returnsdesk_oscar.serializers import (
    DELIVERED_EVENT_CODE,
    SERIAL_NUMBER_ATTRIBUTE,
    SERIALISED_ATTRIBUTE,
    TIER_GROUP_PREFIX,
)

Country = get_model("address", "Country")
Product = get_model("catalogue", "Product")
ProductAttribute = get_model("catalogue", "ProductAttribute")
ProductAttributeValue = get_model("catalogue", "ProductAttributeValue")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
OrderLine = get_model("order", "Line")
LinePrice = get_model("order", "LinePrice")
LineAttribute = get_model("order", "LineAttribute")
ShippingAddress = get_model("order", "ShippingAddress")
ShippingEvent = get_model("order", "ShippingEvent")
ShippingEventType = get_model("order", "ShippingEventType")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")

VAT = Decimal("1.20")
SHIPPING = Decimal("4.95")
CURRENCY = "GBP"
STAFF_USERNAME = "station"
CUSTOMER_USERNAME = "shopper"


def ean13(first_twelve: str) -> str:
    """Append the EAN-13 check digit (weights 1, 3, 1, 3, ... from the left)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return first_twelve + str((10 - total % 10) % 10)


@dataclass(frozen=True)
class DemoProduct:
    upc: str
    partner_sku: str
    title: str
    price: Decimal
    stock: int
    category: str  # the station's category code (disposition rules, checklists)
    serialised: bool = False


PRODUCTS = [
    DemoProduct(ean13("501234500001"), "SHOE-TRAIL-42", "Trail running shoe, size 42",
                Decimal("89.99"), 12, "footwear"),
    DemoProduct(ean13("501234500002"), "JACKET-RAIN-M", "Rain jacket, medium",
                Decimal("59.50"), 8, "apparel"),
    DemoProduct(ean13("501234500003"), "HEADPHONES-WL", "Wireless headphones",
                Decimal("149.00"), 5, "electronics", serialised=True),
    DemoProduct(ean13("501234500004"), "GRINDER-BURR", "Burr coffee grinder",
                Decimal("49.99"), 6, "home"),
    DemoProduct(ean13("501234500005"), "YOGA-MAT-6MM", "Yoga mat, 6 mm",
                Decimal("24.95"), 20, "home"),
]  # fmt: skip


@dataclass(frozen=True)
class DemoLine:
    product: int  # index into PRODUCTS
    quantity: int
    paid: Decimal | None = None  # line total after discounts; None = list price x quantity
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoOrder:
    number: str
    first_name: str
    last_name: str
    email: str
    placed_days_ago: int
    delivered_days_ago: int | None
    lines: tuple[DemoLine, ...]
    registered: bool = False  # placed by the "shopper" user rather than as a guest
    paid_by: str = "Card"  # the payment source's type (its code, "card", goes to the station)
    language: str = "en-GB"  # the language the customer asked for the return in


ORDERS = [
    DemoOrder("RD-100001", "Alice", "Example", "alice@example.com", 20, 15,
              (DemoLine(0, 1), DemoLine(1, 2)), registered=True),
    DemoOrder("RD-100002", "Bob", "Sample", "bob@example.com", 12, 9,
              (DemoLine(2, 1, serials=("HP-SN-000123",)), DemoLine(3, 1)),
              paid_by="PayPal", language="de-DE"),
    # A discounted line (3 mats for 59.85 instead of 74.85), delivered 65 days ago.
    DemoOrder("RD-100003", "Carol", "Demo", "carol@example.com", 70, 65,
              (DemoLine(4, 3, paid=Decimal("59.85")),), paid_by="Bank transfer"),
    DemoOrder("RD-100004", "Dan", "Test", "dan@example.com", 2, None, (DemoLine(0, 1),)),
]  # fmt: skip


@dataclass(frozen=True)
class DemoReturn:
    rma_number: str
    order: str
    status: ReturnStatus
    window_days: int
    tracking: tuple[tuple[str, str], ...]  # (number, carrier)
    lines: tuple[tuple[int, int, str, str], ...]  # (order line index, quantity, reason, comment)


RETURNS = [
    DemoReturn("RMA-000101", "RD-100001", ReturnStatus.AUTHORISED, 30,
               (("1Z999AA10123456784", "UPS"),),
               ((0, 1, "too_small", "Runs small"), (1, 2, "not_as_described", ""))),
    DemoReturn("RMA-000102", "RD-100002", ReturnStatus.AUTHORISED, 30,
               (("JJD000390007827312345", "DHL"), ("9400111899223197428490", "USPS")),
               ((0, 1, "defective", "Left ear silent"),)),
    DemoReturn("RMA-000103", "RD-100003", ReturnStatus.AUTHORISED, 30,
               (("961234567890", "FedEx"),),
               ((0, 2, "changed_mind", ""),)),
    DemoReturn("RMA-000104", "RD-100002", ReturnStatus.CANCELLED, 30,
               (("1Z999AA10123456791", "UPS"),),
               ((1, 1, "changed_mind", "Customer kept it"),)),
]  # fmt: skip


class Command(BaseCommand):
    help = "Create the returnsdesk demo shop data (users with tokens, catalogue, orders, returns)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json", action="store_true", help="print one JSON object (for scripts and tests)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = seed()
        if options["json"]:
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(f"Staff user {summary['staff']['username']}, password 'station'")
        self.stdout.write(f"Token: {summary['staff']['token']}")
        self.stdout.write(f"Non-staff user {summary['customer']['username']}: "
                          f"token {summary['customer']['token']}")  # fmt: skip
        for product in summary["products"]:
            self.stdout.write(
                f"  {product['sku']}  {product['partner_sku']:<14} {product['num_in_stock']:>3}"
                f" in stock  {product['title']}"
            )
        self.stdout.write(f"Orders: {', '.join(summary['orders'])}")
        self.stdout.write(f"Returns: {', '.join(summary['returns'])}")


def _user(username: str, *, staff: bool) -> tuple[Any, Token]:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={"email": f"{username}@example.com", "is_staff": staff},
    )
    if created:
        user.set_password(username)
        user.save()
    token, _ = Token.objects.get_or_create(user=user)
    return user, token


def seed() -> dict[str, Any]:
    """Create what is missing, in one transaction; return the summary the command prints."""
    with warnings.catch_warnings(), transaction.atomic():
        # Haystack's simple backend warns on every product save; it has no index to update.
        warnings.filterwarnings("ignore", "update is not implemented", UserWarning)
        return _seed()


def _seed() -> dict[str, Any]:
    staff, staff_token = _user(STAFF_USERNAME, staff=True)
    customer, customer_token = _user(CUSTOMER_USERNAME, staff=False)
    # The registered customer is a gold member: the station's policy may give a longer window.
    gold, _ = Group.objects.get_or_create(name=f"{TIER_GROUP_PREFIX}gold")
    customer.groups.add(gold)
    country, _ = Country.objects.get_or_create(
        iso_3166_1_a2="GB",
        defaults={
            "iso_3166_1_a3": "GBR",
            "iso_3166_1_numeric": "826",
            "printable_name": "United Kingdom",
            "name": "United Kingdom of Great Britain and Northern Ireland",
            "is_shipping_country": True,
        },
    )
    product_class, _ = ProductClass.objects.get_or_create(
        name="Returnable goods", defaults={"requires_shipping": True, "track_stock": True}
    )
    partner, _ = Partner.objects.get_or_create(
        code="demo-warehouse", defaults={"name": "Demo warehouse"}
    )
    serialised, _ = ProductAttribute.objects.get_or_create(
        product_class=product_class,
        code=SERIALISED_ATTRIBUTE,
        defaults={"name": "Serialised", "type": ProductAttribute.BOOLEAN},
    )
    records = []
    for demo in PRODUCTS:
        product, _ = Product.objects.get_or_create(
            upc=demo.upc,
            defaults={
                "title": demo.title,
                "product_class": product_class,
                "structure": "standalone",
            },
        )
        record, _ = StockRecord.objects.get_or_create(
            product=product,
            partner=partner,
            defaults={
                "partner_sku": demo.partner_sku,
                "price_currency": CURRENCY,
                "price": demo.price,
                "num_in_stock": demo.stock,
            },
        )
        records.append(record)
        ProductCategory.objects.get_or_create(
            product=product, category=create_from_breadcrumbs(demo.category)
        )
        if demo.serialised:
            ProductAttributeValue.objects.get_or_create(
                product=product, attribute=serialised, defaults={"value_boolean": True}
            )

    paid_type, _ = PaymentEventType.objects.get_or_create(name="Paid")
    delivered_type, _ = ShippingEventType.objects.get_or_create(
        code=DELIVERED_EVENT_CODE, defaults={"name": "Delivered"}
    )
    now = timezone.now().replace(microsecond=0)
    orders: dict[str, Any] = {}
    for demo_order in ORDERS:
        existing = Order.objects.filter(number=demo_order.number).first()
        orders[demo_order.number] = existing or _create_order(
            demo_order, records, country, customer, paid_type, delivered_type, now
        )

    for demo_return in RETURNS:
        if ReturnAuthorisation.objects.filter(rma_number=demo_return.rma_number).exists():
            continue
        order = orders[demo_return.order]
        order_lines = list(order.lines.order_by("id"))
        ra = ReturnAuthorisation.objects.create(
            rma_number=demo_return.rma_number,
            order=order,
            status=demo_return.status,
            policy_window_days=demo_return.window_days,
            customer_language=next(o.language for o in ORDERS if o.number == order.number),
        )
        for number, carrier in demo_return.tracking:
            ReturnTracking.objects.create(return_authorisation=ra, number=number, carrier=carrier)
        for index, quantity, reason, comment in demo_return.lines:
            ReturnLine.objects.create(
                return_authorisation=ra,
                order_line=order_lines[index],
                quantity=quantity,
                reason_code=reason,
                comment=comment,
            )

    return {
        "staff": {"username": staff.username, "token": staff_token.key},
        "customer": {"username": customer.username, "token": customer_token.key},
        "currency": CURRENCY,
        "products": [
            {
                "sku": record.product.upc,
                "partner_sku": record.partner_sku,
                "title": record.product.title,
                "price": str(record.price),
                "num_in_stock": StockRecord.objects.get(pk=record.pk).num_in_stock,
            }
            for record in records
        ],
        "orders": [demo.number for demo in ORDERS],
        "returns": [demo.rma_number for demo in RETURNS],
    }


def _create_order(
    demo: DemoOrder,
    records: list[Any],
    country: Any,
    customer: Any,
    paid_type: Any,
    delivered_type: Any,
    now: Any,
) -> Any:
    address = ShippingAddress.objects.create(
        first_name=demo.first_name,
        last_name=demo.last_name,
        line1="1 Demo Street",
        line4="London",
        postcode="SW1A 1AA",
        country=country,
    )
    priced = []
    for line in demo.lines:
        record = records[line.product]
        paid = line.paid if line.paid is not None else record.price * line.quantity
        priced.append((line, record, paid))
    goods = sum((paid for _, _, paid in priced), Decimal("0.00"))
    total = goods + SHIPPING
    order = Order.objects.create(
        number=demo.number,
        site_id=1,
        user=customer if demo.registered else None,
        guest_email="" if demo.registered else demo.email,
        currency=CURRENCY,
        total_incl_tax=total,
        total_excl_tax=(total / VAT).quantize(Decimal("0.01")),
        shipping_incl_tax=SHIPPING,
        shipping_excl_tax=(SHIPPING / VAT).quantize(Decimal("0.01")),
        shipping_method="Standard",
        shipping_code="standard",
        shipping_address=address,
        status="Complete",
        date_placed=now - timedelta(days=demo.placed_days_ago),
    )
    lines = []
    for line, record, paid in priced:
        before = record.price * line.quantity
        order_line = OrderLine.objects.create(
            order=order,
            partner=record.partner,
            partner_name=record.partner.name,
            partner_sku=record.partner_sku,
            stockrecord=record,
            product=record.product,
            title=record.product.title,
            upc=record.product.upc,
            quantity=line.quantity,
            line_price_incl_tax=paid,
            line_price_excl_tax=(paid / VAT).quantize(Decimal("0.01")),
            line_price_before_discounts_incl_tax=before,
            line_price_before_discounts_excl_tax=(before / VAT).quantize(Decimal("0.01")),
            unit_price_incl_tax=record.price,
            unit_price_excl_tax=(record.price / VAT).quantize(Decimal("0.01")),
            num_allocated=0,
        )
        LinePrice.objects.create(
            order=order,
            line=order_line,
            quantity=line.quantity,
            price_incl_tax=(paid / line.quantity).quantize(Decimal("0.01")),
            price_excl_tax=(paid / line.quantity / VAT).quantize(Decimal("0.01")),
        )
        if line.serials:
            LineAttribute.objects.create(
                line=order_line, type=SERIAL_NUMBER_ATTRIBUTE, value=list(line.serials)
            )
        lines.append(order_line)
    Source.objects.create(
        order=order,
        source_type=SourceType.objects.get_or_create(name=demo.paid_by)[0],
        currency=CURRENCY,
        amount_allocated=total,
        amount_debited=total,
        reference=f"demo-{demo.number}",
    )
    paid_event = PaymentEvent.objects.create(
        order=order, event_type=paid_type, amount=total, reference=f"demo-{demo.number}"
    )
    for order_line in lines:
        paid_event.line_quantities.create(line=order_line, quantity=order_line.quantity)
    if demo.delivered_days_ago is not None:
        event = ShippingEvent.objects.create(order=order, event_type=delivered_type)
        # date_created is auto_now_add: backdate it with an update.
        ShippingEvent.objects.filter(pk=event.pk).update(
            date_created=now - timedelta(days=demo.delivered_days_ago)
        )
    return order
