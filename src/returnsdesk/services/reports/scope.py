"""Which rows a report is asked about: a station named by its code, a return of one client."""

from __future__ import annotations

from sqlalchemy import Connection

from returnsdesk.data import report_queries as q
from returnsdesk.domain.errors import NumberOfSeveralShops
from returnsdesk.services.reports.request import Period, ReportRequestError


def resolve_scope(
    connection: Connection, period: Period, station_code: str | None, client_code: str | None = None
) -> q.Scope:
    if station_code is None:
        return q.Scope(period, None, client_code)
    found = q.station_id(connection, code=station_code)
    if found is None:
        known = q.station_codes(connection)
        raise ReportRequestError(
            f"No station {station_code!r} in this database (known: {', '.join(known) or 'none'})."
        )
    return q.Scope(period, found, client_code)


def evidence_shop(
    connection: Connection, rma_number: str, client_code: str | None, *, own_shop: bool = False
) -> str | None:
    """Whose return an evidence pack is of: ``client_code``'s, the station's own shop's
    (``own_shop``, returned as None) or, neither said, the one shop with that RMA number.
    Another shop's return is refused as if it did not exist; an RMA several shops use, with
    no shop said, raises ``NumberOfSeveralShops`` naming them (never guessed)."""
    rma = rma_number.strip()
    owners = set(q.clients_of_rma(connection, rma_number=rma))
    if not owners:
        raise ReportRequestError(f"No return {rma[:40]!r} in this database.")
    if own_shop:
        if None not in owners:
            raise ReportRequestError(f"No return {rma[:40]!r} of the station's own shop.")
        return None
    if client_code is not None:
        if client_code not in owners:
            raise ReportRequestError(f"No return {rma[:40]!r} of client {client_code}.")
        return client_code
    if len(owners) > 1:
        raise NumberOfSeveralShops.of(rma, owners)
    return owners.pop()
