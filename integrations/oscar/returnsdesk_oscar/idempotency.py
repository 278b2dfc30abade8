"""Idempotent POSTs: the first answer for a key is stored with the change, and replayed.

The record is written in the same transaction as the change it answers for, so either both
exist or neither does: a crash between "applied" and "remembered" cannot happen. A concurrent
request with the same key waits on the database (SQLite's write lock, PostgreSQL's unique
index) and then replays the first answer; only if it cannot get the lock in time does it get
409 in_progress, with nothing applied.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.http import HttpResponse
from rest_framework import serializers, status
from rest_framework.request import Request

from .errors import ApiError
from .models import IdempotencyRecord

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128
REPLAY_HEADER = "Idempotent-Replayed"

# apply(validated_data, key) -> (status code, JSON-able body); raises ApiError to refuse.
Apply = Callable[[dict[str, Any], str], tuple[int, Any]]


def _render(payload: Any) -> str:
    # DRF's own compact form, so replays and first answers look alike.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _request_hash(endpoint: str, data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{endpoint}\n{canonical}".encode()).hexdigest()


def _json_response(status_code: int, body: str, *, replayed: bool) -> HttpResponse:
    response = HttpResponse(body, status=status_code, content_type="application/json")
    if replayed:
        response[REPLAY_HEADER] = "true"
    return response


def _replay(record: IdempotencyRecord, request_hash: str) -> HttpResponse:
    if record.request_hash != request_hash:
        raise ApiError(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was already used with a different request",
        )
    return _json_response(record.status_code, record.response_json, replayed=True)


def _is_lock_timeout(error: OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "lock timeout" in text or "could not obtain lock" in text


def run_idempotent(
    request: Request,
    *,
    endpoint: str,
    serializer_class: type[serializers.Serializer],
    apply: Apply,
) -> HttpResponse:
    """Replay, refuse or apply, answering exactly once per key.

    Not stored (so the client may fix and retry with the same key): 400 for a missing key or
    an invalid body, 409 in_progress, and 5xx (the transaction rolls back). Stored: every
    answer of apply(), success or refusal (404, 409, 422).
    """
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        raise ApiError(
            status.HTTP_400_BAD_REQUEST,
            "idempotency_key_required",
            f"the {IDEMPOTENCY_HEADER} header is required",
        )
    if len(key) > MAX_KEY_LENGTH:
        raise ApiError(
            status.HTTP_400_BAD_REQUEST,
            "invalid_request",
            f"{IDEMPOTENCY_HEADER} must be at most {MAX_KEY_LENGTH} characters",
        )
    request_hash = _request_hash(endpoint, request.data)
    try:
        with transaction.atomic():
            existing = IdempotencyRecord.objects.filter(key=key).first()
            if existing is not None:
                return _replay(existing, request_hash)
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        key=key,
                        endpoint=endpoint,
                        request_hash=request_hash,
                        status_code=0,
                        response_json="",
                    )
            except IntegrityError:
                # PostgreSQL: a concurrent request with this key committed while we waited.
                return _replay(IdempotencyRecord.objects.get(key=key), request_hash)
            try:
                with transaction.atomic():  # a refusal undoes whatever apply() had written
                    status_code, payload = apply(serializer.validated_data, key)
            except ApiError as refusal:
                status_code, payload = refusal.status_code, refusal.payload()
            record.status_code = status_code
            record.response_json = _render(payload)
            record.save(update_fields=["status_code", "response_json"])
    except OperationalError as error:
        if not _is_lock_timeout(error):
            raise
        response = _json_response(
            status.HTTP_409_CONFLICT,
            _render(
                {
                    "error": "in_progress",
                    "message": "another request is using the database; retry with the same key",
                }
            ),
            replayed=False,
        )
        response["Retry-After"] = "1"
        return response
    return _json_response(status_code, record.response_json, replayed=False)


def key_outcome(key: str) -> dict[str, Any]:
    """The contract's answer to GET /idempotency-keys/{key}, from the remembered answer.

    A record is written in the transaction of the change it answers for, so a committed one
    always holds its final status: 2xx means applied, anything else a remembered refusal.
    """
    record = IdempotencyRecord.objects.filter(key=key).first()
    if record is None:
        return {"key": key, "outcome": "unknown"}
    answer: dict[str, Any] = {
        "key": key,
        "outcome": "applied" if 200 <= record.status_code < 300 else "refused",
        "operation": record.endpoint,
        "status_code": record.status_code,
        "recorded_at": record.created_at.isoformat(),
    }
    if answer["outcome"] == "refused":
        try:
            error = json.loads(record.response_json).get("error")
        except (ValueError, AttributeError):
            error = None
        if isinstance(error, str):
            answer["error"] = error
    return answer
