"""A real TCP listener standing in for a Zebra printer on port 9100: it keeps what it receives.

``free_port()`` reserves nothing: it finds a port nobody listens on, so a connection to it is
refused (a printer switched off) until ``ZplListener(port=...)`` starts listening there.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class ZplListener:
    """Accepts connections on 127.0.0.1 and stores each connection's bytes as one job."""

    def __init__(self, port: int = 0) -> None:
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", port))
        self._server.listen()
        self.port: int = self._server.getsockname()[1]
        self.jobs: list[bytes] = []
        self._received = threading.Condition()
        self._thread = threading.Thread(target=self._serve, name="zpl-listener", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _address = self._server.accept()
            except OSError:  # closed
                return
            with connection:
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
            with self._received:
                self.jobs.append(b"".join(chunks))
                self._received.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[bytes]:
        with self._received:
            self._received.wait_for(lambda: len(self.jobs) >= count, timeout)
            return list(self.jobs)

    def close(self) -> None:
        with contextlib.suppress(OSError):  # shutdown wakes the accept() blocked on its thread
            self._server.shutdown(socket.SHUT_RDWR)
        self._server.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ZplListener:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
