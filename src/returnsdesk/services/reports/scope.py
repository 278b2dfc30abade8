"""Which rows a report is asked about: a station named by its code, a return of one client."""

from __future__ import annotations

from sqlalchemy import Connection

from returnsdesk.data import report_queries as q
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


def check_client(connection: Connection, rma_number: str, client_code: str | None) -> None:
    """Refuse a return of another shop in one client's report (as if it did not exist), and an
    RMA several shops use (each numbers its own) when the report does not say whose."""
    owners = q.clients_of_rma(connection, rma_number=rma_number)
    if client_code is not None and client_code not in owners:
        raise ReportRequestError(f"No return {rma_number!r} of client {client_code}.")
    if client_code is None and len(owners) > 1:
        shops = ", ".join(sorted(code or "the station's own" for code in owners))
        raise ReportRequestError(
            f"{rma_number!r} is an RMA number of several shops ({shops}):"
            " say whose with --client CODE."
        )
