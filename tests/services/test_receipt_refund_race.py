"""Two stations receive a trusted customer's parcel at the same moment: the refund released on
receipt is released once, never twice, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlmodel import col, select

from completing import complete_parcel, demo_parcel
from returnsdesk.config import load_settings
from returnsdesk.data.models import AuditEntry, OutboxEvent, Refund, RefundLine, Return
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.policy import AmountByCurrency, InstantRefundRule
from returnsdesk.services.bootstrap import StationEnvironment, open_environment
from returnsdesk.services.messages.queue import message_stream
from returnsdesk.services.operators import sign_in
from returnsdesk.services.station import ParcelOpened, StationService
from services.test_completion_concurrency import at_once

# One customer's returns (not RMA-100005: past its return window, it is never paid on receipt).
TRUSTED = ("RMA-100002", "RMA-100003", "RMA-100004", "RMA-100006")


@pytest.fixture
def database_url(url_on_each_backend: str) -> str:
    return url_on_each_backend


@pytest.fixture(autouse=True)
def _no_demo_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "returnsdesk.services.demo_sheet.write_demo_sheet", lambda _summary, path: path
    )


@pytest.fixture
def two_stations(
    database_url: str,
) -> Iterator[tuple[StationService, StationService, StationEnvironment]]:
    """Two station processes (an engine each) trusting customers with one clean return."""
    settings = load_settings(environ={}, overrides={"database.url": database_url})
    rule = InstantRefundRule(min_returns=1, max_value=AmountByCurrency(Decimal("100000")))
    envs: list[StationEnvironment] = []
    services = []
    for operator_code, station_code in (("OP-0001", "STATION-01"), ("OP-0002", "STATION-02")):
        env = open_environment(settings, demo=True)  # the second finds the demo data seeded
        envs.append(env)
        with env.database.session() as session:
            context = sign_in(session, operator_code=operator_code, station_code=station_code)
        policies = replace(env.policies, refunds=replace(env.policies.refunds, instant_refund=rule))
        services.append(
            StationService(
                database=env.database,
                policies=policies,
                context=context,
                scan_rules=env.scan_rules,
                clock=utc_now,  # the demo's dates are relative to the machine's clock
            )
        )
    first, second = services
    # Given the customer completed a clean return, and the returns below are theirs
    complete_parcel(first, demo_parcel(envs[0], "RMA-100001"))
    with first.database.session() as session:
        known = session.exec(select(Return).where(Return.rma_number == "RMA-100001")).one()
        for rma in TRUSTED:
            this = session.exec(select(Return).where(Return.rma_number == rma)).one()
            this.customer_email = known.customer_email
            session.add(this)
    yield first, second, envs[0]
    for env in envs:
        env.database.dispose()


def test_two_stations_receiving_one_parcel_release_one_refund(
    two_stations: tuple[StationService, StationService, StationEnvironment],
) -> None:
    first, second, env = two_stations
    for rma in TRUSTED:
        scan = first.classify(demo_parcel(env, rma).tracking_number)
        # When both stations scan the parcel at the same moment
        opened = at_once(
            lambda scan=scan: first.open_parcel(scan), lambda scan=scan: second.open_parcel(scan)
        )
        # Then both show it, one received it and the other resumed it
        assert all(isinstance(o, ParcelOpened) for o in opened), (rma, opened)
        received = [o.parcel for o in opened]
        assert sorted(r.resumed for r in received) == [False, True], rma
        # And both say the refund was issued on receipt: the same one
        paid = [r.paid_on_receipt for r in received]
        assert paid[0] is not None and paid[0] == paid[1], rma
        # And the database holds one refund, its lines once, one payment event, one message,
        # one audit entry
        with first.database.read() as session:
            return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
            (refund,) = session.exec(select(Refund).where(Refund.return_id == return_.id))
            lines = session.exec(select(RefundLine).where(RefundLine.refund_id == refund.id))
            assert len(list(lines)) == sum(line.quantity for line in received[0].view.lines)
            assert refund.released_on_receipt and refund.total == paid[0].total.amount, rma
            payments = session.exec(
                select(OutboxEvent).where(
                    OutboxEvent.aggregate_id == return_.id,
                    col(OutboxEvent.event_type) == "refund.requested",
                )
            ).all()
            messages = [
                event.payload["kind"]
                for event in session.exec(
                    select(OutboxEvent).where(
                        OutboxEvent.aggregate_id == message_stream(return_.id)
                    )
                )
            ]
            released = session.exec(
                select(AuditEntry).where(
                    AuditEntry.action == "refund.released_on_receipt", AuditEntry.subject == rma
                )
            ).all()
        assert len(payments) == 1 and len(released) == 1, rma
        assert messages.count("refund_issued") == 1, (rma, messages)
