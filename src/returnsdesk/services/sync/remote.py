"""The order system's returns as the sync API sends them (docs/sync-api.yaml), checked and typed.

``parse_return`` turns one item of ``GET /returns/changes`` into plain frozen data, or raises
``MalformedAnswer`` naming the item and the field (``order.lines[1].unit_price: ...``), so a
broken answer is refused whole before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from returnsdesk.domain.barcodes import is_valid_gtin, normalise_gtin
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.messages import language_tag, payment_method_word
from returnsdesk.domain.return_window import TIER_LIMIT, customer_tier

DEFAULT_CATEGORY = "uncategorised"  # a line without product data: only "every category" rules
REMOTE_STATUSES = frozenset({"authorised", "received", "inspected", "closed", "cancelled"})
_MONEY = re.compile(r"^\d{1,10}(\.\d{1,4})?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class MalformedAnswer(OperatorError):
    """The order system answered, but not in the contract's shape; nothing was applied."""


@dataclass(frozen=True, slots=True)
class RemoteProduct:
    sku: str
    title: str
    category: str
    unit_value: Decimal
    gtins: tuple[str, ...]  # normalised to 14 digits
    serialised: bool


@dataclass(frozen=True, slots=True)
class RemoteOrderLine:
    line_ref: str
    sku: str
    quantity: int
    unit_price: Decimal
    serial_numbers: tuple[str, ...]
    product: RemoteProduct


@dataclass(frozen=True, slots=True)
class RemoteOrder:
    number: str
    placed_at: datetime
    delivered_at: datetime | None
    currency: str
    customer_name: str
    customer_email: str
    lines: tuple[RemoteOrderLine, ...]
    customer_language: str | None = None  # a BCP 47 tag; None: the shop did not say
    payment_method: str | None = None  # a lead-time key ("card"); None: the shop did not say


@dataclass(frozen=True, slots=True)
class RemoteReturnLine:
    line_ref: str
    sku: str
    quantity: int
    reason_code: str
    comment: str


@dataclass(frozen=True, slots=True)
class RemoteReturn:
    rma_number: str
    status: str  # the contract's ReturnStatus
    created_at: datetime
    updated_at: datetime
    policy_window_days: int
    tracking: tuple[tuple[str, str], ...]  # (number, carrier)
    order: RemoteOrder
    lines: tuple[RemoteReturnLine, ...]
    customer_tier: str | None = None  # as refunds.toml names tiers; None: the customer has none


@dataclass(frozen=True, slots=True)
class ChangesPage:
    items: tuple[RemoteReturn, ...]
    next_cursor: str
    has_more: bool


class _Bad(Exception):
    def __init__(self, where: str, why: str) -> None:
        super().__init__(f"{where}: {why}")


def parse_changes_page(answer: object) -> ChangesPage:
    """A whole ``/returns/changes`` answer; raises ``MalformedAnswer``."""
    if not isinstance(answer, Mapping):
        raise MalformedAnswer("returns/changes: the answer is not a JSON object")
    try:
        items = _list(answer, "items", "returns/changes")
        cursor = _str(answer, "next_cursor", "returns/changes", empty=True)
        has_more = answer.get("has_more")
        if not isinstance(has_more, bool):
            raise _Bad("returns/changes.has_more", f"expected true or false, not {has_more!r}")
    except _Bad as exc:
        raise MalformedAnswer(str(exc)) from None
    parsed = []
    for index, item in enumerate(items):
        rma = item.get("rma_number") if isinstance(item, Mapping) else None
        named = f"returns/changes item {index}" + (f" ({rma})" if isinstance(rma, str) else "")
        try:
            parsed.append(_return(item, named))
        except _Bad as exc:
            raise MalformedAnswer(str(exc)) from None
    return ChangesPage(tuple(parsed), cursor, has_more)


def _return(item: object, where: str) -> RemoteReturn:
    data = _object(item, where)
    status = _str(data, "status", where)
    if status not in REMOTE_STATUSES:
        raise _Bad(f"{where}.status", f"unknown status {status!r}")
    window = data.get("policy_window_days")
    if not isinstance(window, int) or isinstance(window, bool) or window < 0:
        raise _Bad(f"{where}.policy_window_days", f"expected a whole number >= 0, not {window!r}")
    order = _order(data.get("order"), f"{where}.order")
    lines = tuple(
        _return_line(line, f"{where}.lines[{i}]")
        for i, line in enumerate(_list(data, "lines", where))
    )
    known = {line.line_ref for line in order.lines}
    for i, line in enumerate(lines):
        if line.line_ref not in known:
            raise _Bad(
                f"{where}.lines[{i}].line_ref", f"{line.line_ref!r} is not a line of the order"
            )
    tracking = tuple(
        _tracking(t, f"{where}.tracking_numbers[{i}]")
        for i, t in enumerate(_list(data, "tracking_numbers", where))
    )
    return RemoteReturn(
        rma_number=_str(data, "rma_number", where, limit=64),
        status=status,
        created_at=_time(data, "created_at", where),
        updated_at=_time(data, "updated_at", where),
        policy_window_days=window,
        tracking=tracking,
        order=order,
        lines=lines,
        customer_tier=customer_tier(_optional_str(data, "customer_tier", where, TIER_LIMIT)),
    )


def _tracking(value: object, where: str) -> tuple[str, str]:
    """(number, carrier), no longer than their columns (return_tracking)."""
    data = _object(value, where)
    number = _str(data, "number", where, limit=64).upper()
    return number, _str(data, "carrier", where, empty=True, limit=32)


def _order(value: object, where: str) -> RemoteOrder:
    data = _object(value, where)
    currency = _str(data, "currency", where)
    if not _CURRENCY.match(currency):
        raise _Bad(f"{where}.currency", f"expected an ISO 4217 code, not {currency!r}")
    customer = _object(data.get("customer"), f"{where}.customer")
    delivered = data.get("delivered_at")
    return RemoteOrder(
        number=_str(data, "number", where, limit=64),
        placed_at=_time(data, "placed_at", where),
        delivered_at=None if delivered is None else _time(data, "delivered_at", where),
        currency=currency,
        customer_name=_str(customer, "name", f"{where}.customer", empty=True, limit=200),
        customer_email=_str(customer, "email", f"{where}.customer", empty=True, limit=320),
        lines=tuple(
            _order_line(line, f"{where}.lines[{i}]", currency)
            for i, line in enumerate(_list(data, "lines", where))
        ),
        # Optional: a tag that is no language tag counts as not said, not as a broken page.
        customer_language=language_tag(_optional_str(data, "customer_language", where, 16)),
        payment_method=payment_method_word(_optional_str(data, "payment_method", where, 32)),
    )


def _optional_str(data: Mapping[str, Any], key: str, where: str, limit: int) -> str | None:
    return None if data.get(key) is None else _str(data, key, where, empty=True, limit=limit)


def _order_line(value: object, where: str, currency: str) -> RemoteOrderLine:
    data = _object(value, where)
    sku = _str(data, "sku", where, limit=64)
    title = _str(data, "title", where, empty=True, limit=300)
    unit_price = _money(data, "unit_price", where)
    serials = tuple(
        _text_item(s, f"{where}.serial_numbers[{i}]")
        for i, s in enumerate(_list(data, "serial_numbers", where))
    )
    product_data = data.get("product")
    if product_data is None:
        # A shop that sends no product data: the line's own, valued at the price paid.
        product = RemoteProduct(
            sku=sku,
            title=title or sku,
            category=DEFAULT_CATEGORY,
            unit_value=unit_price,
            gtins=(normalise_gtin(sku),) if is_valid_gtin(sku) else (),
            serialised=bool(serials),
        )
    else:
        product = _product(product_data, f"{where}.product", sku, title)
    return RemoteOrderLine(
        line_ref=_str(data, "line_ref", where, limit=64),
        sku=sku,
        quantity=_positive(data, "quantity", where),
        unit_price=unit_price,
        serial_numbers=serials,
        product=product,
    )


def _product(value: object, where: str, sku: str, title: str) -> RemoteProduct:
    data = _object(value, where)
    gtins = []
    for i, gtin in enumerate(_list(data, "gtins", where)):
        text = _text_item(gtin, f"{where}.gtins[{i}]")
        if not is_valid_gtin(text):
            raise _Bad(f"{where}.gtins[{i}]", f"{text!r} is not a GTIN with a valid check digit")
        gtins.append(normalise_gtin(text))
    serialised = data.get("serialised", False)
    if not isinstance(serialised, bool):
        raise _Bad(f"{where}.serialised", f"expected true or false, not {serialised!r}")
    category = _str(data, "category", where, empty=True, limit=64).lower() or DEFAULT_CATEGORY
    return RemoteProduct(
        sku=sku,
        title=_str(data, "title", where, empty=True, limit=300) or title or sku,
        category=category,
        unit_value=_money(data, "unit_value", where),
        gtins=tuple(dict.fromkeys(gtins)),
        serialised=serialised,
    )


def _return_line(value: object, where: str) -> RemoteReturnLine:
    data = _object(value, where)
    return RemoteReturnLine(
        line_ref=_str(data, "line_ref", where, limit=64),
        sku=_str(data, "sku", where, limit=64),
        quantity=_positive(data, "quantity", where),
        reason_code=_str(data, "reason_code", where, limit=64),
        comment=_str(data, "comment", where, empty=True, limit=2000),
    )


# --- field readers -------------------------------------------------------------------------


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _Bad(where, f"expected an object, not {_shown(value)}")
    return value


def _list(data: Mapping[str, Any], key: str, where: str) -> Sequence[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise _Bad(f"{where}.{key}", f"expected a list, not {_shown(value)}")
    return value


def _str(
    data: Mapping[str, Any], key: str, where: str, *, empty: bool = False, limit: int = 1000
) -> str:
    value = data.get(key)
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise _Bad(
            f"{where}.{key}", f"expected {'' if empty else 'non-empty '}text, not {_shown(value)}"
        )
    if len(value) > limit:
        raise _Bad(f"{where}.{key}", f"longer than {limit} characters")
    return _storable(value, f"{where}.{key}").strip()


def _text_item(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(where, f"expected non-empty text, not {_shown(value)}")
    return _storable(value, where).strip()


def _storable(value: str, where: str) -> str:
    if "\x00" in value:  # PostgreSQL cannot store it; the page is refused on every backend
        raise _Bad(where, "holds a NUL character")
    return value


def _positive(data: Mapping[str, Any], key: str, where: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _Bad(f"{where}.{key}", f"expected a whole number >= 1, not {_shown(value)}")
    return value


def _money(data: Mapping[str, Any], key: str, where: str) -> Decimal:
    value = data.get(key)
    if not isinstance(value, str) or not _MONEY.match(value):
        raise _Bad(
            f"{where}.{key}", f'expected a money string such as "49.99", not {_shown(value)}'
        )
    try:
        return Decimal(value)
    except InvalidOperation:  # the pattern should make this impossible
        raise _Bad(f"{where}.{key}", f"not a decimal: {value!r}") from None


def _time(data: Mapping[str, Any], key: str, where: str) -> datetime:
    value = data.get(key)
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise _Bad(f"{where}.{key}", f"expected a timestamp with an offset, not {_shown(value)}")
    return when


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
