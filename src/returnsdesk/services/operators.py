"""Signing an operator in at a station."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from returnsdesk.data.models import Operator, Station
from returnsdesk.data.repositories import append_audit
from returnsdesk.domain.errors import OperatorError
from returnsdesk.services.views import StationContext

_hasher = PasswordHasher()


class SignInFailed(OperatorError):
    """Unknown or inactive operator, or a wrong PIN."""


def hash_pin(pin: str) -> str:
    return _hasher.hash(pin)


def ensure_station(session: Session, *, code: str, name: str | None = None) -> Station:
    """The station row for this machine, registered on first start."""
    station = session.exec(select(Station).where(Station.code == code)).first()
    if station is None:
        station = Station(code=code, name=name or code)
        session.add(station)
        session.flush()
    return station


def find_operator(session: Session, code: str) -> Operator | None:
    """The operator with this badge code, as typed or scanned (case and spaces ignored)."""
    return session.exec(
        select(Operator).where(func.upper(Operator.code) == code.strip().upper())
    ).first()


def sign_in(
    session: Session, *, operator_code: str, station_code: str, pin: str | None = None
) -> StationContext:
    operator = find_operator(session, operator_code)
    if operator is None or not operator.active:
        raise SignInFailed(f"No active operator with badge {operator_code.strip()[:20]!r}.")
    if operator.pin_hash is not None:
        try:
            _hasher.verify(operator.pin_hash, pin or "")
        except (VerificationError, InvalidHashError) as exc:
            raise SignInFailed("Wrong PIN.") from exc
    station = ensure_station(session, code=station_code)
    append_audit(
        session,
        action="operator.signed_in",
        subject=operator.code,
        details={"station": station.code},
        operator_id=operator.id,
        station_id=station.id,
    )
    return StationContext(
        station_id=station.id,
        station_code=station.code,
        station_name=station.name,
        operator_id=operator.id,
        operator_code=operator.code,
        operator_name=operator.name,
        role=operator.role,
    )


def list_operators(session: Session) -> list[tuple[str, str]]:
    """(code, name) of active operators, for the sign-in list."""
    rows = session.exec(
        select(Operator.code, Operator.name).where(Operator.active).order_by(Operator.code)
    ).all()
    return [(code, name) for code, name in rows]
