"""The warehouse's words as enumerations, shared by the database, the code, the UI and reports."""

from __future__ import annotations

from enum import StrEnum


class ReturnStatus(StrEnum):
    OPEN = "open"  # authorised, parcel not yet received
    RECEIVED = "received"  # parcel scanned at a station, inspection under way
    COMPLETED = "completed"  # refund and stock movements recorded
    CANCELLED = "cancelled"


class ParcelStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    NEEDS_REVIEW = "needs_review"  # unexpected parcel, waiting for a shift lead


class Disposition(StrEnum):
    RESTOCK = "restock"
    REFURBISH = "refurbish"
    LIQUIDATE = "liquidate"
    RECYCLE = "recycle"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class InspectionFlag(StrEnum):
    WRONG_ITEM = "wrong_item"  # the unit received is not on this return
    MISSING = "missing"  # an expected unit was not in the parcel
    EMPTY_BOX = "empty_box"  # the parcel held none of the expected units
    SERIAL_MISMATCH = "serial_mismatch"  # serial differs from every serial shipped on the order
    UNDERWEIGHT = "underweight"  # the parcel weighed much less than what was shipped in it

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class InspectionOutcome(StrEnum):
    INSPECTED = "inspected"  # a physical unit was graded
    MISSING = "missing"  # an expected unit closed as not received


class RefundStatus(StrEnum):
    APPROVED = "approved"  # within policy, to be paid out by the order system
    PENDING_APPROVAL = (
        "pending_approval"  # above the threshold or outside policy: a shift lead decides
    )
    REJECTED = "rejected"


class RecoveryResolution(StrEnum):
    """How a shift lead closed a recovery case (a refund paid on receipt, more than inspection
    found): the words the lead tab, the command and the KPIs use."""

    RECOVERED = "recovered"  # the difference came back from the customer
    WRITTEN_OFF = "written_off"  # not worth chasing, or the shop's goodwill
    DISPUTED = "disputed"  # the customer disputes the finding (chargeback, complaint)

    @property
    def label(self) -> str:
        return {
            RecoveryResolution.RECOVERED: "Recovered from the customer",
            RecoveryResolution.WRITTEN_OFF: "Written off",
            RecoveryResolution.DISPUTED: "Disputed by the customer",
        }[self]


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    NEEDS_ATTENTION = "needs_attention"


class OperatorRole(StrEnum):
    INSPECTOR = "inspector"
    SHIFT_LEAD = "shift_lead"
    ADMIN = "admin"


# Who may approve held refunds and retry or resolve order-system events.
LEAD_ROLES = frozenset({OperatorRole.SHIFT_LEAD, OperatorRole.ADMIN})


class PrintJobStatus(StrEnum):
    QUEUED = "queued"  # waiting for the printer (new, or the printer was offline)
    PRINTED = "printed"  # the printer (or hot folder, or CUPS) accepted it
    FAILED = "failed"  # cannot be rendered; a reprint makes a new job
