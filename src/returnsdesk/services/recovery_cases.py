"""Recovery cases: a refund released on receipt that the inspection found too high (or a
fraud flag), handed to a shift lead who recovers the difference, writes it off, or records
that the customer disputes it.

Closing is one transaction: the case's resolution, the lead and the note, and an audit entry.
The rules are those of a refund decision (``approvals``), checked here below every screen and
command: a lead by the database's record, not the one who handled the return at the station,
a note that says what happened; each refusal is audited.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from returnsdesk.data import recovery, refunds, returns
from returnsdesk.data.db import Database
from returnsdesk.data.repositories import append_audit, return_subject
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.money import Money
from returnsdesk.domain.vocabulary import LEAD_ROLES, InspectionFlag, RecoveryResolution
from returnsdesk.services.approvals import FourEyesRequired
from returnsdesk.services.operators import NotAShiftLead, holds_role, refusals_audited
from returnsdesk.services.views import StationContext

log = logging.getLogger(__name__)

NOTE_CHARS = 1000


class RecoveryAlreadyClosed(OperatorError):
    """Another lead (or station) closed this case first."""


class RecoveryNeedsNote(OperatorError):
    """A closed case says what happened: the next lead, and the audit, read it."""


@dataclass(frozen=True)
class RecoveryCaseView:
    case_id: uuid.UUID
    rma_number: str
    order_number: str
    customer_name: str
    paid: Money  # released on receipt
    inspected: Money  # what the inspection would have refunded
    refund_released_at: datetime
    reason: str  # what inspection found, in words
    flags: tuple[str, ...]  # the flags that need a lead, as labels ("Wrong item")
    opened_at: datetime
    opened_by: str  # "" for a case opened before that was recorded
    client_code: str | None = None  # the return's client shop; None: the station's own

    @property
    def at_stake(self) -> Money:
        return at_stake(self.paid, self.inspected)

    @property
    def found(self) -> str:
        """In a few words: the flags, or that inspection refunds less."""
        return ", ".join(self.flags) or "Worth less than paid"


@dataclass(frozen=True)
class ClosedRecovery:
    case_id: uuid.UUID
    rma_number: str
    resolution: RecoveryResolution
    at_stake: Money
    closed_by: str


def at_stake(paid: Money, inspected: Money) -> Money:
    """Paid beyond what inspection found (nothing when only a flag opened the case)."""
    over = paid - inspected
    return over if over.amount > 0 else Money.zero(paid.currency)


def _flag_label(value: str) -> str:
    try:
        return InspectionFlag(value).label
    except ValueError:  # a flag of a newer version: its word as stored
        return value


def open_cases(database: Database, *, limit: int = 500) -> list[RecoveryCaseView]:
    """Recovery cases waiting for a lead, oldest first."""
    with database.read() as session:
        return [
            RecoveryCaseView(
                case_id=case.id,
                rma_number=return_.rma_number,
                order_number=order_number,
                customer_name=return_.customer_name,
                paid=Money(case.paid, case.currency),
                inspected=Money(case.inspected, case.currency),
                refund_released_at=released_at,
                reason=case.reason,
                flags=tuple(_flag_label(flag) for flag in case.flags),
                opened_at=case.opened_at,
                opened_by=opener or "",
                client_code=return_.client_code,
            )
            for case, return_, order_number, released_at, opener in recovery.open_cases(
                session, limit=limit
            )
        ]


def close_case(
    database: Database,
    case_id: uuid.UUID,
    lead: StationContext,
    *,
    resolution: RecoveryResolution,
    note: str,
    now: datetime,
) -> ClosedRecovery:
    note = note.strip()
    if not note:
        raise RecoveryNeedsNote(
            "Say what happened (e.g. the customer paid back 25.00 by bank transfer)."
        )
    refusals = (NotAShiftLead, FourEyesRequired)
    with refusals_audited(database, lead, "refund.recovery_close_refused", str(case_id), refusals):
        return _close(database, case_id, lead, resolution=resolution, note=note, now=now)


def _close(
    database: Database,
    case_id: uuid.UUID,
    lead: StationContext,
    *,
    resolution: RecoveryResolution,
    note: str,
    now: datetime,
) -> ClosedRecovery:
    with database.session() as session:
        if not holds_role(session, lead, LEAD_ROLES):
            raise NotAShiftLead("Only a shift lead can close a recovery case.")
        case = recovery.lock_case(session, case_id)
        if case is None or case.closed_at is not None:
            state = "no longer exists" if case is None else "is closed already"
            raise RecoveryAlreadyClosed(f"That recovery case {state}.")
        return_ = returns.get_return(session, case.return_id)
        assert return_ is not None  # foreign key
        if lead.operator_id in refunds.handled_by(session, return_.id):
            raise FourEyesRequired(
                f"{lead.operator_name} handled {return_.rma_number} at the station: another shift"
                " lead must close its recovery case."
            )
        case.closed_at = now
        case.closed_by = lead.operator_id
        case.resolution = resolution
        case.resolution_note = note[:NOTE_CHARS]
        session.add(case)
        stake = at_stake(Money(case.paid, case.currency), Money(case.inspected, case.currency))
        append_audit(
            session,
            action="refund.recovery_closed",
            subject=return_subject(return_.rma_number, return_.client_code),
            details={
                "recovery_case_id": case.id,
                "resolution": resolution.value,
                "at_stake": f"{stake.amount} {case.currency}",
                "note": note[:NOTE_CHARS],
            },
            operator_id=lead.operator_id,
            station_id=lead.station_id,
        )
        session.flush()
        closed = ClosedRecovery(
            case_id=case.id,
            rma_number=return_.rma_number,
            resolution=resolution,
            at_stake=stake,
            closed_by=lead.operator_name,
        )
    log.info(
        "Recovery case of %s closed (%s) by %s", closed.rma_number, resolution, lead.operator_code
    )
    return closed
