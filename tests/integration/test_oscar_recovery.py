"""A refund Oscar refused, fixed in the shop and resent by a shift lead: booked exactly once.

The real django-oscar app, behind the contract check (checked_api); the station completes a
return it pulled, Oscar refuses the refund (a line taken off the return in the shop), the shop
puts the line back, the lead resends under a new key on Oscar's word that the old key was
refused, and Oscar ends with one refund. Then a resend of an event Oscar applied is refused.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from integration.oscar_shop import OscarShop
from returnsdesk.config import MessagesSettings, load_settings
from returnsdesk.data.models import Operator, OrderLine, OutboxEvent
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.vocabulary import OperatorRole, OutboxStatus
from returnsdesk.services.bootstrap import StationEnvironment, open_environment
from returnsdesk.services.operators import ensure_station
from returnsdesk.services.station import ParcelOpened, StationService
from returnsdesk.services.sync import HttpContractConnector, KeyState, Relay
from returnsdesk.services.sync.inbound import Puller
from returnsdesk.services.sync.recovery import ResendRefused, replaced_keys
from returnsdesk.services.sync.station_pull import station_connector
from returnsdesk.services.views import StationContext

pytestmark = pytest.mark.slow

RMA = "RMA-000101"
SHOE = "5012345000015"
JACKET = "5012345000022"
_LINE = "from returnsdesk_oscar.models import ReturnAuthorisation as RA, ReturnLine as RL; "


@pytest.fixture
def env(tmp_path: Path) -> Iterator[StationEnvironment]:
    settings = load_settings(
        environ={},
        overrides={"database.url": f"sqlite:///{tmp_path / 'station.sqlite3'}", "ui.sounds": False},
    )
    env = open_environment(settings, demo=False)
    with env.database.session() as session:
        session.add(Operator(code="OP-INSP", name="Ida Inspector", role=OperatorRole.INSPECTOR))
        session.add(Operator(code="OP-LEAD", name="Lee Lead", role=OperatorRole.SHIFT_LEAD))
    yield env
    env.database.dispose()


def service_for(env: StationEnvironment, code: str, shop: HttpContractConnector) -> StationService:
    """The station's service for an operator signed in (a lead's PIN was checked at sign-in;
    the services check the role again in the database)."""
    with env.database.session() as session:
        station = ensure_station(session, code="ST-1")
        operator = session.exec(select(Operator).where(Operator.code == code)).one()
        context = StationContext(
            station_id=station.id,
            station_code=station.code,
            station_name=station.name,
            operator_id=operator.id,
            operator_code=operator.code,
            operator_name=operator.name,
            role=operator.role,
        )
    return StationService(
        database=env.database,
        policies=env.policies,
        context=context,
        scan_rules=env.scan_rules,
        clock=utc_now,
        key_inquiry=shop,
    )


def work_the_return(service: StationService) -> None:
    """Receive RMA-000101 and grade its shoe and two jackets B, then complete it."""
    opened = service.open_parcel(service.classify("1Z999AA10123456784"))
    assert isinstance(opened, ParcelOpened)
    work = service.new_inspection(opened.parcel.view)
    for gtin in (SHOE, JACKET, JACKET):
        work.begin_unit(service.resolve_item(service.classify(gtin), opened.parcel.view),
                        now=service.clock())  # fmt: skip
        work.grade("2")
        while work.current is not None and work.current.step.value == "checklist":
            work.answer(True)
        work.accept(now=service.clock())
    service.complete(opened.parcel.parcel_id, work)


def refund_event(env: StationEnvironment) -> OutboxEvent:
    with env.database.session() as session:
        return session.exec(
            select(OutboxEvent).where(OutboxEvent.event_type == "refund.requested")
        ).one()


def test_a_refused_refund_fixed_in_oscar_is_resent_by_a_lead_and_booked_once(
    oscar_shop: OscarShop, checked_api: str, env: StationEnvironment
) -> None:
    with HttpContractConnector(checked_api, oscar_shop.token, timeout_s=30) as shop:
        Puller(env.database, shop).pull()
        with env.database.session() as session:
            shoe_ref = session.exec(select(OrderLine).where(OrderLine.sku == SHOE)).one().line_ref
        # The station's relay: customer messages go through the message deliverer.
        messages = station_connector(env.database, {None: shop}, MessagesSettings(grace_minutes=0))
        relay = Relay(env.database, messages, rng=random.Random(1))

        # Given the shop's staff took the shoe off the return by mistake, after the pull
        oscar_shop.manage(
            "shell", "-c", _LINE + f"RL.objects.filter(return_authorisation__rma_number='{RMA}',"
            f" order_line_id={shoe_ref}).delete()"
        )  # fmt: skip
        # When the inspector works the return and the relay runs
        work_the_return(service_for(env, "OP-INSP", shop))
        relay.drain()

        # Then Oscar refused the refund (the shoe is not on the return) and it is parked
        parked = refund_event(env)
        assert parked.status is OutboxStatus.NEEDS_ATTENTION
        assert "HTTP 422 unknown_line" in (parked.last_error or "")
        assert oscar_shop.refund_events(RMA) == []
        old_key = parked.idempotency_key
        # and a retry with the same key only replays Oscar's refusal
        lead = service_for(env, "OP-LEAD", shop)
        lead.retry_event(parked.id, lead.context)
        relay.drain()
        assert refund_event(env).status is OutboxStatus.NEEDS_ATTENTION
        assert oscar_shop.refund_events(RMA) == []

        # When the shop puts the shoe back on the return and the lead resends the refund
        oscar_shop.manage(
            "shell", "-c", _LINE + f"RL.objects.create(return_authorisation=RA.objects.get("
            f"rma_number='{RMA}'), order_line_id={shoe_ref}, quantity=1, reason_code='too_small')"
        )  # fmt: skip
        resent = lead.resend_event(parked.id, lead.context)
        relay.drain()

        # Then Oscar booked exactly one refund, of the station's total, under the new key
        assert oscar_shop.refund_events(RMA) == [(Decimal("208.99"), resent.idempotency_key)]
        with env.database.session() as session:
            statuses = {e.status for e in session.exec(select(OutboxEvent)).all()}
        assert statuses == {OutboxStatus.DELIVERED}
        assert oscar_shop.request("GET", f"/returns/lookup?rma={RMA}").json()["status"] == "closed"
        assert replaced_keys(env.database, parked.id) == [(old_key, resent.idempotency_key)]
        assert shop.key_outcome(old_key).state is KeyState.REFUSED
        assert shop.key_outcome(resent.idempotency_key).state is KeyState.APPLIED

        # And when that refund shows as parked again (a relay fooled by something in between),
        # Oscar says its key was applied, so no new key is given and nothing is paid twice
        with env.database.session() as session:
            again = session.get(OutboxEvent, parked.id)
            assert again is not None
            again.status = OutboxStatus.NEEDS_ATTENTION
            session.add(again)
        with pytest.raises(ResendRefused, match="could apply it twice"):
            lead.resend_event(parked.id, lead.context)
        assert refund_event(env).idempotency_key == resent.idempotency_key
    assert len(oscar_shop.refund_events(RMA)) == 1
