"""CSV import of returns, for shops without an API (``returnsdesk import returns FILE.csv``).

One row per return line; the columns are in ``COLUMNS`` and in docs/returns-import-sample.csv.
Every row is checked before anything is written, and every problem is reported with its row
(as a spreadsheet numbers it: the header is row 1) and column. Then the whole file is written
in ONE transaction, or nothing is. Importing the same file again changes nothing new: a return
is found by its RMA and updated, never duplicated. A return the station has already received
(or completed) is left as the station recorded it and reported as skipped.

Products: a SKU the station knows is used as it is; an unknown SKU needs ``product_title``
(and may give ``category``, ``gtin``, ``unit_value``, ``serialised``) to be created. Orders
are found by number (the currency must match) or created from the row.

Client shops (``[clients.<code>]``): a ``client_code`` column (or ``client`` for the whole
file, ``--client``) tags each return and order with its shop; the code must be one of the
station's clients. Order and RMA numbers are each shop's own: a return is found by (shop, RMA)
and an order by (shop, number), so two shops' RMA-1001 are two returns.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import Session

from returnsdesk.data.db import Database
from returnsdesk.data.models import (
    Order,
    OrderLine,
    Product,
)
from returnsdesk.data.repositories import append_audit
from returnsdesk.data.return_writer import ReturnLineValues, ReturnWriter
from returnsdesk.domain.barcodes import is_valid_gtin, normalise_gtin
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.messages import language_tag, payment_method_word
from returnsdesk.domain.money import currency_exponent
from returnsdesk.domain.return_window import TIER_LIMIT, customer_tier
from returnsdesk.domain.vocabulary import ReturnStatus

REQUIRED = (
    "rma_number",
    "order_number",
    "customer_name",
    "customer_email",
    "currency",
    "sku",
    "quantity",
    "unit_price",
    "reason_code",
)
OPTIONAL = (
    "comment",
    "tracking_numbers",  # several separated by spaces
    "carrier",
    "order_placed_at",  # ISO 8601 date or date-time; a date means midnight UTC
    "delivered_at",
    "policy_window_days",
    "serial_numbers",  # several separated by spaces
    "product_title",
    "category",
    "gtin",
    "unit_value",
    "serialised",  # yes/no
    "customer_language",  # a language tag (de, de-DE): the customer's messages are in it
    "payment_method",  # card, paypal, bank_transfer, invoice...: when a refund arrives
    "customer_tier",  # the shop's tier ("gold"): refunds.toml [windows] may give it longer
    "client_code",  # the client shop ([clients.<code>]); empty: the file's (--client)
)
COLUMNS = REQUIRED + OPTIONAL
# Fields of the return itself: every row of one RMA must say the same.
_RETURN_FIELDS = (
    "order_number",
    "customer_name",
    "customer_email",
    "currency",
    "tracking_numbers",
    "carrier",
    "order_placed_at",
    "delivered_at",
    "policy_window_days",
    "customer_language",
    "payment_method",
    "customer_tier",
)
_MAX_ERRORS_SHOWN = 25
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# Numbers as a spreadsheet writes them: ASCII digits and one point, no sign, exponent or
# separators (Python's own parsers also take "1e30", "NaN", "1_000" and other scripts' digits).
_WHOLE = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# Limits far inside the columns (INTEGER is 32-bit on PostgreSQL; money is ExactDecimal, at most
# about 9.2e14): a line's total, MAX_AMOUNT * MAX_QUANTITY = 1e11, leaves room for refunds and
# report sums over thousands of such lines.
MAX_AMOUNT = Decimal(10_000_000)
MAX_QUANTITY = 10_000
MAX_WINDOW_DAYS = 3650
_DEFAULT_CATEGORY = "uncategorised"


class ImportRejected(OperatorError):
    """The file cannot be imported; ``problems`` names each row and column. Nothing was written."""

    def __init__(self, problems: Sequence[str]) -> None:
        shown = list(problems[:_MAX_ERRORS_SHOWN])
        more = len(problems) - len(shown)
        super().__init__("\n".join(shown + ([f"... and {more} more problems"] if more > 0 else [])))
        self.problems = list(problems)


@dataclass(frozen=True)
class ImportRow:
    row: int  # as a spreadsheet numbers it
    rma_number: str
    order_number: str
    customer_name: str
    customer_email: str
    currency: str
    sku: str
    quantity: int
    unit_price: Decimal
    reason_code: str
    comment: str
    tracking_numbers: tuple[str, ...]
    carrier: str
    order_placed_at: datetime | None
    delivered_at: datetime | None
    policy_window_days: int
    serial_numbers: tuple[str, ...]
    product_title: str
    category: str
    gtin: str | None
    unit_value: Decimal | None
    serialised: bool
    customer_language: str | None
    payment_method: str | None
    customer_tier: str | None
    client_code: str | None = None


@dataclass
class ImportResult:
    rows: int = 0
    created: list[str] = field(default_factory=list)  # RMA numbers
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "RMA-1: received at the station already"
    products_created: list[str] = field(default_factory=list)
    orders_created: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.rows} rows: {len(self.created)} returns {verb} created, "
            f"{len(self.updated)} updated, {len(self.skipped)} skipped; "
            f"{len(self.orders_created)} orders and {len(self.products_created)} products new"
        )


def import_returns_file(
    database: Database,
    path: Path,
    *,
    dry_run: bool = False,
    client: str | None = None,
    clients: Collection[str] = (),
) -> ImportResult:
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM from a spreadsheet is fine
    except UnicodeDecodeError as exc:
        message = f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV"
        raise ImportRejected([message]) from None
    except OSError as exc:
        raise ImportRejected([f"{path}: cannot read: {exc.strerror or exc}"]) from exc
    return import_returns(database, text, dry_run=dry_run, client=client, clients=clients)


def import_returns(
    database: Database,
    text: str,
    *,
    dry_run: bool = False,
    client: str | None = None,
    clients: Collection[str] = (),
) -> ImportResult:
    """Check every row, then write them all in one transaction (rolled back for a dry run).

    ``client``: the client shop of rows without a ``client_code``; ``clients``: the codes the
    station knows (a row naming another is refused)."""
    if client is not None and client not in clients:
        raise ImportRejected([f"client {client!r} is not one of this station's [clients]"])
    rows = _known_clients(parse_rows(text, client=client), clients)
    result = ImportResult(rows=len(rows), dry_run=dry_run)
    try:
        with database.session() as session:
            problems = _write(session, rows, result)
            if problems:
                raise ImportRejected(problems)
            if dry_run:
                raise _DryRun  # leaves the transaction, which rolls it back
            append_audit(
                session,
                action="returns.imported",
                subject=f"{len(rows)} CSV rows",
                details={"created": result.created, "updated": result.updated},
                operator_id=None,
                station_id=None,
            )
    except _DryRun:
        pass
    return result


def _known_clients(rows: list[ImportRow], clients: Collection[str]) -> list[ImportRow]:
    problems = [
        f"row {row.row}, column client_code: {row.client_code!r} is not one of this station's "
        f"clients ({', '.join(clients) or 'none set up'})"
        for row in rows
        if row.client_code is not None and row.client_code not in clients
    ]
    if problems:
        raise ImportRejected(problems)
    return rows


class _DryRun(Exception):
    """Raised inside the transaction to roll back what a dry run wrote."""


# --- reading and checking rows ------------------------------------------------------------------


def parse_rows(text: str, *, client: str | None = None) -> list[ImportRow]:
    """Every row checked; raises ``ImportRejected`` listing every problem found. ``client``:
    the shop of rows without a ``client_code`` (rows are one return by shop and RMA)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise ImportRejected(["the file is empty: expected a header row"]) from None
    except csv.Error as exc:
        raise ImportRejected([f"row 1: not readable as CSV: {exc}"]) from None
    problems = _check_header(header)
    if problems:
        raise ImportRejected(problems)
    rows: list[ImportRow] = []
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ImportRejected([f"row {reader.line_num}: not readable as CSV: {exc}"]) from None
    for index, values in enumerate(records):
        number = index + 2
        if not any(value.strip() for value in values):
            continue  # a blank line at the end of a spreadsheet export
        if len(values) != len(header):
            problems.append(f"row {number}: {len(values)} cells, but the header has {len(header)}")
            continue
        cells = {name: value.strip() for name, value in zip(header, values, strict=True)}
        if nul := [name for name, value in cells.items() if "\x00" in value]:
            # PostgreSQL cannot store it (SQLite can): refused on both, before anything is written.
            problems += [f"row {number}, column {name}: holds a NUL character" for name in nul]
            continue
        row = _row(number, cells, problems)
        if row is not None:
            rows.append(row if row.client_code is not None else replace(row, client_code=client))
    if not rows and not problems:
        problems.append("the file has a header but no rows")
    problems += _check_consistency(rows)
    if problems:
        raise ImportRejected(problems)
    return rows


def _check_header(header: list[str]) -> list[str]:
    problems = []
    for name in header:
        if name not in COLUMNS:
            close = difflib.get_close_matches(name, COLUMNS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"row 1, column {name!r}: unknown column{hint}")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    problems += [f"row 1, column {name!r}: appears more than once" for name in duplicated]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        problems.append(f"row 1: required columns missing: {', '.join(missing)}")
    return problems


class _Cell(Exception):
    pass


def _row(number: int, cells: dict[str, str], problems: list[str]) -> ImportRow | None:
    found: dict[str, object] = {}
    ok = True

    def read(name: str, convert: Callable[[str], object]) -> None:
        nonlocal ok
        try:
            found[name] = convert(cells.get(name, ""))
        except _Cell as exc:
            problems.append(f"row {number}, column {name}: {exc}")
            ok = False

    for name in ("rma_number", "order_number", "customer_name", "sku", "reason_code"):
        read(name, _required_text)
    read("customer_email", _email)
    read("currency", _currency)
    read("quantity", _positive)
    read("unit_price", _amount)
    read("unit_value", _optional_amount)
    read("order_placed_at", _optional_time)
    read("delivered_at", _optional_time)
    read("policy_window_days", _window)
    read("gtin", _optional_gtin)
    read("serialised", _yes_no)
    read("customer_language", _optional_language)
    read("payment_method", payment_method_word)
    read("customer_tier", _optional_tier)
    read("client_code", lambda value: value or None)
    for name in ("comment", "carrier", "product_title", "category"):
        read(name, str)
    read("tracking_numbers", _words_upper)
    read("serial_numbers", _words)
    if not ok:
        return None
    currency = str(found["currency"])
    for name in ("unit_price", "unit_value"):
        amount = found[name]
        if isinstance(amount, Decimal) and amount != amount.quantize(
            Decimal(1).scaleb(-currency_exponent(currency))
        ):
            problems.append(
                f"row {number}, column {name}: {amount} has more digits than {currency}"
            )
            ok = False
    if not ok:
        return None
    return ImportRow(row=number, **found)  # type: ignore[arg-type]


def _check_consistency(rows: Iterable[ImportRow]) -> list[str]:
    problems = []
    first: dict[tuple[str | None, str], ImportRow] = {}
    seen_lines: set[tuple[str | None, str, str]] = set()
    for row in rows:
        earlier = first.setdefault((row.client_code, row.rma_number), row)
        for name in _RETURN_FIELDS:
            if getattr(row, name) != getattr(earlier, name):
                problems.append(
                    f"row {row.row}, column {name}: differs from row {earlier.row} of the same "
                    f"return {row.rma_number}"
                )
        if (row.client_code, row.rma_number, row.sku) in seen_lines:
            problems.append(
                f"row {row.row}, column sku: {row.sku} is on {row.rma_number} twice; give one "
                "row with the whole quantity"
            )
        seen_lines.add((row.client_code, row.rma_number, row.sku))
    return problems


def _required_text(value: str) -> str:
    if not value:
        raise _Cell("must not be empty")
    if len(value) > 64:
        raise _Cell(f"longer than 64 characters: {value[:20]!r}...")
    return value


def _email(value: str) -> str:
    if "@" not in value or len(value) > 320:
        raise _Cell(f"not an e-mail address: {value[:40]!r}")
    return value


def _currency(value: str) -> str:
    if not _CURRENCY.match(value):
        raise _Cell(f"expected a three-letter ISO code such as EUR, not {value[:10]!r}")
    return value


def _positive(value: str) -> int:
    if not _WHOLE.fullmatch(value):
        if _negative(value, _WHOLE):
            raise _Cell(f"must be at least 1, not {_shown(value)}")
        raise _Cell(f"expected a whole number, not {value[:20]!r}")
    number = _whole(value, MAX_QUANTITY)
    if number < 1:
        raise _Cell(f"must be at least 1, not {number}")
    if number > MAX_QUANTITY:
        raise _Cell(f"at most {MAX_QUANTITY} units on one line, not {_shown(value)}")
    return number


def _window(value: str) -> int:
    if not value:
        return 30
    if not _WHOLE.fullmatch(value):
        if _negative(value, _WHOLE):
            raise _Cell("must not be negative")
        raise _Cell(f"expected a number of days, not {value[:20]!r}")
    number = _whole(value, MAX_WINDOW_DAYS)
    if number > MAX_WINDOW_DAYS:
        raise _Cell(f"at most {MAX_WINDOW_DAYS} days, not {_shown(value)}")
    return number


def _amount(value: str) -> Decimal:
    if not _DECIMAL.fullmatch(value):
        if _negative(value, _DECIMAL):
            raise _Cell(f"must be an amount of 0 or more, not {value[:20]!r}")
        raise _Cell(f"expected an amount such as 49.99, not {value[:20]!r}")
    amount = Decimal(value)
    if amount > MAX_AMOUNT:
        raise _Cell(f"at most {MAX_AMOUNT}, not {_shown(value)}")
    return amount


def _whole(digits: str, limit: int) -> int:
    """The number, or one past ``limit`` when it has more digits than ``limit`` (``int()``
    refuses more than 4300 digits, and reading thousands of them says nothing more)."""
    significant = digits.lstrip("0")
    return limit + 1 if len(significant) > len(str(limit)) else int(significant or "0")


def _negative(value: str, number: re.Pattern[str]) -> bool:
    """A number of the pattern with a minus sign: told as negative, not as unreadable."""
    return value.startswith("-") and number.fullmatch(value[1:]) is not None


def _shown(number: str) -> str:
    """A number as the file gives it, cut short (a cell can hold thousands of digits)."""
    return number if len(number) <= 20 else f"{number[:20]}... ({len(number)} characters)"


def _optional_amount(value: str) -> Decimal | None:
    return _amount(value) if value else None


def _optional_time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
        when = datetime.fromisoformat(value)
    except ValueError:
        raise _Cell(
            f"expected a date like 2026-11-20 or 2026-11-20T14:30:00+01:00, not {value[:30]!r}"
        ) from None
    if when.tzinfo is None:
        raise _Cell(f"a time needs its offset (+01:00 or Z): {value[:30]!r}")
    return when.astimezone(UTC)


def _optional_gtin(value: str) -> str | None:
    if not value:
        return None
    if not is_valid_gtin(value):
        raise _Cell(f"{value[:20]!r} is not a GTIN with a valid check digit")
    return normalise_gtin(value)


def _optional_language(value: str) -> str | None:
    if not value:
        return None
    tag = language_tag(value)
    if tag is None:
        raise _Cell(f"expected a language tag like de or de-DE, not {value[:20]!r}")
    return tag


def _optional_tier(value: str) -> str | None:
    tier = customer_tier(value)
    if tier is not None and len(tier) > TIER_LIMIT:
        raise _Cell(f"at most {TIER_LIMIT} characters, not {len(tier)}")
    return tier


def _yes_no(value: str) -> bool:
    word = value.lower()
    if word in ("", "no", "false", "0", "n"):
        return False
    if word in ("yes", "true", "1", "y"):
        return True
    raise _Cell(f"expected yes or no, not {value[:10]!r}")


def _words(value: str) -> tuple[str, ...]:
    return tuple(value.split())


def _words_upper(value: str) -> tuple[str, ...]:
    return tuple(word.upper() for word in value.split())


# --- writing ------------------------------------------------------------------------------------


def _write(session: Session, rows: list[ImportRow], result: ImportResult) -> list[str]:
    problems: list[str] = []
    by_rma: dict[tuple[str | None, str], list[ImportRow]] = {}  # by (shop, RMA)
    for row in rows:
        by_rma.setdefault((row.client_code, row.rma_number), []).append(row)
    writer = ReturnWriter.load(
        session,
        skus={row.sku for row in rows},
        gtins={row.gtin for row in rows if row.gtin is not None},
        order_numbers={row.order_number for row in rows},
        rma_numbers={rma for _shop, rma in by_rma},
        tracking_numbers={number for row in rows for number in row.tracking_numbers},
    )
    for (shop, rma), lines in by_rma.items():
        head = lines[0]
        existing = writer.find_return(rma, shop)
        if existing is not None and existing.status is not ReturnStatus.OPEN:
            result.skipped.append(f"{rma}: {existing.status.value} at the station already, kept")
            continue
        order = _order(writer, head, problems, result)
        if order is None:
            continue
        order_lines = [_order_line(writer, order, row, problems, result) for row in lines]
        if any(line is None for line in order_lines):
            continue
        return_ = writer.return_(
            rma,
            shop,
            order_id=order.id,
            customer_name=head.customer_name,
            customer_email=head.customer_email,
            policy_window_days=head.policy_window_days,
            customer_tier=head.customer_tier,
        )
        (result.updated if existing is not None else result.created).append(rma)
        # An open return has no inspections or refund lines yet: its lines may be replaced.
        writer.set_return_lines(
            return_,
            [
                ReturnLineValues(
                    order_line=order_line,
                    quantity=row.quantity,
                    reason_code=row.reason_code,
                    comment=row.comment,
                )
                for row, order_line in zip(lines, order_lines, strict=True)
                if order_line is not None
            ],
        )
        for number in head.tracking_numbers:
            if writer.tracking_owner(number) not in (None, return_.id):
                problems.append(
                    f"row {head.row}, column tracking_numbers: {number} belongs to another return"
                )
                continue
            writer.tracking_number(return_, number, head.carrier)
    session.flush()
    return problems


def _order(
    writer: ReturnWriter, row: ImportRow, problems: list[str], result: ImportResult
) -> Order | None:
    order = writer.find_order(row.order_number, row.client_code)
    if order is not None:
        if order.currency != row.currency:
            problems.append(
                f"row {row.row}, column currency: order {row.order_number} is in "
                f"{order.currency}, not {row.currency}"
            )
            return None
    else:
        result.orders_created.append(row.order_number)
    values: dict[str, Any] = {
        "customer_name": row.customer_name,
        "customer_email": row.customer_email,
        "currency": row.currency,
        "client_code": row.client_code,
    }
    if row.order_placed_at is not None:
        values["placed_at"] = row.order_placed_at
    if row.delivered_at is not None:
        values["delivered_at"] = row.delivered_at
    if row.customer_language is not None:
        values["customer_language"] = row.customer_language
    if row.payment_method is not None:
        values["payment_method"] = row.payment_method
    return writer.order(row.order_number, **values)


def _order_line(
    writer: ReturnWriter, order: Order, row: ImportRow, problems: list[str], result: ImportResult
) -> OrderLine | None:
    product = _product(writer, row, problems, result)
    if product is None:
        return None
    line = next((line for line in writer.lines_of_order(order) if line.sku == row.sku), None)
    return writer.order_line(
        order,
        line,
        product_id=product.id,
        sku=row.sku,
        quantity=max(line.quantity if line is not None else 0, row.quantity),
        unit_price=row.unit_price,
        currency=row.currency,
        serial_numbers=list(row.serial_numbers) or (line.serial_numbers if line else []),
    )


def _product(
    writer: ReturnWriter, row: ImportRow, problems: list[str], result: ImportResult
) -> Product | None:
    # The row's shop's catalogue: another client shop's product with this SKU is not it.
    product = writer.find_product(row.client_code, row.sku)
    if product is None:
        if not row.product_title:
            problems.append(
                f"row {row.row}, column sku: unknown SKU {row.sku!r}; give product_title "
                "(and category, gtin) to create it"
            )
            return None
        product = writer.product(
            row.client_code,
            row.sku,
            title=row.product_title,
            category=(row.category or _DEFAULT_CATEGORY).lower(),
            unit_value=row.unit_value if row.unit_value is not None else row.unit_price,
            currency=row.currency,
            serialised=row.serialised,
        )
        result.products_created.append(row.sku)
    if row.gtin is not None:
        owner = writer.gtin_owner(row.client_code, row.gtin)
        if owner is None:
            writer.gtin(row.gtin, product)
        elif owner != product.id:
            problems.append(f"row {row.row}, column gtin: {row.gtin} belongs to another product")
            return None
    return product
