"""The customer's "My returns" page: each return's timeline, from what the station delivered.

Steps: requested (the return's creation), received, inspected, then refunded (with the day
the money should arrive) or held (with the day the review ends). A step's time is the time
the station recorded it; a step the station has not reported yet is shown as to come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from .models import RefundRecord, ReturnAuthorisation, ReturnStatus


@dataclass(frozen=True)
class Step:
    name: str  # requested, received, inspected, refunded, held
    label: str
    at: datetime | None
    until: date | None = None  # refunded: money expected by; held: review ends by


@dataclass(frozen=True)
class ReturnTimeline:
    rma_number: str
    order_number: str
    steps: list[Step]
    refund_expected_by: date | None


_LABELS = {
    "requested": "Return requested",
    "received": "Parcel received",
    "inspected": "Inspected",
    "refunded": "Refunded",
    "held": "Refund under review",
}


def timeline(ra: ReturnAuthorisation) -> ReturnTimeline:
    notices = {notice.kind: notice for notice in ra.notices.all()}  # the newest of each kind
    refund: RefundRecord | None = ra.refunds.order_by("created_at").first()
    steps = [Step("requested", _LABELS["requested"], ra.created_at)]
    received = notices.get("parcel_received")
    received_at = received.at if received else None
    if received_at is None and ra.status in (ReturnStatus.RECEIVED, ReturnStatus.CLOSED):
        received_at = ra.updated_at
    steps.append(Step("received", _LABELS["received"], received_at))
    inspected = notices.get("inspection_finished")
    steps.append(Step("inspected", _LABELS["inspected"], inspected.at if inspected else None))
    issued, held = notices.get("refund_issued"), notices.get("refund_held")
    expected_by = issued.refund_expected_by if issued else None
    if issued is not None or refund is not None:
        at = issued.at if issued else refund.created_at if refund else None
        steps.append(Step("refunded", _LABELS["refunded"], at, expected_by))
    elif held is not None:
        steps.append(Step("held", _LABELS["held"], held.at, held.review_by))
    else:
        steps.append(Step("refunded", _LABELS["refunded"], None))
    return ReturnTimeline(ra.rma_number, ra.order.number, steps, expected_by)


class MyReturnsView(LoginRequiredMixin, TemplateView):
    template_name = "returnsdesk_oscar/my_returns.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        returns = (
            ReturnAuthorisation.objects.filter(order__user=self.request.user)
            .select_related("order")
            .prefetch_related("notices", "refunds")
            .order_by("-created_at", "-id")
        )
        context["timelines"] = [timeline(ra) for ra in returns]
        return context
