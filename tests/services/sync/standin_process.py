"""The Shopify stand-in in a child process, seeded with returns, and a station that works them.

For the relay's fault and SIGKILL tests against Shopify: the shop runs in its own process (as
a real shop does, so its GraphQL execution takes nothing from the relay's interpreter), and
the tests read what it holds through ``StandinShop.snapshot_for_tests``, the stand-in's
test-only view of its state.

``python standin_process.py RETURNS SEED`` seeds the shop with RETURNS orders, each with an
OPEN return of all its lines, prints one JSON line (the URL and what a station scans for each
return), then answers each ``state`` line on stdin with the shop's state as one JSON line,
until stdin closes.

The station side pulls the returns through the Shopify connector, receives and inspects every
unit with the station's own services (seeded grades, so every disposition occurs), and has a
shift lead approve the refunds held for approval: the outbox holds exactly what a station
writes, ``refund.requested`` (returnProcess), ``refund.approved`` (refundCreate) and
``stock.adjusted`` (inventoryAdjustQuantities) among them.
"""

from __future__ import annotations

import json
import os
import random
import select
import subprocess
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Self

from sqlmodel import col
from sqlmodel import select as sql_select

from returnsdesk.data.db import Database
from returnsdesk.data.models import Operator, OutboxEvent, Refund
from returnsdesk.domain.barcodes import gtin_check_digit, ups_check_digit
from returnsdesk.domain.clock import fixed_clock
from returnsdesk.domain.policy import load_policies
from returnsdesk.domain.scanning import ScanRules
from returnsdesk.domain.vocabulary import OperatorRole, RefundStatus
from returnsdesk.paths import default_policy_dir
from returnsdesk.services.approvals import decide_refund
from returnsdesk.services.operators import ensure_station, sign_in
from returnsdesk.services.station import ParcelOpened, StationService
from returnsdesk.services.sync.inbound import Puller
from returnsdesk.services.sync.shopify import ShopifyConnector
from returnsdesk.services.sync.shopify_standin import LeakyBucket, StandinLine, StandinShop
from returnsdesk.services.views import StationContext

TOKEN = "shpat-standin-faults"
# The station's clock. In the past of any machine running the tests: the SIGKILL test's relay
# runs on the machine's clock and must find the events due.
NOW = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
_ORDERED_AT, _RETURNED_AT = "2025-03-01T10:00:00Z", "2025-03-02T09:00:00Z"


def _gtin(n: int) -> str:
    body = f"400638{n:06d}"
    return body + gtin_check_digit(body)


# SKU, title, price, category: every disposition occurs by grade (dispositions.toml), and a
# phone takes a refund past the approval threshold (refunds.toml: 500.00).
PRODUCTS = (
    ("TEE-M", "Organic tee, M", Decimal("24.90"), "apparel"),
    ("JEANS-32", "Slim jeans, 32", Decimal("79.00"), "apparel"),
    ("SHOE-42", "Trail shoe, 42", Decimal("89.00"), "footwear"),
    ("LAMP-1", "Desk lamp", Decimal("45.00"), "home"),
    ("BUDS-2", "Wireless earbuds", Decimal("59.00"), "electronics"),
    ("PHONE-128", "Phone, 128 GB", Decimal("649.00"), "electronics"),
)
GTINS = {sku: _gtin(n) for n, (sku, *_rest) in enumerate(PRODUCTS, start=1)}


@dataclass(frozen=True)
class SeededReturn:
    rma_number: str
    tracking: str
    gtins: list[str]  # one per unit to inspect


def seed_shop(shop: StandinShop, *, returns: int, seed: int) -> list[SeededReturn]:
    rng = random.Random(seed)
    seeded = []
    for n in range(returns):
        products = rng.sample(PRODUCTS, rng.randint(1, 3))
        lines = [
            StandinLine(
                sku,
                title,
                price,
                quantity=1 if price > 100 else rng.choice((1, 1, 2)),
                barcode=GTINS[sku],
                product_type=category,
            )
            for sku, title, price, category in products
        ]
        body = f"999AA10{rng.randrange(10**8):08d}"
        tracking = f"1Z{body}{ups_check_digit(body)}"
        order = shop.add_order(
            f"#{1001 + n}",
            lines,
            customer=f"Customer {n}",
            email=f"c{n}@example.com",
            at=_ORDERED_AT,
        )
        shop_return = shop.add_return(
            order,
            [(line.sku, line.quantity) for line in lines],
            tracking=tracking,
            at=_RETURNED_AT,
        )
        gtins = [GTINS[line.sku] for line in lines for _unit in range(line.quantity)]
        seeded.append(SeededReturn(shop_return["name"], tracking, gtins))
    return seeded


class StandinProcess:
    """``with StandinProcess(returns=30, seed=1) as shop: shop.url, shop.returns, shop.state()``"""

    def __init__(self, *, returns: int, seed: int, startup_s: float = 120.0) -> None:
        self._argv = [sys.executable, str(Path(__file__)), str(returns), str(seed)]
        self._startup_s = startup_s
        self._process: subprocess.Popen[str] | None = None
        self.url = ""
        self.returns: list[SeededReturn] = []

    def __enter__(self) -> Self:
        self._process = subprocess.Popen(
            self._argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        try:
            hello = json.loads(self._line(self._startup_s))  # loading the schema takes seconds
        except BaseException:
            self.__exit__()
            raise
        self.url = hello["url"]
        self.returns = [SeededReturn(**r) for r in hello["returns"]]
        return self

    def __exit__(self, *_exc: object) -> None:
        process = self._process
        if process is None:
            return
        assert process.stdin is not None and process.stdout is not None
        process.stdin.close()  # the child's signal to stop
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()

    def state(self) -> dict[str, Any]:
        """What the shop holds now (``StandinShop.snapshot_for_tests``)."""
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write("state\n")
        self._process.stdin.flush()
        answer: dict[str, Any] = json.loads(self._line(30.0))
        return answer

    def _line(self, timeout: float) -> str:
        assert self._process is not None and self._process.stdout is not None
        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        line = self._process.stdout.readline() if ready else ""
        if not line:
            raise AssertionError(
                f"the stand-in process gave no answer (exit status {self._process.poll()})"
            )
        return line


# --- the station side --------------------------------------------------------------------------


def pull_and_work_returns(database: Database, shop: StandinProcess, *, seed: int) -> None:
    """Pull every return, inspect and complete each at NOW, and approve the held refunds."""
    with ShopifyConnector(shop.url, TOKEN, timeout_s=30) as shopify:
        stats = Puller(database, shopify).pull()
    assert stats.created == len(shop.returns), stats
    with database.session() as session:
        ensure_station(session, code="BENCH-1")
        session.add(Operator(code="OP-1", name="Ines Inspector"))
        lead = Operator(code="OP-9", name="Lea Lead", role=OperatorRole.SHIFT_LEAD)
        session.add(lead)
        session.flush()
        context = sign_in(session, operator_code="OP-1", station_code="BENCH-1")
        lead_context = StationContext(
            station_id=context.station_id,
            station_code=context.station_code,
            station_name=context.station_name,
            operator_id=lead.id,
            operator_code=lead.code,
            operator_name=lead.name,
            role=lead.role,
        )
    service = StationService(
        database=database,
        policies=load_policies(default_policy_dir()),
        context=context,
        scan_rules=ScanRules(),
        clock=fixed_clock(NOW),
    )
    rng = random.Random(seed)
    for seeded in shop.returns:
        opened = service.open_parcel(service.classify(seeded.tracking))
        assert isinstance(opened, ParcelOpened), seeded
        work = service.new_inspection(opened.parcel.view)
        for gtin in seeded.gtins:
            product = service.resolve_item(service.classify(gtin), opened.parcel.view)
            work.begin_unit(product, now=NOW)
            work.grade(rng.choice("12345"))
            while work.current is not None and work.current.step.value == "checklist":
                work.answer(True)
            work.accept(now=NOW)
        service.complete(opened.parcel.parcel_id, work)
    with database.session() as session:
        held = session.exec(
            sql_select(Refund.id).where(col(Refund.status) == RefundStatus.PENDING_APPROVAL)
        ).all()
    for refund_id in held:
        decide_refund(database, refund_id, lead_context, approve=True, note="", now=NOW)


# --- what the shop must hold ------------------------------------------------------------------

# The inventory quantity each disposition lands in (shopify.py: returnProcess RESTOCKED puts a
# restocked unit back on sale; refurbish and liquidate are inventoryAdjustQuantities).
_QUANTITY = {"restock": "available", "refurbish": "quality_control", "liquidate": "damaged"}


def assert_shop_holds_exactly_the_station_books(
    database: Database, state: dict[str, Any]
) -> dict[str, int]:
    """Nothing lost, nothing doubled: one processed return per return, one refund per paid
    refund, one inventory change per stock movement, and the stock levels they add up to.
    Returns counts of what was checked, for the caller to see the test was not empty."""
    with database.session() as session:
        events = session.exec(sql_select(OutboxEvent).order_by(col(OutboxEvent.sequence))).all()
    completed = [e.payload for e in events if e.event_type == "refund.requested"]
    paid = [
        (p["order_number"], Decimal(p["total"]))
        for e in events
        if (p := e.payload)
        and (
            (e.event_type == "refund.requested" and p["status"] == RefundStatus.APPROVED.value)
            or e.event_type == "refund.approved"
        )
        and Decimal(p["total"]) > 0
    ]
    movements = [e.payload for e in events if e.event_type == "stock.adjusted"]
    adjusted = [m for m in movements if m["reason"] in ("return_refurbish", "return_liquidate")]

    # One processed (and so closed) return per completed return
    assert Counter(state["processed"]) == Counter(p["rma_number"] for p in completed)
    assert set(state["returns"].values()) == {"CLOSED"}
    # One refund per paid station refund, of its amount
    refunds = sorted((r["order"], Decimal(r["amount"])) for r in state["refunds"])
    assert refunds == sorted(paid), _difference(refunds, paid)
    # One inventory change per adjusted unit, under its inspection
    references = Counter(a["reference"] for a in state["adjustments"])
    inspections = (f"gid://returnsdesk/Inspection/{m['inspection_id']}" for m in adjusted)
    assert references == Counter(inspections)
    for adjustment in state["adjustments"]:
        assert len(adjustment["changes"]) == 1
    # And the levels add up: sellable, quality control, damaged per SKU
    expected: Counter[tuple[str, str]] = Counter()
    for movement in movements:
        quantity = _QUANTITY.get(movement["reason"].removeprefix("return_"))
        if quantity is not None:
            expected[(movement["sku"], quantity)] += movement["quantity_delta"]
    held = Counter({(sku, name): level for sku, name, level in state["inventory"] if level})
    assert held == expected
    # Every mutation the shop applied came with one of the station's keys
    assert set(state["keys"]) <= {e.idempotency_key for e in events}
    return {
        "returns": len(completed),
        "refunds": len(paid),
        "refund_creates": sum(e.event_type == "refund.approved" for e in events),
        "adjustments": len(adjusted),
        "restocked": sum(n for (_, name), n in expected.items() if name == "available"),
    }


def _difference(held: list[Any], expected: list[Any]) -> str:
    extra, missing = Counter(held) - Counter(expected), Counter(expected) - Counter(held)
    return f"the shop holds also {sorted(extra.elements())}, lacks {sorted(missing.elements())}"


def main(argv: list[str]) -> None:
    returns, seed = int(argv[0]), int(argv[1])
    # A roomy cost bucket: the relay's tests are about faults and kills; test_shopify.py
    # covers throttling.
    shop = StandinShop(token=TOKEN, bucket=LeakyBucket(maximum=1e9, restore_rate=1e6))
    seeded = seed_shop(shop, returns=returns, seed=seed)
    with shop.serve() as server:
        hello = {"url": server.url, "returns": [asdict(r) for r in seeded]}
        sys.stdout.write(json.dumps(hello) + "\n")
        sys.stdout.flush()
        for line in sys.stdin:
            if line.strip() == "state":
                sys.stdout.write(json.dumps(shop.snapshot_for_tests()) + "\n")
                sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
