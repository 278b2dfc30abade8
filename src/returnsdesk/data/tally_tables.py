"""Report tallies: inspections counted per UTC hour, station and client shop, kept exact as they
are written.

Inspections never change once their parcel is completed, and ``complete_parcel`` is the only
writer, so it adds each unit to these counts in its own transaction (``data.tallies``) and
they cannot drift from the rows. A report reads whole hours of its period from here (a few
hundred rows an hour instead of thousands of inspections) and only the partial hours at its
edges from ``inspections`` (data/report_tallies.py). Absent values are stored as ``''``
rather than NULL so that each group is one row under the primary key (NULLs never conflict):
so is the station's own shop (``returns.client_code`` NULL, and parcels of no return), as
``OWN_SHOP``. A client shop's report reads its own rows; the warehouse's adds up every shop's.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlmodel import Field

from returnsdesk.data.types import ExactDecimal, TableModel, UTCDateTime

# The tallies' key for the station's own shop: client codes are 1 to 40 characters, never ''.
OWN_SHOP = ""


class HourlyTally(TableModel):
    """The key every tally starts with: an hour, a station and a client shop."""

    hour: datetime = Field(sa_type=UTCDateTime, primary_key=True)  # UTC, a whole hour
    station_id: uuid.UUID = Field(primary_key=True)
    # The parcel's return's client_code; OWN_SHOP for the station's own and unexpected parcels.
    client_code: str = Field(primary_key=True, max_length=40)


class UnitTally(HourlyTally, table=True):
    """Units per outcome, grade, stated reason, disposition, flags and product currency, with
    the sum of the products' resale value (``products.unit_value``) when they were tallied."""

    __tablename__ = "unit_tallies"  # units finished in [hour, hour + 1 h) at the station
    outcome: str = Field(primary_key=True, max_length=32)
    grade: str = Field(primary_key=True, max_length=8)  # '' for missing units
    reason_code: str = Field(primary_key=True, max_length=64)  # '' for units on no return line
    disposition: str = Field(primary_key=True, max_length=32)  # '' for missing units
    flags: str = Field(primary_key=True, max_length=400)  # the JSON text stored on the unit
    currency: str = Field(primary_key=True, max_length=3)  # '' when the SKU is no product
    units: int
    resale_value: Decimal = Field(sa_type=ExactDecimal, nullable=False)


class ChecklistTally(HourlyTally, table=True):
    """Inspected units per product category and checklist answer set (the stored JSON)."""

    __tablename__ = "checklist_tallies"
    category: str = Field(primary_key=True, max_length=64)
    answers: str = Field(primary_key=True, max_length=2000)
    units: int


class NoteTally(HourlyTally, table=True):
    """Units per inspection note, trimmed and lower-cased (empty notes are not counted); long
    notes by their first 500 characters (PostgreSQL refuses index keys over ~2,700 bytes)."""

    __tablename__ = "note_tallies"
    note: str = Field(primary_key=True, max_length=500)  # tallies.NOTE_KEY_CHARACTERS
    units: int


class DeductionTally(HourlyTally, table=True):
    """Refund lines with a deduction, per reason and currency, by the hour of their refund and
    the station that received the parcel (refund lines do not change once written)."""

    __tablename__ = "deduction_tallies"
    reason: str = Field(primary_key=True, max_length=300)
    currency: str = Field(primary_key=True, max_length=3)
    units: int
    deducted: Decimal = Field(sa_type=ExactDecimal, nullable=False)


class ReturnTally(HourlyTally, table=True):
    """Refunds made, by the hour of the refund and the station that received the parcel, with
    the work behind them (the KPI report): seconds from parcel received to refund, seconds of
    inspection (each unit's started to finished) and units sent to refurbishment."""

    __tablename__ = "return_tallies"
    refunds: int
    processing_seconds: int  # each refund's rounded to the second: integer sums are exact
    inspection_seconds: int
    refurbished_units: int
