"""The MT-SICS scale driver against a simulated scale on a pseudo-terminal."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest

from returnsdesk.domain.errors import ScaleProblem
from returnsdesk.scan.scale import MtSicsScale
from scale_sim import SimulatedScale, simulated_scale, steady


def scale_on(sim: SimulatedScale, *, timeout_s: float = 1.0) -> MtSicsScale:
    return MtSicsScale(sim.port, baud=9600, timeout_s=timeout_s)


@pytest.mark.parametrize(
    ("value", "unit", "grams"),
    [
        ("1.234", "kg", Decimal("1234.000")),
        ("412.5", "g", Decimal("412.5")),
        ("2.000", "lb", Decimal("907.18474")),
        ("-0.002", "kg", Decimal("-2.000")),
    ],
)
def test_a_stable_weight_is_read_in_grams(value: str, unit: str, grams: Decimal) -> None:
    with simulated_scale(steady(value, unit)) as sim:
        assert scale_on(sim).weigh().grams == grams
        assert sim.commands == ["S"]


def test_the_port_is_released_after_each_reading_so_the_next_one_works() -> None:
    with simulated_scale(steady("0.800")) as sim:
        scale = scale_on(sim)
        assert [scale.weigh().whole_grams for _ in range(3)] == [800, 800, 800]


def test_a_scale_that_is_not_plugged_in_is_said_so(tmp_path: Path) -> None:
    missing = str(tmp_path / "ttyUSB9")
    with pytest.raises(ScaleProblem, match=r"cannot be opened \(unplugged\? switched off\?\)"):
        MtSicsScale(missing, timeout_s=0.5).weigh()


def test_a_scale_unplugged_in_the_middle_of_a_reading_is_said_so() -> None:
    sim: SimulatedScale

    def pulled(command: str) -> bytes | None:
        sim.unplug()  # the command arrived; the cable goes before the reply
        return None

    with simulated_scale(pulled) as sim:
        started = time.monotonic()
        with pytest.raises(ScaleProblem, match="stopped answering|did not answer"):
            scale_on(sim, timeout_s=2.0).weigh()
        assert sim.commands == ["S"]
        assert time.monotonic() - started < 2.5  # never hangs past the timeout


def test_a_scale_that_stays_silent_times_out() -> None:
    with (
        simulated_scale(lambda _command: None) as sim,
        pytest.raises(ScaleProblem, match=r"did not answer within 0.3 s"),
    ):
        scale_on(sim, timeout_s=0.3).weigh()


def test_a_load_that_keeps_moving_is_not_weighed() -> None:
    # Given a scale whose reading never settles: S gives up ("S I"), SI shows motion ("S D")
    def moving(command: str) -> bytes:
        return b"S I\r\n" if command == "S" else b"S D      1.3 kg\r\n"

    with simulated_scale(moving) as sim:
        with pytest.raises(ScaleProblem, match=r"does not settle \(reads 1.3 kg, still moving\)"):
            scale_on(sim).weigh()
        assert sim.commands == ["S", "SI"]


def test_a_busy_scale_asks_to_weigh_again() -> None:
    with (
        simulated_scale(lambda command: b"S I\r\n") as sim,
        pytest.raises(ScaleProblem, match="busy"),
    ):
        scale_on(sim).weigh()


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (b"S +\r\n", "overloaded"),
        (b"S -\r\n", "below zero"),
        (b"ES\r\n", "does not know the command 'S'"),
        (b"ET\r\n", "garbled characters: check the baud rate"),
        (b"EL\r\n", "logical error"),
        (b"S S      1.2 stone\r\n", "unit the station does not know: 1.2 stone"),
        (b"\xff\xfe\x80garbage\r\n", "garbage (wrong baud rate?)"),
        (b"hello <b>world</b>\r\n", "not a weight: 'hello <b>world</b>'"),
        (b"x" * 500, "sends garbage"),
    ],
)
def test_overload_errors_and_garbage_are_refused_in_plain_words(reply: bytes, said: str) -> None:
    with simulated_scale(lambda _command: reply) as sim, pytest.raises(ScaleProblem) as raised:
        scale_on(sim).weigh()
    assert said in str(raised.value)
    assert str(raised.value).isprintable()


def test_the_serial_number_and_current_reading_for_diagnostics() -> None:
    with simulated_scale(steady("0.000")) as sim:
        scale = scale_on(sim)
        assert scale.identify() == "B123456789"
        reading = scale.reading()
    assert reading.stable and reading.text == "0.000 kg" and reading.weight.grams == 0
