"""Many station processes on one database at once, with a relay delivering to the shop.

Eight real OS processes on PostgreSQL (three on one SQLite file in WAL), each a signed-in
station working returns through ``StationService`` (tests/many_stations_worker.py): parcel scan,
items, grades, complete. Some returns are given to two stations at the same point of their
shift, so both scan and complete them at about the same moment; some are left half done as
drafts by one station (round 1) and resumed and completed by another (round 2, where some are
again given to two stations). A real relay process (``returnsdesk sync --forever``) delivers
the outbox to the test shop all the while.

Then: one refund per return, never two; each finished unit in exactly one inspection (drafts
included, none left behind); the shop's stock equal to the sum of the station's stock
movements; each event applied once by the shop.

Sized for CI on 2 CPUs (see README, "Many stations"); ``--many-stations-returns=1000`` runs
the full warehouse-shift version.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, func, select

from many_stations_worker import NOW
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.models import (
    Inspection,
    Operator,
    Parcel,
    Refund,
    Return,
    StockMovement,
    UnitDraft,
)
from returnsdesk.domain.barcodes import gtin_check_digit
from returnsdesk.domain.vocabulary import ReturnStatus
from returnsdesk.services.csv_import import import_returns
from returnsdesk.services.operators import ensure_station
from returnsdesk.services.sync import sync_health
from services.sync.fake_shop import FakeShop, expected_effects, shop_effects

WORKER = Path(__file__).resolve().parents[1] / "many_stations_worker.py"
TOKEN_ENV = "RETURNSDESK_TEST_SHOP_TOKEN"
RETURNS_OPTION = "--many-stations-returns"  # declared in tests/conftest.py

# (backend, stations, returns by default): measured on a 2-CPU machine (README, "Many stations").
SIZES = {"postgresql": (8, 80), "sqlite": (3, 60)}

# SKU, title, price: a refund stays below the approval threshold (refunds.toml), so every
# approved refund goes to the shop at once.
PRODUCTS = (
    ("TEE-M", "Organic tee M", "24.90"),
    ("JEANS-32", "Slim jeans 32", "79.00"),
    ("SHOE-42", "Trail shoe 42", "89.00"),
    ("LAMP-1", "Desk lamp", "45.00"),
)


def _gtin(n: int) -> str:
    body = f"400638{n:06d}"
    return body + gtin_check_digit(body)


GTINS = {sku: _gtin(n) for n, (sku, _title, _price) in enumerate(PRODUCTS, start=1)}
HEADER = (
    "rma_number,order_number,customer_name,customer_email,currency,sku,quantity,unit_price,"
    "reason_code,delivered_at,policy_window_days,product_title,category,gtin,unit_value,"
    "serialised"
)


def returns_csv(count: int, rng: random.Random) -> tuple[str, dict[str, int]]:
    """``count`` returns of one or two lines (one or two units each); the units per RMA."""
    delivered = (NOW - timedelta(days=2)).date().isoformat()
    rows, units = [HEADER], {}
    for n in range(count):
        rma = f"RMA-{300001 + n}"
        units[rma] = 0
        for sku, title, price in rng.sample(PRODUCTS, rng.randint(1, 2)):
            quantity = rng.choice((1, 1, 2))
            units[rma] += quantity
            rows.append(
                f"{rma},WEB-{700001 + n},Customer {n},c{n}@example.com,EUR,{sku},{quantity},"
                f"{price},too_small,{delivered},30,{title},apparel,{GTINS[sku]},{price},no"
            )
    return "\n".join(rows) + "\n", units


@dataclass
class Plans:
    """Per round, per station: the returns in the order it works them, each with its mode."""

    rounds: list[list[list[tuple[str, str]]]]
    raced: set[str]  # given to two stations in one round
    drafted: set[str]


def make_plans(rmas: list[str], stations: int, rng: random.Random) -> Plans:
    first: list[list[tuple[str, str]]] = [[] for _ in range(stations)]
    second: list[list[tuple[str, str]]] = [[] for _ in range(stations)]
    raced: set[str] = set()
    drafted: set[str] = set()
    # Round robin: station s works returns s, s+N, s+2N...; a return given to a second
    # station sits at the same point of its list, so the two reach it at about the same time.
    for n, rma in enumerate(rmas):
        owner = n % stations
        draw = rng.random()
        if draw < 0.15:  # left as a draft, resumed by the next station in round 2
            drafted.add(rma)
            first[owner].append((rma, "draft"))
            second[(owner + 1) % stations].append((rma, "complete"))
            if rng.random() < 0.5:
                raced.add(rma)
                second[(owner + 2) % stations].append((rma, "complete"))
        else:
            first[owner].append((rma, "complete"))
            if draw < 0.35:
                raced.add(rma)
                first[(owner + 1) % stations].append((rma, "complete"))
    return Plans([first, second], raced, drafted)


def seed(database: Database, returns: int, stations: int) -> dict[str, int]:
    csv_text, units = returns_csv(returns, random.Random(16))
    result = import_returns(database, csv_text)
    assert len(result.created) == returns, result
    with database.session() as session:
        for s in range(1, stations + 1):
            ensure_station(session, code=f"STATION-{s:02d}")
            session.add(Operator(code=f"OP-{1000 + s}", name=f"Inspector {s}"))
    return units


def run_round(
    url: str, plans: list[list[tuple[str, str]]], folder: Path, name: str
) -> list[dict[str, Any]]:
    """Start one process per station, let them go together, wait for all; their results."""
    start = folder / f"{name}.start"
    processes = []
    for s, returns in enumerate(plans, start=1):
        plan = folder / f"{name}-{s}.json"
        plan.write_text(
            json.dumps(
                {
                    "station": f"STATION-{s:02d}",
                    "operator": f"OP-{1000 + s}",
                    "gtins": GTINS,
                    "returns": returns,
                    "start": str(start),
                }
            )
        )
        log = (folder / f"{name}-{s}.log").open("wb")
        command = [sys.executable, str(WORKER), url, str(plan), str(folder / f"{name}-{s}.out")]
        processes.append((subprocess.Popen(command, stdout=log, stderr=log), log))
    # The workers sign in, then wait for this file: the round starts on every station at once.
    time.sleep(0.5)
    start.touch()
    # Up to 10 s a return per station (about twice what a loaded 2-CPU machine took with
    # --many-stations-returns=500), and never less than 10 minutes.
    wait = max(600, 10 * max(len(returns) for returns in plans))
    results = []
    for s, (process, log) in enumerate(processes, start=1):
        code = process.wait(timeout=wait)
        log.close()
        output = (folder / f"{name}-{s}.log").read_text(errors="replace")
        assert code == 0, f"station {s} of {name} exited {code}:\n{output[-4000:]}"
        results.append(json.loads((folder / f"{name}-{s}.out").read_text()))
    return results


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        return "sqlite", f"sqlite:///{tmp_path / 'warehouse.sqlite3'}"
    return "postgresql", request.getfixturevalue("postgres_url")()


@pytest.mark.slow
def test_many_station_processes_refund_each_return_once_and_lose_no_draft(
    backend: tuple[str, str], tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    name, url = backend
    stations, default_returns = SIZES[name]
    returns: int = pytestconfig.getoption(RETURNS_OPTION) or default_returns
    database = Database(make_engine(url))
    ensure_schema(database.engine)
    # Given a database of returns, a station row and an inspector for each station process
    units = seed(database, returns, stations)
    plans = make_plans(sorted(units), stations, random.Random(3))
    relay_log = (tmp_path / "relay.log").open("wb")

    with FakeShop() as shop:
        # And a relay delivering the outbox to the shop all along
        relay = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "returnsdesk.cli.sync",
                "--forever",
                "--database",
                url,
                "--url",
                shop.url,
                "--token-env",
                TOKEN_ENV,
                "--batch",
                "50",
            ],
            env={**os.environ, TOKEN_ENV: shop.token},
            stdout=relay_log,
            stderr=relay_log,
        )
        try:
            # When every station works its share at once: round 1 leaves drafts, round 2
            # resumes them at other stations
            began = time.perf_counter()
            first = run_round(url, plans.rounds[0], tmp_path, "round1")
            second = run_round(url, plans.rounds[1], tmp_path, "round2")
            worked = time.perf_counter() - began
            deadline = time.monotonic() + 300
            while sync_health(database, datetime.now(UTC)).pending:
                assert time.monotonic() < deadline, "the relay did not drain the outbox"
                time.sleep(0.2)
            relay.send_signal(signal.SIGTERM)
            assert relay.wait(timeout=30) == 0
        finally:
            if relay.poll() is None:
                relay.kill()
                relay.wait()
            relay_log.close()
        applied = shop_effects(shop)
    drained = time.perf_counter() - began
    sys.stderr.write(
        f"\n{name}: {stations} stations, {returns} returns ({sum(units.values())} units):"
        f" worked in {worked:.1f} s, delivered in {drained:.1f} s\n"
    )

    outcomes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for station in first + second:
        for outcome in station["returns"]:
            outcomes[outcome["rma"]].append(outcome)
    completed = {
        rma: next(o for o in results if o["outcome"] == "completed")
        for rma, results in outcomes.items()
    }
    # Then each return was completed by exactly one station; its rival was told so
    for rma, results in outcomes.items():
        kinds = Counter(o["outcome"] for o in results)
        assert kinds["completed"] == 1, (rma, results)
        expected_rivals = 1 if rma in plans.raced else 0
        assert kinds["already"] + kinds["lost_race"] == expected_rivals, (rma, results)
        assert kinds["drafted"] == (1 if rma in plans.drafted else 0), (rma, results)
    # And the races were real: some rivals completed in the same moment and lost at completion
    rivals = Counter(o["outcome"] for r in outcomes.values() for o in r)
    assert rivals["lost_race"] + rivals["already"] == len(plans.raced) > 0

    with database.read() as session:
        rows = session.exec(select(Return.rma_number, Return.id, Return.status)).all()
        assert {rma for rma, _id, status in rows if status is ReturnStatus.COMPLETED} == set(units)
        ids = {rma: return_id for rma, return_id, _status in rows}
        # One refund per return, the one its completing station reported
        refunds = session.exec(select(Refund.return_id, Refund.id)).all()
        assert Counter(return_id for return_id, _ in refunds) == Counter(ids.values())
        refund_of = {return_id: refund_id for return_id, refund_id in refunds}
        for rma, outcome in completed.items():
            assert str(refund_of[ids[rma]]) == outcome["refund_id"], rma
        # Every finished unit is in exactly one inspection, drafts included: none lost
        inspected = session.exec(
            select(Parcel.return_id, Inspection.id).join(
                Parcel, col(Parcel.id) == col(Inspection.parcel_id)
            )
        ).all()
        by_return: dict[Any, list[str]] = defaultdict(list)
        for return_id, inspection_id in inspected:
            by_return[return_id].append(str(inspection_id))
        for rma, outcome in completed.items():
            assert sorted(by_return[ids[rma]]) == sorted(outcome["units"]), rma
            assert len(outcome["units"]) == units[rma], rma
        for station in first:
            for outcome in station["returns"]:
                if outcome["outcome"] == "drafted":
                    (unit,) = outcome["units"]
                    assert unit in completed[outcome["rma"]]["resumed"], outcome
        assert session.exec(select(func.count()).select_from(UnitDraft)).one() == 0
        movements = session.exec(
            select(StockMovement.sku, func.sum(StockMovement.quantity_delta)).group_by(
                col(StockMovement.sku)
            )
        ).all()
        movement_count = session.exec(select(func.count()).select_from(StockMovement)).one()
    assert movement_count == sum(units.values())

    # And the shop holds what the station wrote, each event applied once
    health = sync_health(database, datetime.now(UTC))
    assert (health.pending, health.needs_attention) == (0, 0)
    expected = expected_effects(database)
    assert applied.refunds == expected.refunds
    assert len(applied.refunds) == len(units)
    assert applied.stock == expected.stock
    assert set(applied.refund_applications.values()) == {1}
    assert set(applied.stock_applications.values()) == {1}
    # Stock: the shop's count of each SKU is the sum of the station's movements of it
    with shop.locked() as state:
        assert dict(state.num_in_stock) == {sku: int(total) for sku, total in movements}
    database.dispose()
