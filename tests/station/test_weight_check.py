"""The weight check at the station: a bench scale (simulated, MT-SICS on a pseudo-terminal)
weighs each parcel when it is opened; a parcel much lighter than what was shipped is flagged
underweight, needs a photo and holds its refund for a shift lead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import select

from completing import demo_parcel
from returnsdesk.data.models import Inspection, Parcel, Photo, Product, ProductGtin, Refund, Return
from returnsdesk.domain.barcodes import normalise_gtin
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.vocabulary import RefundStatus
from returnsdesk.scan.scale import MtSicsScale
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.demo import DemoParcel
from returnsdesk.services.operators import sign_in
from returnsdesk.services.photos import PhotoStore
from returnsdesk.services.station import StationService
from returnsdesk.station.screen import Screen, Sound, State, Tone
from scale_sim import SimulatedScale, simulated_scale
from workflow_driver import Station

FRAME = np.full((120, 160, 3), 90, dtype=np.uint8)  # the bench camera's picture


class WeighingStation(Station):
    def photo(self) -> Screen:
        return self._settle(self.workflow.photo(FRAME)).screen


class Bench:
    """A scale whose reply the test changes, as a person puts parcels on it."""

    def __init__(self) -> None:
        self.reply = b"ES\r\n"

    def answer(self, command: str) -> bytes:
        return self.reply

    def put(self, grams: int) -> None:
        self.reply = f"S S {grams / 1000:>10.3f} kg\r\n".encode()


@pytest.fixture
def bench() -> Iterator[tuple[Bench, SimulatedScale]]:
    bench = Bench()
    with simulated_scale(bench.answer) as sim:
        yield bench, sim


def service_for(
    env: StationEnvironment, tmp_path: Path, port: str | None, *, camera: bool = True
) -> StationService:
    with env.database.session() as session:
        context = sign_in(session, operator_code="OP-0001", station_code="STATION-01", pin=None)
    return StationService(
        database=env.database,
        policies=env.policies,
        context=context,
        scan_rules=env.scan_rules,
        clock=utc_now,  # the demo's dates are relative to the machine's clock
        require_photos=camera,
        photo_store=PhotoStore(tmp_path / "photos"),
        scale=MtSicsScale(port, timeout_s=1.0) if port is not None else None,
    )


def shipped_grams(env: StationEnvironment, parcel: DemoParcel) -> int:
    """What the goods on the return weigh, from the catalogue."""
    total = 0
    with env.database.session() as session:
        for item in parcel.items:
            product = session.exec(
                select(Product)
                .join(ProductGtin, ProductGtin.product_id == Product.id)  # type: ignore[arg-type]
                .where(ProductGtin.gtin == normalise_gtin(item.gtin))
            ).one()
            total += product.weight_grams * item.quantity
    return total


def one_unit_parcel(env: StationEnvironment) -> DemoParcel:
    parcel = demo_parcel(env, "RMA-100001")
    assert [i.quantity for i in parcel.items] == [1] and not parcel.items[0].serial_numbers
    return parcel


def grade_and_confirm(station: Station, parcel: DemoParcel) -> Screen:
    station.scan(parcel.items[0].gtin)
    station.press("2")
    return station.press("Enter")


def stored(env: StationEnvironment, rma: str) -> tuple[Parcel, Refund, list[Inspection]]:
    with env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
        parcel = session.exec(select(Parcel).where(Parcel.return_id == return_.id)).one()
        refund = session.exec(select(Refund).where(Refund.return_id == return_.id)).one()
        units = list(session.exec(select(Inspection).where(Inspection.parcel_id == parcel.id)))
        return parcel, refund, units


def test_a_parcel_that_weighs_what_was_shipped_goes_through_unflagged(
    demo_env: StationEnvironment, tmp_path: Path, bench: tuple[Bench, SimulatedScale]
) -> None:
    scale, sim = bench
    parcel = one_unit_parcel(demo_env)
    goods = shipped_grams(demo_env, parcel)
    station = WeighingStation(service_for(demo_env, tmp_path, sim.port))
    # Given the parcel on the scale weighs its goods plus a box
    scale.put(goods + 200)
    # When the inspector scans its label, the station weighs it by itself
    screen = station.scan(parcel.tracking_number)
    assert sim.commands == ["S"]
    assert screen.weight is not None and screen.weight.tone is Tone.OK
    assert screen.weight.text.startswith(f"Parcel weighs {(goods + 200) / 1000:.3f} kg")
    assert "weight plausible" in screen.banner.text
    assert screen.keys_hint.split(" · ")[1] == "W weigh again"
    # Then the return completes in the usual four inputs, approved and unflagged
    screen = grade_and_confirm(station, parcel)
    assert station.inputs == 4 and screen.state is State.OUTCOME
    row, refund, units = stored(demo_env, parcel.rma_number)
    assert refund.status is RefundStatus.APPROVED
    assert [u.flags for u in units] == [[]]
    assert (row.weighed_grams, row.expected_grams) == (goods + 200, goods + 50)


def test_a_light_parcel_is_flagged_needs_a_photo_and_holds_the_refund(
    demo_env: StationEnvironment, tmp_path: Path, bench: tuple[Bench, SimulatedScale]
) -> None:
    scale, sim = bench
    parcel = one_unit_parcel(demo_env)
    goods = shipped_grams(demo_env, parcel)
    station = WeighingStation(service_for(demo_env, tmp_path, sim.port))
    # Given a parcel that weighs a third of its goods: a box with the item taken out
    scale.put(goods // 3)
    # When it is opened
    screen = station.scan(parcel.tracking_number)
    # Then the station says it is too light, with the alarm, and asks for a photo
    assert screen.weight is not None and screen.weight.tone is Tone.ERROR
    assert "too light (empty box or a part missing?)" in screen.weight.text
    assert screen.banner.tone is Tone.ERROR and Sound.SCAN_ERROR in station.sounds
    assert "Photograph the opened parcel (P)" in screen.banner.text
    assert "The refund waits for a shift lead." in screen.banner.text
    assert screen.refund is not None and screen.refund.approval == "Flagged: Underweight"
    # And the item cannot be scanned before the parcel is photographed
    screen = station.scan(parcel.items[0].gtin)
    assert screen.state is State.RETURN and screen.banner.tone is Tone.ERROR
    assert screen.banner.text.startswith("Photograph the opened parcel first (P)")
    # When the inspector photographs it, then inspects the unit
    screen = station.photo()
    assert screen.banner.text.startswith("Photo of the parcel saved")
    screen = grade_and_confirm(station, parcel)
    # Then the refund waits for a lead, and the unit carries the flag in the database
    assert screen.state is State.OUTCOME and "waits for shift-lead approval" in screen.banner.text
    row, refund, units = stored(demo_env, parcel.rma_number)
    assert refund.status is RefundStatus.PENDING_APPROVAL
    assert refund.status_reason == "Flagged: Underweight"
    assert [u.flags for u in units] == [["underweight"]]
    assert row.weighed_grams == goods // 3 and row.lowest_grams is not None
    assert row.weighed_grams < row.lowest_grams
    with demo_env.database.session() as session:
        photos = session.exec(select(Photo).where(Photo.parcel_id == row.id)).all()
    assert [p.unit_id for p in photos] == [None]


def test_a_moving_load_is_weighed_again_with_w(
    demo_env: StationEnvironment, tmp_path: Path, bench: tuple[Bench, SimulatedScale]
) -> None:
    scale, sim = bench
    parcel = one_unit_parcel(demo_env)
    goods = shipped_grams(demo_env, parcel)
    station = WeighingStation(service_for(demo_env, tmp_path, sim.port))
    # Given a parcel still rocking on the scale
    scale.reply = b"S I\r\n"
    sim.answer = lambda command: b"S I\r\n" if command == "S" else b"S D   0.731 kg\r\n"
    screen = station.scan(parcel.tracking_number)
    # Then the parcel is open, not weighed, and the station says why and what to do
    assert screen.state is State.RETURN and screen.banner.tone is Tone.WARNING
    assert "does not settle (reads 0.731 kg, still moving)" in screen.banner.text
    assert screen.weight is not None and screen.weight.weighing is None
    assert screen.weight.tone is Tone.WARNING
    # When it has settled and the inspector presses W
    scale.put(goods + 100)
    sim.answer = scale.answer
    screen = station.press("W")
    # Then it is weighed
    assert screen.weight is not None and screen.weight.tone is Tone.OK
    assert sim.commands == ["S", "SI", "S"]


@pytest.mark.parametrize(
    ("reply", "said"),
    [(b"S +\r\n", "overloaded"), (b"\x00\x13garbage\r\n", "not a weight")],
)
def test_an_overloaded_or_garbled_scale_leaves_the_parcel_unweighed_and_unflagged(
    demo_env: StationEnvironment,
    tmp_path: Path,
    bench: tuple[Bench, SimulatedScale],
    reply: bytes,
    said: str,
) -> None:
    scale, sim = bench
    parcel = one_unit_parcel(demo_env)
    station = WeighingStation(service_for(demo_env, tmp_path, sim.port))
    scale.reply = reply
    screen = station.scan(parcel.tracking_number)
    assert said in screen.banner.text and screen.banner.tone is Tone.WARNING
    screen = grade_and_confirm(station, parcel)
    row, refund, units = stored(demo_env, parcel.rma_number)
    assert refund.status is RefundStatus.APPROVED and [u.flags for u in units] == [[]]
    assert row.weighed_grams is None


def test_an_unplugged_scale_does_not_stop_the_station(
    demo_env: StationEnvironment, tmp_path: Path
) -> None:
    parcel = one_unit_parcel(demo_env)
    station = WeighingStation(service_for(demo_env, tmp_path, str(tmp_path / "ttyUSB0")))
    screen = station.scan(parcel.tracking_number)
    assert screen.state is State.RETURN
    assert "cannot be opened (unplugged? switched off?)" in screen.banner.text
    screen = grade_and_confirm(station, parcel)
    assert screen.state is State.OUTCOME and "approved" in screen.banner.text


def test_the_weight_is_kept_when_the_parcel_is_left_and_scanned_again(
    demo_env: StationEnvironment, tmp_path: Path, bench: tuple[Bench, SimulatedScale]
) -> None:
    scale, sim = bench
    parcel = one_unit_parcel(demo_env)
    station = WeighingStation(service_for(demo_env, tmp_path, sim.port))
    scale.put(10)
    station.scan(parcel.tracking_number)
    station.photo()
    station.press("Esc")  # left open
    # When it is scanned again (here, or after a restart), it is not weighed again
    screen = station.scan(parcel.tracking_number)
    assert sim.commands == ["S"]
    assert screen.weight is not None and screen.weight.tone is Tone.ERROR
    # And its photo still counts: the item can be scanned
    screen = station.scan(parcel.items[0].gtin)
    assert screen.state is State.UNIT


def test_w_after_an_item_is_out_is_refused(
    demo_env: StationEnvironment, tmp_path: Path, bench: tuple[Bench, SimulatedScale]
) -> None:
    scale, sim = bench
    parcel = one_unit_parcel(demo_env)
    station = WeighingStation(service_for(demo_env, tmp_path, sim.port))
    scale.reply = b"S +\r\n"
    station.scan(parcel.tracking_number)
    station.scan(parcel.items[0].gtin)
    screen = station.press("W")
    assert screen.banner.tone is Tone.ERROR
    assert screen.banner.text.startswith("Items are out of the parcel already")
    assert sim.commands == ["S"]


def test_without_a_scale_nothing_changes(demo_env: StationEnvironment, tmp_path: Path) -> None:
    parcel = one_unit_parcel(demo_env)
    station = WeighingStation(service_for(demo_env, tmp_path, None))
    screen = station.scan(parcel.tracking_number)
    assert screen.weight is None and "W" not in [k.key for k in screen.keys]
    screen = station.press("W")
    assert screen.state is State.RETURN and screen.banner.tone is Tone.OK  # W is no command
    screen = grade_and_confirm(station, parcel)
    assert station.inputs == 5 and "approved" in screen.banner.text
