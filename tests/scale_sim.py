"""A simulated MT-SICS bench scale on a pseudo-terminal: the station opens the pty's slave side
as its serial port; a thread on the master side answers each command as a scale would."""

from __future__ import annotations

import os
import threading
import tty
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# What the scale answers to a command (None: it says nothing); may change between calls.
Answer = Callable[[str], bytes | None]


class SimulatedScale:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.commands: list[str] = []
        self._master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no newline translation: bytes pass as a cable passes them
        self.port = os.ttyname(slave)
        self._slave = slave  # held open so the pty survives between the station's readings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="scale-sim", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        buffer = b""
        while not self._stop.is_set():
            try:
                chunk = os.read(self._master, 256)
            except OSError:  # closed (unplugged) or the slave side went away
                return
            buffer += chunk
            while b"\r\n" in buffer:
                line, buffer = buffer.split(b"\r\n", 1)
                command = line.decode("ascii", "replace")
                self.commands.append(command)
                reply = self.answer(command)
                if reply is not None:
                    os.write(self._master, reply)

    def unplug(self) -> None:
        """The cable is pulled: the master side closes, reads on the port fail."""
        self._stop.set()
        os.close(self._master)

    def close(self) -> None:
        if not self._stop.is_set():
            self.unplug()
        os.close(self._slave)
        self._thread.join(2)


@contextmanager
def simulated_scale(answer: Answer) -> Iterator[SimulatedScale]:
    scale = SimulatedScale(answer)
    try:
        yield scale
    finally:
        scale.close()


def steady(weight: str, unit: str = "kg") -> Answer:
    """A scale with a parcel settled on it, e.g. steady("1.234")."""

    def answer(command: str) -> bytes | None:
        if command in ("S", "SI"):
            return f"S S {weight:>10} {unit}\r\n".encode()
        if command == "I4":
            return b'I4 A "B123456789"\r\n'
        return b"ES\r\n"

    return answer
