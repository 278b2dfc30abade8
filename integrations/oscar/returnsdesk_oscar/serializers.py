"""Request validation (DRF serializers) and the JSON shapes of orders and returns.

Money travels as decimal strings with two places ("49.99"); JSON numbers are refused so no
amount ever passes through a binary float. Counts are JSON integers: 1.0 and "1" are refused.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from oscar.core.loading import get_model
from rest_framework import serializers

from .models import ReturnAuthorisation, ReturnStatus

Line = get_model("order", "Line")
Source = get_model("payment", "Source")
ShippingEvent = get_model("order", "ShippingEvent")

CENT = Decimal("0.01")
_MONEY = re.compile(r"^\d{1,10}(\.\d{1,2})?$")
# The order's shipping event type whose latest event dates the delivery.
DELIVERED_EVENT_CODE = "delivered"
SERIAL_NUMBER_ATTRIBUTE = "serial_number"
# A boolean product attribute: units carry serial numbers the station checks.
SERIALISED_ATTRIBUTE = "serialised"


class MoneyField(serializers.Field):
    """A non-negative amount as a decimal string; numbers are refused."""

    default_error_messages = {
        "invalid": 'must be a decimal string with at most two decimals, such as "49.99"'
    }

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str) or not _MONEY.match(data):
            self.fail("invalid")
        return Decimal(data).quantize(CENT)

    def to_representation(self, value: Decimal) -> str:
        return money(value)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer and nothing else: DRF's IntegerField takes 1.0 and "1" as 1."""

    default_error_messages = {"invalid": "must be an integer (a JSON number without a fraction)"}

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, int) or isinstance(data, bool):
            self.fail("invalid")
        value: int = super().to_internal_value(data)
        return value


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


class RefundLineSerializer(serializers.Serializer):
    line_ref = serializers.CharField(max_length=32)
    sku = serializers.CharField(max_length=128)
    # One unit per line: each unit is graded and refunded on its own at the station.
    quantity = StrictIntegerField(min_value=1, max_value=1)
    amount = MoneyField()
    deduction = MoneyField()
    deduction_reason = serializers.CharField(max_length=200, allow_blank=True, default="")


class RefundSerializer(serializers.Serializer):
    rma_number = serializers.CharField(max_length=64)
    currency = serializers.RegexField(r"^[A-Z]{3}$")
    total = MoneyField()
    lines = RefundLineSerializer(many=True, allow_empty=False)
    station_refund_id = serializers.CharField(max_length=64)


class StockAdjustmentSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=128)
    delta = StrictIntegerField(min_value=-1_000_000, max_value=1_000_000)
    location = serializers.CharField(max_length=64, allow_blank=True, default="")
    reason = serializers.CharField(max_length=64, allow_blank=True, default="")
    reference = serializers.CharField(max_length=128, allow_blank=True, default="")

    def validate_delta(self, value: int) -> int:
        if value == 0:
            raise serializers.ValidationError("must not be zero")
        return value


class AuditAnchorSerializer(serializers.Serializer):
    key_id = serializers.RegexField(r"^[0-9a-f]{16}$")
    sequence = StrictIntegerField(min_value=1)
    entry_hash = serializers.RegexField(r"^[0-9a-f]{64}$")
    at = serializers.DateTimeField()


NOTICE_STATUSES = (
    "refunded",
    "no_refund",
    "held",
    "rejected",
    # Customer messages rendered by the station (services/messages), beside the above:
    "received",
    "inspected",
    "action_needed",
)


class NoticeLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=128)
    unit_index = StrictIntegerField(min_value=0)
    amount = MoneyField()
    deduction = MoneyField()
    deduction_reason = serializers.CharField(max_length=200, allow_blank=True, default="")


class NotificationSerializer(serializers.Serializer):
    to = serializers.EmailField()
    customer_name = serializers.CharField(max_length=200, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=NOTICE_STATUSES)
    message = serializers.CharField(max_length=2000)
    reason = serializers.CharField(max_length=2000, allow_blank=True, default="")
    currency = serializers.RegexField(r"^[A-Z]{3}$")
    total = MoneyField()
    lines = NoticeLineSerializer(many=True)
    at = serializers.DateTimeField()
    # A message the station rendered: the shop sends its text as it is and keeps its dates.
    kind = serializers.CharField(max_length=32, required=False)
    language = serializers.CharField(max_length=16, required=False)
    subject = serializers.CharField(max_length=300, required=False)
    text = serializers.CharField(max_length=20000, required=False)
    html = serializers.CharField(max_length=60000, required=False)
    message_id = serializers.CharField(max_length=200, required=False)
    refund_expected_by = serializers.DateField(required=False)
    review_by = serializers.DateField(required=False)


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReturnStatus.values)
    at = serializers.DateTimeField()
    note = serializers.CharField(max_length=2000, allow_blank=True, default="")


# --- Representations -----------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def line_sku(line: Any) -> str:
    """The barcode the station scans: the product's UPC (an EAN-13), else the partner SKU."""
    return str(line.upc or line.partner_sku)


def unit_paid(line: Any) -> Decimal:
    """What the customer paid for one unit, discounts included (not rounded)."""
    return Decimal(line.line_price_incl_tax) / Decimal(line.quantity)


def _serial_numbers(line: Any) -> list[str]:
    serials: list[str] = []
    for attribute in line.attributes.all():
        if attribute.type != SERIAL_NUMBER_ATTRIBUTE:
            continue
        value = attribute.value
        if isinstance(value, list):
            serials.extend(str(v) for v in value)
        else:
            serials.append(str(value))
    return serials


def _delivered_at(order: Any) -> datetime | None:
    delivered = [
        event.date_created
        for event in order.shipping_events.all()
        if event.event_type.code == DELIVERED_EVENT_CODE
    ]
    return max(delivered, default=None)


def _customer_name(order: Any) -> str:
    if order.shipping_address is not None:
        return str(order.shipping_address.name)
    if order.user is not None:
        return str(order.user.get_full_name())
    return ""


def is_gtin(value: str) -> bool:
    """8, 12, 13 or 14 digits with a valid GS1 check digit (the station refuses anything else)."""
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        return False
    digits = [int(d) for d in value.zfill(14)]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:-1]))
    return (10 - total % 10) % 10 == digits[-1]


def product_data(line: Any) -> dict[str, Any]:
    """What the station needs to know of the product on an order line, as it is now."""
    product = line.product
    categories = list(product.categories.all()) if product is not None else []
    serialised = product is not None and any(
        value.attribute.code == SERIALISED_ATTRIBUTE and bool(value.value_boolean)
        for value in product.attribute_values.all()
    )
    record = line.stockrecord
    current = record.price if record is not None and record.price is not None else None
    return {
        "title": product.get_title() if product is not None else line.title,
        "category": categories[0].name if categories else "",
        # The resale value now (the stock record's price), else what was paid for one unit.
        "unit_value": money(Decimal(current) if current is not None else unit_paid(line)),
        "gtins": [line.upc] if line.upc and is_gtin(line.upc) else [],
        "serialised": serialised,
    }


def payment_method(order: Any) -> str | None:
    """How the order was paid: its first payment source's type code ("card", "paypal", ...)."""
    sources = sorted(order.sources.all(), key=lambda source: source.pk)  # prefetched
    return str(sources[0].source_type.code)[:32] if sources else None


def order_data(order: Any, customer_language: str = "") -> dict[str, Any]:
    return {
        "number": order.number,
        "placed_at": _iso(order.date_placed),
        "delivered_at": _iso(_delivered_at(order)),
        "currency": order.currency,
        "customer": {"name": _customer_name(order), "email": order.email or ""},
        "customer_language": customer_language or None,
        "payment_method": payment_method(order),
        "lines": [
            {
                "line_ref": str(line.pk),
                "sku": line_sku(line),
                "title": line.title,
                "quantity": line.quantity,
                # Rounded down: a station refunding unit_price per unit never over-refunds.
                "unit_price": money(unit_paid(line).quantize(CENT, rounding=ROUND_DOWN)),
                "serial_numbers": _serial_numbers(line),
                "product": product_data(line),
            }
            for line in order.lines.all()
        ],
    }


TIER_GROUP_PREFIX = "tier:"  # a customer in the Django group "tier:gold" has the tier "gold"
TIER_LIMIT = 32  # docs/sync-api.yaml Return.customer_tier


def customer_tier(order: Any) -> str | None:
    """The tier of a registered customer: the first (by name) of their Django groups named
    ``tier:<name>``; None for a guest, a customer in no such group, or a name too long."""
    if order.user is None:
        return None
    tiers = sorted(
        group.name.removeprefix(TIER_GROUP_PREFIX).strip()
        for group in order.user.groups.all()  # prefetched: _output_prefetches
        if group.name.startswith(TIER_GROUP_PREFIX)
    )
    return next((tier for tier in tiers if 0 < len(tier) <= TIER_LIMIT), None)


def return_data(ra: ReturnAuthorisation) -> dict[str, Any]:
    data = {
        "rma_number": ra.rma_number,
        "status": ra.status,
        "created_at": _iso(ra.created_at),
        "updated_at": _iso(ra.updated_at),
        "policy_window_days": ra.policy_window_days,
        "tracking_numbers": [{"number": t.number, "carrier": t.carrier} for t in ra.tracking.all()],
        "order": order_data(ra.order, ra.customer_language),
        "lines": [
            {
                "line_ref": str(rl.order_line_id),
                "sku": line_sku(rl.order_line),
                "quantity": rl.quantity,
                "reason_code": rl.reason_code,
                "comment": rl.comment,
            }
            for rl in ra.lines.all()
        ],
    }
    tier = customer_tier(ra.order)
    if tier is not None:  # optional in the contract: only customers with a tier say one
        data["customer_tier"] = tier
    return data


def _output_prefetches() -> list[str | Prefetch]:
    return [
        "tracking",
        "order__user__groups",
        Prefetch("lines__order_line", queryset=Line.objects.all()),
        Prefetch(
            "order__lines",
            queryset=Line.objects.select_related("stockrecord", "product").prefetch_related(
                "attributes", "product__categories", "product__attribute_values__attribute"
            ),
        ),
        Prefetch(
            "order__shipping_events", queryset=ShippingEvent.objects.select_related("event_type")
        ),
        Prefetch("order__sources", queryset=Source.objects.select_related("source_type")),
    ]


def returns_for_output(*, prefetch: bool = True) -> QuerySet[ReturnAuthorisation]:
    """Everything return_data() reads, in a fixed number of queries.

    ``prefetch=False`` leaves the related rows to ``prefetch_output`` (large pages).
    """
    returns = ReturnAuthorisation.objects.select_related("order__shipping_address", "order__user")
    return returns.prefetch_related(*_output_prefetches()) if prefetch else returns


# SQLite refuses a query naming about 1,000 ids or more ("Expression tree is too large"): a
# page of 500 returns has more order lines than that, so its related rows come in chunks.
PREFETCH_CHUNK = 200


def prefetch_output(returns: list[ReturnAuthorisation]) -> None:
    for start in range(0, len(returns), PREFETCH_CHUNK):
        prefetch_related_objects(returns[start : start + PREFETCH_CHUNK], *_output_prefetches())
