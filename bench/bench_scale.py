"""Station speed on a warehouse-size database (issue 16): scan-to-return lookups and completions.

Fills the database first with ``seed_warehouse`` (resumable: a filled database is reused), then:

* **lookup**: the station's parcel-scan path for a return's RMA, its carrier tracking number and
  its order number: ``StationService.classify``, then in one station transaction
  ``intake.find_returns`` (the return read and locked) and ``intake.load_return_view`` (what the
  screen shows). Nothing is received, so every scan can be repeated. Targets: p95 <= 1 ms on
  SQLite, <= 2 ms on PostgreSQL.
* **complete** (with ``--stations N``): N station processes, each signed in at its own
  station, work open returns as ``tests/many_stations_worker.py`` does (parcel scan, each unit's
  GTIN scanned, graded, checklist answered, accepted) and time ``StationService.complete``,
  all N writing at once. Target on PostgreSQL with 8 stations: p95 <= 25 ms. A station's first
  completion after it starts is reported on its own line: SQLAlchemy compiles each statement
  the first time a process runs it, which a station pays once a shift, not once a return.
* **explain**: every statement one lookup of each kind and one completion send, with its plan:
  ``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN ANALYZE`` on PostgreSQL (in a transaction rolled
  back). Plain ``INSERT ... VALUES`` are counted, not explained.

PostgreSQL: ``--postgres-dir DIR`` runs a private server from Debian's binaries with the tests'
helper (``tests/postgres.py``), durable (fsync on), creating the cluster in DIR the first time
and keeping it (and the filled database) for the next run; or ``--postgres-url URL``.

Run: ``PYTHONPATH=src .venv/bin/python bench/bench_scale.py --sqlite /tmp/w.sqlite3
--postgres-dir /tmp/w-pg --scale 0.3 --stations 8 [--explain docs/warehouse-scale-plans.txt]``
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

# Not the user's settings, audit key and photos: the bench's own, kept with its databases, as
# the stations of one warehouse share one audit key (the station processes come here too).
HOME = Path(tempfile.gettempdir()) / "returnsdesk-bench-scale-home"
os.environ["XDG_DATA_HOME"] = str(HOME / "data")
os.environ["XDG_CONFIG_HOME"] = str(HOME / "config")

from sqlalchemy import Engine, event, text  # noqa: E402
from sqlmodel import col, select  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import seed_warehouse  # noqa: E402

from returnsdesk.data.db import Database, make_engine  # noqa: E402
from returnsdesk.data.models import (  # noqa: E402
    Order,
    OrderLine,
    Product,
    ProductGtin,
    Return,
    ReturnLine,
    ReturnTracking,
)
from returnsdesk.domain.clock import utc_now  # noqa: E402
from returnsdesk.domain.policy import load_policies  # noqa: E402
from returnsdesk.domain.scanning import DEFAULT_RULES, ScanKind  # noqa: E402
from returnsdesk.domain.vocabulary import ReturnStatus  # noqa: E402
from returnsdesk.paths import default_policy_dir  # noqa: E402
from returnsdesk.services import intake  # noqa: E402
from returnsdesk.services.operators import sign_in  # noqa: E402
from returnsdesk.services.station import ParcelOpened, StationService  # noqa: E402

KINDS = ("rma", "tracking", "order")


def station_service(database: Database, station: str, operator: str) -> StationService:
    with database.session() as session:
        context = sign_in(session, operator_code=operator, station_code=station)
    return StationService(
        database=database,
        policies=load_policies(default_policy_dir()),
        context=context,
        scan_rules=DEFAULT_RULES,
        clock=utc_now,  # the open returns were delivered days before the fill's --now
    )


def lookup(service: StationService, raw: str) -> float:
    """A parcel scan up to the return on screen, as ``open_parcel`` does it, in ms. Timed
    inside the station's transaction, which the real scan goes on to write the receipt in and
    commit; here it commits having written nothing (untimed), so the bench receives no parcel.

    A commit, not a rollback: psycopg forgets its prepared statements at every rollback, so a
    bench rolling back would time each lookup's statement planned anew (1.4 ms against 0.4
    prepared, raw psycopg, same run), which no station's committed scans pay after their fifth."""
    started = time.perf_counter()
    scan = service.classify(raw)
    with service.database.session() as session:
        (found,) = intake.find_returns(session, scan)  # one shop's: the seed has no clients
        intake.load_return_view(found, refunds=service.policies.refunds, now=service.clock())
        elapsed = time.perf_counter() - started
    return elapsed * 1000


def lookup_statement_by_statement(service: StationService, raw: str) -> float:
    """The same lookup as the station made it before reading a return in one statement
    (before ae616b6): the return (locked), then its order, its lines, its tracking numbers,
    each a statement of its own (by tracking number one more, for the number's row). The
    alternative, measured in the same run, committed as ``lookup``."""
    started = time.perf_counter()
    scan = service.classify(raw)
    with service.database.session() as session:
        if scan.kind is ScanKind.TRACKING:
            tracking = session.get(ReturnTracking, scan.value)
            assert tracking is not None, raw
            where = Return.id == tracking.return_id
        elif scan.kind is ScanKind.RMA:
            where = Return.rma_number == scan.value
        else:
            order_id = select(Order.id).where(Order.number == scan.value).scalar_subquery()
            where = Return.order_id == order_id
        return_ = session.exec(select(Return).where(where).with_for_update()).first()
        assert return_ is not None, raw
        session.get(Order, return_.order_id)
        session.exec(
            select(ReturnLine, OrderLine, Product)
            .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
            .join(Product, col(Product.id) == col(OrderLine.product_id))
            .where(ReturnLine.return_id == return_.id)
            .order_by(col(ReturnLine.sku))
        ).all()
        session.exec(
            select(ReturnTracking.tracking_number).where(ReturnTracking.return_id == return_.id)
        ).all()
        elapsed = time.perf_counter() - started
    return elapsed * 1000


def scan_for(kind: str, index: int) -> str:
    if kind == "rma":
        return seed_warehouse.rma_number(index)
    if kind == "tracking":
        return seed_warehouse.tracking_number(index)[0]
    return seed_warehouse.order_number(index * seed_warehouse.ORDERS_PER_RETURN + 4)


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return (
        f"n={len(samples):,}  median {statistics.median(samples):6.2f} ms  "
        f"p95 {cuts[94]:6.2f} ms  p99 {cuts[98]:6.2f} ms  max {max(samples):6.2f} ms"
    )


def measure_lookups(service: StationService, size: seed_warehouse.Size, count: int) -> None:
    rng = random.Random(16)
    for _ in range(200):  # warm the connection pool and statement caches, not the whole table
        lookup(service, scan_for(rng.choice(KINDS), rng.randrange(size.returns)))
    for kind in KINDS:
        # Spread over the whole table, as a shift's parcels are. The two ways alternate, each
        # on a return of its own and going first every other time, so both meet the machine
        # as it is and neither reads pages the other has just brought into the cache.
        now: list[float] = []
        before: list[float] = []
        for n in range(count):
            first, second = (scan_for(kind, rng.randrange(size.returns)) for _ in range(2))
            if n % 2:
                now.append(lookup(service, first))
                before.append(lookup_statement_by_statement(service, second))
            else:
                before.append(lookup_statement_by_statement(service, first))
                now.append(lookup(service, second))
        print(f"  lookup by {kind:<8} {percentiles(now)}", flush=True)  # noqa: T201
        print(f"    statement by statement {percentiles(before)}", flush=True)  # noqa: T201


def measure_floor(database: Database, count: int = 300) -> None:
    """The cheapest durable write on the same database: one row inserted and committed."""
    with database.session() as session:
        session.exec(text("CREATE TABLE IF NOT EXISTS bench_floor (n INTEGER)"))  # type: ignore[call-overload]
    times = []
    for n in range(count):
        started = time.perf_counter()
        with database.session() as session:
            session.exec(text("INSERT INTO bench_floor (n) VALUES (:n)").bindparams(n=n))  # type: ignore[call-overload]
        times.append((time.perf_counter() - started) * 1000)
    with database.session() as session:
        session.exec(text("DROP TABLE bench_floor"))  # type: ignore[call-overload]
    print(f"  floor: one-row INSERT + commit {percentiles(times)}", flush=True)  # noqa: T201


# --- completions by N station processes ----------------------------------------------------------


def gtins_by_sku(database: Database) -> dict[str, str]:
    with database.read() as session:
        rows = session.exec(
            select(Product.sku, ProductGtin.gtin)
            .join(ProductGtin, ProductGtin.product_id == Product.id)  # type: ignore[arg-type]
            .order_by(ProductGtin.gtin)
        ).all()
    found: dict[str, str] = {}
    for sku, gtin in rows:
        found.setdefault(sku, gtin)
    return found


def open_rmas(database: Database, count: int) -> list[str]:
    with database.read() as session:
        rmas = session.exec(
            select(Return.rma_number)
            .where(Return.status == ReturnStatus.OPEN, col(Return.rma_number).startswith("RMA-5"))
            .order_by(Return.rma_number)
            .limit(count)
        ).all()
    return list(rmas)


class TurnWaits:
    """Time spent waiting for the write turn: SQLite's ``BEGIN IMMEDIATE`` (the write lock),
    PostgreSQL's append lock (``repositories.take_turns``)."""

    def __init__(self, engine: Engine) -> None:
        self.total = 0.0  # ms
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN IMMEDIATE") or "pg_advisory_xact_lock" in statement:
            conn.info["turn_wait_from"] = time.perf_counter()

    def _after(self, conn: Any, *_args: Any) -> None:
        started = conn.info.pop("turn_wait_from", None)
        if started is not None:
            self.total += (time.perf_counter() - started) * 1000


class Completed(NamedTuple):
    ms: float  # wall time of ``complete``
    units: int
    waited_ms: float  # of which waiting for the write turn
    cpu_ms: float  # of which this station's own CPU (the rest: the server, the network, turns)


def work_return(
    service: StationService, rma: str, gtins: dict[str, str], waits: TurnWaits | None = None
) -> Completed:
    """Scan, inspect every unit, complete."""
    opened = service.open_parcel(service.classify(rma))
    assert isinstance(opened, ParcelOpened), (rma, opened)
    view = opened.parcel.view
    work = service.new_inspection(view)
    for line in view.lines:
        for unit in range(line.quantity):
            product = service.resolve_item(service.classify(gtins[line.sku]), view)
            work.begin_unit(product, now=service.clock())
            assert work.current is not None
            if work.current.step.value == "serial":
                work.scan_serial(line.serial_numbers[unit])
            work.grade("2")
            while work.current is not None and work.current.step.value == "checklist":
                work.answer(True)
            work.accept(now=service.clock())
    waited = waits.total if waits is not None else 0.0
    started, cpu = time.perf_counter(), time.thread_time()
    service.complete(opened.parcel.parcel_id, work)
    return Completed(
        ms=(time.perf_counter() - started) * 1000,
        units=len(work.units),
        waited_ms=(waits.total if waits is not None else 0.0) - waited,
        cpu_ms=(time.thread_time() - cpu) * 1000,
    )


def _station_process(
    url: str,
    station: str,
    operator: str,
    rmas: list[str],
    gtins: dict[str, str],
    start: Any,
    results: Any,
    pace: float,
) -> None:
    database = Database(make_engine(url))
    service = station_service(database, station, operator)
    waits = TurnWaits(database.engine)
    # Paced: a return begun every ``pace`` seconds at a random moment of its period, so the
    # stations' completions meet by chance, as inspectors' do, not in lockstep.
    rng = random.Random(station)
    start.wait()
    began = time.monotonic()
    done = []
    for n, rma in enumerate(rmas):
        if pace:
            time.sleep(max(0.0, began + (n + rng.random()) * pace - time.monotonic()))
        done.append(work_return(service, rma, gtins, waits))  # done[0]: the first, cold
    database.dispose()
    results.put(done)


def measure_completions(
    url: str, database: Database, stations: int, each: int, pace: float = 0.0
) -> None:
    rmas = open_rmas(database, stations * each)
    if len(rmas) < stations * each:
        print(f"  only {len(rmas)} open returns left: fill a new database")  # noqa: T201
        return
    gtins = gtins_by_sku(database)
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [
        context.Process(
            target=_station_process,
            args=(
                url,
                seed_warehouse.STATIONS[n],
                seed_warehouse.INSPECTORS[n],
                rmas[n::stations],
                gtins,
                start,
                results,
                pace,
            ),
        )
        for n in range(stations)
    ]
    for worker in workers:
        worker.start()
    time.sleep(5 + stations)  # all signed in and waiting
    began = time.perf_counter()
    start.set()
    done: list[list[Completed]] = []
    while len(done) < len(workers):
        try:
            done.append(results.get(timeout=5))
        except queue.Empty:
            failed = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
            if failed:
                raise SystemExit(f"a station process failed (exit codes {failed})") from None
    wall = time.perf_counter() - began
    for worker in workers:
        worker.join()
    first = [each_station[0] for each_station in done]
    completed = [c for each_station in done for c in each_station[1:]]
    times = [c.ms for c in completed]
    units = [c.units for c in completed]
    how = f"each beginning a return every {pace:g} s" if pace else "back to back"
    waited = percentiles([c.waited_ms for c in completed])
    cpu = percentiles([c.cpu_ms for c in completed])
    print(  # noqa: T201
        f"  complete, {stations} stations at once, {how}: {percentiles(times)}\n"
        f"    of which waiting for the write turn: {waited}\n"
        f"    of which the station's own CPU:      {cpu}\n"
        f"    each station's first completion (cold): {percentiles([c.ms for c in first])}\n"
        f"    {len(times) + len(first):,} returns of {statistics.mean(units):.1f} units on average"
        f" in {wall:.0f} s ({(len(times) + len(first)) / wall:.1f} completions/s with the units'"
        " scans)",
        flush=True,
    )


# --- plans ---------------------------------------------------------------------------------------


@dataclass
class Captured:
    statements: dict[str, Any] = field(default_factory=dict)  # first parameters of each
    inserts: int = 0

    def listen(self, engine: Engine) -> Callable[[], None]:
        def capture(
            _conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool
        ) -> None:
            head = statement.lstrip().upper()
            if many or (head.startswith("INSERT") and "SELECT" not in head):
                self.inserts += 1
            elif head.startswith(("SELECT", "UPDATE", "DELETE", "INSERT", "WITH")):
                self.statements.setdefault(statement, parameters)

        event.listen(engine, "before_cursor_execute", capture)
        return lambda: event.remove(engine, "before_cursor_execute", capture)


def explain(database: Database, captured: Captured) -> list[str]:
    out = []
    sqlite = database.engine.dialect.name == "sqlite"
    raw = database.engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        for statement, parameters in captured.statements.items():
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
            cursor = driver.cursor()
            try:
                cursor.execute(prefix + statement, parameters)
                rows = cursor.fetchall()
            finally:
                cursor.close()
                raw.rollback()  # EXPLAIN ANALYZE ran it: take its writes back
            plan = [f"    {row[3]}" if sqlite else f"    {row[0]}" for row in rows]
            out.append(" ".join(statement.split()) + "\n" + "\n".join(plan))
    finally:
        raw.close()
    return out


def capture_plans(url: str, database: Database, size: seed_warehouse.Size) -> list[str]:
    service = station_service(database, seed_warehouse.STATIONS[0], seed_warehouse.INSPECTORS[0])
    lookups, completion = Captured(), Captured()
    stop = lookups.listen(database.engine)
    for kind in KINDS:
        lookup(service, scan_for(kind, size.returns // 2))
    stop()
    rmas, gtins = open_rmas(database, 1), gtins_by_sku(database)
    if rmas:
        stop = completion.listen(database.engine)
        work_return(service, rmas[0], gtins)
        stop()
    return [
        "== lookup (RMA, tracking number, order number) ==",
        *explain(database, lookups),
        f"== completion of {rmas[0] if rmas else 'no open return'}"
        f" (parcel scan, item scans, complete; plus {completion.inserts} plain inserts) ==",
        *explain(database, completion),
    ]


# --- PostgreSQL ----------------------------------------------------------------------------------


@contextmanager
def private_postgres(root: Path) -> Iterator[str]:
    """A durable server from the tests' helper, its cluster kept in ``root``; the admin URL."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
    import postgres  # type: ignore[import-not-found]  # tests/postgres.py

    bin_dir = postgres._server_binaries()
    if bin_dir is None:
        raise SystemExit(f"No PostgreSQL server binaries in {postgres.BINARIES}")
    as_user = ["runuser", "-u", postgres.SERVER_USER, "--"] if os.geteuid() == 0 else []
    # Durable (fsync on), with room for the fill's WAL and a cache as a small server has.
    settings = ("max_wal_size=8GB", "shared_buffers=512MB", "checkpoint_timeout=30min")
    cluster = postgres.PostgresCluster(bin_dir, root, postgres._free_port(), as_user, settings)
    if not cluster.data.exists():
        (root / "socket").mkdir(parents=True, exist_ok=True)
        if as_user:
            user = postgres.pwd.getpwnam(postgres.SERVER_USER)
            for path in (root, root / "socket"):
                os.chown(path, user.pw_uid, user.pw_gid)
        cluster.start()
    else:
        cluster.start_server()
    try:
        yield cluster.url("postgres")
    finally:  # a clean stop (the helper's stop is a crash), so the next start needs no recovery
        cluster._run("pg_ctl", "-D", str(cluster.data), "-m", "fast", "-w", "stop")


def postgres_database(admin_url: str, name: str) -> str:
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name}
        ).first()
        if exists is None:
            connection.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE template0")
    admin.engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


# --- one backend ---------------------------------------------------------------------------------


def run(url: str, args: argparse.Namespace) -> None:
    label = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{label}: {url}", flush=True)  # noqa: T201
    started = time.perf_counter()
    size = seed_warehouse.seed(
        url,
        scale=args.scale,
        now=args.now,
        say=lambda text: print(f"  {text}", flush=True),  # noqa: T201
    )
    print(  # noqa: T201
        f"  filled: {size.orders:,} orders, {size.returns:,} returns, {size.inspections:,}"
        f" inspections (checked or filled in {time.perf_counter() - started:.0f} s);"
        f" load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; {reference_loop()}",
        flush=True,
    )
    database = Database(make_engine(url))
    try:
        if args.explain:
            plans = capture_plans(url, database, size)
            with args.explain.open("a") as out:
                out.write(f"### {label}, {size.orders:,} orders ({datetime.now(UTC):%Y-%m-%d})\n")
                out.write("\n\n".join(plans) + "\n\n")
            print(f"  plans appended to {args.explain}", flush=True)  # noqa: T201
        if args.lookups:
            service = station_service(
                database, seed_warehouse.STATIONS[0], seed_warehouse.INSPECTORS[0]
            )
            measure_lookups(service, size, args.lookups)
            measure_floor(database)
        if args.stations:
            measure_completions(url, database, args.stations, args.completions, args.pace)
    finally:
        database.dispose()
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  load average after: {load}; {reference_loop()}", flush=True)  # noqa: T201


def reference_loop() -> str:
    """How fast this machine runs Python just now, to compare runs on a shared machine."""
    started = time.perf_counter()
    sum(range(10_000_000))
    return f"reference loop sum(range(10**7)) {time.perf_counter() - started:.2f} s"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sqlite", type=Path, help="a SQLite file (filled if it is not)")
    parser.add_argument("--postgres-dir", type=Path, help="a private server's cluster, kept")
    parser.add_argument("--postgres-url", help="an existing server's database")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--now", type=datetime.fromisoformat, default=datetime.now(UTC))
    parser.add_argument("--lookups", type=int, default=2000, help="per kind of scan")
    parser.add_argument("--stations", type=int, default=0, help="station processes completing")
    parser.add_argument("--completions", type=int, default=40, help="returns per station")
    parser.add_argument(
        "--pace",
        type=float,
        default=0.0,
        help="seconds per return at each station (0: back to back, every core busy)",
    )
    parser.add_argument("--explain", type=Path, help="append the statements' plans to this file")
    return parser.parse_args()


def main() -> None:
    args = _args()
    if args.sqlite:
        run(seed_warehouse.database_url(str(args.sqlite)), args)
    if args.postgres_url:
        run(args.postgres_url, args)
    if args.postgres_dir:
        with private_postgres(args.postgres_dir) as admin:
            name = f"warehouse_{str(args.scale).replace('.', '_')}"
            run(postgres_database(admin, name), args)


if __name__ == "__main__":
    main()
