"""Hand-built KPI floors: rows written as the station writes them, tallies by ``record_tallies``.

``hand_built`` is the small floor of test_kpi_report.py (figures worked out by hand there);
``busy_weeks`` is a larger seeded one over several weeks, for the dashboard's tests and the
screenshots (scripts/kpi_screenshots.py).
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from returnsdesk.data.db import Database
from returnsdesk.data.models import (
    DispositionDecision,
    Inspection,
    Operator,
    Order,
    OrderLine,
    OutboxEvent,
    OutboxKeyReplacement,
    Parcel,
    Product,
    Refund,
    Regrade,
    Return,
    ReturnLine,
    Station,
)
from returnsdesk.data.tallies import record_tallies
from returnsdesk.domain.vocabulary import (
    Disposition,
    InspectionOutcome,
    OutboxStatus,
    ParcelStatus,
    RefundStatus,
    ReturnStatus,
)

START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
END = START + timedelta(days=14)
S1, S2 = uuid.uuid4(), uuid.uuid4()
P1, P2 = "SKU-P1", "SKU-P2"
GRADE_CHANNEL = {
    "A": Disposition.RESTOCK,
    "B": Disposition.RESTOCK,
    "C": Disposition.REFURBISH,
    "D": Disposition.LIQUIDATE,
    "F": Disposition.RECYCLE,
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


class Builder:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.operator = uuid.uuid4()
        self.products: dict[str, uuid.UUID] = {}
        with database.session() as session:
            for station, code in ((S1, "KPI-01"), (S2, "KPI-02")):
                session.add(Station(id=station, code=code, name=code))
            session.add(Operator(id=self.operator, code="OP-KPI", name="Ines"))
            for sku, value in ((P1, "40.00"), (P2, "100.00")):
                product = Product(
                    sku=sku,
                    title=sku,
                    category="apparel",
                    unit_value=Decimal(value),
                    currency="EUR",
                )
                session.add(product)
                self.products[sku] = product.id

    def order(
        self, placed: datetime, sku: str, quantity: int, client: str | None = None
    ) -> uuid.UUID:
        order, line = uuid.uuid4(), uuid.uuid4()
        with self.database.session() as session:
            session.add(
                Order(
                    id=order,
                    number=f"WEB-{order.hex[:8]}",
                    customer_name="Customer",
                    customer_email="c@example.com",
                    currency="EUR",
                    placed_at=placed,
                    client_code=client,
                )
            )
            session.add(
                OrderLine(
                    id=line,
                    order_id=order,
                    product_id=self.products[sku],
                    sku=sku,
                    quantity=quantity,
                    unit_price=Decimal("50.00"),
                    currency="EUR",
                )
            )
        return line

    def completed_return(
        self,
        line: uuid.UUID,
        sku: str,
        *,
        opened: datetime,
        station: uuid.UUID,
        received: datetime,
        units: list[tuple[str, int]],  # grade, minutes of inspection
        refunded: datetime,
        status: RefundStatus = RefundStatus.APPROVED,
    ) -> tuple[uuid.UUID, list[uuid.UUID]]:
        """A return opened, received, inspected, refunded and tallied; its return id and units."""
        return_id, return_line, parcel = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        inspections: list[uuid.UUID] = []
        with self.database.session() as session:
            order_id = session.get(OrderLine, line).order_id  # type: ignore[union-attr]
            order = session.get(Order, order_id)
            assert order is not None
            session.add(
                Return(
                    id=return_id,
                    rma_number=f"RMA-{return_id.hex[:8]}",
                    order_id=order_id,
                    customer_name="Customer",
                    customer_email="c@example.com",
                    status=ReturnStatus.COMPLETED,
                    created_at=opened,
                    completed_at=refunded,
                    client_code=order.client_code,  # a return is its order's shop's
                )
            )
            session.add(
                ReturnLine(
                    id=return_line,
                    return_id=return_id,
                    order_line_id=line,
                    sku=sku,
                    quantity=len(units),
                    reason_code="doesnt_fit",
                )
            )
            session.add(
                Parcel(
                    id=parcel,
                    return_id=return_id,
                    tracking_number=f"1Z{parcel.hex[:10]}",
                    carrier="UPS",
                    station_id=station,
                    operator_id=self.operator,
                    received_at=received,
                    completed_at=refunded,
                    status=ParcelStatus.COMPLETED,
                )
            )
            started = received
            for grade, minutes in units:
                finished = started + timedelta(minutes=minutes)
                inspection = Inspection(
                    parcel_id=parcel,
                    return_line_id=return_line,
                    operator_id=self.operator,
                    station_id=station,
                    outcome=InspectionOutcome.INSPECTED,
                    sku_scanned=sku,
                    product_id=self.products[sku],
                    grade=grade,
                    started_at=started,
                    finished_at=finished,
                )
                session.add(inspection)
                session.add(
                    DispositionDecision(
                        inspection_id=inspection.id,
                        disposition=GRADE_CHANNEL[grade],
                        location="BIN",
                        rule="test",
                    )
                )
                inspections.append(inspection.id)
                started = finished
            session.add(
                Refund(
                    return_id=return_id,
                    parcel_id=parcel,
                    operator_id=self.operator,
                    total=Decimal("10.00"),
                    currency="EUR",
                    status=status,
                    created_at=refunded,
                )
            )
            session.flush()
            record_tallies(session.connection(), parcel)
        return return_id, inspections

    def refund_event(
        self, return_id: uuid.UUID, status: OutboxStatus, *, replaced: bool = False
    ) -> None:
        with self.database.session() as session:
            event = OutboxEvent(
                event_type="refund.requested",
                aggregate_id=return_id,
                idempotency_key=uuid.uuid4().hex,
                status=status,
                created_at=END,
                next_attempt_at=END,
            )
            session.add(event)
            if replaced:
                session.add(
                    OutboxKeyReplacement(
                        event_id=event.id,
                        old_key=uuid.uuid4().hex,
                        new_key=event.idempotency_key,
                        shop_answer="unknown key",
                        operator_id=self.operator,
                        replaced_at=END,
                    )
                )

    def regrade(self, inspection: uuid.UUID, first: str, second: str) -> None:
        with self.database.session() as session:
            session.add(
                Regrade(
                    inspection_id=inspection,
                    first_operator_id=self.operator,
                    first_grade=first,
                    queued_at=END,
                    operator_id=self.operator,
                    grade=second,
                    regraded_at=END,
                )
            )


def hand_built(database: Database, *, two_shops: bool = False) -> None:
    """The floor test_kpi_report.py describes, on a migrated, empty database; ``two_shops``:
    the 10-unit order of 10 Nov and its returns R3, R5 are client ACME's, the rest BOLT's."""
    floor = Builder(database)
    acme, bolt = ("ACME", "BOLT") if two_shops else (None, None)
    o1 = floor.order(at(2, 10), P1, 4, bolt)
    o2 = floor.order(at(3, 10), P2, 6, bolt)
    o3 = floor.order(at(10, 10), P2, 10, acme)
    common = {"station": S1}
    floor.completed_return(
        o1, P1, opened=at(4, 9), received=at(5, 9), units=[("A", 6), ("C", 10)],
        refunded=at(5, 12), **common,
    )  # fmt: skip
    floor.completed_return(
        o2, P2, opened=at(5, 9), received=at(6, 10), units=[("F", 4)], refunded=at(7, 10),
        status=RefundStatus.REJECTED, **common,
    )  # fmt: skip
    r3, (d, _e) = floor.completed_return(
        o3, P2, opened=at(10, 12), station=S2, received=at(11, 8), units=[("B", 12), ("D", 8)],
        refunded=at(11, 14),
    )  # fmt: skip
    r4, _ = floor.completed_return(
        o1, P1, opened=at(12, 9), received=at(13, 10), units=[("A", 10)], refunded=at(13, 12),
        **common,
    )  # fmt: skip
    _r5, (g,) = floor.completed_return(
        o3, P2, opened=at(14, 8), station=S2, received=at(14, 9), units=[("C", 6)],
        refunded=at(14, 13),
    )  # fmt: skip
    floor.refund_event(r3, OutboxStatus.NEEDS_ATTENTION)
    floor.regrade(d, "B", "C")
    floor.refund_event(r4, OutboxStatus.DELIVERED, replaced=True)
    floor.regrade(g, "C", "C")


def busy_weeks(database: Database, end: datetime, weeks: int = 6, seed: int = 7) -> None:
    """About 60 returns a week for ``weeks`` weeks before ``end``, slowly improving: fewer
    returns, faster refunds, more units kept; a few rejected, parked and re-graded refunds."""
    rng = random.Random(seed)
    floor = Builder(database)
    start = end - timedelta(weeks=weeks)
    for week in range(weeks):
        monday = start + timedelta(weeks=week)
        for _ in range(60 - 4 * week):
            placed = monday + timedelta(hours=rng.uniform(0, 160))
            sku = rng.choice((P1, P2))
            line = floor.order(placed - timedelta(days=rng.uniform(0, 3)), sku, 6)
            received = placed + timedelta(hours=rng.uniform(1, 6))
            grades = rng.choices("ABCDF", weights=(30 + 4 * week, 30, 15, 12, 10 - week), k=2)
            units = [(grade, rng.randint(3, 12)) for grade in grades[: rng.choice((1, 1, 2))]]
            refunded = received + timedelta(hours=rng.uniform(1, 30 - 3 * week))
            if refunded >= end:
                continue
            status = RefundStatus.REJECTED if rng.random() < 0.04 else RefundStatus.APPROVED
            return_id, inspections = floor.completed_return(
                line, sku, opened=placed - timedelta(hours=1),
                station=rng.choice((S1, S2)), received=received, units=units,
                refunded=refunded, status=status,
            )  # fmt: skip
            if rng.random() < 0.03:
                floor.refund_event(return_id, OutboxStatus.NEEDS_ATTENTION)
            if rng.random() < 0.05:
                floor.regrade(inspections[0], units[0][0], rng.choice("ABC"))
