"""SQLModel tables. Every schema change here needs an Alembic migration (see ``migrations/``).

Conventions: UUID primary keys, timezone-aware UTC timestamps (``UTCDateTime``), money as exact
``Decimal`` (``ExactDecimal``) always beside a ``currency`` column.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, Table, UniqueConstraint, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from returnsdesk.data.types import ExactDecimal, TableModel, UTCDateTime, utcnow
from returnsdesk.domain.ids import new_id
from returnsdesk.domain.vocabulary import (
    Disposition,
    InspectionOutcome,
    OperatorRole,
    OutboxStatus,
    ParcelStatus,
    PrintJobStatus,
    RecoveryResolution,
    RefundStatus,
    ReturnStatus,
)

# Named constraints, so later migrations can drop or alter them on every backend.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum(kind: type[StrEnum], **kwargs: Any) -> Any:
    """Store the enum's value ('pending_approval'), the word reports and SQL filters use."""
    column_type = SAEnum(
        kind,
        values_callable=lambda members: [member.value for member in members],
        native_enum=False,
        length=32,
        validate_strings=True,
    )
    return Field(sa_type=column_type, **kwargs)


def _id() -> Any:
    return Field(default_factory=new_id, primary_key=True)


def _money() -> Any:
    return Field(sa_type=ExactDecimal, nullable=False)


def _timestamp(*, nullable: bool = False, index: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_type=UTCDateTime, nullable=True, index=index)
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=index)


def _unique_per_shop(table: str, number: str) -> tuple[Index, Index]:
    """``number`` unique within each shop, not across shops: every Shopify store starts at
    #1001, so two client shops of one desk may share order and RMA numbers.

    A unique index over (number, client_code) lets NULLs repeat, so the station's own shop
    (client_code NULL) gets a partial unique index of its own. Both are plain column indexes,
    which SQLite and PostgreSQL reflect (Alembic's batch mode rebuilds them whole; an
    expression such as COALESCE(client_code, '') is not reflected by SQLite). The pair's
    prefix also serves a scan's lookup of a number across all shops. Migration 0022 creates
    them (the partial one with ``postgresql_where`` too: see FLAGGED_UNITS for why the model
    names only SQLite's condition).
    """
    return (
        Index(f"uq_{table}_{number}_client", number, "client_code", unique=True),
        Index(
            f"uq_{table}_{number}_own_shop",
            number,
            unique=True,
            sqlite_where=text("client_code IS NULL"),
        ),
    )


def _fk(target: str, *, nullable: bool = False, index: bool = True, unique: bool = False) -> Any:
    """A foreign key checked at commit, not per statement.

    The tables have no ORM relationships, so the unit of work does not order INSERTs by
    dependency; deferred constraints let one transaction add rows in any order and still
    refuse to commit a dangling reference (SQLite and PostgreSQL both honour this).
    """
    fk = ForeignKey(target, deferrable=True, initially="DEFERRED")
    if nullable:
        return Field(default=None, sa_column_args=[fk], nullable=True, index=index, unique=unique)
    return Field(sa_column_args=[fk], nullable=False, index=index, unique=unique)


AUDIT_KEYED, AUDIT_PLAIN = "hmac-sha256", "sha256"  # AuditEntry.algorithm


# --- people and places ----------------------------------------------------------------------


class Station(TableModel, table=True):
    __tablename__ = "stations"
    id: uuid.UUID = _id()
    code: str = Field(unique=True, max_length=40)
    name: str = Field(max_length=200)
    created_at: datetime = _timestamp()


class Operator(TableModel, table=True):
    __tablename__ = "operators"
    id: uuid.UUID = _id()
    code: str = Field(unique=True, max_length=40)  # printed on the badge barcode
    name: str = Field(max_length=200)
    role: OperatorRole = _enum(OperatorRole, default=OperatorRole.INSPECTOR)
    pin_hash: str | None = Field(default=None, max_length=200)  # argon2; None means no PIN
    active: bool = Field(default=True)
    # Wrong PINs since the last good one; at the limit the badge is locked until locked_until
    # (services/operators.py). In the database, so a restart does not reset them.
    failed_pin_attempts: int = Field(default=0)
    locked_until: datetime | None = _timestamp(nullable=True)
    created_at: datetime = _timestamp()


# --- catalogue and orders -------------------------------------------------------------------


class Product(TableModel, table=True):
    """A product of one shop's catalogue: each client shop has its own SKUs (and prices)."""

    __tablename__ = "products"
    id: uuid.UUID = _id()
    # The client shop whose catalogue holds it ([clients.<code>]); None: the station's own shop.
    # Unique with the SKU in each shop (``uq_products_shop_sku``, ``uq_products_own_sku`` below).
    client_code: str | None = Field(default=None, max_length=40)
    sku: str = Field(max_length=64)
    title: str = Field(max_length=300)
    category: str = Field(max_length=64, index=True)
    unit_value: Decimal = _money()  # current resale value, for disposition rules and reports
    currency: str = Field(max_length=3)
    weight_grams: int = Field(default=0)
    serialised: bool = Field(default=False)  # units carry serial numbers that are checked
    size: str | None = Field(default=None, max_length=32)


class ProductGtin(TableModel, table=True):
    """A GTIN printed on a product. Two shops may sell one GTIN as products of their own; within
    a shop it names one product (``uq_product_gtins_shop_gtin``, ``uq_product_gtins_own_gtin``)."""

    __tablename__ = "product_gtins"
    product_id: uuid.UUID = Field(
        sa_column_args=[ForeignKey("products.id", deferrable=True, initially="DEFERRED")],
        primary_key=True,
    )
    gtin: str = Field(primary_key=True, max_length=14)  # normalised to 14 digits
    client_code: str | None = Field(default=None, max_length=40)  # its product's


class Order(TableModel, table=True):
    __tablename__ = "orders"
    __table_args__ = _unique_per_shop("orders", "number")
    id: uuid.UUID = _id()
    number: str = Field(max_length=64)  # the shop's own: unique per client_code
    customer_name: str = Field(max_length=200, index=True)
    customer_email: str = Field(max_length=320)
    currency: str = Field(max_length=3)
    placed_at: datetime = _timestamp(index=True)  # reports: units sold in a period
    delivered_at: datetime | None = _timestamp(nullable=True)
    # For customer messages (services/messages): how the refund is paid back (its lead time
    # in business days) and the language the customer shopped in ("de", "en-GB"). None: the
    # shop did not say; messages use the configured default language and the longest wait.
    payment_method: str | None = Field(default=None, max_length=32)
    customer_language: str | None = Field(default=None, max_length=16)
    # The client shop it was sold by ([clients.<code>]); None: the station's own shop.
    client_code: str | None = Field(default=None, max_length=40, index=True)


class OrderLine(TableModel, table=True):
    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_ref"),)
    id: uuid.UUID = _id()
    order_id: uuid.UUID = _fk("orders.id")
    product_id: uuid.UUID = _fk("products.id")
    sku: str = Field(max_length=64)
    quantity: int
    unit_price: Decimal = _money()  # price paid per unit, after discounts
    currency: str = Field(max_length=3)
    serial_numbers: list[str] = Field(default_factory=list, sa_type=JSON)  # as shipped
    # The order system's reference of this line (the contract's line_ref); refunds name it.
    # None: the line did not come from the order system (demo data, CSV import).
    line_ref: str | None = Field(default=None, max_length=64)


# --- returns ----------------------------------------------------------------------------------


class Return(TableModel, table=True):
    __tablename__ = "returns"
    __table_args__ = _unique_per_shop("returns", "rma_number")
    id: uuid.UUID = _id()
    rma_number: str = Field(max_length=64)  # the shop's own: unique per client_code
    order_id: uuid.UUID = _fk("orders.id")
    customer_name: str = Field(max_length=200, index=True)
    customer_email: str = Field(max_length=320)
    status: ReturnStatus = _enum(ReturnStatus, default=ReturnStatus.OPEN, index=True)
    created_at: datetime = _timestamp(index=True)  # reports: returns opened in a period
    expected_at: datetime | None = _timestamp(nullable=True)
    policy_window_days: int = Field(default=30)
    # The shop's customer tier (e.g. "gold"): refunds.toml [windows] may give it a longer window.
    customer_tier: str | None = Field(default=None, max_length=32)
    completed_at: datetime | None = _timestamp(nullable=True)
    # The order system's updated_at of the version last pulled; an older one is never applied.
    remote_updated_at: datetime | None = _timestamp(nullable=True)
    # The client shop it is returned to ([clients.<code>]); None: the station's own shop.
    client_code: str | None = Field(default=None, max_length=40, index=True)


class ReturnTracking(TableModel, table=True):
    """A carrier tracking number a return may arrive under (outbound label, re-labels)."""

    __tablename__ = "return_tracking"
    tracking_number: str = Field(primary_key=True, max_length=64)
    return_id: uuid.UUID = _fk("returns.id")
    carrier: str = Field(max_length=32)


class ReturnLine(TableModel, table=True):
    __tablename__ = "return_lines"
    id: uuid.UUID = _id()
    return_id: uuid.UUID = _fk("returns.id")
    order_line_id: uuid.UUID = _fk("order_lines.id")
    sku: str = Field(max_length=64)
    quantity: int
    reason_code: str = Field(max_length=64)
    customer_comment: str = Field(default="", max_length=2000)


# --- receiving and inspection --------------------------------------------------------------


class Parcel(TableModel, table=True):
    __tablename__ = "parcels"
    # A parcel scan looks for the return's open parcel (returns.open_parcel_of, migration 0018).
    __table_args__ = (Index("ix_parcels_return_id_status", "return_id", "status"),)
    id: uuid.UUID = _id()
    # None: an unexpected parcel. Indexed first in the pair above.
    return_id: uuid.UUID | None = _fk("returns.id", nullable=True, index=False)
    # As scanned (an unexpected parcel's may be a long GS1-128 or carrier code): at most
    # TRACKING_LIMIT (services/intake.py), the scanner's default longest scan.
    tracking_number: str = Field(max_length=80, index=True)
    carrier: str = Field(max_length=32)
    station_id: uuid.UUID = _fk("stations.id")
    operator_id: uuid.UUID = _fk("operators.id")
    received_at: datetime = _timestamp(index=True)
    completed_at: datetime | None = _timestamp(nullable=True)
    status: ParcelStatus = _enum(ParcelStatus, default=ParcelStatus.OPEN, index=True)
    unexpected: bool = Field(default=False)
    note: str = Field(default="", max_length=2000)
    # The weight check (domain/weighing.py): the parcel on the bench scale when it was opened,
    # and what it should have weighed (goods plus packaging; None: a weight not known).
    weighed_grams: int | None = Field(default=None)
    expected_grams: int | None = Field(default=None)
    lowest_grams: int | None = Field(default=None)  # lighter than this: flagged underweight
    weighed_at: datetime | None = _timestamp(nullable=True)


class Inspection(TableModel, table=True):
    """One unit: a physical unit graded at the station, or an expected unit closed missing."""

    __tablename__ = "inspections"
    id: uuid.UUID = _id()
    parcel_id: uuid.UUID = _fk("parcels.id")
    return_line_id: uuid.UUID | None = _fk("return_lines.id", nullable=True)  # None: not on return
    operator_id: uuid.UUID = _fk("operators.id")
    station_id: uuid.UUID = _fk("stations.id")
    outcome: InspectionOutcome = _enum(InspectionOutcome)
    sku_scanned: str | None = Field(default=None, max_length=64)
    # The product of the return's shop that was scanned; None: a unit closed missing.
    product_id: uuid.UUID | None = _fk("products.id", nullable=True, index=False)
    grade: str | None = Field(default=None, max_length=8)
    checklist: dict[str, bool] = Field(default_factory=dict, sa_type=JSON)
    serial_scanned: str | None = Field(default=None, max_length=128)
    notes: str = Field(default="", max_length=4000)
    flags: list[str] = Field(default_factory=list, sa_type=JSON)
    started_at: datetime = _timestamp()
    finished_at: datetime = _timestamp(index=True)
    # On the unit's routing label (domain.labels.license_plate); None for missing units.
    license_plate: str | None = Field(default=None, max_length=16, unique=True)


class DispositionDecision(TableModel, table=True):
    __tablename__ = "dispositions"
    id: uuid.UUID = _id()
    inspection_id: uuid.UUID = _fk("inspections.id", index=False, unique=True)
    disposition: Disposition = _enum(Disposition)
    location: str = Field(max_length=64)
    rule: str = Field(max_length=120)  # name of the policy rule that suggested it
    overridden_from: Disposition | None = _enum(Disposition, default=None, nullable=True)
    override_reason: str | None = Field(default=None, max_length=1000)


class Refund(TableModel, table=True):
    """The refund for a return. ``return_id`` is unique: a return is refunded at most once."""

    __tablename__ = "refunds"
    id: uuid.UUID = _id()
    return_id: uuid.UUID = _fk("returns.id", index=False, unique=True)
    parcel_id: uuid.UUID = _fk("parcels.id")
    operator_id: uuid.UUID = _fk("operators.id")
    total: Decimal = _money()
    currency: str = Field(max_length=3)
    status: RefundStatus = _enum(RefundStatus, index=True)  # reports: waiting for approval
    status_reason: str = Field(default="", max_length=500)
    created_at: datetime = _timestamp(index=True)
    # Released when the parcel was received (a trusted customer), before inspection.
    released_on_receipt: bool = Field(default=False)


class RefundLine(TableModel, table=True):
    __tablename__ = "refund_lines"
    __table_args__ = (UniqueConstraint("refund_id", "return_line_id", "unit_index"),)
    id: uuid.UUID = _id()
    refund_id: uuid.UUID = _fk("refunds.id")
    return_line_id: uuid.UUID = _fk("return_lines.id")
    inspection_id: uuid.UUID | None = _fk("inspections.id", nullable=True)
    unit_index: int  # which unit of the return line (0-based)
    gross: Decimal = _money()  # price paid for the unit
    deduction: Decimal = _money()
    amount: Decimal = _money()  # gross - deduction
    currency: str = Field(max_length=3)
    deduction_reason: str = Field(default="", max_length=300)


class StockMovement(TableModel, table=True):
    __tablename__ = "stock_movements"
    id: uuid.UUID = _id()
    # The product of the return's shop; the SKU alone is ambiguous once shops share SKUs.
    product_id: uuid.UUID = _fk("products.id")
    sku: str = Field(max_length=64, index=True)
    location: str = Field(max_length=64)
    quantity_delta: int
    reason: str = Field(max_length=64)
    inspection_id: uuid.UUID = _fk("inspections.id")
    created_at: datetime = _timestamp(index=True)


# --- integration and accountability ----------------------------------------------------------


class OutboxEvent(TableModel, table=True):
    """An event for the order system, written in the same transaction as the change it reports."""

    __tablename__ = "outbox_events"
    # The relay's claim reads pending events in sequence order.
    __table_args__ = (Index("ix_outbox_events_status_sequence", "status", "sequence"),)
    id: uuid.UUID = _id()
    sequence: int | None = Field(
        default=None, sa_column=Column(Integer, unique=True, nullable=True, index=True)
    )  # delivery order; numbered at commit, in commit order (repositories._number_appends)
    event_type: str = Field(max_length=64)
    aggregate_id: uuid.UUID = Field(index=True)  # the return the event belongs to
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    idempotency_key: str = Field(unique=True, max_length=64)
    status: OutboxStatus = _enum(OutboxStatus, default=OutboxStatus.PENDING, index=True)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = _timestamp()
    next_attempt_at: datetime = _timestamp()
    delivered_at: datetime | None = _timestamp(nullable=True)
    # Written not due until then (a return.received waiting out the grace period, so a receipt
    # undone meanwhile is never heard of). While ``next_attempt_at`` still equals it, no relay
    # has claimed or tried the event: a claim's lease token always lies after it.
    held_until: datetime | None = _timestamp(nullable=True)
    # Whose order system the relay sends it to (its return's client); None: [order_system].
    client_code: str | None = Field(default=None, max_length=40)


class OutboxKeyReplacement(TableModel, table=True):
    """A parked event sent again under a new idempotency key, recorded against the old one.

    Written only after the shop said the old key was refused (nothing applied), so the two keys
    can never both pay (services/sync/recovery.py). No foreign key to the event: delivered
    events are pruned (housekeeping), while this record stays beside the audit trail.
    """

    __tablename__ = "outbox_key_replacements"
    id: uuid.UUID = _id()
    event_id: uuid.UUID = Field(index=True)
    old_key: str = Field(unique=True, max_length=64)
    new_key: str = Field(unique=True, max_length=64)
    shop_answer: str = Field(max_length=500)  # what the shop said of the old key
    operator_id: uuid.UUID = _fk("operators.id")
    station_id: uuid.UUID | None = _fk("stations.id", nullable=True)
    replaced_at: datetime = _timestamp()


class AuditEntry(TableModel, table=True):
    """Append-only, keyed hash chain of who did what (repositories.append_audit).

    Each entry's ``entry_hash`` covers the previous entry's. ``algorithm`` says how it was
    made: "hmac-sha256" (keyed, data/audit_key.py) for every entry since migration 0009,
    "sha256" (plain) for those written before; the database refuses UPDATE and DELETE.
    """

    __tablename__ = "audit_entries"
    id: uuid.UUID = _id()
    sequence: int = Field(unique=True, index=True)
    at: datetime = _timestamp()
    operator_id: uuid.UUID | None = _fk("operators.id", nullable=True)
    station_id: uuid.UUID | None = _fk("stations.id", nullable=True)
    action: str = Field(max_length=64)
    subject: str = Field(max_length=200)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    previous_hash: str = Field(max_length=64)
    entry_hash: str = Field(max_length=64, unique=True)
    # Rows from before migration 0009 read "sha256" (the server default the migration added).
    algorithm: str = Field(
        default=AUDIT_KEYED, max_length=16, sa_column_kwargs={"server_default": AUDIT_PLAIN}
    )


class AuditSeal(TableModel, table=True):
    """One row: the newest audit entry, sealed with the audit key, rewritten by every append.

    Deleting the newest entries leaves the seal naming an entry that is gone; rewriting the
    seal needs the key. ``legacy_until``: the last plain-SHA-256 entry (0 if none), before
    which entries need not be keyed. ``key_id`` names the key (audit_key.AuditKey.key_id).
    """

    __tablename__ = "audit_seal"
    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    key_id: str = Field(max_length=16)
    head_sequence: int
    head_hash: str = Field(max_length=64)
    legacy_until: int
    sealed_at: datetime = _timestamp()
    mac: str = Field(max_length=64)


# --- evidence -------------------------------------------------------------------------------


class Photo(TableModel, table=True):
    """A photo taken at the station; the JPEG lives under the photo root, not in the database."""

    __tablename__ = "photos"
    id: uuid.UUID = _id()
    parcel_id: uuid.UUID = _fk("parcels.id")
    # The inspection's id once completed. No foreign key: photos are taken before the
    # inspection row exists. None: a photo of the parcel itself.
    unit_id: uuid.UUID | None = Field(default=None, index=True)
    relative_path: str = Field(max_length=300)  # under the photo root, with "/" separators
    sha256: str = Field(max_length=64)  # of the file's bytes, to detect a missing or altered file
    bytes: int
    width: int
    height: int
    taken_at: datetime = _timestamp(index=True)
    operator_id: uuid.UUID = _fk("operators.id")
    station_id: uuid.UUID = _fk("stations.id")


# --- inbound sync -------------------------------------------------------------------------------


class SyncCursor(TableModel, table=True):
    """Where an inbound feed of the order system was read up to (one row per feed)."""

    __tablename__ = "sync_cursors"
    feed: str = Field(primary_key=True, max_length=64)  # "returns": GET /returns/changes
    cursor: str = Field(default="", max_length=1000)  # opaque, as the order system gave it
    pulled_at: datetime = _timestamp()  # the last page read without error


# --- labels ---------------------------------------------------------------------------------


class PrintJob(TableModel, table=True):
    """A label to print, written durably before any printer is tried; the print worker drains it.

    ``payload`` holds everything needed to render the label again (``RoutingLabel``), so a job
    survives printer changes and restarts. Each station's worker prints its own station's jobs.
    """

    __tablename__ = "print_jobs"
    id: uuid.UUID = _id()
    kind: str = Field(max_length=32)  # routing_label, reprint, test
    station_id: uuid.UUID = _fk("stations.id")
    parcel_id: uuid.UUID | None = _fk("parcels.id", nullable=True)
    # The inspection's id. No foreign key: a unit's label is queued when the unit is finished,
    # before its inspection row is written with the parcel's completion (as for photos).
    unit_id: uuid.UUID | None = Field(default=None, index=True)
    license_plate: str | None = Field(default=None, max_length=16, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    printer: str = Field(max_length=300)  # the printer it was queued for, then printed on
    status: PrintJobStatus = _enum(PrintJobStatus, default=PrintJobStatus.QUEUED, index=True)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = _timestamp(index=True)
    next_attempt_at: datetime = _timestamp()
    printed_at: datetime | None = _timestamp(nullable=True)


# --- units finished before their parcel is completed -------------------------------------------


class UnitDraft(TableModel, table=True):
    """A unit the inspector finished in a parcel that is not completed yet.

    Written when the unit is accepted (with its routing label job), read back when the parcel is
    scanned again (after a restart, or at another station), deleted by the parcel's completion.
    ``payload`` is ``domain.inspection.InspectedUnit.to_record()``.
    """

    __tablename__ = "unit_drafts"
    unit_id: uuid.UUID = Field(primary_key=True)  # becomes the inspection's id at completion
    parcel_id: uuid.UUID = _fk("parcels.id")
    station_id: uuid.UUID = _fk("stations.id")
    operator_id: uuid.UUID = _fk("operators.id")
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = _timestamp()


# --- grader consistency -----------------------------------------------------------------------


class Regrade(TableModel, table=True):
    """A unit picked, when its parcel was completed, for a blind second grading by another
    inspector (services/regrades.py). ``grade`` is None while it waits in the queue."""

    __tablename__ = "regrades"
    id: uuid.UUID = _id()
    inspection_id: uuid.UUID = _fk("inspections.id", index=False, unique=True)
    first_operator_id: uuid.UUID = _fk("operators.id")
    first_grade: str = Field(max_length=8)  # never shown to the second inspector
    queued_at: datetime = _timestamp(index=True)
    operator_id: uuid.UUID | None = _fk("operators.id", nullable=True)  # the second inspector
    station_id: uuid.UUID | None = _fk("stations.id", nullable=True)
    grade: str | None = Field(default=None, max_length=8)
    regraded_at: datetime | None = _timestamp(nullable=True, index=True)


class RecoveryCase(TableModel, table=True):
    """Inspection found less to refund than was released on receipt, or a fraud flag: a shift
    lead recovers the difference from the customer. At most one per return, like its refund."""

    __tablename__ = "recovery_cases"
    id: uuid.UUID = _id()
    return_id: uuid.UUID = _fk("returns.id", index=False, unique=True)
    refund_id: uuid.UUID = _fk("refunds.id")
    paid: Decimal = _money()  # the refund released on receipt
    inspected: Decimal = _money()  # what the inspection would have refunded
    currency: str = Field(max_length=3)
    reason: str = Field(max_length=500)
    opened_at: datetime = _timestamp(index=True)
    closed_at: datetime | None = _timestamp(nullable=True)
    # Who completed the inspection that opened it, and the lead who closed it, how and why
    # (migration 0019; cases opened before it name no one).
    opened_by: uuid.UUID | None = _fk("operators.id", nullable=True, index=False)
    closed_by: uuid.UUID | None = _fk("operators.id", nullable=True, index=False)
    resolution: RecoveryResolution | None = _enum(RecoveryResolution, default=None, nullable=True)
    resolution_note: str = Field(default="", max_length=1000)
    # The inspection's flags that need a lead (InspectionFlag values), empty when it only
    # found less to refund.
    flags: list[str] = Field(default_factory=list, sa_type=JSON)


# Reports (data/report_queries.py) read whole periods: these covering indexes hold every
# column those queries use, so a period is one range of one index instead of a lookup in the
# table per inspection, parcel, refund or order line (migration 0007, bench/bench_reports.py).
_REPORT_INDEXES: dict[str, tuple[type[SQLModel], tuple[str, ...]]] = {
    "ix_inspections_report": (
        Inspection,
        (
            "finished_at",
            "station_id",
            "outcome",
            "grade",
            "operator_id",
            "started_at",
            "sku_scanned",
            "return_line_id",
            "id",
            "product_id",  # tallies read the unit's product by it (data/tallies.py)
        ),
    ),
    "ix_parcels_report": (Parcel, ("received_at", "station_id", "unexpected")),
    "ix_refunds_report": (Refund, ("created_at", "parcel_id", "status", "currency", "total", "id")),
    "ix_order_lines_report": (OrderLine, ("order_id", "product_id", "quantity")),
    "ix_orders_report": (Order, ("placed_at", "id")),
    "ix_returns_report": (Return, ("created_at", "id")),
    "ix_return_lines_report": (
        ReturnLine,
        ("return_id", "order_line_id", "quantity", "reason_code"),
    ),
    "ix_refund_lines_report": (
        RefundLine,
        ("refund_id", "deduction", "deduction_reason", "currency"),
    ),
}


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Core table, for plain-row INSERTs (SQLModel's types do not declare it)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def row_of(instance: SQLModel) -> dict[str, Any]:
    """A table model's object as a plain row for its Core table (an INSERT without the ORM)."""
    return {column.name: getattr(instance, column.name) for column in table_of(type(instance)).c}


for _name, (_model, _columns) in _REPORT_INDEXES.items():
    _table = table_of(_model)
    Index(_name, *(_table.c[column] for column in _columns))
# Exception lists read only flagged units: a partial index holds just those (about 1 in 100),
# so a shift's list skips the table lookup per unit. A query uses it when it repeats this
# condition with the literals written out (queries.exception_parcels). Migration 0008 creates
# it, partial on SQLite and PostgreSQL alike. The condition is declared here for SQLite only:
# naming ``postgresql_where`` would import SQLAlchemy's PostgreSQL dialect, with all its
# drivers, into every station's start (40 ms), and only ``create_all`` would read it, which
# nothing runs on PostgreSQL (Alembic's schema comparison does not compare index conditions).
FLAGGED_UNITS = "CAST(flags AS VARCHAR) NOT IN ('[]', 'null')"
Index(
    "ix_inspections_flagged",
    Inspection.__table__.c.finished_at,  # type: ignore[attr-defined]
    Inspection.__table__.c.station_id,  # type: ignore[attr-defined]
    sqlite_where=text(FLAGGED_UNITS),
)

# One product per SKU (and one per GTIN) in each shop's catalogue. A unique key on
# (client_code, sku) holds for client shops only: the station's own shop is NULL, which repeats
# in a unique key on SQLite and PostgreSQL alike. A partial unique index holds the own shop's
# (migration 0022 creates it partial on both; declared for SQLite only, as above). Plain
# columns rather than COALESCE(client_code, ''): SQLite's reflection skips expression indexes,
# so a later batch migration would silently drop such a key; it keeps partial ones.
for _table, _code in ((Product.__table__, "sku"), (ProductGtin.__table__, "gtin")):  # type: ignore[attr-defined]
    _table.append_constraint(
        UniqueConstraint("client_code", _code, name=f"uq_{_table.name}_shop_{_code}")
    )
    Index(
        f"uq_{_table.name}_own_{_code}",
        _table.c[_code],
        unique=True,
        sqlite_where=_table.c.client_code.is_(None),
    )

# The report tallies' tables live in their own module; importing it here puts them on
# SQLModel.metadata wherever the models are (migrations, schema check).
from returnsdesk.data import tally_tables  # noqa: E402, F401
