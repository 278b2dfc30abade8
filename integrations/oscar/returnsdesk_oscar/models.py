"""Returns, their tracking and lines, refunds, stock adjustments and idempotency records.

Oscar's own models stay untouched: a return points at Oscar's order and order lines, a refund
is Oscar's payment event (linked here), a stock adjustment changes Oscar's stock record.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ReturnStatus(models.TextChoices):
    AUTHORISED = "authorised", "Authorised"
    RECEIVED = "received", "Received"
    INSPECTED = "inspected", "Inspected"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class ReturnAuthorisation(models.Model):
    rma_number = models.CharField(max_length=64, unique=True)
    # PROTECT: an order with a return must not vanish from under the refunds recorded for it.
    order = models.ForeignKey(
        "order.Order", on_delete=models.PROTECT, related_name="return_authorisations"
    )
    status = models.CharField(
        max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.AUTHORISED
    )
    policy_window_days = models.PositiveSmallIntegerField(default=30)
    # The language the customer asked for the return in (a BCP 47 tag such as "de-DE"; blank:
    # not known): the station writes to them in it.
    customer_language = models.CharField(max_length=16, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    # auto_now: every save() moves the return to the end of the changes feed.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["updated_at", "id"]
        # The changes feed pages on exactly this pair.
        indexes = [models.Index(fields=["updated_at", "id"], name="rd_return_changes_idx")]

    def __str__(self) -> str:
        return self.rma_number


class ReturnTracking(models.Model):
    return_authorisation = models.ForeignKey(
        ReturnAuthorisation, on_delete=models.CASCADE, related_name="tracking"
    )
    # Stored normalised (upper case, no spaces) so a scanned label finds it.
    number = models.CharField(max_length=64, unique=True)
    carrier = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return f"{self.carrier} {self.number}".strip()


class ReturnLine(models.Model):
    return_authorisation = models.ForeignKey(
        ReturnAuthorisation, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        "order.Line", on_delete=models.PROTECT, related_name="return_lines"
    )
    quantity = models.PositiveIntegerField()
    reason_code = models.CharField(max_length=32)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["return_authorisation", "order_line"], name="rd_one_line_per_order_line"
            )
        ]


class RefundRecord(models.Model):
    """Links Oscar's "Refund" payment event to the return and the station's refund."""

    return_authorisation = models.ForeignKey(
        ReturnAuthorisation, on_delete=models.PROTECT, related_name="refunds"
    )
    payment_event = models.OneToOneField(
        "order.PaymentEvent", on_delete=models.PROTECT, related_name="returnsdesk_refund"
    )
    # Unique: a second relay of the same station refund under a new key is refused, not paid.
    station_refund_id = models.CharField(max_length=64, unique=True)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=12)
    # The lines as the station sent them (amounts, deductions and their reasons), for audit.
    lines = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)


class StockAdjustment(models.Model):
    """An audit row per applied adjustment; the stock itself lives in Oscar's StockRecord."""

    stockrecord = models.ForeignKey(
        "partner.StockRecord", on_delete=models.PROTECT, related_name="returnsdesk_adjustments"
    )
    sku = models.CharField(max_length=128)
    delta = models.IntegerField()
    num_in_stock_after = models.PositiveIntegerField()
    location = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=64, blank=True)
    reference = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class IdempotencyRecord(models.Model):
    """The first answer to a POST, replayed byte for byte when the same key comes again."""

    # 128: the key is also Oscar's PaymentEvent.reference, a CharField(max_length=128).
    key = models.CharField(max_length=128, unique=True)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    # The exact bytes sent (as text): a JSONField on PostgreSQL (jsonb) would reorder keys.
    response_json = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"


class AuditAnchor(models.Model):
    """The head of a station's audit trail at some moment, sent by the station's relay.

    Kept here, off the station, so that deleting or rewriting the station's newest audit
    entries shows: the station's trail must still hold this hash at this sequence. A second
    anchor for the same entry with another hash is refused (409 ``anchor_mismatch``).
    """

    # Names the audit key, so the chain (one per key; stations sharing a database share it).
    key_id = models.CharField(max_length=16)
    sequence = models.PositiveBigIntegerField()
    entry_hash = models.CharField(max_length=64)
    anchored_at = models.DateTimeField()  # the entry's time, as the station wrote it
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["key_id", "sequence"], name="rd_one_anchor_per_entry")
        ]

    def __str__(self) -> str:
        return f"{self.key_id} #{self.sequence}"


class ReturnNotice(models.Model):
    """A message the station sent the customer through the shop (its rendered text, its dates).

    The customer's "My returns" page builds each return's timeline from these.
    """

    return_authorisation = models.ForeignKey(
        ReturnAuthorisation, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=32)  # parcel_received, refund_issued, ... (or a status)
    status = models.CharField(max_length=16)
    subject = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=12)
    refund_expected_by = models.DateField(null=True, blank=True)
    review_by = models.DateField(null=True, blank=True)
    at = models.DateTimeField()  # when the station recorded the step

    class Meta:
        ordering = ["at", "id"]
