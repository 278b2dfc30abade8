"""The customer's pages; include at "accounts/returns/" (before Oscar's own URLs)."""

from django.urls import path

from . import customer_views

app_name = "returnsdesk_customer"

urlpatterns = [path("", customer_views.MyReturnsView.as_view(), name="my-returns")]
