"""Fill a database (SQLite file or PostgreSQL URL) to warehouse size, for the scale benchmark.

Default size (``--scale 1``): 1,000,000 orders, 3,000,000 order lines, 200,000 returns and
1,000,000 inspected units, on the real schema (Alembic migrations to head). The database starts
as the demo's (``seed_demo``: catalogue with GTINs, operators, 50 open returns), so a station
opens it and works a return on it; eight stations and eight inspectors are added for the bench's
eight writers.

Numbers are in the forms the station's scan classification reads (``domain.scanning``):
orders ``WEB-3000000000`` up, returns ``RMA-5000000`` up, and one carrier tracking number per
return in rotation: UPS ``1Z`` (with its check digit), USPS IMpb ``9400...`` (mod 10) and DHL
``JJD...``. ``order_number(i)``, ``rma_number(j)`` and ``tracking_number(j)`` give them by index.
Every fifth order has a return; 90% of returns are completed as a station completes them
(parcel, inspections with dispositions and license plates, stock movements, refund with its
lines, report tallies counted at the end), the rest are open, delivered 3-20 days before
``--now``, each of 1-3 lines and 1-6 units. Delivered outbox events and audit entries are not
written (a relay prunes the former; the audit chain starts with the first real action).

Fast: rows go in as bulk DB-API inserts (``executemany`` on SQLite, ``COPY`` on PostgreSQL),
converted by the columns' own SQLAlchemy types, in chunks of ``--chunk`` orders, each chunk
one transaction. Resumable: rows come from a random generator seeded per chunk, and a chunk
whose last order exists is skipped, so running the same command again finishes an interrupted
fill (the tallies are recounted at the end).

Run: ``PYTHONPATH=src .venv/bin/python bench/seed_warehouse.py DATABASE [--scale 0.3]``
where DATABASE is a file path or a ``postgresql+psycopg://`` URL.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # a private audit key and settings, not the user's
    _TEMP = Path(tempfile.mkdtemp(prefix="returnsdesk-seed-"))
    os.environ["XDG_DATA_HOME"] = str(_TEMP / "data")
    os.environ["XDG_CONFIG_HOME"] = str(_TEMP / "config")

from sqlalchemy import Connection, Engine, Table, delete, event, insert, true
from sqlmodel import Session, select

from returnsdesk.data.db import make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.models import (
    DispositionDecision,
    Inspection,
    Operator,
    Order,
    OrderLine,
    Parcel,
    Product,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    ReturnTracking,
    Station,
    StockMovement,
)
from returnsdesk.data.tallies import TALLIES
from returnsdesk.domain.barcodes import gtin_check_digit, ups_check_digit
from returnsdesk.domain.labels import license_plate
from returnsdesk.domain.vocabulary import (
    Disposition,
    InspectionOutcome,
    OperatorRole,
    ParcelStatus,
    RefundStatus,
    ReturnStatus,
)
from returnsdesk.services.demo import seed_demo

ORDERS, ORDER_LINES_PER_ORDER, RETURNS, INSPECTIONS = 1_000_000, 3, 200_000, 1_000_000
ORDERS_PER_RETURN = ORDERS // RETURNS  # every fifth order has a return
OPEN_SHARE = 0.10  # of returns: open, waiting for their parcel
FIRST_ORDER, FIRST_RMA = 3_000_000_000, 5_000_000
STATIONS = tuple(f"STATION-{n:02d}" for n in range(1, 9))  # STATION-01 is the demo's
INSPECTORS = tuple(f"OP-{n:04d}" for n in range(101, 109))
HISTORY_DAYS = 365
SEED = 20261206
_GRADES = (
    ("A", Disposition.RESTOCK),
    ("B", Disposition.RESTOCK),
    ("C", Disposition.REFURBISH),
    ("D", Disposition.LIQUIDATE),
    ("F", Disposition.RECYCLE),
)
_NAMES = ("Alex Morgan", "Priya Nair", "Jonas Weber", "Maria Costa", "Sam Lee", "Ana Silva")
_REASONS = ("doesnt_fit", "changed_mind", "defective", "not_as_described", "arrived_damaged")


def order_number(index: int) -> str:
    return f"WEB-{FIRST_ORDER + index}"


def rma_number(index: int) -> str:
    return f"RMA-{FIRST_RMA + index}"


def tracking_number(index: int) -> tuple[str, str]:
    """The carrier label of return ``index``: (tracking number, carrier)."""
    kind = index % 3
    if kind == 0:
        body = f"W4R3H090{index:07d}"  # shipper, service 90, package number
        return "1Z" + body + ups_check_digit(body), "UPS"
    if kind == 1:
        body = f"9400{index:017d}"
        return body + gtin_check_digit(body), "USPS"
    return f"JJD{index:018d}", "DHL"


@dataclass(frozen=True)
class Size:
    orders: int
    returns: int
    inspections: int

    @classmethod
    def scaled(cls, scale: float) -> Size:
        returns = max(10, round(RETURNS * scale))
        # Whole chunks of returns' orders, so the shape stays the same at any scale.
        return cls(returns * ORDERS_PER_RETURN, returns, max(10, round(INSPECTIONS * scale)))

    @property
    def open_returns(self) -> int:
        return max(1, round(self.returns * OPEN_SHARE))

    @property
    def completed_returns(self) -> int:
        return self.returns - self.open_returns


@dataclass(frozen=True)
class _Product:
    id: uuid.UUID
    sku: str
    category: str
    price: Decimal
    serialised: bool


@dataclass
class _Catalogue:
    products: list[_Product]
    stations: list[uuid.UUID]
    operators: list[uuid.UUID]


# --- bulk writing -------------------------------------------------------------------------------


class BulkWriter:
    """Rows per table, written with the driver's fastest bulk path on the caller's transaction.

    Values go through each column's SQLAlchemy bind processor (UUIDs, UTC timestamps, exact
    money, enums, JSON), so the rows read back exactly as the ORM would have written them.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.pending: dict[Table, list[dict[str, Any]]] = {}
        self.written = 0

    def add(self, model: Any, **row: Any) -> None:
        self.pending.setdefault(model.__table__, []).append(row)

    def flush(self, order: Sequence[Any]) -> None:
        """Write the pending rows, table by table in ``order`` (foreign keys are deferred)."""
        for model in order:
            rows = self.pending.pop(model.__table__, [])
            if rows:
                self._write(model.__table__, rows)
        assert not self.pending, f"tables not in the write order: {list(self.pending)}"

    def _write(self, table: Table, rows: list[dict[str, Any]]) -> None:
        names = list(rows[0])
        processors: list[Callable[[Any], Any] | None] = [
            table.c[name].type._cached_bind_processor(self.dialect) for name in names
        ]
        columns_of_values = []
        for name, convert in zip(names, processors, strict=True):
            column = [row[name] for row in rows]
            if convert is not None:
                column = [None if value is None else convert(value) for value in column]
            columns_of_values.append(column)
        values = list(zip(*columns_of_values, strict=True))
        columns = ", ".join(names)
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            if self.dialect.name == "sqlite":
                marks = ", ".join("?" * len(names))
                cursor.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", values)
            else:
                with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
        finally:
            cursor.close()
        self.written += len(rows)


_WRITE_ORDER = (
    Order,
    OrderLine,
    Return,
    ReturnTracking,
    ReturnLine,
    Parcel,
    Inspection,
    DispositionDecision,
    StockMovement,
    Refund,
    RefundLine,
)


# --- generation ---------------------------------------------------------------------------------


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _units_of(completed_index: int, size: Size) -> int:
    """Units of a completed return: the inspections spread as evenly as whole numbers go."""
    total, count = size.inspections, size.completed_returns
    return (completed_index + 1) * total // count - completed_index * total // count


def _split(units: int, parts: int) -> list[int]:
    return [units // parts + (1 if k < units % parts else 0) for k in range(parts)]


def _fill_chunk(
    writer: BulkWriter,
    rng: random.Random,
    catalogue: _Catalogue,
    size: Size,
    orders: range,
    now: datetime,
) -> None:
    start = now - timedelta(days=HISTORY_DAYS)
    span = timedelta(days=HISTORY_DAYS - 45)
    for i in range(orders.start, orders.stop):
        has_return = i % ORDERS_PER_RETURN == ORDERS_PER_RETURN - 1
        j = i // ORDERS_PER_RETURN  # the return's index, if it has one
        is_open = has_return and j >= size.completed_returns
        if is_open:  # recent: inside the return window at --now
            delivered = now - timedelta(days=rng.uniform(3, 20))
            placed = delivered - timedelta(days=rng.uniform(1, 3))
        else:
            placed = start + span * (i / size.orders) + timedelta(seconds=rng.uniform(0, 3600))
            delivered = placed + timedelta(days=rng.uniform(1, 3))
        name = rng.choice(_NAMES)
        email = f"{name.split()[0].lower()}.{i}@example.com"
        order_id = _uuid(rng)
        writer.add(
            Order,
            id=order_id,
            number=order_number(i),
            customer_name=name,
            customer_email=email,
            currency="EUR",
            placed_at=placed,
            delivered_at=delivered,
            payment_method="card",
            customer_language="en",
        )
        if has_return:
            if is_open:
                returned = rng.choice(([1], [2], [1, 1], [1, 2], [2, 1, 1], [1, 1, 1]))
            else:
                returned = _split(_units_of(j, size), ORDER_LINES_PER_ORDER)
            returned += [0] * (ORDER_LINES_PER_ORDER - len(returned))
        else:
            returned = [0] * ORDER_LINES_PER_ORDER
        lines: list[tuple[uuid.UUID, _Product, int, Decimal, list[str]]] = []
        for k, products in enumerate(rng.sample(catalogue.products, ORDER_LINES_PER_ORDER)):
            product = products
            quantity = max(returned[k], rng.choice((1, 1, 1, 2)))
            serials = [f"SN{i:010d}{k}{u}" for u in range(quantity)] if product.serialised else []
            line_id = _uuid(rng)
            writer.add(
                OrderLine,
                id=line_id,
                order_id=order_id,
                product_id=product.id,
                sku=product.sku,
                quantity=quantity,
                unit_price=product.price,
                currency="EUR",
                serial_numbers=serials,
            )
            lines.append((line_id, product, returned[k], product.price, serials))
        if has_return:
            _return(writer, rng, catalogue, j, order_id, name, email, delivered, lines, is_open)


def _return(
    writer: BulkWriter,
    rng: random.Random,
    catalogue: _Catalogue,
    j: int,
    order_id: uuid.UUID,
    name: str,
    email: str,
    delivered: datetime,
    lines: list[tuple[uuid.UUID, _Product, int, Decimal, list[str]]],
    is_open: bool,
) -> None:
    return_id = _uuid(rng)
    requested = delivered + timedelta(days=rng.uniform(0.2, 2.5))
    received = requested + timedelta(days=rng.uniform(1, 4))
    tracking, carrier = tracking_number(j)
    writer.add(
        Return,
        id=return_id,
        rma_number=rma_number(j),
        order_id=order_id,
        customer_name=name,
        customer_email=email,
        status=ReturnStatus.OPEN if is_open else ReturnStatus.COMPLETED,
        created_at=requested,
        expected_at=requested + timedelta(days=3),
        policy_window_days=30,
        completed_at=None if is_open else received + timedelta(minutes=30),
    )
    writer.add(ReturnTracking, tracking_number=tracking, return_id=return_id, carrier=carrier)
    return_lines = []
    for order_line, product, quantity, price, serials in lines:
        if quantity:
            line_id = _uuid(rng)
            writer.add(
                ReturnLine,
                id=line_id,
                return_id=return_id,
                order_line_id=order_line,
                sku=product.sku,
                quantity=quantity,
                reason_code=rng.choice(_REASONS),
                customer_comment="",
            )
            return_lines.append((line_id, product, quantity, price, serials))
    if is_open:
        return
    station = rng.choice(catalogue.stations)
    operator = rng.choice(catalogue.operators)
    parcel_id, refund_id = _uuid(rng), _uuid(rng)
    completed = received + timedelta(minutes=30)
    writer.add(
        Parcel,
        id=parcel_id,
        return_id=return_id,
        tracking_number=tracking,
        carrier=carrier,
        station_id=station,
        operator_id=operator,
        received_at=received,
        completed_at=completed,
        status=ParcelStatus.COMPLETED,
        unexpected=False,
        note="",
    )
    total = Decimal(0)
    at = received
    for line_id, product, quantity, price, serials in return_lines:
        for unit in range(quantity):
            unit_id = _uuid(rng)
            grade, disposition = rng.choices(_GRADES, weights=(40, 30, 15, 10, 5))[0]
            began, at = at + timedelta(seconds=20), at + timedelta(seconds=rng.uniform(60, 300))
            writer.add(
                Inspection,
                id=unit_id,
                parcel_id=parcel_id,
                return_line_id=line_id,
                operator_id=operator,
                station_id=station,
                outcome=InspectionOutcome.INSPECTED,
                sku_scanned=product.sku,
                product_id=product.id,
                grade=grade,
                checklist={},
                serial_scanned=serials[unit] if serials else None,
                notes="",
                flags=[],
                started_at=began,
                finished_at=at,
                license_plate=license_plate(unit_id),
            )
            location = disposition.value.upper()
            writer.add(
                DispositionDecision,
                id=_uuid(rng),
                inspection_id=unit_id,
                disposition=disposition,
                location=location,
                rule="seed",
                overridden_from=None,
                override_reason=None,
            )
            writer.add(
                StockMovement,
                id=_uuid(rng),
                product_id=product.id,
                sku=product.sku,
                location=location,
                quantity_delta=1,
                reason=f"return_{disposition.value}",
                inspection_id=unit_id,
                created_at=completed,
            )
            deduction = (price * Decimal("0.2")).quantize(Decimal("0.01")) if grade in "DF" else 0
            total += price - deduction
            writer.add(
                RefundLine,
                id=_uuid(rng),
                refund_id=refund_id,
                return_line_id=line_id,
                inspection_id=unit_id,
                unit_index=unit,
                gross=price,
                deduction=Decimal(deduction),
                amount=price - deduction,
                currency="EUR",
                deduction_reason="grade" if deduction else "",
            )
    writer.add(
        Refund,
        id=refund_id,
        return_id=return_id,
        parcel_id=parcel_id,
        operator_id=operator,
        total=total,
        currency="EUR",
        status=RefundStatus.APPROVED,
        status_reason="",
        created_at=completed,
        released_on_receipt=False,
    )


# --- the whole fill -----------------------------------------------------------------------------


def _fill_engine(url: str) -> Engine:
    """The station's engine, with durability off for the fill (a half-filled bench database
    is simply filled again)."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _fast(dbapi_connection: Any, _record: Any) -> None:  # after the station's pragmas
            dbapi_connection.execute("PRAGMA synchronous=OFF")
            dbapi_connection.execute("PRAGMA cache_size=-262144")  # 256 MiB

    return engine


def _base(engine: Engine, now: datetime) -> _Catalogue:
    """The demo's database (once), eight stations and inspectors; the catalogue to order from."""
    with Session(engine) as session:
        seed_demo(session, now=now)  # leaves a database that has orders alone
        have = set(session.exec(select(Station.code)).all())
        for code in STATIONS:
            if code not in have:
                session.add(Station(code=code, name=f"Returns bench {code[-2:]}", created_at=now))
        have = set(session.exec(select(Operator.code)).all())
        for code in INSPECTORS:
            if code not in have:
                name = f"Inspector {code[-3:]}"
                session.add(Operator(code=code, name=name, role=OperatorRole.INSPECTOR))
        session.commit()
        products = [
            _Product(p.id, p.sku, p.category, p.unit_value.quantize(Decimal("0.01")), p.serialised)
            for p in session.exec(select(Product).order_by(Product.sku)).all()
        ]
        stations = list(session.exec(select(Station.id).order_by(Station.code)).all())
        operators = list(
            session.exec(
                select(Operator.id)
                .where(Operator.role == OperatorRole.INSPECTOR)
                .order_by(Operator.code)
            ).all()
        )
    return _Catalogue(products, stations, operators)


def _chunk_done(connection: Connection, last_order: int) -> bool:
    found = connection.execute(select(Order.id).where(Order.number == order_number(last_order)))
    return found.first() is not None


def recount_tallies(connection: Connection) -> None:
    """Count the report tallies from all rows, as migration 0008 back-fills them."""
    for tally in TALLIES:
        connection.execute(delete(tally.table))
        facts = tally.facts(true())
        names = [column.name for column in facts.selected_columns]
        connection.execute(insert(tally.table).from_select(names, facts))


def seed(
    url: str,
    *,
    scale: float = 1.0,
    now: datetime,
    chunk: int = 20_000,
    say: Callable[[str], None] = lambda _text: None,
) -> Size:
    """Fill the database at ``url`` (migrated to head first) to ``scale``; resumable."""
    size = Size.scaled(scale)
    started = time.perf_counter()
    engine = _fill_engine(url)
    try:
        ensure_schema(engine)
        catalogue = _base(engine, now)
        written = 0
        chunks = range(0, size.orders, chunk)
        for number, first in enumerate(chunks):
            orders = range(first, min(first + chunk, size.orders))
            with engine.connect() as connection, connection.begin():
                if _chunk_done(connection, orders.stop - 1):
                    continue
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
                writer = BulkWriter(connection)
                rng = random.Random(f"{SEED}:{first}")
                _fill_chunk(writer, rng, catalogue, size, orders, now)
                writer.flush(_WRITE_ORDER)
                written += writer.written
            elapsed = time.perf_counter() - started
            say(
                f"chunk {number + 1}/{len(chunks)}: {orders.stop:,} orders,"
                f" {written:,} rows this run, {elapsed:.0f} s"
            )
        if written:
            with engine.connect() as connection, connection.begin():
                recount_tallies(connection)
            say(f"tallies counted, {time.perf_counter() - started:.0f} s")
            if engine.dialect.name == "postgresql":  # what autovacuum would do after a load
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.exec_driver_sql("ANALYZE")
                say(f"analyzed, {time.perf_counter() - started:.0f} s")
    finally:
        engine.dispose()
    return size


def database_url(target: str) -> str:
    return target if "://" in target else f"sqlite:///{Path(target).resolve()}"


def _args(argv: Iterable[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("database", help="a SQLite file path or a postgresql+psycopg:// URL")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1,000,000 orders")
    parser.add_argument("--chunk", type=int, default=20_000, help="orders per transaction")
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=None,
        help="the fill's present (ISO 8601 with offset); default: the machine's clock",
    )
    return parser.parse_args(None if argv is None else list(argv))


def main() -> None:
    args = _args()
    now = args.now or datetime.now(UTC)
    size = Size.scaled(args.scale)
    print(  # noqa: T201
        f"seeding {args.database}: {size.orders:,} orders, {size.orders * 3:,} order lines,"
        f" {size.returns:,} returns ({size.open_returns:,} open),"
        f" {size.inspections:,} inspections",
        flush=True,
    )
    started = time.perf_counter()
    seed(
        database_url(args.database),
        scale=args.scale,
        now=now,
        chunk=args.chunk,
        say=lambda text: print(text, flush=True),  # noqa: T201
    )
    print(f"done in {time.perf_counter() - started:.0f} s", file=sys.stderr)  # noqa: T201


if __name__ == "__main__":
    main()
