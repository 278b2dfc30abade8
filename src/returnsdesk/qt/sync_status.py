"""The outbox's state in one wording, read in one place, for the status bar and the lead's tab.

Both used to read the outbox on their own timers and word it their own way, so after a few
completions the status bar said "7 waiting" while the shift lead tab said "13 events waiting".
Now one ``SyncMonitor`` reads it (on every change notice naming the outbox, and when the lead
refreshes) and both show ``sync_line`` of the same ``SyncHealth``.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from returnsdesk.qt.ops import Op
from returnsdesk.services.station import StationService
from returnsdesk.services.sync.relay import SyncHealth
from returnsdesk.station.changes import Changes

log = logging.getLogger(__name__)

_SLOW_S = 900  # an event waiting longer than this is worth a lead's look


def sync_line(health: SyncHealth, *, configured: bool, pull_failed: bool = False) -> str:
    """One line on the outbox: what needs a person, what waits and for how long."""
    minutes = (
        int(health.oldest_pending_age.total_seconds() // 60) if health.oldest_pending_age else 0
    )
    if health.needs_attention:
        line = f"Sync: {health.needs_attention} need attention, {health.pending} waiting"
    elif not health.pending:
        line = "Sync: all delivered" if configured else "Sync: not configured, nothing waiting"
    elif configured:
        line = f"Sync: {health.pending} waiting, oldest {minutes} min"
    else:
        line = f"Sync: not configured, {health.pending} waiting in the outbox, oldest {minutes} min"
    return line + (" · pull failed" if pull_failed else "")


def sync_trouble(health: SyncHealth, *, pull_failed: bool) -> bool:
    """Worth a lead's attention: a parked event, a failed pull or an event waiting too long."""
    slow = (
        health.oldest_pending_age is not None
        and health.oldest_pending_age.total_seconds() > _SLOW_S
    )
    return bool(health.needs_attention) or pull_failed or slow


class SyncMonitor(QObject):
    """Reads the outbox's health off the GUI thread and tells whoever shows it (``changed``).

    Reads do not pile up: a refresh asked while one is running runs once it is done.
    """

    changed = Signal(object)  # SyncHealth

    def __init__(
        self, service: StationService, *, configured: bool, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self.configured = configured
        self.health: SyncHealth | None = None
        self.pull_error: str | None = None  # the last pull's failure (None: fine or no pull)
        self._reading = False
        self._again = False

    def line(self) -> str:
        if self.health is None:
            return "Sync: checking…"
        return sync_line(
            self.health, configured=self.configured, pull_failed=self.pull_error is not None
        )

    @Slot(object)
    def on_changes(self, changes: Changes) -> None:
        """A change notice: the status bar is always on screen, so read at once."""
        if changes.outbox:
            self.refresh()

    def refresh(self) -> None:
        if self._reading:
            self._again = True
            return
        self._reading = True
        # The general pool: a slow database read must never delay a scan on the station pool.
        Op(self._service.sync_health, owner=self, pool=QThreadPool.globalInstance()).on_success(
            self._read
        ).on_failure(self._unreadable).start()

    def set_pull_error(self, error: str | None) -> None:
        if error != self.pull_error:
            self.pull_error = error
            if self.health is not None:
                self.changed.emit(self.health)

    def _read(self, health: SyncHealth) -> None:
        self._reading = False
        self.health = health
        self.changed.emit(health)
        self._read_again()

    def _unreadable(self, exc: BaseException) -> None:
        self._reading = False
        log.warning("Sync health unavailable: %s", exc)
        self._read_again()

    def _read_again(self) -> None:
        if self._again:
            self._again = False
            self.refresh()
