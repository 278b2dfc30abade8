"""One hub for change notices (``station.changes.Changes``) in the station window.

Operations post what they changed: the station's jobs, the shift lead's decisions, the pull on
the GUI thread; the relay and the print worker from their own threads. Every screen that shows
that data subscribes to ``changed`` and re-reads only what a notice names: at once when it is on
screen, else when it is shown next. Anki's ``operation_did_execute``.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot

from returnsdesk.station.changes import Changes

log = logging.getLogger(__name__)


class ChangeHub(QObject):
    changed = Signal(object)  # Changes, always on the GUI thread
    _posted = Signal(object)  # from other threads, queued to the hub's own (GUI) thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._open = True
        self._posted.connect(self.post)  # emitted from another thread: a queued connection

    @Slot(object)
    def post(self, changes: Changes) -> None:
        """Tell every screen now (GUI thread)."""
        if changes and self._open:
            log.debug("Changed: %s", ", ".join(changes.named()))
            self.changed.emit(changes)

    def post_from_thread(self, changes: Changes) -> None:
        """Tell every screen soon, from any thread (the relay's, the print worker's)."""
        if changes and self._open:
            self._posted.emit(changes)

    def close(self) -> None:
        """No notices once the window closes: its screens are going away."""
        self._open = False
