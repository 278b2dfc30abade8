"""The base of every table, and column types that keep money exact and timestamps aware."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import ConfigDict
from sqlalchemy import BigInteger, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel


class TableModel(SQLModel):
    """What every table derives from: pydantic builds a table's validator only if one is used.

    SQLAlchemy reads and writes the tables; nothing validates them through pydantic. Building
    those validators at import anyway took 35-40 ms of the station's start (about a fifth of
    importing the models).
    """

    # SQLModel types this as its SQLModelConfig (a ConfigDict), which it does not export.
    model_config = ConfigDict(defer_build=True)  # type: ignore[assignment]


_SCALE = 10_000  # four decimal places: covers every ISO 4217 minor unit with room for rates
# The largest amount a money column holds: its scaled integer is a signed 64-bit BIGINT (SQLite's
# INTEGER is the same size). Input from outside is checked against limits well inside it.
MONEY_COLUMN_MAX = Decimal(2**63 - 1) / _SCALE


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal stored as a scaled integer (1/10,000 units).

    SQLite has no exact decimal type (SQLAlchemy's Numeric goes through float there), and an
    integer sums exactly in SQL on SQLite and PostgreSQL alike, so reports can aggregate in the
    database. More than four decimal places is refused rather than silently rounded.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"Money columns take Decimal, not {type(value).__name__}")
        scaled = value * _SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than four decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / _SCALE).quantize(Decimal("0.0001"))


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp. Naive datetimes are refused, so no local time sneaks in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Timestamps must be timezone-aware")
        utc = value.astimezone(UTC)
        # SQLite keeps no offset; store naive UTC there and re-attach UTC on the way out.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
