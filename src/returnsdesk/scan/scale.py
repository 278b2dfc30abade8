"""A bench scale on a serial port, spoken to in Mettler Toledo's MT-SICS (level 0 commands).

MT-SICS is the "Standard Interface Command Set" of Mettler Toledo balances and bench scales,
and many other makers' scales speak it too. Commands and replies are ASCII lines ending in
CR LF. The station uses three commands:

``S``   the stable weight: the scale waits until the reading settles, then replies
        ``S S     1.234 kg``; ``S I`` if it cannot (still in motion when its own timeout ran
        out, or busy taring); ``S +`` / ``S -`` when the load is over or under its range.
``SI``  the weight now, stable or not: ``S S ...`` (stable) or ``S D ...`` (dynamic: moving).
        Asked after an ``S I`` to tell a load that keeps moving from a busy scale.
``I4``  the scale's serial number: ``I4 A "B123456789"`` (for diagnostics).

Any command may also be answered ``ES`` (syntax error: the scale does not know the command),
``ET`` (transmission error: it received garbled characters) or ``EL`` (logical error: it
cannot execute it now). See docs/it-guide.md ("Bench scale") for wiring and settings.

The port is opened for each reading and closed after it, so a scale that is unplugged and
plugged in again (a USB serial device comes back under the same name) needs no restart.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import serial

from returnsdesk.domain.errors import ScaleProblem
from returnsdesk.domain.weighing import Weight

log = logging.getLogger(__name__)

MT_SICS = "mt-sics"
PROTOCOLS = (MT_SICS,)
_MAX_LINE = 120  # a reply longer than any MT-SICS line is garbage, not a weight
# "S S     1.234 kg": the command echo, the status, the value (sign, spaces) and its unit.
_WEIGHT = re.compile(r"S (?P<status>[SD])\s+(?P<value>[-+]?\s*\d+(?:\.\d+)?)\s+(?P<unit>\S+)")
_SERIAL = re.compile(r'I4 A "(?P<serial>[^"]*)"')


@dataclass(frozen=True)
class Reading:
    """One weight reply: the weight and whether the scale called it stable."""

    weight: Weight
    stable: bool
    text: str  # as the scale sent it, e.g. "1.234 kg"


class MtSicsScale:
    """An MT-SICS scale on ``port`` (``/dev/ttyUSB0``, ``COM3``); every call opens the port."""

    def __init__(
        self,
        port: str,
        *,
        baud: int = 9600,
        timeout_s: float = 5.0,
        opener: Callable[..., serial.Serial] = serial.Serial,
    ) -> None:
        self.port = port
        self.baud = baud
        self.timeout_s = timeout_s
        self._open = opener

    def describe(self) -> str:
        return f"MT-SICS scale on {self.port} ({self.baud} baud)"

    def weigh(self) -> Weight:
        """The stable weight on the scale; raises ``ScaleProblem`` saying what is wrong."""
        with self._session() as link:
            reply = link.ask("S")
            if reply == "S I":
                # The scale gave up waiting for a stable reading, or is busy: ask what it sees.
                now = link.ask("SI")
                reading = _reading(now) if now.startswith("S D") else None
                if reading is not None:
                    raise ScaleProblem(
                        f"The scale does not settle (reads {reading.text}, still moving):"
                        " take your hands off the parcel and weigh again (W)."
                    )
                raise ScaleProblem("The scale is busy (taring?): weigh again in a moment (W).")
            reading = _reading(reply)
            if not reading.stable:  # "S D" to S: not MT-SICS, but never take a moving weight
                raise ScaleProblem(f"The scale sent a weight that is not stable ({reading.text}).")
            return reading.weight

    def identify(self) -> str:
        """The scale's serial number (``I4``), for diagnostics."""
        with self._session() as link:
            reply = link.ask("I4")
        match = _SERIAL.fullmatch(reply)
        if match is None:
            raise ScaleProblem(f"The scale did not give its serial number: {_quoted(reply)}")
        return match["serial"]

    def reading(self) -> Reading:
        """The weight now, stable or not (``SI``), for diagnostics."""
        with self._session() as link:
            return _reading(link.ask("SI"))

    def _session(self) -> _Link:
        try:
            port = self._open(
                port=self.port,
                baudrate=self.baud,
                bytesize=serial.EIGHTBITS,
                parity=serial.PARITY_NONE,
                stopbits=serial.STOPBITS_ONE,
                timeout=self.timeout_s,
                write_timeout=self.timeout_s,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise ScaleProblem(
                f"The scale on {self.port} cannot be opened (unplugged? switched off?): {exc}"
            ) from exc
        return _Link(port, self.port, self.timeout_s)


# A port that vanished mid-exchange: pyserial's POSIX backend lets termios.error through from
# flush() (tcdrain on a closed device), which is not an OSError.
_PORT_GONE: tuple[type[BaseException], ...] = (serial.SerialException, OSError)
if sys.platform != "win32":
    import termios

    _PORT_GONE += (termios.error,)


class _Link:
    """An open port: one command, one reply line, errors said in the operator's words."""

    def __init__(self, port: serial.Serial, name: str, timeout_s: float) -> None:
        self._port = port
        self._name = name
        self._timeout_s = timeout_s

    def __enter__(self) -> _Link:
        return self

    def __exit__(self, *_exc: object) -> None:
        try:
            self._port.close()
        except _PORT_GONE:
            log.debug("closing %s failed", self._name, exc_info=True)

    def ask(self, command: str) -> str:
        try:
            self._port.reset_input_buffer()  # a stale reply must not answer this command
            self._port.write(f"{command}\r\n".encode("ascii"))
            self._port.flush()
            raw = self._port.read_until(b"\n", _MAX_LINE)
        except _PORT_GONE as exc:
            raise ScaleProblem(
                f"The scale on {self._name} stopped answering (unplugged?): {exc}"
            ) from exc
        if not raw.endswith(b"\n"):
            if len(raw) >= _MAX_LINE:
                raise ScaleProblem(f"The scale on {self._name} sends garbage: {_quoted(raw)}")
            raise ScaleProblem(
                f"The scale on {self._name} did not answer within {self._timeout_s:g} s"
                " (switched off, wrong port or baud rate, or not an MT-SICS scale?)."
            )
        try:
            reply = raw.decode("ascii").strip()
        except UnicodeDecodeError:
            raise ScaleProblem(
                f"The scale on {self._name} sends garbage (wrong baud rate?): {_quoted(raw)}"
            ) from None
        _raise_for_error(reply, command)
        return reply


def _raise_for_error(reply: str, command: str) -> None:
    if reply == "ES":
        raise ScaleProblem(f"The scale does not know the command {command!r} (not MT-SICS?).")
    if reply == "ET":
        raise ScaleProblem("The scale received garbled characters: check the baud rate.")
    if reply == "EL":
        raise ScaleProblem("The scale cannot weigh now (logical error): check its display.")
    if reply == "S +":
        raise ScaleProblem("The scale is overloaded: the parcel is too heavy for it.")
    if reply == "S -":
        raise ScaleProblem("The scale reads below zero: empty it and zero it, then weigh again.")


def _reading(reply: str) -> Reading:
    match = _WEIGHT.fullmatch(reply)
    if match is None:
        raise ScaleProblem(f"The scale's reply is not a weight: {_quoted(reply)}")
    text = f"{match['value'].replace(' ', '')} {match['unit']}"
    try:
        weight = Weight.of(Decimal(match["value"].replace(" ", "")), match["unit"])
    except (KeyError, InvalidOperation):
        raise ScaleProblem(
            f"The scale weighs in a unit the station does not know: {text}"
        ) from None
    return Reading(weight, match["status"] == "S", text)


def _quoted(raw: str | bytes) -> str:
    """A reply shown as plain, printable text (it came from outside), at most 40 characters."""
    text = raw.decode("ascii", "replace") if isinstance(raw, bytes) else raw
    shown = "".join(ch if ch.isprintable() else "?" for ch in text.strip())
    return repr(shown[:40] + ("…" if len(shown) > 40 else ""))


__all__ = ["MT_SICS", "PROTOCOLS", "MtSicsScale", "Reading"]
