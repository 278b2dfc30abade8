"""docs/sync-api.yaml as the judge of every request and answer the sync tests see.

``openapi-core`` checks each request against its operation (path, query, headers, security,
body) and each answer against the operation's response for its status (headers, body). One
rule the YAML states in words because JSON Schema cannot: every JSON number in this API is an
integer *written as one*; ``1.0`` counts as an integer for JSON Schema, not for the contract.

Where the checks run, so that no copy of the contract can drift from the YAML:

* the test shop (``services/sync/fake_shop.py``) checks every request it receives and every
  answer it gives; the relay's tests, fault proxy and SIGKILL runs included;
* the inbound feed double (``sync_feed.py``) checks its answers;
* ``integration/oscar_shop.py`` checks every answer of the real Oscar app, and
  ``ContractProxy`` stands between the station's HTTP connector and Oscar to check both ways.

A test double may be granted a named deviation (``Deviation``); it is spelled out here, once.
"""

from __future__ import annotations

import copy
import enum
import http.client
import json
import threading
from collections.abc import Mapping
from functools import cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from services.sync.loopback import LoopbackService, QuietServer

SPEC_PATH = Path(__file__).resolve().parents[1] / "docs" / "sync-api.yaml"
API_PREFIX = "/returnsdesk/api/v1"


class Deviation(enum.Enum):
    """What a test double may do that the contract does not allow, each for a stated reason."""

    # Demo and CSV returns never came from a shop, so their refund lines have no line_ref; the
    # connector sends null and a real shop refuses it (400). The relay tests complete such
    # returns, so their test shop accepts null (fake_shop.py's docstring).
    NULL_LINE_REF = "null line_ref in refund lines"


class ContractViolation(AssertionError):
    """A request or an answer that docs/sync-api.yaml does not allow."""


def load_spec() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return spec


@cache
def contract(*deviations: Deviation) -> SyncContract:
    """One checker per set of deviations (building one reads and checks the whole YAML)."""
    return SyncContract(frozenset(deviations))


class SyncContract:
    def __init__(self, deviations: frozenset[Deviation] = frozenset()) -> None:
        spec = copy.deepcopy(load_spec())
        # Any host and port: tests serve shops on free loopback ports.
        spec["servers"] = [{"url": API_PREFIX}]
        if Deviation.NULL_LINE_REF in deviations:
            body = spec["paths"]["/refunds"]["post"]["requestBody"]["content"]
            line = body["application/json"]["schema"]["properties"]["lines"]["items"]
            line["properties"]["line_ref"]["type"] = ["string", "null"]
        self._api = OpenAPI.from_dict(spec)

    def request_problems(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> list[str]:
        """What is wrong with this request by the contract (nothing: an empty list)."""
        where = f"request {method} {urlsplit(url).path}"
        problems = _number_problems(where, body)
        try:
            self._api.validate_request(_request(method, url, headers, body))
        except Exception as exc:  # noqa: BLE001 - openapi-core's errors have no common base
            problems.append(f"{where}: {_describe(exc)}")
        return problems

    def response_problems(
        self,
        method: str,
        url: str,
        request_headers: Mapping[str, str],
        request_body: bytes | None,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
    ) -> list[str]:
        """What is wrong with this answer to that request (nothing: an empty list)."""
        where = f"answer {status} to {method} {urlsplit(url).path}"
        problems = _number_problems(where, body)
        answer = Response(body, status=status, headers=dict(headers))
        try:
            self._api.validate_response(
                _request(method, url, request_headers, request_body),
                WerkzeugOpenAPIResponse(answer),
            )
        except Exception as exc:  # noqa: BLE001 - openapi-core's errors have no common base
            problems.append(f"{where}: {_describe(exc)}: {body[:300]!r}")
        return problems


class ContractLog:
    """Problems found while a test runs, from any thread; ``assert_clean`` at the end."""

    def __init__(self, checker: SyncContract) -> None:
        self.checker = checker
        self._lock = threading.Lock()
        self.problems: list[str] = []
        self.checked = 0  # exchanges looked at, so a test can see the checks ran

    def exchange(
        self,
        method: str,
        url: str,
        request_headers: Mapping[str, str],
        request_body: bytes | None,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        *,
        check_request: bool = True,
        check_response: bool = True,
    ) -> None:
        found = []
        if check_request:
            found += self.checker.request_problems(method, url, request_headers, request_body)
        if check_response:
            found += self.checker.response_problems(
                method, url, request_headers, request_body, status, headers, body
            )
        with self._lock:
            self.checked += 1
            self.problems.extend(found)

    def take(self) -> list[str]:
        """The problems found so far, forgotten here (for a test that provokes some)."""
        with self._lock:
            problems, self.problems = self.problems, []
        return problems

    def assert_clean(self) -> None:
        with self._lock:
            problems = list(self.problems)
        if problems:
            shown = "\n".join(problems[:10])
            raise ContractViolation(
                f"{len(problems)} breach(es) of docs/sync-api.yaml, first ones:\n{shown}"
            )


def _request(
    method: str, url: str, headers: Mapping[str, str], body: bytes | None
) -> WerkzeugOpenAPIRequest:
    parts = urlsplit(url)
    environ = EnvironBuilder(
        method=method,
        base_url=f"{parts.scheme or 'http'}://{parts.netloc or 'shop'}",
        path=parts.path,
        query_string=parts.query,
        headers=dict(headers),
        data=body or None,
    ).get_environ()
    return WerkzeugOpenAPIRequest(Request(environ))


def _describe(exc: BaseException) -> str:
    """openapi-core's error with the schema errors it wraps (which field, which rule)."""
    parts = [f"{type(exc).__name__}: {exc}"]
    cause: BaseException | None = exc.__cause__
    while cause is not None:
        schema_errors = getattr(cause, "schema_errors", None)
        if schema_errors:
            parts += [
                f"{'/'.join(map(str, e.absolute_path)) or '.'}: {e.message}" for e in schema_errors
            ]
        else:
            parts.append(f"{type(cause).__name__}: {cause}")
        cause = cause.__cause__
    return "; ".join(parts)


class _NotAnInteger(ValueError):
    pass


def _no_fraction(text: str) -> Any:
    raise _NotAnInteger(
        f"the number {text} has a fraction or exponent; the contract's are integers"
    )


def _no_constant(text: str) -> Any:
    raise _NotAnInteger(f"{text} is not JSON")


def _number_problems(where: str, body: bytes | None) -> list[str]:
    if not body:
        return []
    try:
        json.loads(body, parse_float=_no_fraction, parse_constant=_no_constant)
    except _NotAnInteger as exc:
        return [f"{where}: {exc}"]
    except ValueError:
        return []  # not JSON at all: openapi-core says so in its own words
    return []


# --- between the station and a real shop ----------------------------------------------------


class _ProxyServer(QuietServer):
    upstream: tuple[str, int]
    log: ContractLog


class _ProxyHandler(BaseHTTPRequestHandler):
    """Forwards one request to the shop and its answer back, checking both on the way."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _ProxyServer

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        upstream = http.client.HTTPConnection(*self.server.upstream, timeout=60)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            answer_headers = [
                (k, v) for k, v in answer.getheaders() if k.lower() not in _HOP_BY_HOP
            ]
        finally:
            upstream.close()
        url = f"http://{self.headers.get('Host', 'shop')}{self.path}"
        self.server.log.exchange(
            self.command, url, headers, body, answer.status, dict(answer_headers), data
        )
        self.send_response(answer.status)
        for name, value in answer_headers:
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class ContractProxy(LoopbackService):
    """``with ContractProxy(shop.root_url) as proxy:`` point the station at ``proxy.url``;
    every exchange is checked both ways into ``proxy.log``."""

    def __init__(self, upstream: str, *, log: ContractLog | None = None) -> None:
        parts = urlsplit(upstream)
        assert parts.hostname is not None and parts.port is not None, upstream
        server = _ProxyServer(("127.0.0.1", 0), _ProxyHandler)
        server.upstream = (parts.hostname, parts.port)
        server.log = self.log = log if log is not None else ContractLog(contract())
        super().__init__(server, name="contract-proxy")
