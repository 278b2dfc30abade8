"""Read-mostly admin pages, so shop staff can see what the stations sent."""

from django.contrib import admin

from .models import (
    AuditAnchor,
    IdempotencyRecord,
    RefundRecord,
    ReturnAuthorisation,
    ReturnLine,
    ReturnTracking,
    StockAdjustment,
)


class ReturnTrackingInline(admin.TabularInline):
    model = ReturnTracking
    extra = 0


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    extra = 0
    raw_id_fields = ["order_line"]


@admin.register(ReturnAuthorisation)
class ReturnAuthorisationAdmin(admin.ModelAdmin):
    list_display = ["rma_number", "order", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["rma_number", "order__number", "tracking__number"]
    raw_id_fields = ["order"]
    inlines = [ReturnTrackingInline, ReturnLineInline]


@admin.register(RefundRecord)
class RefundRecordAdmin(admin.ModelAdmin):
    list_display = ["id", "return_authorisation", "total", "currency", "created_at"]
    raw_id_fields = ["return_authorisation", "payment_event"]


@admin.register(StockAdjustment)
class StockAdjustmentAdmin(admin.ModelAdmin):
    list_display = ["sku", "delta", "num_in_stock_after", "reason", "reference", "created_at"]
    raw_id_fields = ["stockrecord"]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["key", "endpoint", "status_code", "created_at"]
    search_fields = ["key"]


@admin.register(AuditAnchor)
class AuditAnchorAdmin(admin.ModelAdmin):
    list_display = ["key_id", "sequence", "entry_hash", "anchored_at", "received_at"]
    list_filter = ["key_id"]
    search_fields = ["entry_hash"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False  # evidence: shown, never edited

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
