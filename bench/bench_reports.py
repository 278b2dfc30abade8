"""How long the reports take on a large database, and how much memory they need.

Generates (once, then reuses) a SQLite database with ``--inspections`` inspections (default
1,000,000) over 30 days, written with SQLAlchemy Core bulk inserts. One early shift holds
``--shift-inspections`` of them (default 100,000), the rest spread over the other days. Then
times, each in a fresh process-state read snapshot:

  * the shift report for that busy shift (target < 3 s),
  * the 30-day insights report over everything (target < 15 s),
  * the 30-day recovery report,
  * the KPI dashboard's read (30 days, all stations and one) and the 30-day KPI report
    (target < 3 s), and both for one client shop (half the returns and orders are tagged
    ``ACME`` the first time, the tallies then counted again), each read twice in one run:
    from the shop's raw rows as before migration 0022 (``rows_read``), then from its tally
    rows, with the ratio,

and prints wall time (queries + PDF), PDF size and peak Python memory (tracemalloc) plus the
process's peak resident size (ru_maxrss), and the load average before and after.

Run: ``.venv/bin/python bench/bench_reports.py [--inspections 1000000] [--shift-inspections
100000] [--database PATH] [--only kpis]`` (generation takes a few minutes the first time).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import resource
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

_TEMP = Path(tempfile.mkdtemp(prefix="returnsdesk-bench-"))
os.environ["XDG_DATA_HOME"] = str(_TEMP / "data")
os.environ["XDG_CONFIG_HOME"] = str(_TEMP / "config")  # the audit key: not the user's
os.environ["RETURNSDESK_SYSTEM_CONFIG"] = ""
os.environ["RETURNSDESK_USER_CONFIG"] = ""

from sqlalchemy import (  # noqa: E402
    Connection,
    Subquery,
    Table,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    true,
)

from returnsdesk.data import kpi_queries  # noqa: E402
from returnsdesk.data.db import Database, make_engine  # noqa: E402
from returnsdesk.data.kpi_queries import of_client  # noqa: E402
from returnsdesk.data.migrations import ensure_schema  # noqa: E402
from returnsdesk.data.models import (  # noqa: E402
    AuditEntry,
    DispositionDecision,
    Inspection,
    Operator,
    Order,
    OrderLine,
    OutboxEvent,
    Parcel,
    Product,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    Station,
)
from returnsdesk.data.tallies import TALLIES, Tally, covering  # noqa: E402
from returnsdesk.domain.barcodes import ups_check_digit  # noqa: E402
from returnsdesk.services.reports import (  # noqa: E402
    Period,
    ReportKind,
    ReportRequest,
    ReportSetup,
    generate_report,
    tallied,  # noqa: E402
)
from returnsdesk.services.reports.kpis import read_kpis  # noqa: E402

SHIFT_DAY = date(2026, 11, 22)  # the busy early shift, 06:00-14:00 UTC
END = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
DAYS = 30
BATCH = 20_000
CATEGORIES = {
    "apparel": ("XS", "S", "M", "L", "XL"),
    "footwear": ("EU 39", "EU 40", "EU 41", "EU 42", "EU 43", "EU 44"),
    "electronics": (None,),
    "home": (None,),
}
REASONS = ("doesnt_fit", "changed_mind", "defective", "not_as_described", "arrived_damaged")
QUESTIONS = {
    "apparel": ("tags_attached", "no_stains", "no_odour"),
    "footwear": ("soles_clean", "box_included"),
    "electronics": ("powers_on", "factory_reset", "no_liquid_damage"),
    "home": ("complete", "no_damage"),
}
GRADES = ("A", "B", "C", "D", "F")
DISPOSITION_BY_GRADE = {
    "A": "restock",
    "B": "restock",
    "C": "refurbish",
    "D": "liquidate",
    "F": "recycle",
}
_NUMBERS = itertools.count(1)
NOTES = ("", "", "", "", "", "", "", "", "Scuffed sole", "Missing manual", "Seam split")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inspections", type=int, default=1_000_000)
    parser.add_argument("--shift-inspections", type=int, default=100_000)
    parser.add_argument("--database", type=Path, help="reuse or create this SQLite file")
    parser.add_argument(
        "--only",
        default="shift,insights,recovery,kpis",
        help="comma-separated scenarios to time (default: all)",
    )
    return parser.parse_args()


class Writer:
    """Collects rows per table and flushes them with Core executemany inserts."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.pending: dict[Table, list[dict[str, Any]]] = {}
        self.written = 0

    def add(self, model: Any, **row: Any) -> None:
        table = model.__table__
        rows = self.pending.setdefault(table, [])
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush(table)

    def flush(self, table: Table | None = None) -> None:
        for each in [table] if table is not None else list(self.pending):
            rows = self.pending.get(each)
            if rows:
                self.connection.execute(insert(each), rows)
                self.written += len(rows)
                self.pending[each] = []


def generate(path: Path, inspections: int, shift_inspections: int) -> None:
    rng = random.Random(20261122)
    # Filled at head with Core bulk inserts, which bypass ``complete_parcel`` and so its
    # tallies; they are then counted from the rows by the queries that fill them at completion.
    # (Filling at an older revision no longer works: bulk inserts write today's columns.)
    database = Database(make_engine(f"sqlite:///{path}"))
    ensure_schema(database.engine)
    database.dispose()
    started = time.perf_counter()
    # A plain engine for the fill: a throwaway file needs no durability (synchronous=OFF).
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA synchronous=OFF"))
    with engine.connect() as connection, connection.begin():
        _fill(Writer(connection), rng, inspections, shift_inspections)
    print(f"generated {path} in {time.perf_counter() - started:.0f} s")  # noqa: T201
    with engine.connect() as connection, connection.begin():
        count_tallies(connection)
    engine.dispose()


def count_tallies(connection: Connection) -> None:
    """Count the tallies again from all rows, as migration 0022 back-fills them."""
    started = time.perf_counter()
    for tally in TALLIES:
        connection.execute(delete(tally.table))
        facts = tally.facts(true())
        names = [column.name for column in facts.selected_columns]
        connection.execute(insert(tally.table).from_select(names, facts))
    print(f"tallies counted in {time.perf_counter() - started:.0f} s")  # noqa: T201


def _fill(writer: Writer, rng: random.Random, inspections: int, shift_inspections: int) -> None:
    stations = [uuid.uuid4() for _ in range(6)]
    for index, station in enumerate(stations, start=1):
        writer.add(
            Station,
            id=station,
            code=f"STATION-{index:02d}",
            name=f"Bench {index}",
            created_at=END - timedelta(days=400),
        )
    operators = [uuid.uuid4() for _ in range(40)]
    for index, operator in enumerate(operators, start=1):
        writer.add(
            Operator,
            id=operator,
            code=f"OP-{index:04d}",
            name=f"Inspector {index}",
            role="inspector",
            pin_hash=None,
            active=True,
            created_at=END - timedelta(days=400),
        )
    products: list[tuple[uuid.UUID, str, str, Decimal]] = []
    for category, sizes in CATEGORIES.items():
        for model in range(120):
            for size in sizes:
                sku = f"{category[:3].upper()}-{model:04d}" + (
                    f"-{size.replace(' ', '')}" if size else ""
                )
                value = Decimal(rng.randrange(900, 90_000)) / 100
                product = uuid.uuid4()
                writer.add(
                    Product,
                    id=product,
                    sku=sku,
                    title=f"{category} {model} {size or ''}",
                    category=category,
                    unit_value=value,
                    currency="EUR",
                    weight_grams=500,
                    serialised=category == "electronics",
                    size=size,
                )
                products.append((product, sku, category, value))
    writer.flush()
    shift_start = datetime(SHIFT_DAY.year, SHIFT_DAY.month, SHIFT_DAY.day, 6, tzinfo=UTC)
    other_days = [END - timedelta(days=d) for d in range(1, DAYS + 1)]
    other_days = [d for d in other_days if d.date() != SHIFT_DAY]
    done = 0
    while done < inspections:
        busy = done < shift_inspections
        if busy:
            received = shift_start + timedelta(seconds=rng.uniform(0, 8 * 3600 - 1200))
        else:
            received = rng.choice(other_days) + timedelta(seconds=rng.uniform(0, 86_400 - 1200))
        quantity = rng.choice((1, 1, 2, 3, 4))
        quantity = min(quantity, (shift_inspections if busy else inspections) - done)
        _one_return(writer, rng, products, stations, operators, received, quantity)
        done += quantity
        if done % 100_000 < quantity:
            print(f"  {done:,} inspections written", flush=True)  # noqa: T201
    writer.flush()


def _one_return(
    writer: Writer,
    rng: random.Random,
    products: list[tuple[uuid.UUID, str, str, Decimal]],
    stations: list[uuid.UUID],
    operators: list[uuid.UUID],
    received: datetime,
    quantity: int,
) -> None:
    product, sku, category, value = rng.choice(products)
    station, operator = rng.choice(stations), rng.choice(operators)
    placed = received - timedelta(days=rng.uniform(5, 25))
    order, line, return_, return_line, parcel, refund = (uuid.uuid4() for _ in range(6))
    number = next(_NUMBERS)  # in the forms a scanner reads (domain.scanning), not hex
    ups = f"B3NCH090{number:07d}"  # shipper, service 90, package
    writer.add(
        Order,
        id=order,
        number=f"WEB-{2_000_000_000 + number}",
        customer_name="Bench Customer",
        customer_email="bench@example.com",
        currency="EUR",
        placed_at=placed,
        delivered_at=placed + timedelta(days=2),
    )
    writer.add(
        OrderLine,
        id=line,
        order_id=order,
        product_id=product,
        sku=sku,
        quantity=quantity + rng.choice((0, 0, 1)),
        unit_price=value,
        currency="EUR",
        serial_numbers=[],
    )
    writer.add(
        Return,
        id=return_,
        rma_number=f"RMA-{4_000_000 + number}",
        order_id=order,
        customer_name="Bench Customer",
        customer_email="bench@example.com",
        status="completed",
        created_at=placed + timedelta(days=3),
        expected_at=None,
        policy_window_days=30,
        completed_at=received,
    )
    reason = rng.choice(REASONS)
    writer.add(
        ReturnLine,
        id=return_line,
        return_id=return_,
        order_line_id=line,
        sku=sku,
        quantity=quantity,
        reason_code=reason,
        customer_comment="",
    )
    writer.add(
        Parcel,
        id=parcel,
        return_id=return_,
        tracking_number=f"1Z{ups}{ups_check_digit(ups)}",
        carrier="UPS",
        station_id=station,
        operator_id=operator,
        received_at=received,
        completed_at=received + timedelta(minutes=20),
        status="completed",
        unexpected=False,
        note="",
    )
    at = received
    total = Decimal(0)
    pending = rng.random() < 0.01  # above the approval limit or outside policy
    for unit in range(quantity):
        inspection = uuid.uuid4()
        started = at + timedelta(seconds=rng.uniform(20, 60))
        at = started + timedelta(seconds=rng.uniform(90, 400))
        grade = rng.choices(GRADES, weights=(30, 35, 15, 12, 8))[0]
        checklist = {q: rng.random() > 0.15 for q in QUESTIONS[category]}
        flags = ["wrong_item"] if rng.random() < 0.01 else []
        writer.add(
            Inspection,
            id=inspection,
            parcel_id=parcel,
            return_line_id=return_line,
            operator_id=operator,
            station_id=station,
            outcome="inspected",
            sku_scanned=sku,
            product_id=product,
            grade=grade,
            checklist=checklist,
            serial_scanned=None,
            notes=rng.choice(NOTES),
            flags=flags,
            started_at=started,
            finished_at=at,
        )
        disposition = DISPOSITION_BY_GRADE[grade]
        writer.add(
            DispositionDecision,
            id=uuid.uuid4(),
            inspection_id=inspection,
            disposition=disposition,
            location=disposition.upper(),
            rule="bench",
            overridden_from=None,
            override_reason=None,
        )
        deduction = (
            (value * Decimal("0.2")).quantize(Decimal("0.01")) if grade in "DF" else Decimal(0)
        )
        total += value - deduction
        writer.add(
            RefundLine,
            id=uuid.uuid4(),
            refund_id=refund,
            return_line_id=return_line,
            inspection_id=inspection,
            unit_index=unit,
            gross=value,
            deduction=deduction,
            amount=value - deduction,
            currency="EUR",
            deduction_reason="Damaged after delivery" if deduction else "",
        )
    writer.add(
        Refund,
        id=refund,
        return_id=return_,
        parcel_id=parcel,
        operator_id=operator,
        total=total,
        currency="EUR",
        status="pending_approval" if pending else "approved",
        status_reason="above approval limit" if pending else "Within policy",
        created_at=at + timedelta(seconds=30),
    )


def _outbox_and_audit(database: Database) -> None:
    """A realistic tail: some undelivered events and a short audit chain head."""
    with database.engine.connect() as connection, connection.begin():
        rows = [
            {
                "id": uuid.uuid4(),
                "sequence": i,
                "event_type": "unit.inspected",
                "aggregate_id": uuid.uuid4(),
                "payload": {},
                "idempotency_key": uuid.uuid4().hex,
                "status": "pending" if i % 3 else "delivered",
                "attempts": 0,
                "last_error": None,
                "created_at": END,
                "next_attempt_at": END,
                "delivered_at": None,
            }
            for i in range(1, 5001)
        ]
        connection.execute(insert(OutboxEvent.__table__), rows)  # type: ignore[attr-defined]
        connection.execute(
            insert(AuditEntry.__table__),  # type: ignore[attr-defined]
            [
                {
                    "id": uuid.uuid4(),
                    "sequence": 1,
                    "at": END,
                    "operator_id": None,
                    "station_id": None,
                    "action": "bench",
                    "subject": "bench",
                    "details": {},
                    "previous_hash": "0" * 64,
                    "entry_hash": "f" * 64,
                }
            ],
        )


_NEW_ID = "lower(hex(randomblob(16)))"  # a UUID as SQLAlchemy stores one on SQLite
# What the KPIs' refund accuracy counts, at plausible rates, written straight in SQL: blind
# re-grades of one unit in 50 (one in five disagreeing), one refund in 200 rejected by a lead,
# one in 500 with its refund event parked by the shop, one in 1,000 resent under a new key.
_FINDINGS = (
    f"""INSERT INTO regrades (id, inspection_id, first_operator_id, first_grade, queued_at,
                              operator_id, station_id, grade, regraded_at)
        SELECT {_NEW_ID}, id, operator_id, grade, finished_at, operator_id, station_id,
               CASE WHEN rowid / 50 % 5 = 0 AND grade != 'C' THEN 'C' ELSE grade END, finished_at
        FROM inspections WHERE rowid % 50 = 0 AND grade IS NOT NULL""",
    "UPDATE refunds SET status = 'rejected' WHERE rowid % 200 = 0",
    f"""INSERT INTO outbox_events (id, sequence, event_type, aggregate_id, payload,
                                   idempotency_key, status, attempts, last_error, created_at,
                                   next_attempt_at)
        SELECT {_NEW_ID}, 10000 + rowid, 'refund.requested', return_id, '{{}}', {_NEW_ID},
               CASE WHEN rowid % 1000 = 0 THEN 'delivered' ELSE 'needs_attention' END, 1,
               'refused', created_at, created_at
        FROM refunds WHERE rowid % 500 = 0""",
    f"""INSERT INTO outbox_key_replacements (id, event_id, old_key, new_key, shop_answer,
                                             operator_id, replaced_at)
        SELECT {_NEW_ID}, e.id, {_NEW_ID}, {_NEW_ID}, 'unknown key', r.operator_id,
               e.created_at
        FROM outbox_events e JOIN refunds r ON r.return_id = e.aggregate_id
        WHERE e.event_type = 'refund.requested' AND e.status = 'delivered'""",
)


def add_findings(database: Database) -> None:
    with database.engine.connect() as connection, connection.begin():
        for statement in _FINDINGS:
            connection.exec_driver_sql(statement)


def timed(database: Database, label: str, request: ReportRequest) -> float:
    """Wall time of one run, then peak Python memory of a second run under tracemalloc
    (which slows Python code down, so it is not timed)."""
    setup = ReportSetup.from_settings()
    started = time.perf_counter()
    report = generate_report(database, request, setup=setup)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    generate_report(database, request, setup=setup)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(  # noqa: T201
        f"{label:<52} {elapsed:6.2f} s   PDF {len(report.pdf) / 1024:6.0f} KiB   "
        f"peak Python memory {peak / 2**20:6.1f} MiB",
        flush=True,
    )
    return elapsed


def timed_dashboard(
    database: Database, label: str, period: Period, station: str | None, client: str | None = None
) -> float:
    """The dashboard's read (``read_kpis``: the figures and weekly trends, no PDF)."""
    setup = ReportSetup.from_settings()
    started = time.perf_counter()
    data = read_kpis(database, period, station, setup, client)
    elapsed = time.perf_counter() - started
    print(  # noqa: T201
        f"{label:<52} {elapsed:6.2f} s   {len(data.weeks)} weeks, "
        f"{data.total.counts.refunds:,} refunds",
        flush=True,
    )
    return elapsed


def tag_client(database: Database) -> None:
    """Every other order and its returns are client ACME's, the tallies then counted again
    (once; a cached file keeps them)."""
    with database.engine.begin() as connection:
        orders, returns = Order.__table__, Return.__table__  # type: ignore[attr-defined]
        tagged = select(func.count()).select_from(returns).where(returns.c.client_code == "ACME")
        if connection.execute(tagged).scalar_one():
            return
        connection.execute(
            orders.update().where(func.abs(func.random()) % 2 == 0).values(client_code="ACME")
        )
        acme = select(orders.c.id).where(orders.c.client_code == "ACME")
        connection.execute(
            returns.update().where(returns.c.order_id.in_(acme)).values(client_code="ACME")
        )
        count_tallies(connection)


def _from_rows(
    tally: Tally, start: datetime, end: datetime, *, station_id: uuid.UUID | None, shop: str | None
) -> Subquery:
    """One shop's figures as read before migration 0022: grouped from its raw rows for the
    whole period (main at d8b42f8); every shop's still from the tallies."""
    if shop is None:
        return covering(tally, start, end, station_id=station_id, shop=None)
    where = [tally.time >= start, tally.time < end, of_client(tally.parcel, shop)]
    if station_id is not None:
        where.append(tally.station == station_id)
    return tally.facts(and_(*where)).subquery()


@contextlib.contextmanager
def rows_read() -> Iterator[None]:
    """The KPI reads and reports read one shop's figures from its rows while inside."""
    saved = kpi_queries.covering, tallied.covering
    kpi_queries.covering = tallied.covering = _from_rows  # type: ignore[assignment]
    try:
        yield
    finally:
        kpi_queries.covering, tallied.covering = saved


def before_and_after(label: str, run: Callable[[str], float]) -> None:
    """One shop's read from its rows (before) and from its tallies (now), twice each, in turn."""
    before, after = [], []
    for _ in range(2):
        with rows_read():
            before.append(run(f"{label}, rows (before)"))
        after.append(run(f"{label}, tallies"))
    print(  # noqa: T201
        f"{label}: best {min(before):.2f} s -> {min(after):.2f} s, "
        f"{min(before) / min(after):.1f}x faster",
        flush=True,
    )


def main() -> None:
    args = _args()
    path = args.database or Path(
        f"/tmp/returnsdesk-bench-reports-{args.inspections}-{args.shift_inspections}.sqlite3"
    )
    if not path.exists():
        generate(path, args.inspections, args.shift_inspections)
        database = Database(make_engine(f"sqlite:///{path}"))
        _outbox_and_audit(database)
        add_findings(database)
    else:
        database = Database(make_engine(f"sqlite:///{path}"))
        ensure_schema(database.engine)  # adds indexes from newer migrations to a cached file
    with database.engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(Inspection)).scalar_one()
        size = path.stat().st_size / 2**20
    print(f"database {path}: {count:,} inspections, {size:,.0f} MiB")  # noqa: T201
    print("load average %.1f %.1f %.1f" % os.getloadavg())  # noqa: T201, UP031
    zone = ReportSetup.from_settings().zone
    shift = ReportSetup.from_settings().shift("early")
    only = {name.strip() for name in args.only.split(",")}
    if "shift" in only:
        timed(
            database,
            f"shift report, busy early shift ({args.shift_inspections:,})",
            ReportRequest(ReportKind.SHIFT, Period.shift(SHIFT_DAY, shift, zone)),
        )
        timed(
            database,
            "shift report, same shift, one station",
            ReportRequest(ReportKind.SHIFT, Period.shift(SHIFT_DAY, shift, zone), "STATION-03"),
        )
    last_30 = Period.last_days(DAYS, END, zone)
    if "insights" in only:
        request = ReportRequest(ReportKind.INSIGHTS, last_30)
        timed(database, f"insights, 30 days ({count:,})", request)
    if "recovery" in only:
        request = ReportRequest(ReportKind.RECOVERY, last_30)
        timed(database, f"recovery, 30 days ({count:,})", request)
    if "kpis" in only:
        timed_dashboard(database, f"KPI dashboard, 30 days ({count:,})", last_30, None)
        timed_dashboard(database, "KPI dashboard, 30 days, one station", last_30, "STATION-03")
        timed(database, f"KPI report, 30 days ({count:,})", ReportRequest(ReportKind.KPIS, last_30))
        tag_client(database)
        before_and_after(
            "KPI dashboard, 30 days, client ACME",
            lambda label: timed_dashboard(database, label, last_30, None, "ACME"),
        )
        before_and_after(
            "KPI report, 30 days, client ACME",
            lambda label: timed(
                database, label, ReportRequest(ReportKind.KPIS, last_30, client_code="ACME")
            ),
        )
    print("load average %.1f %.1f %.1f" % os.getloadavg())  # noqa: T201, UP031
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident size of this process (incl. generation): {rss:,.0f} MiB")  # noqa: T201
    database.dispose()


if __name__ == "__main__":
    main()
