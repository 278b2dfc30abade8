"""Demo data and the printable demo barcode sheet."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, col, create_engine, func, select

from returnsdesk.data.models import (
    Operator,
    Order,
    OrderLine,
    Product,
    ProductGtin,
    Return,
    ReturnLine,
    ReturnTracking,
    Station,
)
from returnsdesk.domain.barcodes import (
    gtin_check_digit,
    is_valid_fedex_express,
    is_valid_gtin,
    is_valid_ups,
)
from returnsdesk.domain.scanning import ScanKind, classify_text
from returnsdesk.domain.vocabulary import OperatorRole, ReturnStatus
from returnsdesk.services.demo import (
    DESIGNED_SCENARIOS,
    GERMAN_SURNAMES,
    OPEN_RETURN_COUNT,
    ORDER_COUNT,
    POLICY_WINDOW_DAYS,
    REASON_CODES,
    DemoItem,
    DemoParcel,
    DemoSummary,
    demo_parcels,
    seed_demo,
)
from returnsdesk.services.demo_sheet import ean13, write_demo_sheet

NOW = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)


@contextmanager
def _engine(path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with _engine(tmp_path / "x.sqlite3") as engine:
        yield engine


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, DemoSummary]]:
    with _engine(tmp_path_factory.mktemp("demo") / "x.sqlite3") as engine:
        with Session(engine) as session:
            summary = seed_demo(session, now=NOW)
        yield engine, summary


@pytest.fixture(scope="module")
def sheet(
    seeded: tuple[Engine, DemoSummary], tmp_path_factory: pytest.TempPathFactory
) -> tuple[DemoSummary, Path, PdfReader]:
    _, summary = seeded
    path = write_demo_sheet(summary, tmp_path_factory.mktemp("sheet") / "demo.pdf")
    return summary, path, PdfReader(path)


_TABLES = (Station, Operator, Product, ProductGtin, Order, OrderLine, Return, ReturnLine)


def _row_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            t.__name__: session.exec(select(func.count()).select_from(t)).one()
            for t in (*_TABLES, ReturnTracking)
        }


def _snapshot(engine: Engine) -> list[tuple[Any, ...]]:
    """Everything seeded except row ids, in a stable order."""
    with Session(engine) as session:
        orders = {o.id: o for o in session.exec(select(Order))}
        products = {p.id: p for p in session.exec(select(Product))}
        rows: list[tuple[Any, ...]] = [
            (p.sku, p.title, p.unit_value, p.size) for p in products.values()
        ]
        rows += [(g.gtin, products[g.product_id].sku) for g in session.exec(select(ProductGtin))]
        rows += [
            (o.number, o.customer_name, o.customer_email, o.placed_at, o.delivered_at)
            for o in orders.values()
        ]
        rows += [
            (orders[line.order_id].number, line.sku, line.quantity, line.unit_price)
            + tuple(line.serial_numbers)
            for line in session.exec(select(OrderLine))
        ]
        rows += [
            (r.rma_number, orders[r.order_id].number, r.created_at, r.expected_at)
            for r in session.exec(select(Return))
        ]
        rows += [
            (line.sku, line.quantity, line.reason_code, line.customer_comment)
            for line in session.exec(select(ReturnLine))
        ]
        rows += [(t.tracking_number, t.carrier) for t in session.exec(select(ReturnTracking))]
    return sorted(rows, key=repr)


# --- seeding ----------------------------------------------------------------------------------


def test_seed_creates_a_shop_with_orders_and_open_returns(
    seeded: tuple[Engine, DemoSummary],
) -> None:
    engine, summary = seeded

    assert summary.orders == ORDER_COUNT == 301
    assert summary.open_returns == OPEN_RETURN_COUNT == len(summary.parcels) == 51
    with Session(engine) as session:
        assert [s.code for s in session.exec(select(Station))] == ["STATION-01"]
        operators = {o.code: o for o in session.exec(select(Operator))}
        products = session.exec(select(Product)).all()
        returns = session.exec(select(Return)).all()
    assert operators["OP-0001"].name == "Alex Morgan"
    assert operators["OP-0001"].role is OperatorRole.INSPECTOR
    assert operators["OP-0003"].role is OperatorRole.SHIFT_LEAD
    assert 55 <= len(products) <= 65
    assert {p.category for p in products} == {"apparel", "footwear", "electronics", "home"}
    assert {p.size for p in products if p.category == "apparel"} == {"XS", "S", "M", "L", "XL"}
    assert all(p.serialised == (p.category == "electronics") for p in products)
    assert {p.currency for p in products} == {"EUR"}
    assert all(r.status is ReturnStatus.OPEN for r in returns)


def test_every_gtin_and_tracking_number_is_valid(seeded: tuple[Engine, DemoSummary]) -> None:
    engine, summary = seeded
    with Session(engine) as session:
        gtins = set(session.exec(select(ProductGtin.gtin)))
        tracking = session.exec(select(ReturnTracking)).all()

    assert all(len(g) == 14 and is_valid_gtin(g) and g.startswith("0952") for g in gtins)
    items = [item for parcel in summary.parcels for item in parcel.items]
    assert all(len(i.gtin) == 13 and is_valid_gtin(i.gtin) for i in items)
    assert {"0" + i.gtin for i in items} <= gtins
    assert len(tracking) == OPEN_RETURN_COUNT
    for t in tracking:
        number = t.tracking_number
        if t.carrier == "UPS":
            assert is_valid_ups(number), number
        elif t.carrier == "USPS":
            assert re.fullmatch(r"(9400|9205)\d{18}", number), number
            assert gtin_check_digit(number[:21]) == number[21]
        elif t.carrier == "FedEx":
            assert is_valid_fedex_express(number), number
        else:
            assert t.carrier == "DHL"
            assert re.fullmatch(r"JJD\d{18}", number), number
    assert {t.carrier for t in tracking} == {"UPS", "USPS", "FedEx", "DHL"}


def test_the_station_reads_every_demo_barcode_as_what_it_is(
    seeded: tuple[Engine, DemoSummary],
) -> None:
    _, summary = seeded
    for parcel in summary.parcels:
        tracking = classify_text(parcel.tracking_number)
        assert (tracking.kind, tracking.carrier) == (ScanKind.TRACKING, parcel.carrier)
        assert tracking.value == parcel.tracking_number
        assert classify_text(parcel.rma_number).kind is ScanKind.RMA
        for item in parcel.items:
            gtin = classify_text(item.gtin)
            assert (gtin.kind, gtin.value) == (ScanKind.GTIN, "0" + item.gtin)
            assert {classify_text(s).kind for s in item.serial_numbers} <= {ScanKind.TEXT}


def test_serialised_lines_carry_one_unique_serial_per_unit(
    seeded: tuple[Engine, DemoSummary],
) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        rows = session.exec(select(OrderLine, Product).join(Product)).all()

    serials = [s for line, _ in rows for s in line.serial_numbers]
    assert len(serials) == len(set(serials)) > 0
    assert all(re.fullmatch(r"SN[A-Z0-9]{10}", s) for s in serials)
    for line, product in rows:
        assert len(line.serial_numbers) == (line.quantity if product.serialised else 0)


def test_orders_and_returns_are_consistent(seeded: tuple[Engine, DemoSummary]) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        orders = {o.id: o for o in session.exec(select(Order))}
        order_lines = {line.id: line for line in session.exec(select(OrderLine))}
        returns = session.exec(select(Return)).all()
        return_lines = session.exec(select(ReturnLine)).all()
        priced = session.exec(select(OrderLine, Product).join(Product)).all()

    assert all(o.placed_at >= NOW - timedelta(days=90) for o in orders.values())
    delivered = [o for o in orders.values() if o.delivered_at is not None]
    assert all(o.placed_at < o.delivered_at <= NOW for o in delivered if o.delivered_at)
    lines_per_order = Counter(shipped.order_id for shipped in order_lines.values())
    assert set(lines_per_order.values()) == {1, 2, 3, 4}
    assert all(line.unit_price <= product.unit_value for line, product in priced)
    assert any(line.unit_price < product.unit_value for line, product in priced)  # discounts

    by_return: dict[Any, list[ReturnLine]] = {}
    for returned in return_lines:
        by_return.setdefault(returned.return_id, []).append(returned)
    outside_window = 0
    for r in returns:
        order = orders[r.order_id]
        assert re.fullmatch(r"RMA-\d{6}", r.rma_number)
        assert order.delivered_at is not None and order.delivered_at < r.created_at <= NOW
        assert r.expected_at is not None and r.expected_at > r.created_at
        assert r.policy_window_days == POLICY_WINDOW_DAYS
        assert (r.customer_name, r.customer_email) == (order.customer_name, order.customer_email)
        lines = by_return[r.id]
        assert 1 <= len(lines) <= 3
        assert len({returned.order_line_id for returned in lines}) == len(lines)
        for returned in lines:
            shipped = order_lines[returned.order_line_id]
            assert shipped.order_id == order.id and shipped.sku == returned.sku
            assert 1 <= returned.quantity <= shipped.quantity
            assert returned.reason_code in REASON_CODES
        if NOW - order.delivered_at > timedelta(days=POLICY_WINDOW_DAYS):
            outside_window += 1
    assert 2 <= outside_window <= 6
    assert {line.reason_code for line in return_lines} == set(REASON_CODES)


def test_designed_scenarios_come_first_and_do_what_they_say(
    seeded: tuple[Engine, DemoSummary],
) -> None:
    engine, summary = seeded
    happy, multi, serial, high_value, late, gold = summary.parcels[:6]

    assert [p.rma_number for p in summary.parcels[:6]] == [d.rma_number for d in DESIGNED_SCENARIOS]
    assert [p.rma_number for p in summary.parcels[6:]] == sorted(
        p.rma_number for p in summary.parcels[6:]
    )
    assert len(happy.items) == 1 and happy.items[0].quantity == 1
    assert happy.items[0].sku.startswith("APP-") and happy.items[0].serial_numbers == ()
    assert happy.items[0].title == "Merino crew-neck sweater, navy, M"
    assert [i.quantity for i in multi.items] == [2]
    assert len(serial.items) == 1 and len(serial.items[0].serial_numbers) == 1
    with Session(engine) as session:
        returns = {r.rma_number: r for r in session.exec(select(Return))}
        paid = session.exec(
            select(col(OrderLine.unit_price))
            .join(ReturnLine, col(ReturnLine.order_line_id) == col(OrderLine.id))
            .where(ReturnLine.return_id == returns[high_value.rma_number].id)
        ).all()
        late_order = session.get(Order, returns[late.rma_number].order_id)
        gold_order = session.get(Order, returns[gold.rma_number].order_id)
    assert sum(paid) > 500
    assert late_order is not None and late_order.delivered_at is not None
    assert NOW - late_order.delivered_at > timedelta(days=POLICY_WINDOW_DAYS)
    # The gold customer's parcel is late by the return's own window (plus a week's transit
    # grace), not by the gold one; the late scenario's customer has no tier
    assert gold_order is not None and gold_order.delivered_at is not None
    assert timedelta(days=38) < NOW - gold_order.delivered_at < timedelta(days=365)
    assert (returns[gold.rma_number].customer_tier, returns[late.rma_number].customer_tier) == (
        "gold",
        None,
    )
    random_tiers = [returns[p.rma_number].customer_tier for p in summary.parcels[6:]]
    assert 0 < random_tiers.count("gold") < len(random_tiers) / 2
    assert set(random_tiers) == {"gold", None}
    assert len({p.carrier for p in summary.parcels[:5]}) == 4


def test_seeding_twice_adds_nothing(engine: Engine) -> None:
    with Session(engine) as session:
        first = seed_demo(session, now=NOW)
    counts = _row_counts(engine)

    with Session(engine) as session:
        second = seed_demo(session, now=NOW + timedelta(days=1), seed=8)

    assert _row_counts(engine) == counts
    assert second == first


def test_seeding_is_deterministic(tmp_path: Path) -> None:
    def seed(name: str, seed: int) -> tuple[DemoSummary, list[tuple[Any, ...]]]:
        with _engine(tmp_path / name) as engine:
            with Session(engine) as session:
                summary = seed_demo(session, seed=seed, now=NOW)
            return summary, _snapshot(engine)

    first = seed("a.sqlite3", 7)
    assert seed("b.sqlite3", 7) == first
    assert seed("c.sqlite3", 8)[1] != first[1]


def test_seed_refuses_a_naive_now(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(ValueError, match="timezone"):
        seed_demo(session, now=datetime(2025, 1, 1))


def test_demo_parcels_reads_back_what_seeding_returned(seeded: tuple[Engine, DemoSummary]) -> None:
    engine, summary = seeded
    with Session(engine) as session:
        assert demo_parcels(session) == summary


def test_demo_parcels_of_an_empty_database_is_empty(engine: Engine) -> None:
    with Session(engine) as session:
        assert demo_parcels(session) == DemoSummary(orders=0, open_returns=0, parcels=())


# --- the sheet --------------------------------------------------------------------------------


def test_sheet_lists_every_parcel_on_one_page_each(
    sheet: tuple[DemoSummary, Path, PdfReader],
) -> None:
    summary, _, reader = sheet
    pages = [page.extract_text() for page in reader.pages]

    assert len(pages) > 1
    assert "Page 1" in pages[0] and "scan the parcel label" in pages[0]
    for parcel in summary.parcels:
        # Given a parcel, its whole block (label, RMA, items) sits on a single page.
        on = [i for i, text in enumerate(pages) if parcel.tracking_number in text]
        assert len(on) == 1, parcel.tracking_number
        text = pages[on[0]]
        assert parcel.rma_number in text
        for item in parcel.items:
            assert item.sku in text
            assert all(serial in text for serial in item.serial_numbers)


def _render_page(path: Path, page: int, dpi: int) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """A page as a grayscale image, rendered by PDFium (as a print preview or a scan would)."""
    document = pdfium.PdfDocument(path)
    try:
        bitmap = document[page].render(scale=dpi / 72, grayscale=True)
        return np.array(bitmap.to_numpy(), dtype=np.uint8).reshape(bitmap.height, bitmap.width)
    finally:
        document.close()


def test_sheet_page_one_barcodes_decode_to_the_demo_values(
    sheet: tuple[DemoSummary, Path, PdfReader],
) -> None:
    summary, path, reader = sheet
    page_text = reader.pages[0].extract_text()
    on_page = [p for p in summary.parcels if p.rma_number in page_text]
    expected = {("Code128", p.tracking_number) for p in on_page}
    expected |= {("Code128", s) for p in on_page for i in p.items for s in i.serial_numbers}
    expected |= {("EAN13", i.gtin) for p in on_page for i in p.items}
    assert on_page[0] == summary.parcels[0]  # the happy path is on page 1

    # When page 1 is rendered as a 300 dpi scan and decoded
    image = _render_page(path, 0, dpi=300)
    formats = zxingcpp.barcode_formats_from_str("Code128,EAN13")
    found = {(b.format.name, b.text) for b in zxingcpp.read_barcodes(image, formats=formats)}

    # Then every barcode on it reads back as exactly the value it stands for
    assert found == expected


def test_sheet_escapes_markup_in_data(tmp_path: Path) -> None:
    hostile = "<font color=red>Evil</font> & <b>co</b>"
    gtin = "952103700001" + gtin_check_digit("952103700001")
    item = DemoItem(sku="X-1<br/>", title=hostile, gtin=gtin, quantity=1, serial_numbers=())
    parcel = DemoParcel(
        rma_number="RMA-000001",
        tracking_number="1Z999AA10123456784",
        carrier="UPS",
        customer_name=hostile,
        items=(item,),
        scenario="<para>",
    )
    summary = DemoSummary(orders=1, open_returns=1, parcels=(parcel,))

    text = PdfReader(write_demo_sheet(summary, tmp_path / "s.pdf")).pages[0].extract_text()

    assert "<font color=red>Evil</font> & <b>co</b>" in text
    assert "X-1<br/>" in text


def test_ean13_refuses_an_invalid_gtin() -> None:
    with pytest.raises(ValueError, match="EAN-13"):
        ean13("952103700001" + str((int(gtin_check_digit("952103700001")) + 1) % 10))


def test_demo_customers_read_english_or_german_and_paid_in_several_ways(
    seeded: tuple[Engine, DemoSummary],
) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        orders = session.exec(select(Order)).all()
    languages = Counter(o.customer_language for o in orders)
    assert set(languages) == {"en", "de-DE"} and languages["de-DE"] >= 10
    assert all(
        (o.customer_language == "de-DE") == (o.customer_name.split()[-1] in GERMAN_SURNAMES)
        for o in orders
    )
    methods = Counter(o.payment_method for o in orders)
    assert set(methods) == {"card", "paypal", "bank_transfer", "invoice"}
    assert min(methods.values()) >= 20
