"""Wires the Qt-free ``StationWorkflow`` to the station view: inputs in, its screen out.

The workflow decides what a scan or key means; this controller passes the inspector's scans,
keys and clicks on as plain values, shows the screen it returns, plays its sounds, opens the
dialogs it asks for and runs its jobs off the GUI thread with ``Op``, handing each result back.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot

from returnsdesk.domain.inspection import ParcelInspection
from returnsdesk.domain.labels import is_license_plate
from returnsdesk.domain.scanning import ClassifiedScan
from returnsdesk.qt.camera import CameraBridge
from returnsdesk.qt.dialogs import OverrideDialog, ask_text
from returnsdesk.qt.ops import Op
from returnsdesk.qt.scanner import ScanInputFilter
from returnsdesk.qt.sound import Cue, SoundPlayer
from returnsdesk.qt.station_view import StationView
from returnsdesk.services.station import StationService
from returnsdesk.services.views import CompletionResult, ReceivedParcel
from returnsdesk.station.screen import Focus, State
from returnsdesk.station.workflow import (
    AskOverride,
    AskUnexpectedNote,
    Job,
    Pool,
    Reaction,
    StationWorkflow,
)

log = logging.getLogger(__name__)

__all__ = ["State", "StationController"]


class StationController(QObject):
    # A job succeeded and changed data other screens show: its notice (station.changes).
    changed = Signal(object)
    # The database found unreachable (True) or reached again (False), for the status bar.
    database_unreachable = Signal(bool)

    def __init__(
        self,
        *,
        view: StationView,
        service: StationService,
        sounds: SoundPlayer,
        scanner: ScanInputFilter,
        camera: CameraBridge | None = None,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.service = service
        self.sounds = sounds
        self.camera = camera
        self.workflow = StationWorkflow(
            service, camera=lambda: camera is not None and camera.running
        )
        view.set_grades(service.policies.grading.grades)  # until a return's own scale is shown
        self._unreachable = False
        self._connect_signals(scanner)
        self._apply(Reaction(self.workflow.screen(), focus=Focus.STATION))

    # What tests and the main window read: the workflow's own state.
    @property
    def state(self) -> State:
        return self.workflow.state

    @property
    def work(self) -> ParcelInspection | None:
        return self.workflow.work

    @property
    def parcel(self) -> ReceivedParcel | None:
        return self.workflow.parcel

    @property
    def busy(self) -> bool:
        return self.workflow.busy > 0

    @property
    def last_completion(self) -> CompletionResult | None:
        return self.workflow.last_completion

    def takes_lookups(self) -> bool:
        """No parcel is open: a license plate scan looks its unit up (in the shift history)."""
        return self.workflow.takes_lookups() or not self.view.isVisible()

    # --- wiring ---------------------------------------------------------------------------

    def _connect_signals(self, scanner: ScanInputFilter) -> None:
        view = self.view
        scanner.scanned.connect(self.on_scan)
        scanner.command.connect(self.on_command)
        view.command.connect(self.on_command)
        view.scan_typed.connect(self.on_scan)
        view.note_entered.connect(self._on_note_entered)
        view.search_entered.connect(lambda text: self._apply(self.workflow.search(text)))
        view.shop_clicked.connect(lambda row: self._apply(self.workflow.highlight_shop(row)))
        view.result_chosen.connect(self.workflow.select)
        if self.camera is not None:
            self.camera.scanned.connect(self.on_camera_scan)

    # --- inputs -----------------------------------------------------------------------------

    @Slot(str)
    def on_scan(self, raw: str) -> None:
        if is_license_plate(raw) and not self.view.isVisible():
            return  # the main window shows the unit in the shift history
        self._apply(self.workflow.scan(raw))

    @Slot(object)
    def on_camera_scan(self, scan: ClassifiedScan) -> None:
        """A value the camera's decoder accepted (classified and confirmed already)."""
        self._apply(self.workflow.camera_scan(scan))

    @Slot(str)
    def on_command(self, key: str) -> None:
        if not self.view.isVisible():
            return
        if key.upper() == "P":
            frame = self.camera.latest_frame() if self.camera is not None else None
            self._apply(self.workflow.photo(frame))
            return
        self._apply(self.workflow.key(key))

    @Slot(str)
    def _on_note_entered(self, text: str) -> None:
        reaction = self.workflow.note(text)
        # The Enter that kept the note is still on its way up to the station view, where it
        # would accept the unit: the focus moves only once it has gone by.
        self._apply(reaction, focus=False)
        if reaction.focus is Focus.STATION:
            QTimer.singleShot(0, self.view.setFocus)

    # --- showing and running --------------------------------------------------------------

    def _apply(self, reaction: Reaction, *, focus: bool = True) -> None:
        # The work first: it runs (database, disk) while this thread lays out the busy screen;
        # its result arrives by a queued signal, so never before that screen is shown.
        for job in reaction.jobs:
            self._start(job)
        for sound in reaction.sounds:
            self.sounds.play(Cue(sound.value))
        subject = reaction.screen.photo_subject
        thumbnails = self.workflow.thumbnails.get(subject, []) if subject is not None else []
        self.view.show_screen(reaction.screen, thumbnails)
        if focus and reaction.focus is not None:
            self.view.focus_on(reaction.focus)
        if reaction.screen.database_unreachable is not self._unreachable:
            self._unreachable = reaction.screen.database_unreachable
            self.database_unreachable.emit(self._unreachable)
        if reaction.retry is not None:
            # The database is outside the process: a timer asks again (GUIDE.md 14).
            round_ = reaction.retry.round
            QTimer.singleShot(
                int(reaction.retry.seconds * 1000),
                self,
                lambda: self._apply(self.workflow.retry(round_)),
            )
        if isinstance(reaction.ask, AskOverride):
            dialog = OverrideDialog(reaction.ask.suggested, parent=self.view)
            accepted = bool(dialog.exec()) and dialog.choice is not None
            self._apply(self.workflow.override(dialog.choice if accepted else None, dialog.reason))
        elif isinstance(reaction.ask, AskUnexpectedNote):
            note = ask_text(self.view, "Unexpected parcel", reaction.ask.prompt)
            self._apply(self.workflow.receive_unexpected(note))

    def _start(self, job: Job) -> None:
        pool = QThreadPool.globalInstance() if job.pool is Pool.GENERAL else None
        log.debug("Running %s", job.what)
        Op(job.run, owner=self.view, pool=pool).on_success(
            lambda result: self._finished(job, result)
        ).on_failure(lambda exc: self._failed(job, exc)).start()

    def _finished(self, job: Job, result: object) -> None:
        self._apply(self.workflow.finished(job, result))
        if job.changes:
            self.changed.emit(job.changes)

    def _failed(self, job: Job, exc: BaseException) -> None:
        """Operator errors go to the banner (a failed photo never costs the inspection);
        anything else is a bug, for the crash dialog, after the screen is freed."""
        try:
            reaction = self.workflow.failed(job, exc)
        except BaseException:
            self.view.show_screen(self.workflow.screen(), [])
            raise
        self._apply(reaction)
