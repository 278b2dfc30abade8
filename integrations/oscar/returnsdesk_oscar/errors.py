"""One error shape for every answer that is not a success: {"error": code, "message": text}."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ApiError(Exception):
    """A refusal the client can act on; raised anywhere below a view."""

    def __init__(
        self, status_code: int, code: str, message: str, details: Any | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


def not_found(what: str) -> ApiError:
    return ApiError(status.HTTP_404_NOT_FOUND, "not_found", f"{what} not found")


_CODES = {
    400: "invalid_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    415: "unsupported_media_type",
    429: "throttled",
}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler (it sets WWW-Authenticate and Retry-After), then reshape its body."""
    if isinstance(exc, ApiError):
        return Response(exc.payload(), status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 handling and logging take over
    details = None
    if isinstance(exc, exceptions.ValidationError):
        message = "the request body is not valid"
        details = exc.detail
    elif isinstance(exc, exceptions.APIException):
        message = str(exc.detail)
    else:
        message = str(exc)
    body: dict[str, Any] = {
        "error": _CODES.get(response.status_code, "invalid_request"),
        "message": message,
    }
    if details is not None:
        body["details"] = details
    response.data = body
    return response
