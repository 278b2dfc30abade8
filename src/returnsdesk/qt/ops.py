"""One way to run work off the GUI thread: ``Op(fn).on_success(cb).on_failure(cb).start()``.

``fn`` runs on a worker thread and must never touch a widget; its result or exception comes
back to the GUI thread through a queued signal. Station operations share a one-thread pool so
they run in the order the inspector caused them (a scan is resolved before the next key).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")

_in_flight: set[Op[Any]] = set()  # keeps ops (and their signal objects) alive until delivered
_station_pool: QThreadPool | None = None
_unhandled_failure: Callable[[BaseException], None] | None = None


def station_pool() -> QThreadPool:
    global _station_pool
    if _station_pool is None:
        _station_pool = QThreadPool()
        _station_pool.setMaxThreadCount(1)
    return _station_pool


def set_unhandled_failure_handler(handler: Callable[[BaseException], None] | None) -> None:
    """Where failures go when an op has no ``on_failure`` (the app's error display)."""
    global _unhandled_failure
    _unhandled_failure = handler


def wait_for_all(timeout_ms: int = 10_000) -> bool:
    """Block until queued station work is done (shutdown and tests)."""
    return station_pool().waitForDone(timeout_ms)


def busy() -> bool:
    return bool(_in_flight)


class _Relay(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread, never lost
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


class Op(QObject, Generic[T]):
    """A unit of background work with GUI-thread callbacks."""

    def __init__(self, fn: Callable[[], T], *, pool: QThreadPool | None = None) -> None:
        super().__init__()
        self._fn = fn
        self._pool = pool or station_pool()
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._relay = _Relay()
        # The relay lives in the GUI thread, so these connections are queued from the worker.
        self._relay.succeeded.connect(self._deliver_success)
        self._relay.failed.connect(self._deliver_failure)

    def on_success(self, callback: Callable[[T], None]) -> Op[T]:
        self._success = callback
        return self

    def on_failure(self, callback: Callable[[BaseException], None]) -> Op[T]:
        self._failure = callback
        return self

    def start(self) -> None:
        _in_flight.add(self)
        self._pool.start(_Runnable(self._fn, self._relay))

    @Slot(object)
    def _deliver_success(self, result: T) -> None:
        _in_flight.discard(self)
        if self._success is not None:
            self._success(result)

    @Slot(object)
    def _deliver_failure(self, exc: BaseException) -> None:
        _in_flight.discard(self)
        if self._failure is not None:
            self._failure(exc)
        elif _unhandled_failure is not None:
            _unhandled_failure(exc)
        else:
            log.error("Background operation failed", exc_info=exc)
