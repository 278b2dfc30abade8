"""Managing the people who sign in: badges, names, roles and PINs (``returnsdesk operators``).

Operators are never deleted: inspections, refunds and the audit chain name them. Leaving
deactivates a badge instead. Every change is one transaction with its audit entry, which
records the change and who made it (the system user running the command), never the PIN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from returnsdesk.data import operators as queries
from returnsdesk.data.models import Operator
from returnsdesk.data.repositories import append_audit
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.scanning import ScanKind, ScanRules, classify_text
from returnsdesk.domain.vocabulary import LEAD_ROLES, OperatorRole
from returnsdesk.services.operators import find_operator, hash_pin

PIN_LENGTH = (4, 12)


class OperatorChangeRefused(OperatorError):
    """A badge, name, role or PIN that cannot be used, or a change that would lock leads out."""


@dataclass(frozen=True)
class OperatorRow:
    code: str
    name: str
    role: OperatorRole
    has_pin: bool
    active: bool
    created_at: datetime


def check_pin(pin: str) -> None:
    low, high = PIN_LENGTH
    if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        raise OperatorChangeRefused(f"A PIN is {low} to {high} digits (0-9), typed on a keypad.")


def _badge_code(code: str, rules: ScanRules) -> str:
    """The badge code as stored, if a scan of it would be read as a badge."""
    value = code.strip().upper()
    try:
        kind = classify_text(value, rules=rules).kind
    except OperatorError:
        kind = None
    if kind is not ScanKind.OPERATOR:
        prefixes = " or ".join(rules.operator_prefixes)
        raise OperatorChangeRefused(
            f"{code.strip()[:40]!r} would not scan as a badge: a badge code is {prefixes}"
            " followed by letters and digits, e.g. OP-0042."
        )
    return value


def _find(session: Session, code: str) -> Operator:
    """The operator to change, locked: two terminals changing one operator take turns."""
    operator = queries.lock_operator_by_code(session, code)
    if operator is None:
        raise OperatorChangeRefused(f"No operator with badge {code.strip()[:40]!r}.")
    return operator


def _audit(session: Session, operator: Operator, action: str, by: str, **details: str) -> None:
    append_audit(
        session,
        action=action,
        subject=operator.code,
        details={"by": by, **details},
        operator_id=None,  # made by IT at a command line, not by a signed-in operator
        station_id=None,
    )


def list_operators(session: Session) -> list[OperatorRow]:
    operators = queries.all_operators(session)
    return [
        OperatorRow(
            code=operator.code,
            name=operator.name,
            role=operator.role,
            has_pin=operator.pin_hash is not None,
            active=operator.active,
            created_at=operator.created_at,
        )
        for operator in operators
    ]


def add_operator(
    session: Session,
    *,
    code: str,
    name: str,
    role: OperatorRole,
    pin: str | None,
    rules: ScanRules,
    by: str,
) -> Operator:
    badge = _badge_code(code, rules)
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise OperatorChangeRefused("A name is 1 to 200 characters.")
    if pin is not None:
        check_pin(pin)
    elif role in LEAD_ROLES:
        raise OperatorChangeRefused(f"A {role.value} needs a PIN: a lead's badge approves refunds.")
    existing = find_operator(session, badge)
    if existing is not None:
        raise OperatorChangeRefused(f"Badge {badge} is already {existing.name}'s.")
    operator = Operator(
        code=badge, name=name, role=role, pin_hash=hash_pin(pin) if pin is not None else None
    )
    session.add(operator)
    session.flush()
    _audit(session, operator, "operator.added", by, name=name, role=role.value)
    return operator


def set_pin(session: Session, *, code: str, pin: str | None, by: str) -> Operator:
    """A new PIN, or none (``pin=None``: the badge alone signs in)."""
    operator = _find(session, code)
    if pin is None:
        if operator.role in LEAD_ROLES:
            raise OperatorChangeRefused(
                f"{operator.code} is a {operator.role.value}: a lead's badge approves refunds,"
                " so it keeps a PIN."
            )
        operator.pin_hash = None
    else:
        check_pin(pin)
        operator.pin_hash = hash_pin(pin)
    session.add(operator)
    _audit(session, operator, "operator.pin_cleared" if pin is None else "operator.pin_set", by)
    return operator


def set_role(session: Session, *, code: str, role: OperatorRole, by: str) -> Operator:
    queries.lock_leads(session)  # before the operator's own row: one lock order for everyone
    operator = _find(session, code)
    if role in LEAD_ROLES and operator.pin_hash is None:
        raise OperatorChangeRefused(
            f"Give {operator.code} a PIN first: a lead's badge approves refunds."
        )
    if operator.role in LEAD_ROLES and role not in LEAD_ROLES:
        _keep_a_lead(session, operator)
    previous = operator.role
    operator.role = role
    session.add(operator)
    _audit(session, operator, "operator.role_changed", by, was=previous.value, now=role.value)
    return operator


def set_active(session: Session, *, code: str, active: bool, by: str) -> Operator:
    queries.lock_leads(session)  # before the operator's own row: one lock order for everyone
    operator = _find(session, code)
    if not active and operator.active and operator.role in LEAD_ROLES:
        _keep_a_lead(session, operator)
    operator.active = active
    session.add(operator)
    _audit(session, operator, "operator.activated" if active else "operator.deactivated", by)
    return operator


def _keep_a_lead(session: Session, leaving: Operator) -> None:
    """Refuse a change that leaves no active lead: held refunds could then never be decided."""
    if queries.other_active_leads(session, leaving.id) == 0:
        raise OperatorChangeRefused(
            f"{leaving.code} is the last active shift lead or admin; add another first, or"
            " nobody could approve held refunds."
        )
