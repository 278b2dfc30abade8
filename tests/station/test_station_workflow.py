"""The station's workflow, without a window: what each scan and key does, and what it shows."""

from __future__ import annotations

import pytest
from sqlmodel import select

from completing import demo_parcel, station_service, three_unit_parcel, with_two_more_grades
from returnsdesk.data.models import Refund, Return
from returnsdesk.domain.errors import WrongStep
from returnsdesk.domain.inspection import UnitStep
from returnsdesk.domain.vocabulary import Disposition, InspectionFlag, ReturnStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.demo import DemoParcel
from returnsdesk.station.screen import Focus, IdleGuide, ItemsGuide, Page, Sound, State, Step, Tone
from returnsdesk.station.workflow import AskUnexpectedNote
from workflow_driver import Station


def refunds_of(env: StationEnvironment, rma: str) -> list[Refund]:
    with env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
        return list(session.exec(select(Refund).where(Refund.return_id == return_.id)).all())


def work_unit(station: Station, parcel: DemoParcel, gtin: str, serial: str | None) -> None:
    """Scan an item, its serial if it has one, grade it 2 and answer any checklist yes."""
    station.scan(gtin)
    if serial is not None:
        station.scan(serial)
    station.press("2")
    while station.screen.unit is not None and station.screen.unit.step is UnitStep.CHECKLIST:
        station.press("Y")


def test_one_item_return_takes_four_inputs(station: Station, demo_env: StationEnvironment) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    # Given the station waits for a parcel
    assert station.screen.page is Page.GUIDE and station.screen.step is Step.PARCEL
    # When the inspector scans the parcel, then its item
    screen = station.scan(parcel.tracking_number)
    assert screen.state is State.RETURN and screen.step is Step.ITEMS
    assert screen.return_view is not None and screen.return_view.rma_number == parcel.rma_number
    assert [p.done for p in screen.lines] == [0]
    screen = station.scan(parcel.items[0].gtin)
    assert screen.page is Page.UNIT and screen.unit is not None
    assert screen.unit.step is UnitStep.GRADE
    # And presses grade 2: the refund to confirm is shown with the disposition
    screen = station.press("2")
    assert screen.unit is not None and screen.unit.decision is not None
    assert screen.unit.decision.confirms_refund
    assert screen.refund is not None and screen.refund.confirming
    assert screen.actions.accept
    # When they press Enter
    screen = station.press("Enter")
    # Then the return is completed, in four inputs, with one refund
    assert station.inputs == 4
    assert screen.state is State.OUTCOME and screen.step is Step.CONFIRM
    assert screen.banner.tone is Tone.OK and "approved" in screen.banner.text
    assert Sound.COMPLETE in station.sounds
    assert len(refunds_of(demo_env, parcel.rma_number)) == 1


def test_an_n_unit_return_takes_at_most_one_plus_three_inputs_a_unit(
    station: Station, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")
    (item,) = parcel.items
    station.scan(parcel.tracking_number)
    for _ in range(item.quantity):
        station.scan(item.gtin)
        station.press("2")
        station.press("Enter")
    assert station.state is State.OUTCOME
    assert station.inputs <= 1 + 3 * item.quantity
    (refund,) = refunds_of(demo_env, parcel.rma_number)
    assert refund.total > 0


def test_a_three_unit_confirmation_lists_every_line_with_its_deduction(
    station: Station, demo_env: StationEnvironment
) -> None:
    parcel = three_unit_parcel(demo_env)
    station.scan(parcel.tracking_number)
    units = [item for item in parcel.items for _ in range(item.quantity)]
    for index, item in enumerate(units):
        station.scan(item.gtin)
        station.press("4" if index == 0 else "2")  # the first unit damaged: a deduction
        while station.screen.unit is not None and station.screen.unit.step is UnitStep.CHECKLIST:
            station.press("Y")
        if index < len(units) - 1:
            station.press("Enter")
    # At the last unit's disposition, Enter confirms the refund shown: all three lines
    refund = station.screen.refund
    assert refund is not None and refund.confirming
    assert len(refund.lines) == 3
    assert [line.grade for line in refund.lines].count("D") == 1
    damaged = next(line for line in refund.lines if line.grade == "D")
    assert not damaged.refund.deduction.is_zero() and damaged.refund.deduction_reason
    assert refund.total.amount == sum(line.refund.amount.amount for line in refund.lines)


def test_closing_with_units_missing_shows_the_refund_and_enter_confirms_it(
    station: Station, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")
    station.scan(parcel.tracking_number)
    station.scan(parcel.items[0].gtin)
    station.press("2")
    station.press("Enter")
    screen = station.press("F8")
    assert screen.state is State.CONFIRM_CLOSE and screen.step is Step.CONFIRM
    assert "Close the parcel with 1 unit missing?" in screen.banner.text
    assert screen.refund is not None and screen.refund.confirming and len(screen.refund.lines) == 2
    assert refunds_of(demo_env, parcel.rma_number) == []
    # Esc goes back, a scan is refused, Enter confirms
    assert station.press("Esc").state is State.RETURN
    station.press("F8")
    assert "Press Enter to confirm" in station.scan(parcel.items[0].gtin).banner.text
    assert station.press("Enter").state is State.OUTCOME
    assert len(refunds_of(demo_env, parcel.rma_number)) == 1


def test_a_completed_return_scanned_again_is_never_refunded_twice(
    station: Station, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    station.scan(parcel.tracking_number)
    work_unit(station, parcel, parcel.items[0].gtin, None)
    station.press("Enter")
    station.press("Esc")
    screen = station.scan(parcel.tracking_number)
    assert screen.state is State.OUTCOME and screen.banner.tone is Tone.ERROR
    assert "cannot be refunded twice" in screen.banner.text
    assert screen.outcome is not None and not screen.outcome.just_completed
    assert len(refunds_of(demo_env, parcel.rma_number)) == 1


def test_an_unknown_parcel_is_searched_and_opened(
    station: Station, demo_env: StationEnvironment
) -> None:
    screen = station.scan("RMA-999999")
    assert screen.state is State.NO_RETURN and screen.banner.tone is Tone.WARNING
    assert station.reaction.focus is Focus.SEARCH and screen.no_return is not None
    screen = station.search("Sofia")
    assert screen.no_return is not None
    assert [r.rma_number for r in screen.no_return.results] == ["RMA-100001"]
    assert station.press("Enter").state is State.RETURN
    with demo_env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == "RMA-100001")).one()
        assert return_.status is ReturnStatus.RECEIVED


def test_an_override_needs_a_reason(station: Station, demo_env: StationEnvironment) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")
    station.scan(parcel.tracking_number)
    station.scan(parcel.items[0].gtin)
    station.press("2")
    station.press("O")
    assert station.asked is not None
    screen = station.override(Disposition.LIQUIDATE, "  ")
    assert screen.banner.tone is Tone.ERROR and "needs a reason" in screen.banner.text
    assert screen.state is State.UNIT
    screen = station.override(Disposition.LIQUIDATE, "box crushed")
    assert screen.state is State.RETURN and "Liquidate" in screen.banner.text


def test_a_note_is_kept_and_nothing_else_happens(
    station: Station, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    station.scan(parcel.tracking_number)
    station.scan(parcel.items[0].gtin)
    station.press("2")
    screen = station.note("scuffed heel")
    # The last unit's refund is not confirmed by keeping a note
    assert screen.state is State.UNIT and screen.unit is not None
    assert screen.unit.notes == "scuffed heel"
    assert refunds_of(demo_env, parcel.rma_number) == []


# --- defect: the hints say "1-5, A new ... F defective" whatever grading.toml says -------------


def test_key_hints_and_help_come_from_the_loaded_grading_scale(
    demo_env: StationEnvironment,
) -> None:
    # Given a site whose grading.toml has seven grades (the demo's five and two of its own)
    policies = with_two_more_grades(demo_env.policies)
    service = station_service(demo_env)
    service.policies = policies
    station = Station(service)

    # The help names every grade of the scale, by its key
    guide = station.screen.guide
    assert isinstance(guide, IdleGuide) and [g.code for g in guide.grades][-2:] == ["G", "H"]
    parcel = demo_parcel(demo_env, "RMA-100001")
    station.scan(parcel.tracking_number)
    screen = station.scan(parcel.items[0].gtin)
    # And the keys that work now say 1-7
    assert "1-7 grade" in screen.keys_hint and "1-5" not in screen.keys_hint
    assert screen.unit is not None and "press 1-7" in screen.unit.prompt
    work = station.workflow.work
    assert work is not None
    with pytest.raises(WrongStep, match=r"keys 1-7"):
        work.suggestion()  # the domain's own hint names the scale's keys too
    # Enter before grading: the answer names the keys of the loaded scale
    screen = station.press("Enter")
    assert screen.banner.tone is Tone.ERROR and "press 1-7" in screen.banner.text
    screen = station.press("2")
    assert "1-7 re-grade" in screen.keys_hint


# --- defect: a wrong item had to pass the electronics checklist before quarantine ------------


def test_a_wrong_item_goes_to_quarantine_in_at_most_three_inputs(
    station: Station, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    (camera,) = demo_parcel(demo_env, "RMA-100004").items  # electronics, with a checklist
    station.scan(parcel.tracking_number)
    # When an electronics item from another order is scanned
    screen = station.scan(camera.gtin)
    assert screen.unit is not None and "Wrong item" in screen.unit.flags
    before = station.inputs
    # Then a grade and Enter put it in quarantine, without a checklist
    station.press("3")
    screen = station.press("Enter")
    assert station.inputs - before <= 3
    assert screen.state is State.RETURN, screen.banner.text
    work = station.workflow.work
    assert work is not None
    (unit,) = work.units
    assert unit.location == "QUARANTINE" and InspectionFlag.WRONG_ITEM in unit.flags
    assert unit.answers == {}
    # And the item it is not counts as not done: the guide and the banner agree
    assert screen.guide == ItemsGuide(parcel.rma_number, done=0, expected=1)
    assert "Scan the next item (1 left)" in screen.banner.text


# --- defect: junk with nothing open was answered "Scan the parcel's label first" ------------


def test_junk_with_nothing_open_is_a_code_the_station_does_not_know(
    station: Station, demo_env: StationEnvironment
) -> None:
    screen = station.scan("XK-JUNK-7")
    assert screen.state is State.IDLE and screen.banner.tone is Tone.ERROR
    assert "does not know the code 'XK-JUNK-7'" in screen.banner.text
    assert "label first" not in screen.banner.text
    assert Sound.SCAN_ERROR in station.sounds


def test_a_parcel_with_no_return_is_received_as_unexpected(
    station: Station, demo_env: StationEnvironment
) -> None:
    station.scan("RMA-999999")
    station.press("F5")
    assert isinstance(station.asked, AskUnexpectedNote) and "RMA-999999" in station.asked.prompt
    screen = station.receive_unexpected("two shoes, no slip")
    assert screen.state is State.IDLE and screen.banner.tone is Tone.WARNING
    assert "received as unexpected" in screen.banner.text


def test_inputs_wait_while_a_step_is_being_saved(
    station: Station, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    workflow = station.workflow
    # Given the parcel scan's service call has not come back yet
    opening = workflow.scan(parcel.tracking_number)
    (job,) = opening.jobs
    assert opening.screen.busy and not opening.screen.actions.back
    # Then a scan is refused with a reason, and keys do nothing
    refused = workflow.scan(parcel.items[0].gtin)
    assert refused.jobs == () and "Still saving" in refused.screen.banner.text
    assert workflow.key("F8").jobs == () and workflow.state is State.IDLE
    # When the result comes back, the parcel is open
    assert workflow.finished(job, job.run()).screen.state is State.RETURN


def test_camera_scans_that_come_while_busy_wait_their_turn(
    station: Station, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    workflow, service = station.workflow, station.service
    # Given the camera's parcel scan is being opened
    opening = workflow.camera_scan(service.classify(parcel.tracking_number))
    (job,) = opening.jobs
    assert opening.sounds == (Sound.CAMERA_ACCEPT,)
    # When the camera reads the item meanwhile, it is kept, not refused
    waiting = workflow.camera_scan(service.classify(parcel.items[0].gtin))
    assert waiting.jobs == () and waiting.screen.banner.tone is not Tone.ERROR
    # Then once the parcel is open, the item is resolved in turn
    opened = workflow.finished(job, job.run())
    assert opened.screen.state is State.RETURN
    (resolve,) = opened.jobs
    assert workflow.finished(resolve, resolve.run()).screen.state is State.UNIT
