"""A fault-injecting HTTP proxy for relay tests: a real local server in front of the shop.

Each request gets one ``Fault``, drawn from a seeded ``random.Random`` by weight (or taken from
a script first), so a failing run can be replayed with its seed. The faults are what a relay
meets on a bad day:

* ``TIMEOUT_BEFORE``: hold the request past the client's timeout, then hang up; never forwarded.
* ``TIMEOUT_AFTER``: forward (the shop applies it), then hold past the timeout and hang up:
  the relay sees a timeout for a call that took effect.
* ``ERROR_500``: answer 500 without forwarding. ``BAD_GATEWAY_AFTER``: forward, then answer 502.
* ``RATE_LIMITED``: answer 429 with ``Retry-After`` (seconds), without forwarding.
* ``RESET``: close the connection at once (RST), without forwarding or answering.
* ``SLOW``: forward, answer after a delay shorter than the client's timeout.
* ``MALFORMED``: forward, then answer 200 with truncated JSON.
"""

from __future__ import annotations

import http.client
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from enum import StrEnum
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from loopback import LoopbackService, QuietServer


class Fault(StrEnum):
    NONE = "none"
    TIMEOUT_BEFORE = "timeout_before"
    TIMEOUT_AFTER = "timeout_after"
    ERROR_500 = "error_500"
    BAD_GATEWAY_AFTER = "bad_gateway_after"
    RATE_LIMITED = "rate_limited"
    RESET = "reset"
    SLOW = "slow"
    MALFORMED = "malformed"


# Faults after which the shop has applied the call although the relay saw a failure.
APPLIED_BUT_FAILED = {Fault.TIMEOUT_AFTER, Fault.BAD_GATEWAY_AFTER, Fault.MALFORMED}

_FORWARDED_HEADERS = (
    "Authorization",
    "X-Shopify-Access-Token",
    "Idempotency-Key",
    "Content-Type",
    "Accept",
    "User-Agent",
)


class FaultyProxy(LoopbackService):
    def __init__(
        self,
        upstream: str,
        *,
        seed: int,
        weights: Mapping[Fault, float] | None = None,
        script: Sequence[Fault] = (),
        hold_s: float = 0.3,  # > the relay's timeout in the tests
        slow_s: float = 0.02,  # < the relay's timeout
        retry_after_s: Sequence[int] = (1, 2, 5),
    ) -> None:
        parts = urlsplit(upstream)
        assert parts.hostname is not None and parts.port is not None
        self.upstream = (parts.hostname, parts.port)
        self.hold_s, self.slow_s, self.retry_after_s = hold_s, slow_s, tuple(retry_after_s)
        self.injected: Counter[Fault] = Counter()
        self._rng = random.Random(seed)
        self._weights = dict(weights or {Fault.NONE: 1.0})
        self._script = list(script)
        self._lock = threading.Lock()
        server = _ProxyServer(("127.0.0.1", 0), _ProxyHandler)
        server.proxy = self
        super().__init__(server, name="faulty-proxy")

    def set_weights(self, weights: Mapping[Fault, float]) -> None:
        with self._lock:
            self._weights = dict(weights)

    def next_fault(self) -> tuple[Fault, int]:
        with self._lock:
            if self._script:
                fault = self._script.pop(0)
            else:
                faults = list(self._weights)
                fault = self._rng.choices(faults, [self._weights[f] for f in faults])[0]
            self.injected[fault] += 1
            return fault, self._rng.choice(self.retry_after_s)

    def forward(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(*self.upstream, timeout=10)
        try:
            connection.request(method, path, body=body, headers=dict(headers))
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


class _ProxyServer(QuietServer):
    proxy: FaultyProxy


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body in two writes cost a delayed ACK
    server: _ProxyServer

    def do_POST(self) -> None:
        proxy = self.server.proxy
        declared = self.headers.get("Content-Length")
        body = self.rfile.read(int(declared or 0))
        if declared is None or len(body) < int(declared):
            # The client died mid-request (a relay SIGKILLed while sending): a real proxy
            # forwards nothing of it. Forwarding the part read would hand the shop a whole,
            # shorter request the station never sent.
            self.close_connection = True
            return
        headers = {name: self.headers[name] for name in _FORWARDED_HEADERS if name in self.headers}
        fault, retry_after = proxy.next_fault()
        if fault is Fault.RESET:
            # Linger 0: close() sends RST, as a crashed peer or a dropped NAT entry would.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self._hang_up()
            return
        if fault is Fault.TIMEOUT_BEFORE:
            time.sleep(proxy.hold_s)
            self._hang_up()
            return
        if fault is Fault.ERROR_500:
            self._answer(500, b'{"error": "internal", "message": "injected by the proxy"}')
            return
        if fault is Fault.RATE_LIMITED:
            self._answer(
                429,
                b'{"error": "rate_limited", "message": "slow down"}',
                {"Retry-After": str(retry_after)},
            )
            return
        status, answer = proxy.forward("POST", self.path, headers, body)
        if fault is Fault.TIMEOUT_AFTER:
            time.sleep(proxy.hold_s)
            self._hang_up()
        elif fault is Fault.BAD_GATEWAY_AFTER:
            self._answer(502, b"<html>502 Bad Gateway</html>", content_type="text/html")
        elif fault is Fault.MALFORMED:
            self._answer(200, answer[: max(1, len(answer) // 2)])
        else:
            if fault is Fault.SLOW:
                time.sleep(proxy.slow_s)
            self._answer(status, answer)

    def _answer(
        self,
        status: int,
        body: bytes,
        extra: Mapping[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _hang_up(self) -> None:
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass
