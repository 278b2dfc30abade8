"""What the sync test doubles share: an HTTP server on 127.0.0.1 served from its own thread."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from typing import Any, Self


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive connections must not hold up shutdown

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up mid-answer (the relay's timeouts): expected here


class LoopbackService:
    """Serves ``server`` (bound to port 0) while used as ``with service: service.url``."""

    def __init__(self, server: QuietServer, *, name: str) -> None:
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name=name)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
