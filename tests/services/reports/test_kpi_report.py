"""The returns KPIs on a small hand-built floor, against figures worked out by hand.

Two weeks (Monday 2 to Sunday 15 November 2026, UTC), five returns at two stations. The rows
are written as the station writes them, and each parcel's tallies by ``record_tallies``, the
function ``complete_parcel`` calls in its transaction. Costs are the defaults: labour
EUR 30.00 an hour, handling EUR 1.50 a return, refurbishment EUR 8.00 a unit; recovery
rates restock 1.00, refurbish 0.60, liquidate 0.20, recycle 0.00.

Week of 2 Nov: orders of 4 + 6 units. R1 (2 units of P1, resale 40): received Mon 5th
09:00 at S1, units 6 and 10 min, A restock and C refurbish, refunded 12:00 (3 h). R2 (1 unit
of P2, resale 100): received 6th 10:00, 4 min, F recycle, refunded 7th 10:00 (24 h), rejected
by a lead. -> return rate 3/10, processing 27 h / 2, cost (20 min x 30 + 2 x 1.50 + 1 x 8) / 2
= 10.50, accuracy 1/2, recovery (40 + 24 + 0) / 180, kept 2/3.

Week of 9 Nov: an order of 10 units. R3 (2 x P2) at S2: received 11th 08:00, 12 and 8 min,
B restock and D liquidate, refunded 14:00 (6 h); its refund event parked and its first unit
re-graded B -> C. R4 (1 x P1, on the first week's order) at S1: received 13th 10:00, 10 min,
A restock, refunded 12:00 (2 h); its refund event resent under a new key. R5 (1 x P2) at S2:
received 14th 09:00, 6 min, C refurbish, refunded 13:00 (4 h); re-graded C -> C (agreement).
-> return rate 4/10, processing 12 h / 3, cost (36 min x 30 + 3 x 1.50 + 8) / 3 = 10.17,
accuracy 1/3, recovery (100 + 20 + 40 + 60) / 340, kept 3/4.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from report_floor import flat

from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema
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
from returnsdesk.domain.money import Money
from returnsdesk.domain.vocabulary import (
    Disposition,
    InspectionOutcome,
    OutboxStatus,
    ParcelStatus,
    RefundStatus,
    ReturnStatus,
)
from returnsdesk.services.reports import Period, ReportKind, ReportRequest, ReportSetup
from returnsdesk.services.reports.generate import generate_report
from returnsdesk.services.reports.kpis import read_kpis

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
            for station, code in ((S1, "STATION-01"), (S2, "STATION-02")):
                session.add(Station(id=station, code=code, name=code))
            session.add(Operator(id=self.operator, code="OP-0001", name="Ines"))
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

    def order(self, placed: datetime, sku: str, quantity: int) -> uuid.UUID:
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


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = Database(make_engine(f"sqlite:///{tmp_path / 'kpis.sqlite3'}"))
    ensure_schema(database.engine)
    floor = Builder(database)
    o1 = floor.order(at(2, 10), P1, 4)
    o2 = floor.order(at(3, 10), P2, 6)
    o3 = floor.order(at(10, 10), P2, 10)
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
    yield database
    database.dispose()


SETUP = ReportSetup.from_settings()
PERIOD = Period(START, END, "two weeks")


def test_the_kpis_of_the_period_and_each_week_are_the_hand_computed_ones(
    database: Database,
) -> None:
    data = read_kpis(database, PERIOD, None, SETUP)

    assert [week.label for week in data.weeks] == ["02 Nov", "09 Nov"]
    first, second = data.weeks
    assert first.return_rate == pytest.approx(3 / 10)
    assert first.processing_hours == pytest.approx(27 / 2)
    assert first.cost_per_return == Money(Decimal("10.50"), "EUR")
    assert first.refund_accuracy == pytest.approx(1 / 2)
    assert first.recovery_rate == pytest.approx(64 / 180)
    assert first.kept_share == pytest.approx(2 / 3)

    assert second.return_rate == pytest.approx(4 / 10)
    assert second.processing_hours == pytest.approx(12 / 3)
    assert second.cost_per_return == Money(Decimal("10.17"), "EUR")
    assert second.refund_accuracy == pytest.approx(1 / 3)
    assert second.recovery_rate == pytest.approx(220 / 340)
    assert second.kept_share == pytest.approx(3 / 4)

    total = data.total
    assert total.return_rate == pytest.approx(7 / 20)
    assert total.processing_hours == pytest.approx(39 / 5)
    assert total.cost_per_return == Money(Decimal("10.30"), "EUR")  # (28 + 7.50 + 16) / 5
    assert total.refund_accuracy == pytest.approx(2 / 5)
    assert dict(total.counts.findings) == {
        "rejected": 1,
        "parked": 1,
        "resent": 1,
        "regraded": 1,
    }
    assert total.recovery_rate == pytest.approx(284 / 520)
    assert total.kept_share == pytest.approx(5 / 7)


def test_one_station_counts_its_refunds_and_units_but_all_sales(database: Database) -> None:
    data = read_kpis(database, PERIOD, "STATION-02", SETUP)

    total = data.total
    assert total.return_rate == pytest.approx(7 / 20)  # sales belong to no station
    assert total.counts.refunds == 2
    assert total.processing_hours == pytest.approx(10 / 2)
    assert total.refund_accuracy == pytest.approx(1 / 2)
    assert total.kept_share == pytest.approx(2 / 3)
    # (26 min x 30/h + 2 x 1.50 + 1 x 8) / 2
    assert total.cost_per_return == Money(Decimal("12.00"), "EUR")


def test_a_period_off_the_hour_reads_its_edges_from_the_rows(database: Database) -> None:
    # Thu 5th 09:10 to Fri 13th 10:05: unit b (finished 09:16, in the first partial hour),
    # c, d and e; not a (09:06) or f (10:10, in the last partial hour). Refunds R1, R2, R3.
    period = Period(at(5, 9, 10), at(13, 10, 5), "off the hour")
    total = read_kpis(database, period, None, SETUP).total
    assert total.counts.refunds == 3
    assert dict(total.counts.units_by_channel) == {
        "refurbish": 1,
        "recycle": 1,
        "restock": 1,
        "liquidate": 1,
    }


def test_the_kpi_report_shows_the_figures_charts_and_definitions(database: Database) -> None:
    report = generate_report(database, ReportRequest(ReportKind.KPIS, PERIOD), setup=SETUP)

    text = flat(report.pdf)
    assert "Returns KPIs" in text
    for phrase in (
        "Return rate 35.0%",
        "Processing time 7.8 h",
        "Cost per return EUR 10.30",
        "Refund accuracy 40.0%",
        "Recovery rate 54.6%",
        "Kept in stock 71.4%",
        "Return rate by week (%)",
        "Cost per return by week",
        "02 Nov 30.0% 13.5 h EUR 10.50 50.0% 35.6% 66.7% 2",
        "09 Nov 40.0% 4.0 h EUR 10.17 33.3% 64.7% 75.0% 3",
        "Rejected by a lead 1",
        "Re-grade found another grade 1",
        "Labour rate per hour EUR 30.00",
        "EUR EUR 520.00 EUR 284.00 54.6%",
    ):
        assert phrase in text, phrase
    assert "Refund accuracy: Share of the period's refunds with no finding" in text

    by_week = list(csv.reader(io.StringIO(report.csv_tables["kpis-by-week"])))
    assert by_week[0][:3] == ["Week", "Return rate", "Processing time"]
    assert by_week[1] == ["02 Nov", "30.0%", "13.5 h", "EUR 10.50", "50.0%", "35.6%", "66.7%", "2"]
    assert by_week[2][0] == "09 Nov" and by_week[2][3] == "EUR 10.17"
    headline = dict(csv.reader(io.StringIO(report.csv_tables["kpis"])))
    assert headline["Refund accuracy"] == "40.0%"
    assert headline["Cost per return"] == "EUR 10.30"


def test_an_empty_period_shows_dashes_not_errors(database: Database) -> None:
    period = Period(at(20, 0), at(27, 0), "nothing")
    report = generate_report(database, ReportRequest(ReportKind.KPIS, period), setup=SETUP)
    text = flat(report.pdf)
    assert "Return rate – Processing time – Cost per return – Refund accuracy –" in text
