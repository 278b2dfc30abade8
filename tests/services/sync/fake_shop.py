"""A TEST DOUBLE of the order system's sync API, plus station-side data to feed it.

``FakeShop`` is a small, honest, in-process implementation of the write half (the POSTs) of
``docs/sync-api.yaml``; the reference shop itself runs in tests/integration. A real HTTP server
on 127.0.0.1 with token auth, the contract's validation and error codes (``{"error",
"message"}``), its forward-only return statuses, and its idempotency rules: the same key with
the same JSON body replays the first answer (``Idempotent-Replayed: true``), another body is
``422 idempotency_key_reused``; 2xx, 404, 409 ``duplicate_refund`` and 422 answers are
remembered, 400 and 401 are not. What it applied (refunds, stock deltas, status changes) is
kept in memory, in order, with no deduplication beyond the key, so a relay that sent one event
under two keys would show up as a double.

One deviation, on purpose: a refund line's ``line_ref`` may be null here. The contract requires
the shop's order-line reference, which returns not pulled from the order system (the demo
data these tests complete) do not have (see connector.py).

Every request it receives and every answer it gives is checked against docs/sync-api.yaml
(``sync_contract.py``, with that one deviation); leaving ``with FakeShop()`` raises
``ContractViolation`` if anything broke the contract, so each relay test is a contract test.

The second half writes outbox events in the shapes the station's services write them
(``services/intake.py``, ``services/inspection.py``) and computes what the shop should hold.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from sqlmodel import Session, col, select

from returnsdesk.data.db import Database
from returnsdesk.data.models import OutboxEvent
from returnsdesk.data.repositories import add_outbox_event
from services.sync.loopback import LoopbackService, QuietServer

if TYPE_CHECKING:
    from sync_contract import ContractLog

BASE_PATH = "/returnsdesk/api/v1"
# Forward only, steps may be skipped; cancelled only from authorised or received.
STATUS_ORDER = ("authorised", "received", "inspected", "closed")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_MONEY = re.compile(r"^\d{1,10}(\.\d{1,2})?$")
_REMEMBERED = {404, 409, 422}  # besides 2xx; 409 only as duplicate_refund


class _Rejected(Exception):
    def __init__(self, code: int, error: str, message: str) -> None:
        super().__init__(message)
        self.code, self.error, self.message = code, error, message


@dataclass
class ShopCall:
    """One request as the shop saw it."""

    method: str
    path: str
    key: str | None
    status: int
    replayed: bool


@dataclass
class ShopState:
    refunds: list[dict[str, Any]] = field(default_factory=list)  # applied, in order
    stock_adjustments: list[dict[str, Any]] = field(default_factory=list)
    num_in_stock: Counter[str] = field(default_factory=Counter)
    return_status: dict[str, str] = field(default_factory=dict)  # rma: current status
    # Order of what changed per RMA: "status:received", "refund", "status:closed", "notice".
    timeline: dict[str, list[str]] = field(default_factory=dict)
    notices: list[dict[str, Any]] = field(default_factory=list)  # customer notifications sent
    calls: list[ShopCall] = field(default_factory=list)
    anchors: dict[tuple[str, int], str] = field(default_factory=dict)  # (key_id, seq): hash
    return_seen_at: dict[str, str] = field(default_factory=dict)  # rma: first status change


class FakeShop(LoopbackService):
    """The contract's POST endpoints over real HTTP. ``with FakeShop() as shop: shop.url``."""

    def __init__(
        self,
        token: str = "test-token",
        *,
        known_rmas: set[str] | None = None,
        check_contract: bool = True,
    ) -> None:
        self.token = token
        self.contract_log: ContractLog | None = None
        if check_contract:  # off only for benchmarks, which time the relay, not the checker
            # Imported here: benchmarks run this file as a script, without tests/ on the path.
            from sync_contract import ContractLog, Deviation, contract

            self.contract_log = ContractLog(contract(Deviation.NULL_LINE_REF))
        self.known_rmas = known_rmas  # None: every RMA exists (as "authorised" at first)
        self.state = ShopState()
        self._lock = threading.Lock()
        # key: (what was asked, status, answer)
        self._answers: dict[str, tuple[str, int, dict[str, Any]]] = {}
        self._refund_ids: set[str] = set()  # station_refund_id values recorded
        server = _Server(("127.0.0.1", 0), _ShopHandler)
        server.shop = self
        super().__init__(server, name="fake-shop")

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        if self.contract_log is not None and (not exc or exc[0] is None):
            self.contract_log.assert_clean()

    @contextmanager
    def locked(self) -> Iterator[ShopState]:
        """The state, read consistently while no request is being applied."""
        with self._lock:
            yield self.state

    # --- request handling (one request at a time, which also serialises equal keys) --------

    def handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any], bool]:
        feed = method == "GET" and path.startswith(BASE_PATH + "/returns/changes?")
        if feed and headers.get("authorization") == f"Token {self.token}":
            # The inbound feed of a shop with nothing new (returnsdesk sync pulls before it
            # relays); not recorded as a call. tests/sync_feed.py serves one.
            cursor = parse_qs(urlsplit(path).query).get("cursor", [""])[0]
            return 200, {"items": [], "next_cursor": cursor, "has_more": False}, False
        outcome = re.fullmatch(re.escape(BASE_PATH) + r"/idempotency-keys/([^/?]+)", path)
        if method == "GET" and outcome and headers.get("authorization") == f"Token {self.token}":
            with self._lock:
                return 200, self._key_outcome(unquote(outcome.group(1))), False
        with self._lock:
            key = headers.get("idempotency-key")
            code, answer, replayed = self._answer(method, path, headers, body, key)
            self.state.calls.append(ShopCall(method, path, key, code, replayed))
            return code, answer, replayed

    def _answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes, key: str | None
    ) -> tuple[int, dict[str, Any], bool]:
        try:
            if headers.get("authorization") != f"Token {self.token}":
                raise _Rejected(401, "not_authenticated", "no token, or an unknown one")
            if not path.startswith(BASE_PATH + "/"):
                raise _Rejected(404, "not_found", f"no such path {path}")
            if method != "POST":
                raise _Rejected(405, "method_not_allowed", "this test double serves POST only")
            if not key or len(key) > 128:
                raise _Rejected(400, "idempotency_key_required", "send an Idempotency-Key")
            try:
                document = json.loads(body)
            except ValueError as exc:
                raise _Rejected(400, "invalid_request", f"malformed JSON: {exc}") from None
            if not isinstance(document, dict):
                raise _Rejected(400, "invalid_request", "the body must be a JSON object")
        except _Rejected as rejection:
            return rejection.code, _error(rejection), False
        # "Same body" is the same JSON value sent to the same path.
        asked = (
            path
            + " "
            + hashlib.sha256(
                json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
            ).hexdigest()
        )
        if key in self._answers:
            first_asked, code, answer = self._answers[key]
            if first_asked != asked:
                rejection = _Rejected(
                    422, "idempotency_key_reused", "this key was used for another request"
                )
                return 422, _error(rejection), False
            return code, answer, True
        try:
            code, answer = self._apply(path[len(BASE_PATH) :], document)
        except _Rejected as rejection:
            code, answer = rejection.code, _error(rejection)
        if code < 300 or code in _REMEMBERED and answer.get("error") != "in_progress":
            self._answers[key] = (asked, code, answer)
        return code, answer, False

    def _key_outcome(self, key: str) -> dict[str, Any]:
        """GET /idempotency-keys/{key}: what the remembered answer says (not a recorded call)."""
        if key not in self._answers:
            return {"key": key, "outcome": "unknown"}
        asked, code, answer = self._answers[key]
        found: dict[str, Any] = {
            "key": key,
            "outcome": "applied" if code < 300 else "refused",
            "operation": "POST " + asked.split(" ")[0].removeprefix(BASE_PATH + "/"),
            "status_code": code,
        }
        if code >= 300:
            found["error"] = answer["error"]
        return found

    def _apply(self, route: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if route == "/refunds":
            return self._refund(body)
        if route == "/stock-adjustments":
            return self._stock(body)
        if route == "/audit-anchors":
            return self._anchor(body)
        match = re.fullmatch(r"/returns/([^/]+)/status", route)
        if match:
            return self._status(unquote(match.group(1)), body)
        match = re.fullmatch(r"/returns/([^/]+)/notifications", route)
        if match:
            return self._notice(unquote(match.group(1)), body)
        raise _Rejected(404, "not_found", f"no such resource {route}")

    def _check_rma(self, rma: object) -> str:
        rma = _text(rma, "rma_number", limit=64)
        if self.known_rmas is not None and rma not in self.known_rmas:
            raise _Rejected(404, "not_found", f"no return {rma}")
        return rma

    def _refund(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        currency = body.get("currency")
        if not isinstance(currency, str) or not _CURRENCY.match(currency):
            raise _Rejected(400, "invalid_request", f"currency must be ISO 4217, not {currency!r}")
        total = _money(body.get("total"), "total")
        lines = body.get("lines")
        if not isinstance(lines, list) or not lines:
            raise _Rejected(400, "invalid_request", "lines must be a non-empty list")
        amounts = []
        for line in lines:
            if not isinstance(line, dict) or line.get("quantity") != 1:
                raise _Rejected(400, "invalid_request", "each line refunds quantity 1")
            if line.get("line_ref") is not None:  # null: the deviation in the docstring
                _text(line.get("line_ref"), "lines[].line_ref")
            _text(line.get("sku"), "lines[].sku")
            amounts.append(_money(line.get("amount"), "lines[].amount"))
            _money(line.get("deduction"), "lines[].deduction")
            reason = line.get("deduction_reason", "")
            if not isinstance(reason, str) or len(reason) > 200:
                raise _Rejected(400, "invalid_request", "deduction_reason: text, 200 at most")
        station_refund_id = _text(body.get("station_refund_id"), "station_refund_id", limit=64)
        # The contract's rules, in its order.
        rma = self._check_rma(body.get("rma_number"))
        if station_refund_id in self._refund_ids:
            raise _Rejected(409, "duplicate_refund", f"refund {station_refund_id} is recorded")
        if sum(amounts, Decimal(0)) != total:
            raise _Rejected(422, "total_mismatch", f"lines add up to {sum(amounts)}, not {total}")
        self._refund_ids.add(station_refund_id)
        refund = {
            "refund_id": str(len(self.state.refunds) + 1),
            "rma_number": rma,
            "total": str(total),
            "currency": currency,
            "status": "recorded",
        }
        self.state.refunds.append({**refund, "station_refund_id": station_refund_id})
        self.state.timeline.setdefault(rma, []).append("refund")
        return 201, refund

    def _anchor(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        key_id = _text(body.get("key_id"), "key_id", limit=16)
        entry_hash = _text(body.get("entry_hash"), "entry_hash", limit=64)
        sequence = body.get("sequence")
        if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
            raise _Rejected(
                400, "invalid_request", f"sequence: a positive integer, not {sequence!r}"
            )
        _text(body.get("at"), "at")
        known = self.state.anchors.setdefault((key_id, sequence), entry_hash)
        if known != entry_hash:
            raise _Rejected(
                409, "anchor_mismatch", f"entry #{sequence} was anchored with another hash"
            )
        return 201, {"key_id": key_id, "sequence": sequence, "status": "recorded"}

    def _stock(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        sku = _text(body.get("sku"), "sku")
        delta = body.get("delta")
        if (
            not isinstance(delta, int)
            or isinstance(delta, bool)
            or delta == 0
            or abs(delta) > 1_000_000
        ):
            raise _Rejected(400, "invalid_request", f"delta: a non-zero integer, not {delta!r}")
        adjustment = {"sku": sku, "delta": delta}
        for name, limit in (("location", 64), ("reason", 64), ("reference", 128)):
            value = body.get(name, "")
            if not isinstance(value, str) or len(value) > limit:
                raise _Rejected(400, "invalid_request", f"{name}: text, {limit} at most")
            adjustment[name] = value
        if self.state.num_in_stock[sku] + delta < 0:
            raise _Rejected(422, "insufficient_stock", f"{sku} has too few units")
        self.state.stock_adjustments.append(adjustment)
        self.state.num_in_stock[sku] += delta
        return 201, {"sku": sku, "num_in_stock": self.state.num_in_stock[sku]}

    def _status(self, rma: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        status = body.get("status")
        if status not in (*STATUS_ORDER, "cancelled"):
            raise _Rejected(400, "invalid_request", f"unknown status {status!r}")
        at = _text(body.get("at"), "at")
        try:
            if datetime.fromisoformat(at).tzinfo is None:
                raise ValueError("no offset")
        except ValueError:
            raise _Rejected(
                400, "invalid_request", f"at: RFC 3339 with offset, not {at!r}"
            ) from None
        note = body.get("note", "")
        if not isinstance(note, str) or len(note) > 2000:
            raise _Rejected(400, "invalid_request", "note: text, 2000 at most")
        rma = self._check_rma(rma)
        current = self.state.return_status.get(rma, "authorised")
        if status != current:
            allowed = (
                current in ("authorised", "received")
                if status == "cancelled"
                else current in STATUS_ORDER
                and STATUS_ORDER.index(status) > STATUS_ORDER.index(current)
            )
            if not allowed:
                raise _Rejected(422, "invalid_transition", f"{rma} is {current}, not to {status}")
            self.state.return_status[rma] = status
            self.state.timeline.setdefault(rma, []).append(f"status:{status}")
        seen = self.state.return_seen_at.setdefault(rma, at)
        return 200, _return_view(rma, self.state.return_status.get(rma, "authorised"), seen, at)

    def _notice(self, rma: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        to = _text(body.get("to"), "to", limit=320)
        if "@" not in to:
            raise _Rejected(400, "invalid_request", f"to must be an email address, not {to!r}")
        status = body.get("status")
        if status not in (
            "refunded",
            "no_refund",
            "held",
            "rejected",
            "received",
            "inspected",
            "action_needed",
        ):
            raise _Rejected(400, "invalid_request", f"unknown notice status {status!r}")
        message = _text(body.get("message"), "message", limit=2000)
        currency = body.get("currency")
        if not isinstance(currency, str) or not _CURRENCY.match(currency):
            raise _Rejected(400, "invalid_request", f"currency must be ISO 4217, not {currency!r}")
        total = _money(body.get("total"), "total")
        lines = body.get("lines")
        if not isinstance(lines, list):
            raise _Rejected(400, "invalid_request", "lines must be a list")
        for line in lines:
            _money(line.get("amount"), "lines[].amount")
        rma = self._check_rma(rma)
        notice = {"rma_number": rma, "to": to, "status": status, "message": message}
        rendered = {
            name: body[name]
            for name in ("kind", "language", "subject", "text", "html", "message_id")
            if name in body
        }
        self.state.notices.append(
            {**notice, **rendered, "total": str(total), "lines": lines}
            | {"refund_expected_by": body.get("refund_expected_by")}
        )
        self.state.timeline.setdefault(rma, []).append("notice")
        return 201, {**notice, "subject": f"Your return {rma}"}


def _return_view(rma: str, status: str, created_at: str, updated_at: str) -> dict[str, Any]:
    """The contract's Return as this shop knows one: by RMA and status alone, no order lines."""
    return {
        "rma_number": rma,
        "status": status,
        "created_at": created_at,
        "updated_at": updated_at,
        "policy_window_days": 30,
        "tracking_numbers": [],
        "order": {
            "number": f"ORDER-{rma}",
            "placed_at": created_at,
            "delivered_at": None,
            "currency": "EUR",
            "customer": {"name": "", "email": ""},
            "lines": [],
        },
        "lines": [],
    }


def _error(rejection: _Rejected) -> dict[str, Any]:
    return {"error": rejection.error, "message": rejection.message}


def _text(value: object, name: str, *, limit: int = 256) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise _Rejected(400, "invalid_request", f"{name} must be non-empty text")
    return value


def _money(value: object, name: str) -> Decimal:
    """Money as the contract writes it: a string, at most two decimals, never negative."""
    if not isinstance(value, str) or not _MONEY.match(value):
        raise _Rejected(400, "invalid_request", f"{name} must be a money string, not {value!r}")
    return Decimal(value)


class _Server(QuietServer):
    shop: FakeShop


class _ShopHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real shop behind a proxy would
    disable_nagle_algorithm = True  # else headers and body in two writes cost a delayed ACK
    server: _Server

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if len(body) < length:
            # The client went away mid-request (a relay SIGKILLed while sending): a real server
            # drops the connection; it never handles, or judges, half a request.
            self.close_connection = True
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        code, answer, replayed = self.server.shop.handle(self.command, self.path, headers, body)
        data = json.dumps(answer).encode()
        self.send_response(code)
        answer_headers = {"Content-Type": "application/json", "Content-Length": str(len(data))}
        if replayed:
            answer_headers["Idempotent-Replayed"] = "true"
        if code == 401:
            answer_headers["WWW-Authenticate"] = "Token"
        log = self.server.shop.contract_log
        if log is not None:  # before answering, so a client that has the answer has the check
            url = f"http://{self.headers.get('Host', 'shop')}{self.path}"
            log.exchange(self.command, url, headers, body, code, answer_headers, data)
        for name, value in answer_headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


# --- the station side: outbox events in the services' shapes, and what the shop should hold --


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


_SKUS = ("APP-1001-M", "APP-1002-S", "FTW-2001-EU42", "ELE-3001", "ELE-3002", "HOM-4001")
_LOCATIONS = {"restock": "A-01", "refurbish": "R-02", "liquidate": "L-01", "recycle": "X-01"}
_DEDUCTIONS = (
    (Decimal(0), ""),
    (Decimal("0.15"), "grade C: 15% deducted"),
    (Decimal("0.333"), "missing accessories: a third deducted"),
    (Decimal(1), "not received"),
)


@dataclass(frozen=True)
class SyntheticReturn:
    return_id: uuid.UUID
    rma_number: str
    events: int


def write_synthetic_returns(
    database: Database, *, returns: int, rng: random.Random, first: int = 0
) -> int:
    """Write ``returns`` completed returns' events, one transaction per return as the station
    does; same payload keys and value types as the real services. Returns the event count."""
    events = 0
    for n in range(first, first + returns):
        with database.session() as session:
            events += write_synthetic_return(session, n=n, rng=rng).events
    return events


def write_synthetic_return(
    session: Session,
    *,
    n: int,
    rng: random.Random,
    units: int | None = None,
    refund_status: str | None = None,  # None: mostly approved, some pending or rejected
    currency: str = "EUR",
) -> SyntheticReturn:
    """One completed return's events in the caller's transaction, in the station's order."""
    return_id = uuid.uuid4()
    rma = f"RMA-S{n:06d}-{rng.randrange(10**6):06d}"
    received_at = datetime(2025, 3, 3, 9, 0, tzinfo=UTC) + timedelta(minutes=n)
    completed_at = received_at + timedelta(minutes=4)  # the rest is queued on completion
    add_outbox_event(
        session,
        event_type="return.received",
        aggregate_id=return_id,
        payload={
            "rma_number": rma,
            "tracking_number": f"1Z{rng.randrange(10**16):016d}",
            "carrier": rng.choice(("ups", "dhl", "fedex", "")),
            "station": "STATION-01",
            "received_at": received_at,
        },
        now=received_at,
    )
    lines = []
    for unit_index in range(units if units is not None else rng.randint(1, 4)):
        sku = rng.choice(_SKUS)
        disposition = rng.choice(tuple(_LOCATIONS))
        inspection_id = uuid.uuid4()
        add_outbox_event(
            session,
            event_type="unit.inspected",
            aggregate_id=return_id,
            payload={
                "rma_number": rma,
                "inspection_id": inspection_id,
                "sku": sku,
                "grade": rng.choice(("A", "B", "C", "D")),
                "disposition": disposition,
                "location": _LOCATIONS[disposition],
                "flags": [],
                "serial": f"SN{rng.randrange(10**10):010d}" if sku.startswith("ELE") else None,
            },
            now=completed_at,
        )
        add_outbox_event(
            session,
            event_type="stock.adjusted",
            aggregate_id=return_id,
            payload={
                "sku": sku,
                "location": _LOCATIONS[disposition],
                "quantity_delta": 1,
                "reason": f"return_{disposition}",
                "inspection_id": inspection_id,
            },
            now=completed_at,
        )
        gross = Decimal(rng.randrange(990, 29900)) / 100
        # Every unit but the first may be wholly deducted, so a refund is never 0 by chance.
        rate, reason = rng.choice(_DEDUCTIONS if unit_index else _DEDUCTIONS[:-1])
        deduction = _cents(gross * rate)  # rounded half-up, as the refund policy does
        lines.append(
            {
                "return_line_id": uuid.uuid4(),
                "line_ref": None,  # as for a demo return: not from the order system
                "sku": sku,
                "unit_index": unit_index,
                "gross": gross,
                "deduction": deduction,
                "amount": gross - deduction,
                "deduction_reason": reason,
                "disposition": disposition,
            }
        )
    total = _cents(sum((line["amount"] for line in lines), Decimal(0)))
    if refund_status is None:
        refund_status = rng.choices(("approved", "pending_approval", "rejected"), (90, 7, 3))[0]
    add_outbox_event(
        session,
        event_type="refund.requested",
        aggregate_id=return_id,
        payload={
            "rma_number": rma,
            "order_number": f"WEB-{100000 + n}",
            "refund_id": uuid.uuid4(),
            "currency": currency,
            "total": total,
            "status": refund_status,
            "lines": lines,
        },
        now=completed_at,
    )
    add_outbox_event(
        session,
        event_type="return.closed",
        aggregate_id=return_id,
        payload={"rma_number": rma, "completed_at": completed_at},
        now=completed_at,
    )
    notice = {"approved": "refunded", "pending_approval": "held", "rejected": "rejected"}
    add_outbox_event(
        session,
        event_type="customer.notification",
        aggregate_id=return_id,
        payload={
            "rma_number": rma,
            "customer_email": f"customer{n}@example.com",
            "customer_name": f"Customer {n}",
            "status": notice[refund_status],
            "message": f"Your return {rma}: {notice[refund_status]}",
            "reason": "" if refund_status == "approved" else "outside the return policy",
            "currency": currency,
            "total": total,
            "lines": [
                {
                    k: line[k]
                    for k in ("sku", "unit_index", "amount", "deduction", "deduction_reason")
                }
                for line in lines
            ],
            "refund_id": uuid.uuid4(),
            "at": completed_at,
        },
        now=completed_at,
    )
    return SyntheticReturn(return_id, rma, 4 + 2 * len(lines))


@dataclass(frozen=True)
class Effects:
    """Money and stock as one side sees them: refund totals by station refund id, stock deltas
    by reference (the inspection id), and how many times each was applied."""

    refunds: dict[str, tuple[str, str, Decimal]]  # refund id: rma, currency, total
    stock: dict[str, tuple[str, int]]  # reference: sku, delta
    refund_applications: Counter[str]
    stock_applications: Counter[str]

    @property
    def refund_sum(self) -> Decimal:
        return sum((total for _, _, total in self.refunds.values()), Decimal(0))

    def stock_by_sku(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for sku, delta in self.stock.values():
            counts[sku] += delta
        return counts


def expected_effects(database: Database) -> Effects:
    """What the shop must hold once every committed event is delivered (or resolved)."""
    refunds: dict[str, tuple[str, str, Decimal]] = {}
    stock: dict[str, tuple[str, int]] = {}
    with database.session() as session:
        rows = session.exec(
            select(OutboxEvent.event_type, OutboxEvent.payload)
            .where(col(OutboxEvent.event_type).in_(("refund.requested", "stock.adjusted")))
            .order_by(col(OutboxEvent.sequence))
        ).all()
    for event_type, payload in rows:
        if event_type == "stock.adjusted":
            stock[payload["inspection_id"]] = (payload["sku"], payload["quantity_delta"])
        elif payload["status"] == "approved" and Decimal(payload["total"]) != 0:
            refunds[payload["refund_id"]] = (
                payload["rma_number"],
                payload["currency"],
                Decimal(payload["total"]),
            )
    return Effects(refunds, stock, Counter(refunds), Counter(stock))


def shop_effects(shop: FakeShop) -> Effects:
    with shop.locked() as state:
        refunds = {
            r["station_refund_id"]: (r["rma_number"], r["currency"], Decimal(r["total"]))
            for r in state.refunds
        }
        stock = {a["reference"]: (a["sku"], a["delta"]) for a in state.stock_adjustments}
        return Effects(
            refunds,
            stock,
            Counter(r["station_refund_id"] for r in state.refunds),
            Counter(a["reference"] for a in state.stock_adjustments),
        )


def main() -> None:
    """``python fake_shop.py [TOKEN]``: serve until stdin closes, for benchmarks that keep the
    shop out of the relay's process (as a real shop is). Prints the URL, then at the end the
    counts of calls, refunds and stock adjustments as JSON."""
    import sys

    with FakeShop(*sys.argv[1:2], check_contract=False) as shop:
        sys.stdout.write(shop.url + "\n")
        sys.stdout.flush()
        sys.stdin.read()
        with shop.locked() as state:
            counts = {
                "calls": len(state.calls),
                "replayed": sum(call.replayed for call in state.calls),
                "refunds": len(state.refunds),
                "stock_adjustments": len(state.stock_adjustments),
            }
    sys.stdout.write(json.dumps(counts) + "\n")


if __name__ == "__main__":
    main()
