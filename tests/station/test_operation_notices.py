"""Each operation's change notice names every kind of data it changed (no window, real data).

The screens re-read only what a notice names (GUIDE convention 14), so a notice that leaves
something out is a screen that shows stale data until the slow tick for other stations. Each
test reads what the screens show before and after one operation and compares the difference
with the operation's notice.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from sqlmodel import SQLModel, col, select

from completing import demo_parcel, known_customer, station_service, trusting
from returnsdesk.config import load_settings
from returnsdesk.data.models import Operator, OutboxEvent, Photo, PrintJob, Regrade, Return
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.inspection import UnitStep
from returnsdesk.domain.vocabulary import OutboxStatus, RecoveryResolution, RefundStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.demo import DemoParcel
from returnsdesk.services.labels.printers import label_output
from returnsdesk.services.station import StationService
from returnsdesk.services.sync.http_connector import HttpContractConnector
from returnsdesk.services.sync.inbound import Puller
from returnsdesk.services.sync.relay import Relay
from returnsdesk.station.changes import (
    BADGE_UNLOCKED,
    EVENT_RESOLVED,
    EVENT_RETRIED,
    LABELS_REPRINTED,
    RECOVERY_CLOSED,
    REFUND_DECIDED,
    UNIT_REGRADED,
    Changes,
    printed,
    pulled,
    relayed,
)
from returnsdesk.station.screen import State
from services.sync.fake_shop import FakeShop
from sync_feed import ReturnFeedServer, remote_return
from workflow_driver import Station
from zpl_listener import ZplListener, free_port

Seen = dict[str, Any]


def _rows(service: StationService, table: type[SQLModel]) -> list[dict[str, Any]]:
    with service.database.session() as session:
        rows = session.exec(select(table)).all()
    return sorted((row.model_dump() for row in rows), key=lambda row: str(row["id"]))


def seen(service: StationService) -> Seen:
    """What the screens show, by the kind of data a notice names."""
    return {
        "returns": _rows(service, Return),
        "history": service.history(),
        "refunds_waiting": service.pending_refunds(),
        "outbox": _rows(service, OutboxEvent),
        "labels": _rows(service, PrintJob),
        "photos": _rows(service, Photo),
        "operators": _rows(service, Operator),
        "regrades": _rows(service, Regrade),
        "recovery": service.open_recovery_cases(),
    }


def changed(before: Seen, after: Seen) -> set[str]:
    return {kind for kind in before if before[kind] != after[kind]}


def assert_named(notice: Changes, before: Seen, after: Seen, *, at_least: set[str]) -> None:
    """Everything that changed is named; ``at_least`` proves the operation did its work."""
    difference = changed(before, after)
    assert at_least <= difference, f"the operation changed only {difference}"
    assert difference <= set(notice.named()), f"{notice.named()} leaves out some of {difference}"


@pytest.fixture
def printer_port() -> int:
    return free_port()  # nothing listens: labels stay queued until a test prints them


@pytest.fixture
def service(demo_env: StationEnvironment, printer_port: int) -> StationService:
    """The demo inspector's station, with a label printer."""
    settings = load_settings(
        environ={},
        overrides={
            "labels.printer": "zpl-tcp",
            "labels.host": "127.0.0.1",
            "labels.port": printer_port,
            "labels.timeout_s": 0.5,
        },
    )
    plain = station_service(demo_env)
    return StationService(
        database=demo_env.database,
        policies=demo_env.policies,
        context=plain.context,
        scan_rules=demo_env.scan_rules,
        clock=utc_now,  # the demo's dates are relative to the machine's clock
        label_output=label_output(settings.labels),
    )


@pytest.fixture
def station(service: StationService) -> Station:
    return Station(service)


def notice_of(station: Station, act: Any) -> tuple[Changes, Seen, Seen]:
    """The notices of the jobs one input ran, with what the screens showed around it."""
    before = seen(station.service)
    station.changes = Changes()
    act()
    return station.changes, before, seen(station.service)


def work_unit(station: Station, gtin: str, serial: str | None) -> None:
    station.scan(gtin)
    if serial is not None:
        station.scan(serial)
    station.press("2")
    while station.screen.unit is not None and station.screen.unit.step is UnitStep.CHECKLIST:
        station.press("Y")


def units(parcel: DemoParcel) -> Iterator[tuple[str, str | None]]:
    for item in parcel.items:
        for index in range(item.quantity):
            serials = item.serial_numbers
            yield item.gtin, serials[index] if index < len(serials) else None


def test_the_station_names_what_each_input_changed(
    station: Station, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")  # one item, several units
    first, *rest = units(parcel)

    # A parcel scanned: received, its return's status, the "received" event
    notice, before, after = notice_of(station, lambda: station.scan(parcel.tracking_number))
    assert station.state is State.RETURN
    assert_named(notice, before, after, at_least={"returns", "history", "outbox"})

    # A unit finished before the parcel is: stored as a draft, its label queued
    station.scan(first[0])
    station.press("2")
    notice, before, after = notice_of(station, lambda: station.press("Enter"))
    assert station.state is State.RETURN
    assert_named(notice, before, after, at_least={"labels"})

    # A photo of the parcel: the evidence, and the history's photo count
    frame = np.full((120, 160, 3), 200, dtype=np.uint8)
    notice, before, after = notice_of(station, lambda: station.photo(frame))
    assert_named(notice, before, after, at_least={"photos", "history"})

    # The last unit's Enter completes the parcel: one transaction touching nearly everything
    for gtin, serial in rest[:-1]:
        work_unit(station, gtin, serial)
        station.press("Enter")
    work_unit(station, *rest[-1])
    notice, before, after = notice_of(station, lambda: station.press("Enter"))
    assert station.state is State.OUTCOME
    assert_named(notice, before, after, at_least={"returns", "history", "outbox", "labels"})


def test_a_held_refund_is_named_for_the_lead_and_an_unexpected_parcel_for_the_history(
    station: Station, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100004")  # above EUR 500: held for a lead
    station.scan(parcel.tracking_number)
    *first, last = units(parcel)
    for gtin, serial in first:
        work_unit(station, gtin, serial)
        station.press("Enter")
    work_unit(station, *last)
    notice, before, after = notice_of(station, lambda: station.press("Enter"))
    assert "waits for shift-lead approval" in station.message
    assert_named(notice, before, after, at_least={"refunds_waiting", "returns", "outbox"})

    station.scan("RMA-999999")
    station.press("F5")
    notice, before, after = notice_of(
        station, lambda: station.receive_unexpected("two shoes, no slip")
    )
    assert station.state is State.IDLE
    assert_named(notice, before, after, at_least={"history"})


def completed(service: StationService, env: StationEnvironment, rma: str) -> Station:
    station = Station(service)
    parcel = demo_parcel(env, rma)
    station.scan(parcel.tracking_number)
    *first, last = units(parcel)
    for gtin, serial in first:
        work_unit(station, gtin, serial)
        station.press("Enter")
    work_unit(station, *last)
    station.press("Enter")
    assert station.state is State.OUTCOME
    return station


def park(service: StationService, sequence_index: int) -> Any:
    with service.database.session() as session:
        events = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.sequence))).all()
        event = events[sequence_index]
        event.status, event.attempts, event.last_error = OutboxStatus.NEEDS_ATTENTION, 1, "400"
        session.add(event)
        return event.id


def test_each_lead_decision_names_what_it_changed(
    service: StationService, demo_env: StationEnvironment
) -> None:
    completed(service, demo_env, "RMA-100004")
    lead = service.authorize_lead("OP-0003", "2468")
    (held,) = service.pending_refunds()

    before = seen(service)
    decision = service.decide_refund(held.refund_id, lead, approve=True, note="photos checked")
    assert decision.status is RefundStatus.APPROVED
    assert_named(
        REFUND_DECIDED,
        before,
        seen(service),
        at_least={"refunds_waiting", "history", "outbox"},
    )

    for notice, act in (
        (EVENT_RETRIED, lambda event_id: service.retry_event(event_id, lead)),
        (EVENT_RESOLVED, lambda event_id: service.resolve_event(event_id, lead, note="by hand")),
    ):
        event_id = park(service, 0)
        before = seen(service)
        act(event_id)
        assert_named(notice, before, seen(service), at_least={"outbox"})

    with demo_env.database.session() as session:
        maria = session.exec(select(Operator).where(Operator.code == "OP-0004")).one()
        maria.failed_pin_attempts, maria.locked_until = 10, utc_now() + timedelta(minutes=30)
        session.add(maria)
    before = seen(service)
    assert service.unlock_operator("OP-0004", lead) == "OP-0004"
    assert_named(BADGE_UNLOCKED, before, seen(service), at_least={"operators"})


def test_a_recovery_case_opened_at_completion_and_closed_by_a_lead_is_named(
    service: StationService, demo_env: StationEnvironment
) -> None:
    service.policies = trusting(demo_env).policies  # refunds on receipt for a known customer
    known_customer(demo_env, service, "RMA-100002")
    station = Station(service)
    parcel = demo_parcel(demo_env, "RMA-100002")
    station.scan(parcel.tracking_number)
    *first, last = units(parcel)
    for gtin, serial in first:
        work_unit(station, gtin, serial)
        station.press("Enter")
    station.scan(last[0])
    station.press("4")  # D: less than was paid on receipt
    notice, before, after = notice_of(station, lambda: station.press("Enter"))
    assert "a recovery case is open" in station.message
    assert_named(notice, before, after, at_least={"recovery", "returns", "outbox"})

    lead = service.authorize_lead("OP-0003", "2468")
    (case,) = service.open_recovery_cases()
    before = seen(service)
    service.close_recovery(
        case.case_id, lead, resolution=RecoveryResolution.RECOVERED, note="paid back"
    )
    assert_named(RECOVERY_CLOSED, before, seen(service), at_least={"recovery", "outbox"})


def test_a_completion_picking_units_and_their_second_grade_name_the_regrades(
    service: StationService, demo_env: StationEnvironment
) -> None:
    service.regrade_draw = lambda: 0.0  # every unit is picked for a second grade
    station = Station(service)
    parcel = demo_parcel(demo_env, "RMA-100001")
    station.scan(parcel.tracking_number)
    ((gtin, serial),) = units(parcel)
    work_unit(station, gtin, serial)
    notice, before, after = notice_of(station, lambda: station.press("Enter"))
    assert_named(notice, before, after, at_least={"regrades"})

    sam = station_service(demo_env, operator_code="OP-0002")
    task = sam.next_regrade()
    assert task is not None
    before = seen(service)
    assert sam.record_regrade(task.license_plate, "3") == "C"
    assert_named(UNIT_REGRADED, before, seen(service), at_least={"regrades"})


def test_a_reprint_and_the_print_worker_name_the_labels(
    service: StationService, demo_env: StationEnvironment, printer_port: int
) -> None:
    completed(service, demo_env, "RMA-100001")
    (row,) = [r for r in service.history() if r.rma_number == "RMA-100001"]
    worker = service.print_worker
    assert worker is not None

    # The printer is off: the round says so, and the job keeps the error
    before = seen(service)
    offline = worker.run_once()
    assert offline.offline is not None
    assert_named(printed(offline), before, seen(service), at_least={"labels"})

    before = seen(service)
    assert service.reprint(row.parcel_id)
    assert_named(LABELS_REPRINTED, before, seen(service), at_least={"labels"})

    # The printer is on: both labels go out
    with ZplListener(port=printer_port) as zebra:
        with demo_env.database.session() as session:  # due now, not after the backoff
            for job in session.exec(select(PrintJob)).all():
                job.next_attempt_at = utc_now()
                session.add(job)
        before = seen(service)
        round_ = worker.run_once()
        assert round_.printed == 2 and len(zebra.wait_for(2)) == 2
    assert_named(printed(round_), before, seen(service), at_least={"labels"})


def test_a_relay_round_and_a_pull_name_what_they_changed(
    service: StationService, demo_env: StationEnvironment
) -> None:
    completed(service, demo_env, "RMA-100001")
    with FakeShop() as shop, HttpContractConnector(shop.url, shop.token) as connector:
        before = seen(service)
        stats = Relay(demo_env.database, connector).run_once()
        assert stats.delivered > 0
        assert_named(relayed(stats), before, seen(service), at_least={"outbox"})
        nothing_due = Relay(demo_env.database, connector).run_once()
        assert not relayed(nothing_due)

    with ReturnFeedServer() as feed, HttpContractConnector(feed.url, feed.token) as connector:
        feed.publish(remote_return("RMA-7001"))
        before = seen(service)
        stats = Puller(demo_env.database, connector).pull(threading.Event())
        assert stats.created == 1
        assert_named(pulled(stats), before, seen(service), at_least={"returns"})
