"""A TEST DOUBLE of the order system's ``GET /returns/changes`` (docs/sync-api.yaml), over HTTP.

A real server on 127.0.0.1 with token auth. ``publish`` appends a version of a return to the
feed, as a shop's save moves it to the end; the cursor is the position in the feed, so a
return that changes again comes again, later. ``break_next`` makes the next answers fail as a
broken shop would (a status code and raw body). The reference shop's own feed is tested in
tests/integration. Every request and every answer but the broken ones is checked against
docs/sync-api.yaml (``sync_contract.py``); leaving ``with`` raises if one broke it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from services.sync.loopback import LoopbackService, QuietServer
from sync_contract import ContractLog, contract

BASE_PATH = "/returnsdesk/api/v1"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def remote_return(
    rma: str,
    *,
    order: str = "WEB-1001",
    status: str = "authorised",
    minutes: int = 0,
    lines: tuple[tuple[str, str, int], ...] = (("L1", "4006381333931", 1),),
    tracking: tuple[str, ...] = ("1Z999AA10123456784",),
    email: str = "ann@example.com",
) -> dict[str, Any]:
    """A Return in the contract's shape; ``lines`` are (line_ref, sku, quantity returned)."""
    updated = T0 + timedelta(minutes=minutes)
    return {
        "rma_number": rma,
        "status": status,
        "created_at": T0.isoformat(),
        "updated_at": updated.isoformat(),
        "policy_window_days": 30,
        "tracking_numbers": [{"number": number, "carrier": "UPS"} for number in tracking],
        "order": {
            "number": order,
            "placed_at": (T0 - timedelta(days=10)).isoformat(),
            "delivered_at": (T0 - timedelta(days=5)).isoformat(),
            "currency": "EUR",
            "customer": {"name": "Ann Example", "email": email},
            "lines": [
                {
                    "line_ref": ref,
                    "sku": sku,
                    "title": f"Product {sku}",
                    "quantity": 2,
                    "unit_price": "40.00",
                    "serial_numbers": [],
                    "product": {
                        "title": f"Product {sku}",
                        "category": "Footwear",
                        "unit_value": "45.00",
                        "gtins": [sku],
                        "serialised": False,
                    },
                }
                for ref, sku, _ in lines
            ],
        },
        "lines": [
            {
                "line_ref": ref,
                "sku": sku,
                "quantity": qty,
                "reason_code": "too_small",
                "comment": "",
            }
            for ref, sku, qty in lines
        ],  # fmt: skip
    }


class _Server(QuietServer):
    feed: ReturnFeedServer


class ReturnFeedServer(LoopbackService):
    def __init__(self, token: str = "feed-token") -> None:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.feed = self
        super().__init__(server, name="feed-server")
        self.token = token
        self._lock = threading.Lock()
        self._versions: list[dict[str, Any]] = []
        self._failures: list[tuple[int, bytes]] = []
        self.requests: list[dict[str, list[str]]] = []  # query parameters, in order
        self.contract_log = ContractLog(contract())

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        if not exc or exc[0] is None:
            self.contract_log.assert_clean()

    @property
    def base_url(self) -> str:
        return self.url + BASE_PATH

    def publish(self, *versions: dict[str, Any]) -> None:
        with self._lock:
            self._versions.extend(versions)

    def break_next(self, status: int, body: bytes, *, times: int = 1) -> None:
        with self._lock:
            self._failures.extend([(status, body)] * times)

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self._lock:
            yield

    def answer(self, path: str, auth: str | None) -> tuple[int, bytes, bool]:
        """(status, body, whether the answer is one of break_next's, off the contract)."""
        parts = urlsplit(path)
        if parts.path != BASE_PATH + "/returns/changes":
            return 404, b'{"error": "not_found", "message": "no such path"}', False
        if auth != f"Token {self.token}":
            return 401, b'{"error": "not_authenticated", "message": "token required"}', False
        query = parse_qs(parts.query, keep_blank_values=True)
        with self._lock:
            self.requests.append(query)
            if self._failures:
                return (*self._failures.pop(0), True)
            cursor = query.get("cursor", [""])[0]
            limit = int(query.get("limit", ["100"])[0])
            start = int(cursor) if cursor else 0
            page = self._versions[start : start + limit]
            end = start + len(page)
            body = {
                "items": page,
                "next_cursor": str(end) if page else cursor,
                "has_more": end < len(self._versions),
            }
        return 200, json.dumps(body).encode(), False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        feed = self.server.feed
        status, body, broken = feed.answer(self.path, self.headers.get("Authorization"))
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        url = f"http://{self.headers.get('Host', 'feed')}{self.path}"
        # A break_next answer is off the contract on purpose; the station's request never is.
        feed.contract_log.exchange(
            "GET", url, dict(self.headers.items()), None, status, headers, body,
            check_response=not broken,
        )  # fmt: skip
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass
