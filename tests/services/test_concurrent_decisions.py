"""Read-then-write paths raced from two connections at once, on SQLite and on PostgreSQL.

Each test gives two "stations" their own engine on one database (as two processes have) and
releases both calls together (``at_once``). SQLite serialises writers at BEGIN IMMEDIATE;
PostgreSQL's READ COMMITTED lets both read the old state unless the row is locked, so these
are the tests that catch a missing ``FOR UPDATE``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import col, func, select

from completing import complete_parcel, station_service
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.models import Inspection, Operator, OutboxEvent, Refund, UnitDraft
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.errors import AlreadyCompleted, OperatorError
from returnsdesk.domain.inspection import ParcelInspection
from returnsdesk.domain.vocabulary import Disposition, OperatorRole, RefundStatus
from returnsdesk.services import operator_admin
from returnsdesk.services.approvals import RefundAlreadyDecided, decide_refund
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.operator_admin import OperatorChangeRefused
from returnsdesk.services.station import ParcelOpened, StationService
from returnsdesk.services.views import ReceivedParcel, StationContext
from services.test_completion_concurrency import at_once

ROUNDS = 6


@pytest.fixture
def database_url(url_on_each_backend: str) -> str:
    return url_on_each_backend


@pytest.fixture
def other_database(database_url: str, demo_env: StationEnvironment) -> Iterator[Database]:
    """A second engine on the same database: the other station's process."""
    database = Database(make_engine(database_url))
    yield database
    database.dispose()


def lead_context(env: StationEnvironment, code: str) -> StationContext:
    with env.database.read() as session:
        operator = session.exec(select(Operator).where(Operator.code == code)).one()
    inspector = station_service(env).context
    return StationContext(
        station_id=inspector.station_id,
        station_code=inspector.station_code,
        station_name=inspector.station_name,
        operator_id=operator.id,
        operator_code=operator.code,
        operator_name=operator.name,
        role=operator.role,
    )


def test_two_leads_deciding_one_refund_at_once_decide_it_once(
    demo_env: StationEnvironment, other_database: Database
) -> None:
    assert demo_env.demo is not None
    inspector = station_service(demo_env)
    jonas, maria = lead_context(demo_env, "OP-0003"), lead_context(demo_env, "OP-0004")
    parcels = [p for p in demo_env.demo.parcels if p.tracking_number][:ROUNDS]
    for parcel in parcels:
        # Given a refund held for a lead (an overridden disposition)
        held = complete_parcel(inspector, parcel, override=Disposition.RECYCLE)
        assert held.refund_status is RefundStatus.PENDING_APPROVAL, parcel.rma_number
        # When two leads at two stations approve it at the same moment
        outcomes = at_once(
            lambda r=held.refund_id: decide_refund(
                demo_env.database, r, jonas, approve=True, note="", now=utc_now()
            ),
            lambda r=held.refund_id: decide_refund(
                other_database, r, maria, approve=True, note="", now=utc_now()
            ),
        )
        # Then one decides it and the other is told it was decided already
        kinds = sorted(type(o).__name__ for o in outcomes)
        assert kinds == ["RefundAlreadyDecided", "RefundDecision"], (parcel.rma_number, outcomes)
        assert "approved already" in str(
            next(o for o in outcomes if isinstance(o, RefundAlreadyDecided))
        )
    # And each refund is paid once: one refund.approved event each
    with demo_env.database.read() as session:
        approved = session.exec(
            select(OutboxEvent.aggregate_id).where(OutboxEvent.event_type == "refund.approved")
        ).all()
        assert len(approved) == len(set(approved)) == ROUNDS
        statuses = session.exec(select(Refund.status)).all()
        assert Counter(statuses)[RefundStatus.APPROVED] == ROUNDS


def test_deactivating_the_last_two_leads_at_once_keeps_one(
    demo_env: StationEnvironment, other_database: Database
) -> None:
    for _round in range(ROUNDS):
        # Given two active shift leads (the demo's Jonas and Maria), and no admin
        # When IT deactivates both at once from two terminals
        outcomes = at_once(
            lambda: _admin(demo_env.database, operator_admin.set_active, "OP-0003", active=False),
            lambda: _admin(other_database, operator_admin.set_active, "OP-0004", active=False),
        )
        # Then one is refused with the reason: someone must still approve held refunds
        refused = [o for o in outcomes if isinstance(o, OperatorChangeRefused)]
        assert len(refused) == 1, outcomes
        assert "last active shift lead" in str(refused[0])
        assert _active_leads(demo_env.database) == 1
        for code in ("OP-0003", "OP-0004"):  # both back for the next round
            _admin(demo_env.database, operator_admin.set_active, code, active=True)


def test_demoting_and_deactivating_the_last_two_leads_at_once_keeps_one(
    demo_env: StationEnvironment, other_database: Database
) -> None:
    for _round in range(ROUNDS):
        outcomes = at_once(
            lambda: _admin(
                demo_env.database, operator_admin.set_role, "OP-0003", role=OperatorRole.INSPECTOR
            ),
            lambda: _admin(other_database, operator_admin.set_active, "OP-0004", active=False),
        )
        assert sum(isinstance(o, OperatorChangeRefused) for o in outcomes) == 1, outcomes
        assert _active_leads(demo_env.database) == 1
        _admin(demo_env.database, operator_admin.set_active, "OP-0004", active=True)
        _admin(demo_env.database, operator_admin.set_role, "OP-0003", role=OperatorRole.SHIFT_LEAD)


def test_clearing_a_pin_while_promoting_to_lead_never_leaves_a_lead_without_a_pin(
    demo_env: StationEnvironment, other_database: Database
) -> None:
    # OP-0001 is an inspector; give them a PIN first
    _admin(demo_env.database, operator_admin.set_pin, "OP-0001", pin="9753")
    for _round in range(ROUNDS):
        # When one terminal promotes them while another clears their PIN
        outcomes = at_once(
            lambda: _admin(
                demo_env.database, operator_admin.set_role, "OP-0001", role=OperatorRole.SHIFT_LEAD
            ),
            lambda: _admin(other_database, operator_admin.set_pin, "OP-0001", pin=None),
        )
        # Then never both: a lead's badge approves refunds, so it keeps a PIN
        assert sum(isinstance(o, OperatorChangeRefused) for o in outcomes) == 1, outcomes
        with demo_env.database.read() as session:
            operator = session.exec(select(Operator).where(Operator.code == "OP-0001")).one()
            assert operator.role is OperatorRole.INSPECTOR or operator.pin_hash is not None
        _admin(demo_env.database, operator_admin.set_role, "OP-0001", role=OperatorRole.INSPECTOR)
        _admin(demo_env.database, operator_admin.set_pin, "OP-0001", pin="9753")


def _admin(database: Database, change: Any, code: str, **values: Any) -> Operator:
    with database.session() as session:
        result: Operator = change(session, code=code, by="it-admin", **values)
        return result


def _active_leads(database: Database) -> int:
    with database.read() as session:
        return session.exec(
            select(func.count())
            .select_from(Operator)
            .where(Operator.active, col(Operator.role) == OperatorRole.SHIFT_LEAD)
        ).one()


def _receive(service: StationService, tracking: str) -> ReceivedParcel:
    opened = service.open_parcel(service.classify(tracking))
    assert isinstance(opened, ParcelOpened)
    return opened.parcel


def _inspect(service: StationService, parcel: ReceivedParcel, work: ParcelInspection) -> Any:
    """Inspect the next expected unit (grade B); the finished unit."""
    line = next(line for line in work.lines if work.remaining(line) > 0)
    product = _product(service, parcel, line.sku)
    work.begin_unit(product, now=service.clock())
    work.grade("2")
    while work.current is not None and work.current.step.value == "checklist":
        work.answer(True)
    return work.accept(now=service.clock())


def _product(service: StationService, parcel: ReceivedParcel, sku: str) -> Any:
    demo = _DEMO[parcel.view.rma_number]
    item = next(i for i in demo.items if i.sku == sku)
    return service.resolve_item(service.classify(item.gtin), parcel.view)


_DEMO: dict[str, Any] = {}


def test_a_unit_finished_while_another_station_completes_the_parcel_is_never_lost(
    demo_env: StationEnvironment, other_database: Database
) -> None:
    assert demo_env.demo is not None
    _DEMO.update({p.rma_number: p for p in demo_env.demo.parcels})
    first = station_service(demo_env, operator_code="OP-0001", station_code="STATION-01")
    priya = station_service(demo_env, operator_code="OP-0002", station_code="STATION-02")
    second = StationService(
        database=other_database,
        policies=first.policies,
        context=priya.context,
        scan_rules=first.scan_rules,
        clock=utc_now,
    )
    parcels = [
        p
        for p in demo_env.demo.parcels
        if p.tracking_number
        and sum(i.quantity for i in p.items) >= 2
        and not any(i.serial_numbers for i in p.items)
    ][:ROUNDS]
    assert len(parcels) >= 3
    results: Counter[str] = Counter()
    for demo in parcels:
        # Given both stations have the parcel open; station 2 inspected every unit
        mine = _receive(first, demo.tracking_number)
        theirs = _receive(second, demo.tracking_number)
        work_1, work_2 = first.new_inspection(mine.view), second.new_inspection(theirs.view)
        unit = _inspect(first, mine, work_1)
        while not work_2.all_expected_inspected:
            _inspect(second, theirs, work_2)
        # When station 1 finishes a unit as station 2 completes the parcel
        outcomes = at_once(
            lambda p=mine, u=unit: first.finish_unit(p.parcel_id, p.view.rma_number, u),
            lambda p=theirs, w=work_2: second.complete(p.parcel_id, w),
        )
        # Then never both: the unit is refused as completed already, or the completion is
        # refused because of the unit finished meanwhile (scanned again, it carries it on)
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(errors) == 1, (demo.rma_number, outcomes)
        (error,) = errors
        assert isinstance(error, OperatorError), error
        if isinstance(error, AlreadyCompleted):
            results["finish refused"] += 1
            assert "not recorded" in str(error)
        else:
            results["completion refused"] += 1
            assert "finished 1 unit" in str(error), error
            again = _receive(second, demo.tracking_number)
            assert again.resumed and [u.unit_id for u in again.finished_units] == [unit.unit_id]
            work = second.resume_inspection(again)
            while not work.all_expected_inspected:
                _inspect(second, again, work)
            second.complete(again.parcel_id, work)
        # And no draft is left behind: every finished unit recorded is an inspection
        with demo_env.database.read() as session:
            drafts = session.exec(select(UnitDraft.unit_id)).all()
            assert drafts == [], demo.rma_number
            found = session.get(Inspection, unit.unit_id)
            assert (found is not None) == (not isinstance(error, AlreadyCompleted))
    assert sum(results.values()) == len(parcels)
