"""The sync API's views: token-authenticated staff only, JSON in and out.

Authentication, permissions, parsers, renderers and error handling are fixed here rather than
taken from the shop's REST_FRAMEWORK settings, so the contract holds in any Oscar shop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from oscar.core.loading import get_model
from rest_framework import status
from rest_framework.authentication import TokenAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAdminUser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .errors import ApiError, api_exception_handler, not_found
from .idempotency import MAX_KEY_LENGTH, key_outcome, run_idempotent
from .serializers import (
    AuditAnchorSerializer,
    NotificationSerializer,
    RefundSerializer,
    StatusChangeSerializer,
    StockAdjustmentSerializer,
    order_data,
)

Order = get_model("order", "Order")

MAX_PAGE = 500
DEFAULT_PAGE = 100


class SyncApiView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAdminUser]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    throttle_classes: list[Any] = []

    def get_exception_handler(self) -> Callable[..., Response | None]:
        return api_exception_handler


class OrderDetailView(SyncApiView):
    def get(self, request: Request, number: str) -> Response:
        order = (
            Order.objects.select_related("shipping_address", "user")
            .prefetch_related(
                "lines__attributes", "shipping_events__event_type", "sources__source_type"
            )
            .filter(number=number)
            .first()
        )
        if order is None:
            raise not_found(f"order {number}")
        return Response(order_data(order))


class ReturnLookupView(SyncApiView):
    def get(self, request: Request) -> Response:
        given = {
            name: request.query_params.get(name, "").strip()
            for name in ("rma", "tracking", "order")
        }
        named = [name for name, value in given.items() if value]
        if len(named) != 1:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                "invalid_request",
                "give exactly one of rma, tracking or order",
            )
        return Response(
            services.lookup_return(
                rma=given["rma"] or None,
                tracking=given["tracking"] or None,
                order=given["order"] or None,
            )
        )


class ReturnChangesView(SyncApiView):
    def get(self, request: Request) -> Response:
        raw_limit = request.query_params.get("limit", str(DEFAULT_PAGE))
        try:
            limit = int(raw_limit)
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_PAGE:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                "invalid_request",
                f"limit must be an integer from 1 to {MAX_PAGE}",
            )
        cursor = request.query_params.get("cursor", "").strip()
        return Response(services.changes(cursor=cursor, limit=limit))


class RefundView(SyncApiView):
    def post(self, request: Request) -> HttpResponse:
        return run_idempotent(
            request,
            endpoint="POST refunds",
            serializer_class=RefundSerializer,
            apply=lambda data, key: services.record_refund(data, key, user=request.user),
        )


class StockAdjustmentView(SyncApiView):
    def post(self, request: Request) -> HttpResponse:
        return run_idempotent(
            request,
            endpoint="POST stock-adjustments",
            serializer_class=StockAdjustmentSerializer,
            apply=services.adjust_stock,
        )


class ReturnStatusView(SyncApiView):
    def post(self, request: Request, rma_number: str) -> HttpResponse:
        return run_idempotent(
            request,
            # The RMA is part of the request: the same key and body for another return is reuse.
            endpoint=f"POST returns/{rma_number}/status",
            serializer_class=StatusChangeSerializer,
            apply=lambda data, key: services.change_status(
                rma_number, data, key, user=request.user
            ),
        )


class ReturnNotificationView(SyncApiView):
    def post(self, request: Request, rma_number: str) -> HttpResponse:
        return run_idempotent(
            request,
            endpoint=f"POST returns/{rma_number}/notifications",
            serializer_class=NotificationSerializer,
            apply=lambda data, key: services.notify_customer(rma_number, data, key),
        )


class AuditAnchorView(SyncApiView):
    def post(self, request: Request) -> HttpResponse:
        return run_idempotent(
            request,
            endpoint="POST audit-anchors",
            serializer_class=AuditAnchorSerializer,
            apply=services.record_anchor,
        )


class KeyOutcomeView(SyncApiView):
    """What became of a key: applied, refused or unknown (a station recovering a refusal)."""

    def get(self, request: Request, key: str) -> Response:
        if len(key) > MAX_KEY_LENGTH:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                "invalid_request",
                f"a key has at most {MAX_KEY_LENGTH} characters",
            )
        return Response(key_outcome(key))
