"""One way to run work off the GUI thread: ``Op(fn).on_success(cb).on_failure(cb).start()``.

``fn`` runs on a worker thread and must never touch a widget; its result or exception comes
back to the GUI thread through a queued signal. Station operations share a one-thread pool so
they run in the order the inspector caused them (a scan is resolved before the next key).

One relay QObject, created on the GUI thread and never deleted, carries every result back.
A relay per operation would be released by whichever thread dropped the last reference, and
a QObject destroyed outside its own thread while its queued signal is in flight crashes Qt.

Every op names the widget it works for (``owner``). A result that arrives after its owner
was deleted (a window closed while a read was in flight) is dropped, not delivered to a dead
widget.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from shiboken6 import Shiboken

log = logging.getLogger(__name__)

T = TypeVar("T")

_pending: dict[int, Op[Any]] = {}  # started, result not yet delivered
_ids = itertools.count(1)
_station_pool: QThreadPool | None = None
_relay: _Relay | None = None
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
    """Block until queued station work and background reads are done (shutdown and tests)."""
    station_done = station_pool().waitForDone(timeout_ms)
    return QThreadPool.globalInstance().waitForDone(timeout_ms) and station_done


def busy() -> bool:
    return bool(_pending)


class _Relay(QObject):
    succeeded = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self) -> None:
        super().__init__()
        self.succeeded.connect(self._deliver_success)
        self.failed.connect(self._deliver_failure)

    @Slot(int, object)
    def _deliver_success(self, op_id: int, result: object) -> None:
        op = _pending.pop(op_id, None)
        if op is not None:
            op.succeeded(result)

    @Slot(int, object)
    def _deliver_failure(self, op_id: int, exc: object) -> None:
        op = _pending.pop(op_id, None)
        if op is not None and isinstance(exc, BaseException):
            op.failed(exc)


def _get_relay() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay()  # first use is on the GUI thread: ops are started from the GUI
    return _relay


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], op_id: int, relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._op_id = op_id
        self._relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread, never lost
            self._relay.failed.emit(self._op_id, exc)
        else:
            self._relay.succeeded.emit(self._op_id, result)


class Op(Generic[T]):
    """A unit of background work with GUI-thread callbacks."""

    def __init__(
        self, fn: Callable[[], T], *, owner: QObject, pool: QThreadPool | None = None
    ) -> None:
        self._fn = fn
        self._owner = owner
        self._pool = pool or station_pool()
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None

    def on_success(self, callback: Callable[[T], None]) -> Op[T]:
        self._success = callback
        return self

    def on_failure(self, callback: Callable[[BaseException], None]) -> Op[T]:
        self._failure = callback
        return self

    def start(self) -> None:
        op_id = next(_ids)
        _pending[op_id] = self
        self._pool.start(_Runnable(self._fn, op_id, _get_relay()))

    def owner_alive(self) -> bool:
        return Shiboken.isValid(self._owner)

    def succeeded(self, result: T) -> None:
        if not self.owner_alive():
            log.debug("Dropped a result for a deleted %s", type(self._owner).__name__)
            return
        if self._success is not None:
            self._success(result)

    def failed(self, exc: BaseException) -> None:
        if not self.owner_alive():
            log.warning("Background operation failed after its window closed", exc_info=exc)
            return
        if self._failure is not None:
            self._failure(exc)
        elif _unhandled_failure is not None:
            _unhandled_failure(exc)
        else:
            log.error("Background operation failed", exc_info=exc)
