"""CSV import of returns: row-by-row checks naming row and column, all or nothing, idempotent."""

from __future__ import annotations

import csv
import io
import itertools
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from returnsdesk.cli import importing
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.models import Order, OrderLine, Product, ProductGtin, Return, ReturnLine
from returnsdesk.data.types import MONEY_COLUMN_MAX
from returnsdesk.domain.scanning import ScanRules
from returnsdesk.domain.vocabulary import ReturnStatus
from returnsdesk.scan.classify import classify
from returnsdesk.services import intake
from returnsdesk.services.csv_import import (
    MAX_AMOUNT,
    MAX_QUANTITY,
    MAX_WINDOW_DAYS,
    ImportRejected,
    import_returns,
    import_returns_file,
)
from table_snapshot import table_rows

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "returns-import-sample.csv"
HEADER = SAMPLE.read_text().splitlines()[0]


def returns_and_lines(database: Database) -> list[tuple[str, str, int]]:
    with database.session() as session:
        rows = session.exec(
            select(Return.rma_number, ReturnLine.sku, ReturnLine.quantity).join(
                ReturnLine,
                ReturnLine.return_id == Return.id,  # type: ignore[arg-type]
            )
        ).all()
    return sorted((rma, sku, quantity) for rma, sku, quantity in rows)


def test_the_sample_file_imports_and_its_parcels_scan(database: Database) -> None:
    result = import_returns_file(database, SAMPLE)

    assert (result.rows, result.created, result.updated) == (3, ["RMA-200001", "RMA-200002"], [])
    assert sorted(result.products_created) == ["HP-WL", "RAIN-M", "TRAIL-42"]
    assert returns_and_lines(database) == [
        ("RMA-200001", "RAIN-M", 2),
        ("RMA-200001", "TRAIL-42", 1),
        ("RMA-200002", "HP-WL", 1),
    ]
    with database.session() as session:
        scan = classify("JJD000390007827312345", rules=ScanRules())
        found = intake.find_returns(session, scan)
        assert [r.return_.rma_number for r in found] == ["RMA-200002"]
        # The customer's language and payment method: messages in German, the card's lead time
        orders = {
            o.number: (o.customer_language, o.payment_method) for o in session.exec(select(Order))
        }
        assert orders == {"WEB-5001": ("de-DE", "card"), "WEB-5002": (None, "paypal")}
        headphones = session.exec(select(Product).where(Product.sku == "HP-WL")).one()
        assert (headphones.category, headphones.serialised) == ("electronics", True)
        line = session.exec(select(OrderLine).where(OrderLine.sku == "HP-WL")).one()
        assert (str(line.unit_price), line.serial_numbers, line.line_ref) == (
            "149.0000",
            ["HP-SN-000123"],
            None,
        )
        gtin = session.exec(select(ProductGtin).where(ProductGtin.gtin == "04006381333931")).one()
        assert gtin.client_code is None  # the station's own shop's product
        order = session.exec(select(Order).where(Order.number == "WEB-5002")).one()
        assert order.placed_at.isoformat() == "2026-11-10T13:30:00+00:00"


def tiers(database: Database) -> dict[str, str | None]:
    with database.session() as session:
        return {r.rma_number: r.customer_tier for r in session.exec(select(Return))}


def test_the_customer_tier_is_imported_as_refunds_toml_names_it(database: Database) -> None:
    import_returns_file(database, SAMPLE)
    assert tiers(database) == {"RMA-200001": "gold", "RMA-200002": None}

    # Written as a person types it; then gone from the file: the file is the return's truth
    shouted = SAMPLE.read_text().replace(",gold\n", ", Gold \n")
    import_returns(database, shouted.replace("PayPal,\n", "PayPal,Silver\n"))
    assert tiers(database) == {"RMA-200001": "gold", "RMA-200002": "silver"}
    import_returns(database, SAMPLE.read_text().replace(",gold\n", ",\n"))
    assert tiers(database) == {"RMA-200001": None, "RMA-200002": None}


def test_one_return_with_two_tiers_is_refused(database: Database) -> None:
    text = SAMPLE.read_text()
    first_row_end = text.index(",gold\n")
    two_tiers = text[:first_row_end] + ",silver\n" + text[first_row_end + len(",gold\n") :]
    with pytest.raises(ImportRejected) as refused:
        import_returns(database, two_tiers)
    assert refused.value.problems == [
        "row 3, column customer_tier: differs from row 2 of the same return RMA-200001"
    ]
    assert tiers(database) == {}

    text, _rma, _sku = one_row_file(customer_tier="g" * 33)
    with pytest.raises(ImportRejected) as too_long:
        import_returns(database, text)
    assert too_long.value.problems == ["row 2, column customer_tier: at most 32 characters, not 33"]


def test_importing_again_updates_by_rma_and_never_duplicates(
    database: Database, tmp_path: Path
) -> None:
    import_returns_file(database, SAMPLE)
    again = import_returns_file(database, SAMPLE)
    assert (again.created, again.updated) == ([], ["RMA-200001", "RMA-200002"])
    assert again.products_created == again.orders_created == []

    # A corrected file: one jacket instead of two, same RMA
    changed = SAMPLE.read_text().replace("RAIN-M,2,59.50", "RAIN-M,1,59.50")
    import_returns(database, changed)
    assert returns_and_lines(database) == [
        ("RMA-200001", "RAIN-M", 1),
        ("RMA-200001", "TRAIL-42", 1),
        ("RMA-200002", "HP-WL", 1),
    ]
    with database.session() as session:
        assert len(session.exec(select(Return)).all()) == 2
        assert len(session.exec(select(OrderLine)).all()) == 3


def test_a_return_already_received_at_the_station_is_kept_and_reported(
    database: Database,
) -> None:
    import_returns_file(database, SAMPLE)
    with database.session() as session:
        received = session.exec(select(Return).where(Return.rma_number == "RMA-200001")).one()
        received.status = ReturnStatus.RECEIVED
        session.add(received)
    changed = SAMPLE.read_text().replace("RAIN-M,2,59.50", "RAIN-M,1,59.50")

    result = import_returns(database, changed)

    assert result.skipped == ["RMA-200001: received at the station already, kept"]
    assert ("RMA-200001", "RAIN-M", 2) in returns_and_lines(database)


AL = "RMA-9,WEB-9,Al,al@example.com"  # the first four cells of a row


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (f"{AL},EUR,TRAIL-42,0,10.00,x", "row 3, column quantity: must be at least 1, not 0"),
        (f"{AL},EUR,TRAIL-42,1,ten,x",
         "row 3, column unit_price: expected an amount such as 49.99, not 'ten'"),
        (f"{AL},euro,TRAIL-42,1,1.00,x",
         "row 3, column currency: expected a three-letter ISO code"),
        ("RMA-9,WEB-9,Al,nobody,EUR,TRAIL-42,1,1.00,x",
         "row 3, column customer_email: not an e-mail address: 'nobody'"),
        (f"{AL},EUR,NEW-SKU,1,1.00,x",
         "row 3, column sku: unknown SKU 'NEW-SKU'; give product_title"),
        (",WEB-9,Al,al@example.com,EUR,TRAIL-42,1,1.00,x",
         "row 3, column rma_number: must not be empty"),
        (f"{AL},EUR,TRAIL-42,1,1.005,x",
         "row 3, column unit_price: 1.005 has more digits than EUR"),
        (f"{AL},EUR", "row 3: 5 cells, but the header has 9"),
    ],
)  # fmt: skip
def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_written(
    database: Database, row: str, message: str
) -> None:
    header = ",".join(HEADER.split(",")[:9])
    good = "RMA-8,WEB-8,Bo,bo@example.com,EUR,TRAIL-42,1,89.99,too_small"
    # TRAIL-42 exists (from an earlier import); the good row alone would import
    import_returns_file(database, SAMPLE)
    before = table_rows(database.engine)

    with pytest.raises(ImportRejected) as refused:
        import_returns(database, f"{header}\n{good}\n{row}\n")

    assert any(problem.startswith(message) for problem in refused.value.problems), refused.value
    assert table_rows(database.engine) == before


def test_a_language_that_is_no_tag_is_named_by_row_and_column(database: Database) -> None:
    header = ",".join(HEADER.split(",")[:9]) + ",customer_language"
    row = "RMA-8,WEB-8,Bo,bo@example.com,EUR,TRAIL-42,1,89.99,too_small,Deutsch"
    with pytest.raises(ImportRejected) as refused:
        import_returns(database, f"{header}\n{row}\n")
    assert refused.value.problems == [
        "row 2, column customer_language: expected a language tag like de or de-DE, not 'Deutsch'"
    ]


def test_every_problem_is_reported_at_once_and_the_header_is_checked(database: Database) -> None:
    with pytest.raises(ImportRejected) as refused:
        import_returns(database, "rma_numbr,order_number\nRMA-1,WEB-1\n")
    assert refused.value.problems == [
        "row 1, column 'rma_numbr': unknown column (did you mean rma_number?)",
        "row 1: required columns missing: rma_number, customer_name, customer_email, currency, "
        "sku, quantity, unit_price, reason_code",
    ]
    lines = SAMPLE.read_text().splitlines()
    broken = "\n".join([lines[0], lines[1].replace(",EUR,", ",GBP,"), lines[2], lines[3]])
    with pytest.raises(ImportRejected) as refused:
        import_returns(database, broken)
    assert refused.value.problems == [
        "row 3, column currency: differs from row 2 of the same return RMA-200001"
    ]


def test_the_command_line_dry_run_writes_nothing_and_errors_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    sample = tmp_path / "returns.csv"
    shutil.copyfile(SAMPLE, sample)

    assert importing.main(["returns", str(sample), "--dry-run", "--database", url]) == 0
    assert "dry run, nothing written: 3 rows: 2 returns would be created" in capsys.readouterr().out
    database = Database(make_engine(url))
    with database.session() as session:
        assert session.exec(select(Return)).all() == []

    assert importing.main(["returns", str(sample), "--database", url]) == 0
    assert "2 returns were created" in capsys.readouterr().out
    with database.session() as session:
        assert len(session.exec(select(Return)).all()) == 2
    database.dispose()

    sample.write_text(
        HEADER
        + "\nRMA-1,WEB-1,Al,al@example.com,EUR,X,1,1.00,x"
        + "," * (HEADER.count(",") - 8)
        + "\n"
    )
    assert importing.main(["returns", str(sample), "--database", url]) == 1
    err = capsys.readouterr().err
    assert "refused, nothing written" in err and "row 2, column sku: unknown SKU 'X'" in err


# --- numbers out of range -----------------------------------------------------------------------

NUMERIC_COLUMNS = ("quantity", "unit_price", "unit_value", "policy_window_days")
IF_EMPTY = {"policy_window_days": "30", "unit_value": "10.00"}  # else a required number
_numbers = itertools.count(1)


def one_row_file(**cells: str) -> tuple[str, str, str]:
    """A file with one row creating a new return, order and product; returns it, RMA and SKU."""
    n = next(_numbers)
    rma, sku = f"RMA-N{n}", f"NUM-{n}"
    row = {
        "rma_number": rma,
        "order_number": f"WEB-N{n}",
        "customer_name": "Al",
        "customer_email": "al@example.com",
        "currency": "EUR",
        "sku": sku,
        "quantity": "1",
        "unit_price": "10.00",
        "reason_code": "too_small",
        "policy_window_days": "30",
        "product_title": "Numbered thing",
        "unit_value": "10.00",
    } | cells
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER.split(","))  # quotes a cell's CR or LF
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue(), rma, sku


@pytest.mark.parametrize(
    ("column", "text", "says"),
    [
        ("unit_price", "1e30", "expected an amount such as 49.99"),
        ("unit_price", "1e-30", "expected an amount such as 49.99"),
        ("unit_price", "NaN", "expected an amount such as 49.99"),
        ("unit_price", "sNaN", "expected an amount such as 49.99"),
        ("unit_price", "Infinity", "expected an amount such as 49.99"),
        ("unit_price", "-0", "must be an amount of 0 or more"),
        ("unit_price", "-1.00", "must be an amount of 0 or more"),
        ("unit_price", "9" * 40, "at most 10000000, not 99999999999999999999... (40 char"),
        ("unit_price", "922337203685478.0", "at most 10000000"),  # past the money column
        ("unit_price", "10000000.01", "at most 10000000"),
        ("unit_price", "1_000", "expected an amount such as 49.99"),
        ("unit_value", "1e30", "expected an amount such as 49.99"),
        ("unit_value", "9" * 40 + ".99", "at most 10000000"),
        ("quantity", "9" * 40, "at most 10000 units on one line, not 9999"),
        ("quantity", "2147483648", "at most 10000 units"),
        ("quantity", "9" * 5000, "at most 10000 units"),  # past Python's int() digit limit
        ("policy_window_days", "9" * 5000, "at most 3650 days"),
        ("quantity", "-3", "must be at least 1, not -3"),
        ("quantity", "1e3", "expected a whole number"),
        ("quantity", "\u0661\u0662", "expected a whole number"),  # Arabic-Indic digits
        ("policy_window_days", "9" * 40, "at most 3650"),
        ("policy_window_days", "-1", "must not be negative"),
        ("policy_window_days", "1.5", "expected a number of days"),
    ],
)
def test_a_number_out_of_range_is_named_by_row_and_column_and_nothing_is_written(
    database: Database, column: str, text: str, says: str
) -> None:
    import_returns_file(database, SAMPLE)
    before = table_rows(database.engine)
    file, _rma, _sku = one_row_file(**{column: text})

    with pytest.raises(ImportRejected) as refused:
        import_returns(database, file)

    assert len(refused.value.problems) == 1, refused.value.problems
    problem = refused.value.problems[0]
    assert problem.startswith(f"row 2, column {column}: {says}"), problem
    assert problem.isprintable() and len(problem) < 150, problem
    assert table_rows(database.engine) == before


def test_the_limits_leave_room_inside_the_database_columns() -> None:
    # A line's total, times a thousand lines, still fits a money column; a quantity and a
    # window fit PostgreSQL's 32-bit INTEGER.
    assert MAX_AMOUNT * MAX_QUANTITY * 1000 <= MONEY_COLUMN_MAX
    assert max(MAX_QUANTITY, MAX_WINDOW_DAYS) < 2**31


@pytest.fixture(scope="module")
def numbers_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("numbers")


@pytest.fixture(scope="module")
def shared_database(numbers_folder: Path) -> Iterator[Database]:
    """One database for every example of a property (each example imports new RMAs and SKUs)."""
    database = Database(make_engine(f"sqlite:///{numbers_folder / 'station.sqlite3'}"))
    ensure_schema(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def shared_audit_key(numbers_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared database's audit key, for every test that writes to it (each test has its
    own private config folder, and with it a key of its own, otherwise)."""
    monkeypatch.setenv("RETURNSDESK_AUDIT_KEY_FILE", str(numbers_folder / "audit.key"))


def stored_number(database: Database, column: str, rma: str, sku: str) -> Decimal:
    with database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
        line = session.exec(select(ReturnLine).where(ReturnLine.return_id == return_.id)).one()
        order_line = session.get_one(OrderLine, line.order_line_id)
        product = session.exec(select(Product).where(Product.sku == sku)).one()
        value = {
            "quantity": line.quantity,
            "unit_price": order_line.unit_price,
            "unit_value": product.unit_value,
            "policy_window_days": return_.policy_window_days,
        }[column]
    return Decimal(value)


_number_like = st.one_of(
    st.integers().map(str),
    st.integers(min_value=0, max_value=10**12).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(min_value=0, max_value=10**10, places=2).map(str),
    st.floats().map(repr),
    st.from_regex(r"\A[ +-]?[0-9]{0,45}(\.[0-9]{0,6})?([eE][+-]?[0-9]{1,3})?\Z"),
    st.sampled_from(["", " ", "NaN", "-0", "+0", "0", "Infinity", "sNaN", "1_000", "٣", "0x1f"]),
    st.text(max_size=12),
    st.builds(str.__mul__, st.sampled_from(["9", "0", "1.5"]), st.integers(1, 6000)),  # long
)


@pytest.mark.usefixtures("shared_audit_key")
@pytest.mark.parametrize("column", NUMERIC_COLUMNS)
@settings(
    deadline=None, max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_number_like)
def test_any_text_in_a_numeric_column_is_stored_exactly_or_refused_by_row_and_column(
    shared_database: Database, column: str, text: str
) -> None:
    file, rma, sku = one_row_file(**{column: text})
    before = table_rows(shared_database.engine)

    try:
        import_returns(shared_database, file)
    except ImportRejected as refused:
        # Refused: one message naming the row and the column, and nothing written
        assert [p.startswith(f"row 2, column {column}: ") for p in refused.problems] == [True], (
            refused.problems
        )
        assert table_rows(shared_database.engine) == before
    else:
        # Imported: exactly the number the cell says (an empty window is the default 30 days;
        # an empty unit_value is the unit_price)
        expected = Decimal(text.strip() or IF_EMPTY[column])
        assert stored_number(shared_database, column, rma, sku) == expected
