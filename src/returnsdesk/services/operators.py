"""Signing an operator in at a station, and the lead's confirmation of a decision.

Every sign-in and every lead confirmation goes through ``authenticate``: badge and PIN (a PIN
is required of shift leads and admins), wrong PINs counted in the database so that a restart
does not reset them, and the badge locked after ``LockoutPolicy.max_failures`` of them in a
row for ``LockoutPolicy.lock_minutes`` (PCI DSS 8.3.4). Each failure, lock and refusal is an
audit entry naming the station. The Argon2 check runs outside any transaction: it takes tens
of milliseconds, and a SQLite write transaction would hold every other station's writes.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session

from returnsdesk.data import operators as queries
from returnsdesk.data.db import Database
from returnsdesk.data.models import Operator, Station
from returnsdesk.data.repositories import append_audit
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.vocabulary import LEAD_ROLES, OperatorRole
from returnsdesk.services.views import StationContext

_hasher = PasswordHasher()
log = logging.getLogger(__name__)


class SignInFailed(OperatorError):
    """Unknown or inactive operator, a missing or wrong PIN, or a locked badge."""


class NotAShiftLead(OperatorError):
    """Only a shift lead (or an admin) may do this: decide held refunds, fix sync events,
    unlock badges."""


class UnknownOperator(OperatorError):
    """No operator has this badge."""


class OperatorLocked(SignInFailed):
    """Too many wrong PINs in a row: the badge waits out the lock or a lead unlocks it."""


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 10
    lock_minutes: int = 30


DEFAULT_LOCKOUT = LockoutPolicy()


def hash_pin(pin: str) -> str:
    return _hasher.hash(pin)


def ensure_station(session: Session, *, code: str, name: str | None = None) -> Station:
    """The station row for this machine, registered on first start."""
    station = queries.station_by_code(session, code)
    if station is None:
        station = Station(code=code, name=name or code)
        session.add(station)
        session.flush()
    return station


def find_operator(session: Session, code: str) -> Operator | None:
    """The operator with this badge code, as typed or scanned (case and spaces ignored)."""
    return queries.operator_by_code(session, code)


def badge_alone_signs_in(database: Database, operator_code: str) -> bool:
    """Whether this badge signs in without a PIN (an active inspector who has none)."""
    with database.read() as session:
        operator = find_operator(session, operator_code)
        return (
            operator is not None
            and operator.active
            and operator.pin_hash is None
            and operator.role not in LEAD_ROLES
        )


def authenticate(
    database: Database,
    *,
    operator_code: str,
    pin: str | None,
    station_code: str,
    now: datetime,
    lockout: LockoutPolicy,
    purpose: str = "sign-in",
) -> StationContext:
    """Check badge and PIN, count a failure or clear the count, audit the outcome.

    ``purpose`` says what the credentials are for ("sign-in", "refund approval", ...) in the
    audit trail. Raises ``SignInFailed`` (or ``OperatorLocked``) after committing the failure.
    """
    badge = operator_code.strip()[:40]
    with database.session() as session:
        operator = find_operator(session, operator_code)
        if operator is None or not operator.active:
            station = ensure_station(session, code=station_code)
            _audit(session, "operator.sign_in_failed", badge, None, station, purpose, why="unknown")
            failure: SignInFailed | None = SignInFailed(f"No active operator with badge {badge!r}.")
        else:
            failure = _refusal_before_pin(operator, now)
            if failure is not None:
                station = ensure_station(session, code=station_code)
                why = "locked" if isinstance(failure, OperatorLocked) else "no PIN set"
                refused = "operator.sign_in_refused"
                _audit(session, refused, operator.code, operator, station, purpose, why=why)
            stored_hash = operator.pin_hash
            operator_id = operator.id
    if failure is not None:
        raise failure
    # An inspector without a PIN signs in with the badge alone.
    pin_ok = stored_hash is None or _pin_matches(stored_hash, pin or "")
    with database.session() as session:
        station = ensure_station(session, code=station_code)
        operator = queries.get_operator(session, operator_id)
        assert operator is not None
        if pin_ok:
            # Checked again: a lock set by another station while the PIN was being checked.
            failure = _refusal_before_pin(operator, now)
        if pin_ok and failure is None:
            operator.failed_pin_attempts = 0
            operator.locked_until = None
            session.add(operator)
            _audit(session, "operator.signed_in", operator.code, operator, station, purpose)
            context = _context(operator, station)
        elif failure is None:
            failure = _count_failure(session, operator, station, now, lockout, purpose)
    if failure is not None:
        raise failure
    return context


def sign_in(
    session: Session, *, operator_code: str, station_code: str, pin: str | None = None
) -> StationContext:
    """Sign in within the caller's transaction, for scripts and tests that have their own.

    Checks the same as ``authenticate`` (PIN required of leads, locked badges refused) but
    cannot count a wrong PIN, which would roll back with the caller's transaction: stations
    and commands sign people in through ``authenticate``.
    """
    operator = find_operator(session, operator_code)
    if operator is None or not operator.active:
        raise SignInFailed(f"No active operator with badge {operator_code.strip()[:40]!r}.")
    failure = _refusal_before_pin(operator, utc_now())
    if failure is not None:
        raise failure
    if operator.pin_hash is not None and not _pin_matches(operator.pin_hash, pin or ""):
        raise SignInFailed("Wrong PIN.")
    station = ensure_station(session, code=station_code)
    _audit(session, "operator.signed_in", operator.code, operator, station, "sign-in")
    return _context(operator, station)


def unlock_operator(
    session: Session,
    *,
    code: str,
    by: str,
    operator_id: uuid.UUID | None = None,
    station_id: uuid.UUID | None = None,
) -> Operator:
    """Clear a badge's lock and its count of wrong PINs; audited with who unlocked it."""
    operator = find_operator(session, code)
    if operator is None:
        raise UnknownOperator(f"No operator with badge {code.strip()[:40]!r}.")
    was_locked = operator.locked_until
    operator.failed_pin_attempts = 0
    operator.locked_until = None
    session.add(operator)
    append_audit(
        session,
        action="operator.unlocked",
        subject=operator.code,
        details={"by": by, "was_locked_until": was_locked},
        operator_id=operator_id,
        station_id=station_id,
    )
    return operator


def holds_role(session: Session, who: StationContext, roles: frozenset[OperatorRole]) -> bool:
    """Whether ``who`` has one of ``roles`` now, as the database says (not the context, which
    a caller could have made up or which may predate a change of role)."""
    operator = queries.get_operator(session, who.operator_id)
    return operator is not None and operator.active and operator.role in roles


@contextmanager
def refusals_audited(
    database: Database,
    who: StationContext,
    action: str,
    subject: str,
    refusals: tuple[type[OperatorError], ...],
) -> Iterator[None]:
    """Let ``refusals`` raised in the block through, each recorded first as an ``action``
    audit entry in a transaction of its own (the refused one rolled back)."""
    try:
        yield
    except refusals as error:
        with database.session() as session:
            append_audit(
                session,
                action=action,
                subject=subject[:200],
                details={
                    "station": who.station_code,
                    "badge": who.operator_code,
                    "why": str(error),
                },
                operator_id=who.operator_id,
                station_id=who.station_id,
            )
        log.warning("Refused %s for %s: %s", action, who.operator_code, error)
        raise


def unlock_by_lead(database: Database, *, code: str, lead: StationContext) -> Operator:
    """A lead unlocks a badge at a station (the lead's own badge and PIN were just checked)."""
    with (
        refusals_audited(database, lead, "operator.unlock_refused", code, (NotAShiftLead,)),
        database.session() as session,
    ):
        if not holds_role(session, lead, LEAD_ROLES):
            raise NotAShiftLead("Only a shift lead can unlock a badge.")
        return unlock_operator(
            session,
            code=code,
            by=lead.operator_code,
            operator_id=lead.operator_id,
            station_id=lead.station_id,
        )


def _pin_matches(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def _refusal_before_pin(operator: Operator, now: datetime) -> SignInFailed | None:
    if operator.locked_until is not None and operator.locked_until > now:
        until = operator.locked_until.astimezone().strftime("%H:%M")
        return OperatorLocked(
            f"Badge {operator.code} is locked until {until} after too many wrong PINs."
            " A shift lead can unlock it on the Shift lead tab, IT with"
            f" 'returnsdesk operators unlock {operator.code}'."
        )
    if operator.pin_hash is None and operator.role in LEAD_ROLES:
        return SignInFailed(
            f"{operator.code} is a {operator.role.value} and has no PIN yet: IT sets one with"
            f" 'returnsdesk operators set-pin {operator.code}'."
        )
    return None


def _count_failure(
    session: Session,
    operator: Operator,
    station: Station,
    now: datetime,
    lockout: LockoutPolicy,
    purpose: str,
) -> SignInFailed:
    failures = queries.count_failed_pin(session, operator)
    _audit(
        session, "operator.pin_failed", operator.code, operator, station, purpose, attempt=failures
    )
    if failures < lockout.max_failures:
        left = lockout.max_failures - failures
        return SignInFailed(f"Wrong PIN. {left} {'try' if left == 1 else 'tries'} left.")
    operator.locked_until = now + timedelta(minutes=lockout.lock_minutes)
    operator.failed_pin_attempts = 0
    session.add(operator)
    until = operator.locked_until
    _audit(
        session,
        "operator.locked",
        operator.code,
        operator,
        station,
        purpose,
        until=until,
        failures=failures,
    )
    return _refusal_before_pin(operator, now) or SignInFailed("Wrong PIN.")


def _audit(
    session: Session,
    action: str,
    subject: str,
    operator: Operator | None,
    station: Station,
    purpose: str,
    *,
    why: str | None = None,
    **details: object,
) -> None:
    append_audit(
        session,
        action=action,
        subject=subject[:200],
        details={"station": station.code, "purpose": purpose}
        | ({"why": why} if why else {})
        | details,
        operator_id=operator.id if operator is not None else None,
        station_id=station.id,
    )


def _context(operator: Operator, station: Station) -> StationContext:
    return StationContext(
        station_id=station.id,
        station_code=station.code,
        station_name=station.name,
        operator_id=operator.id,
        operator_code=operator.code,
        operator_name=operator.name,
        role=operator.role,
    )
