"""The HTTP connector: outbox events as calls to the order system's sync API (docs/sync-api.yaml).

Each call sends the event's stored idempotency key unchanged, on every attempt, with a body
built the same way from the same stored payload (``connector.plan_call``). So when an answer is
lost (a timeout after the shop applied the call, a dropped connection, a garbled body), sending
again is safe: the shop replays its first answer instead of applying the call twice.

Network trouble never raises here; it comes back as ``RETRY``, and so does anything that leaves
the outcome unknown. See ``connector.py`` for the outcomes and the event-to-call table.
"""

from __future__ import annotations

import json
import logging
from types import TracebackType
from urllib.parse import quote

import httpx

from returnsdesk.domain.clock import Clock, utc_now
from returnsdesk.services.sync.backoff import parse_retry_after
from returnsdesk.services.sync.connector import (
    API_BASE_PATH,
    DeliveryResult,
    KeyOutcome,
    KeyOutcomeUnavailable,
    KeyState,
    NoRemoteCall,
    OutboxEventView,
    UnsendableEvent,
    plan_call,
)
from returnsdesk.services.sync.inbound import PullFailed
from returnsdesk.services.sync.remote import MalformedAnswer

log = logging.getLogger(__name__)

USER_AGENT = "returnsdesk-relay"
_MESSAGE_LIMIT = 1000  # of the shop's text kept in last_error (the column holds 2,000)


class HttpContractConnector:
    """``deliver`` over HTTP; ``base_url`` is the shop's address, with or without the API path."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        client: httpx.Client | None = None,
        timeout_s: float = 10.0,
        clock: Clock = utc_now,
    ) -> None:
        url = httpx.URL(base_url.rstrip("/"))
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"order system URL must be http(s)://host..., not {base_url!r}")
        api = str(url)
        self.api_url = api if api.endswith(API_BASE_PATH) else api + API_BASE_PATH
        self.timeout_s = timeout_s
        self._token = token
        self._clock = clock
        self._owns_client = client is None
        # Redirects are not followed: a POST answered with 3xx means a wrong URL (see _classify).
        self._client = client if client is not None else httpx.Client(follow_redirects=False)
        self._timeout = httpx.Timeout(timeout_s)

    def __repr__(self) -> str:  # no token in logs or crash reports
        return f"HttpContractConnector({self.api_url!r})"

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> HttpContractConnector:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def fetch_return_changes(self, cursor: str, limit: int) -> object:
        """One page of ``GET /returns/changes`` as decoded JSON (the inbound feed).

        Raises ``PullFailed`` with what went wrong, for people: no answer, an error answer
        (with the shop's message), or a body that is not JSON.
        """
        where = "GET /returns/changes"
        try:
            response = self._client.get(
                self.api_url + "/returns/changes",
                params={"cursor": cursor, "limit": limit},
                headers={
                    "Authorization": f"Token {self._token}",
                    "Accept": "application/json",
                    "User-Agent": USER_AGENT,
                },
                timeout=self._timeout,
            )
        except httpx.TimeoutException:
            raise PullFailed(f"{where}: no answer within {self.timeout_s:g} s") from None
        except httpx.HTTPError as exc:
            raise PullFailed(f"{where}: {type(exc).__name__}: {exc}"[:_MESSAGE_LIMIT]) from None
        if response.status_code != 200:
            _error, message = _shop_error(response)
            hint = " (check the order-system token)" if response.status_code in (401, 403) else ""
            raise PullFailed(f"{where}: HTTP {response.status_code} {message}".rstrip() + hint)
        try:
            return response.json()
        except ValueError:  # JSONDecodeError, or bytes that are not UTF-8
            raise MalformedAnswer(
                f"{where}: HTTP 200 but the body is not JSON: {response.text[:80]!r}"
            ) from None

    def key_outcome(self, key: str) -> KeyOutcome:
        """``GET /idempotency-keys/{key}``: applied, refused or unknown, in the shop's words.

        Raises ``KeyOutcomeUnavailable`` unless the shop answered 200 with the contract's
        answer about this very key: a lead's resend under a new key rests on that answer.
        """
        where = "GET /idempotency-keys/{key}"
        try:
            response = self._client.get(
                self.api_url + "/idempotency-keys/" + quote(key, safe=""),
                headers={
                    "Authorization": f"Token {self._token}",
                    "Accept": "application/json",
                    "User-Agent": USER_AGENT,
                },
                timeout=self._timeout,
            )
        except httpx.HTTPError as exc:
            raise KeyOutcomeUnavailable(
                f"{where}: {type(exc).__name__}: {exc}"[:_MESSAGE_LIMIT]
            ) from None
        if response.status_code != 200:
            _error, message = _shop_error(response)
            raise KeyOutcomeUnavailable(f"{where}: HTTP {response.status_code} {message}".rstrip())
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or answer.get("key") != key:
            raise KeyOutcomeUnavailable(
                f"{where}: an answer not about this key: {response.text[:80]!r}"
            )
        try:
            state = KeyState(str(answer.get("outcome")))
        except ValueError:
            raise KeyOutcomeUnavailable(
                f"{where}: unknown outcome {answer.get('outcome')!r}"
            ) from None
        said = [
            str(answer[name]) for name in ("operation", "status_code", "error") if name in answer
        ]
        detail = f"{state.value}" + (f" ({' '.join(said)})" if said else "")
        return KeyOutcome(state, detail[:_MESSAGE_LIMIT])

    def deliver(self, event: OutboxEventView) -> DeliveryResult:
        try:
            call = plan_call(event)
        except UnsendableEvent as exc:
            return DeliveryResult.parked(str(exc), remote_call=False)
        if isinstance(call, NoRemoteCall):
            return DeliveryResult.no_op(f"no remote call: {call.reason}")
        # Serialised here, not by httpx, so the bytes are the same on every attempt.
        content = json.dumps(call.body, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        headers = {
            "Authorization": f"Token {self._token}",
            "Idempotency-Key": event.idempotency_key,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        where = f"{call.method} {call.path}"
        try:
            response = self._client.request(
                call.method,
                self.api_url + call.path,
                content=content.encode(),
                headers=headers,
                timeout=self._timeout,
            )
        except httpx.TimeoutException as exc:
            return DeliveryResult.retry(
                f"{where}: no answer within {self.timeout_s:g} s ({type(exc).__name__}); "
                "outcome unknown, will send again with the same key"
            )
        except httpx.HTTPError as exc:  # connection refused or reset, DNS, TLS, protocol
            return DeliveryResult.retry(f"{where}: {type(exc).__name__}: {exc}"[:_MESSAGE_LIMIT])
        return self._classify(where, response)

    def _classify(self, where: str, response: httpx.Response) -> DeliveryResult:
        code = response.status_code
        if 200 <= code < 300:
            if code == 204:
                return DeliveryResult.delivered(f"{where}: HTTP 204", status_code=code)
            try:
                answer = response.json()
            except ValueError:  # JSONDecodeError, or bytes that are not UTF-8
                answer = None
            if not isinstance(answer, dict):
                # The call may or may not have been applied; the same key makes a resend safe.
                return DeliveryResult.retry(
                    f"{where}: HTTP {code} with an unreadable body; outcome unknown",
                    status_code=code,
                )
            replayed = " (replayed)" if response.headers.get("Idempotent-Replayed") else ""
            return DeliveryResult.delivered(f"{where}: HTTP {code}{replayed}", status_code=code)
        error, message = _shop_error(response)
        message = f"{where}: HTTP {code} {message}".rstrip()
        # 409 in_progress: the shop is still handling this key (nothing applied yet): retry.
        if code in (408, 429) or code >= 500 or (code == 409 and error == "in_progress"):
            retry_after = parse_retry_after(response.headers.get("Retry-After"), now=self._clock())
            return DeliveryResult.retry(message, retry_after_s=retry_after, status_code=code)
        if code in (401, 403):
            # A token problem is the station's setup, not this event's: retry, do not park every
            # event one by one. The Sync panel shows the error and the growing queue age.
            return DeliveryResult.retry(
                f"{message} (check the order-system token)", status_code=code
            )
        if 300 <= code < 400:
            location = response.headers.get("Location", "?")
            return DeliveryResult.retry(
                f"{message} (redirected to {location}: check order_system.url)", status_code=code
            )
        if 400 <= code < 500:
            return DeliveryResult.parked(message, status_code=code)
        return DeliveryResult.retry(message, status_code=code)  # 1xx: not a final answer


def _shop_error(response: httpx.Response) -> tuple[str | None, str]:
    """The shop's error code, and "error: message" for people (else the start of the body)."""
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if isinstance(answer, dict) and ("error" in answer or "message" in answer):
        error, message = answer.get("error"), answer.get("message")
        text = ": ".join(str(part) for part in (error, message) if part)
        return (error if isinstance(error, str) else None), text[:_MESSAGE_LIMIT]
    return None, response.text.strip().replace("\n", " ")[:_MESSAGE_LIMIT]
