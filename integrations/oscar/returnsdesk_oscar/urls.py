"""Include under the contract's base path:

path("returnsdesk/api/v1/", include("returnsdesk_oscar.urls"))
"""

from django.urls import path

from . import views

app_name = "returnsdesk"

urlpatterns = [
    path("orders/<str:number>", views.OrderDetailView.as_view(), name="order"),
    path("returns/lookup", views.ReturnLookupView.as_view(), name="return-lookup"),
    path("returns/changes", views.ReturnChangesView.as_view(), name="return-changes"),
    path("returns/<str:rma_number>/status", views.ReturnStatusView.as_view(), name="return-status"),
    path(
        "returns/<str:rma_number>/notifications",
        views.ReturnNotificationView.as_view(),
        name="return-notifications",
    ),
    path("refunds", views.RefundView.as_view(), name="refunds"),
    path("stock-adjustments", views.StockAdjustmentView.as_view(), name="stock-adjustments"),
    path("audit-anchors", views.AuditAnchorView.as_view(), name="audit-anchors"),
    path("idempotency-keys/<str:key>", views.KeyOutcomeView.as_view(), name="key-outcome"),
]
