"""Detached, immutable views handed from services to the GUI (never live ORM objects)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from returnsdesk.domain.inspection import ExpectedLine, InspectedUnit
from returnsdesk.domain.money import Money
from returnsdesk.domain.policy import Policies
from returnsdesk.domain.return_window import ReturnWindow
from returnsdesk.domain.vocabulary import (
    Disposition,
    OperatorRole,
    ParcelStatus,
    RefundStatus,
    ReturnStatus,
)
from returnsdesk.domain.weighing import Weighing


@dataclass(frozen=True)
class ClientProfile:
    """A client shop as the bench sees it ([clients.<code>]): its name and its policies."""

    name: str
    policies: Policies
    label_title: str  # printed on its routing labels


@dataclass(frozen=True)
class StationContext:
    """Who is working where: stamped on every row a station writes."""

    station_id: uuid.UUID
    station_code: str
    station_name: str
    operator_id: uuid.UUID
    operator_code: str
    operator_name: str
    role: OperatorRole


@dataclass(frozen=True)
class ReturnView:
    return_id: uuid.UUID
    rma_number: str
    order_number: str
    order_placed_at: datetime
    delivered_at: datetime | None
    customer_name: str
    customer_email: str
    status: ReturnStatus
    policy_window_days: int  # the return's own, as the shop set it
    days_since_delivery: int | None
    currency: str
    tracking_numbers: tuple[str, ...]
    lines: tuple[ExpectedLine, ...]
    window: ReturnWindow  # the longest that applies: its own, a category's, the tier's
    transit_grace_days: int = 0
    customer_tier: str | None = None
    # The client shop the return belongs to ([clients.<code>]); None: the station's own shop.
    client_code: str | None = None
    client_name: str | None = None  # as the settings name it, shown at the bench

    @property
    def within_window(self) -> bool:
        """As the refund review judges it: within the window plus the grace for the trip back."""
        return not self.window.is_late(self.days_since_delivery, grace_days=self.transit_grace_days)

    @property
    def window_text(self) -> str:
        """Plain text: which window applied and how the parcel stands against it."""
        return self.window.verdict(self.days_since_delivery, grace_days=self.transit_grace_days)

    @property
    def expected_units(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True)
class ReturnSummary:
    """One row of a search result. Two shops may use one RMA or order number: the shop says
    which return it is."""

    return_id: uuid.UUID
    rma_number: str
    order_number: str
    customer_name: str
    status: ReturnStatus
    units: int
    client_code: str | None  # None: the station's own shop
    shop_name: str  # as the station names the shop (``StationService.shop_name``); plain text


# How the station names its own shop (client_code None) beside client shops.
OWN_SHOP_NAME = "This station's own shop"


@dataclass(frozen=True)
class ShopOption:
    """One shop's return a parcel scan matched, when several shops use the number scanned
    (order and RMA numbers are each shop's own): the inspector says which."""

    client_code: str | None  # None: the station's own shop
    shop_name: str  # as the settings name it; plain text
    return_id: uuid.UUID
    rma_number: str
    order_number: str
    customer_name: str
    status: ReturnStatus


@dataclass(frozen=True)
class PaidOnReceipt:
    """The refund released when the parcel was received (a trusted customer's)."""

    total: Money
    released_at: datetime


@dataclass(frozen=True)
class ReceivedParcel:
    parcel_id: uuid.UUID
    view: ReturnView
    resumed: bool  # the parcel was already received (e.g. the station restarted mid-inspection)
    # Units finished in it before (drafts): kept across restarts and between stations.
    finished_units: tuple[InspectedUnit, ...] = ()
    weighing: Weighing | None = None  # the parcel on the bench scale, when it was weighed
    parcel_photos: int = 0  # photos of the parcel itself taken before (an underweight parcel)
    paid_on_receipt: PaidOnReceipt | None = None  # the refund, already issued: inspection follows


@dataclass(frozen=True)
class OutcomeUnit:
    description: str
    sku: str
    grade: str | None
    disposition: Disposition | None
    location: str | None
    flags: tuple[str, ...]
    amount: Money | None  # refunded; None: not refunded (not on the return)
    paid: Money | None = None
    deduction: Money | None = None
    deduction_reason: str = ""


@dataclass(frozen=True)
class ReturnOutcome:
    """What happened to a completed return, for the 'already completed' screen and history."""

    view: ReturnView
    completed_at: datetime | None
    refund_total: Money | None
    refund_status: RefundStatus | None
    refund_status_reason: str
    operator_name: str
    station_code: str
    units: tuple[OutcomeUnit, ...]


@dataclass(frozen=True)
class CompletionResult:
    parcel_id: uuid.UUID
    refund_id: uuid.UUID
    refund_total: Money
    refund_status: RefundStatus
    refund_status_reason: str
    stock_movements: int
    outbox_events: int
    released_on_receipt: bool = False  # paid when the parcel was received (a trusted customer)
    recovery_case_id: uuid.UUID | None = None  # inspection found less than was paid on receipt
    # Found stored already: the same completion asked again after the answer to its commit
    # was lost with the connection; nothing was written this time.
    replayed: bool = False


@dataclass(frozen=True)
class HistoryRow:
    parcel_id: uuid.UUID
    received_at: datetime
    completed_at: datetime | None
    tracking_number: str
    rma_number: str | None
    customer_name: str
    status: ParcelStatus
    units_inspected: int
    refund_total: Money | None
    refund_status: RefundStatus | None
    flags: tuple[str, ...]
    operator_name: str
    photos: int = 0
