"""A unit finished in a parcel survives a station restart and is resumed, label and all."""

from __future__ import annotations

import pytest
from sqlmodel import select

from completing import demo_parcel, station_service
from returnsdesk.data.models import Inspection, UnitDraft
from returnsdesk.domain.errors import WrongStep
from returnsdesk.domain.inspection import InspectedUnit, ParcelInspection
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.demo import DemoParcel
from returnsdesk.services.station import ParcelOpened, StationService
from returnsdesk.services.views import ReceivedParcel


def receive(service: StationService, parcel: DemoParcel) -> ReceivedParcel:
    opened = service.open_parcel(service.classify(parcel.tracking_number))
    assert isinstance(opened, ParcelOpened)
    return opened.parcel


def inspect_next(service: StationService, received: ReceivedParcel, work: ParcelInspection,
                 gtin: str, grade: str) -> InspectedUnit:  # fmt: skip
    work.begin_unit(
        service.resolve_item(service.classify(gtin), received.view), now=service.clock()
    )
    work.grade(grade)
    while work.current is not None and work.current.step.value == "checklist":
        work.answer(True)
    return work.accept(now=service.clock())


def test_a_finished_unit_is_resumed_after_a_restart_and_completed_under_its_own_id(
    demo_env: StationEnvironment,
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")  # two units
    gtin = parcel.items[0].gtin
    # Given the first unit was finished (grade D, a note) at station 1
    first = station_service(demo_env)
    received = receive(first, parcel)
    work = first.resume_inspection(received)
    work_unit = inspect_next(first, received, work, gtin, "4")
    first.finish_unit(received.parcel_id, received.view.rma_number, work_unit)

    # When the station restarts (a new service, nothing in memory) and the parcel is scanned
    again = station_service(demo_env)
    resumed = receive(again, parcel)
    assert resumed.resumed and resumed.parcel_id == received.parcel_id
    work = again.resume_inspection(resumed)

    # Then the unit is there exactly as finished, and only one unit is left to do
    assert work.units == [work_unit]
    assert sum(work.remaining(line) for line in work.lines) == resumed.view.expected_units - 1

    # And completing writes it as an inspection under its own id (its label's plate)
    second_unit = inspect_next(again, resumed, work, gtin, "2")
    again.complete(resumed.parcel_id, work)
    with demo_env.database.session() as session:
        grades = {i.id: i.grade for i in session.exec(select(Inspection)).all()}
        assert session.exec(select(UnitDraft)).all() == []  # the drafts are gone
    assert grades == {work_unit.unit_id: "D", second_unit.unit_id: "B"}


def test_another_station_scanning_the_parcel_carries_on_with_the_units_done(
    demo_env: StationEnvironment,
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")
    first = station_service(demo_env)
    received = receive(first, parcel)
    work = first.new_inspection(received.view)
    unit = inspect_next(first, received, work, parcel.items[0].gtin, "3")
    first.finish_unit(received.parcel_id, received.view.rma_number, unit)

    other = station_service(demo_env, operator_code="OP-0002", station_code="STATION-02")
    assert other.resume_inspection(receive(other, parcel)).units == [unit]


def test_a_unit_whose_line_left_the_return_is_not_silently_dropped(
    demo_env: StationEnvironment,
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")
    service = station_service(demo_env)
    received = receive(service, parcel)
    work = service.new_inspection(received.view)
    unit = inspect_next(service, received, work, parcel.items[0].gtin, "2")
    stray = InspectedUnit.from_record(unit.to_record() | {"line_id": str(received.parcel_id)})
    fresh = service.new_inspection(received.view)
    with pytest.raises(WrongStep, match="not on this return any more"):
        fresh.restore([stray])
    assert fresh.units == []


def test_a_unit_reads_back_exactly_as_it_was_written(demo_env: StationEnvironment) -> None:
    parcel = demo_parcel(demo_env, "RMA-100003")  # electronics with a serial
    service = station_service(demo_env)
    received = receive(service, parcel)
    work = service.new_inspection(received.view)
    item = parcel.items[0]
    product = service.resolve_item(service.classify(item.gtin), received.view)
    work.begin_unit(product, now=service.clock())
    work.scan_serial(item.serial_numbers[0])
    work.grade("5")
    while work.current is not None and work.current.step.value == "checklist":
        work.answer(False)
    work.set_notes("screen cracked <b>badly</b> 🙁")
    unit = work.accept(now=service.clock())
    assert InspectedUnit.from_record(unit.to_record()) == unit
