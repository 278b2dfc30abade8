"""The station's workflow: what each scan, key and click means in the current step.

Inputs come as plain values (the raw scan, the key's name, a dialog's answer). Each returns a
``Reaction``: the screen to show, sounds, a question to ask, and ``Job``s, the service calls to
run off the GUI thread. Whoever runs a job hands its result back with ``finished`` (or its
exception with ``failed``), another input. The domain's ``ParcelInspection`` keeps the parcel's
own state; this object keeps the station's (which screen, which parcel, what is running).

Here are the inputs and what a scan or key means in the current step; the rest is beside it:
``core`` (the station's state and plumbing), ``parcel_step`` (open, weigh, search, close),
``unit_step`` (an item, its serial, photos and disposition), ``display`` (the ``Screen``),
``keys`` (the key hints, from the loaded policies) and ``reaction`` (``Reaction``, ``Job``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from returnsdesk.domain.errors import DatabaseUnavailable, OperatorError, RejectedScan, WrongStep
from returnsdesk.domain.inspection import UnitStep
from returnsdesk.domain.labels import is_license_plate
from returnsdesk.domain.scanning import ClassifiedScan, ScanKind
from returnsdesk.domain.vocabulary import Disposition
from returnsdesk.station.changes import PARCEL_RECEIVED, UNEXPECTED_PARCEL
from returnsdesk.station.keys import prompt
from returnsdesk.station.reaction import AskOverride, AskUnexpectedNote, Job, Pool, Reaction
from returnsdesk.station.screen import Banner, Focus, Sound, State, Tone
from returnsdesk.station.unit_step import UnitSteps, scan_text

if TYPE_CHECKING:
    from returnsdesk.services.photos import Image

log = logging.getLogger(__name__)

_PARCEL_SCANS = (ScanKind.TRACKING, ScanKind.RMA, ScanKind.ORDER)
_NAVIGATION_KEYS = ("UP", "DOWN", "BACKSPACE")


class StationWorkflow(UnitSteps):
    """The station's inputs; the steps they lead to are in parcel_step and unit_step."""

    # --- inputs -------------------------------------------------------------------------------

    def takes_lookups(self) -> bool:
        """No parcel is open: a license plate scan looks its unit up (in the shift history)."""
        return self.state in (State.IDLE, State.OUTCOME)

    def scan(self, raw: str) -> Reaction:
        """A scanner burst (or a code typed in the scan field)."""
        if is_license_plate(raw) and self.takes_lookups():
            return self._react()  # a unit's label: the shift history looks it up
        if self.waiting_for_database:
            return self._refuse_while_waiting()
        if self.busy:
            return self._react(error="Still saving the last step — scan again in a moment.")
        try:
            scan = self.service.classify(raw)
        except RejectedScan as exc:
            return self._react(error=f"Scan rejected: {exc}")
        return self._guarded(lambda: self._dispatch_scan(scan))

    def camera_scan(self, scan: ClassifiedScan) -> Reaction:
        """A value the camera's decoder accepted (classified and confirmed already)."""
        self._sounds.append(Sound.CAMERA_ACCEPT)
        if self.waiting_for_database:
            return self._refuse_while_waiting()
        if self.busy:
            self._camera_queue.append(scan)  # the camera will not offer it again while in view
            return self._react()
        return self._guarded(lambda: self._dispatch_scan(scan))

    def key(self, key: str) -> Reaction:
        """A key pressed by a person, or the button that stands for it ("2", "Y", "Enter")."""
        if self.waiting_for_database and self.busy:
            # The step on screen waits for the database: Enter tries now, Esc gives it up.
            if key.upper() == "ENTER":
                self._retry_now()
                self._banner = Banner("Trying the database again…", Tone.WARNING)
            elif key.upper() in ("ESC", "ESCAPE"):
                self._stop_waiting()
            return self._react()
        if self.busy:
            return self._react()
        return self._guarded(lambda: self._command(key.upper()))

    def note(self, text: str) -> Reaction:
        """The note field's text, kept with Enter."""
        if self.work is None or self.work.current is None:
            return self._react()
        try:
            self.work.set_notes(text)
        except OperatorError as exc:  # e.g. a pasted NUL: the text stays to be corrected
            return self._react(error=str(exc))
        self._banner = Banner("Note kept.", Tone.OK)
        self._focus = Focus.STATION
        return self._react()

    def search(self, text: str) -> Reaction:
        if self.state is not State.NO_RETURN or not text.strip() or self.busy:
            return self._react()
        self._run("search", lambda: self.service.search(text), self._on_search_results)
        return self._react()

    def select(self, row: int | None) -> None:
        """The search result the inspector moved to (Enter opens it)."""
        self.selected = row

    def highlight_shop(self, row: int) -> Reaction:
        """A shop's row clicked while asked which shop: Enter (or a double click) opens it."""
        choice = self._shop_choice
        if self.state is not State.CHOOSE_SHOP or choice is None or self.busy:
            return self._react()
        if not 0 <= row < len(choice.options):
            return self._react()
        return self._guarded(lambda: self._highlight_shop(row))

    def receive_unexpected(self, note: str | None) -> Reaction:
        """The inspector's description of a parcel no return has (None: they cancelled)."""
        scan = self._unexpected_scan
        if note is None or scan is None or self.state is not State.NO_RETURN or self.busy:
            return self._react()

        def done(_parcel_id: object) -> None:
            self._show_idle(
                f"Parcel {scan.value} received as unexpected and set aside for a shift lead.",
                Tone.WARNING,
            )

        self._run(
            "receive unexpected",
            lambda: self.service.receive_unexpected(scan, note),
            done,
            changes=UNEXPECTED_PARCEL,
        )
        return self._react()

    def override(self, choice: Disposition | None, reason: str) -> Reaction:
        """The override dialog's answer (None: cancelled, the suggestion stands)."""
        self._focus = Focus.STATION
        if choice is None or self.busy:
            return self._react()
        return self._guarded(lambda: self._accept_unit(choice, reason))

    def photo(self, frame: Image | None) -> Reaction:
        """P: store the camera's current picture as evidence for the unit (or the parcel)."""
        return self._guarded(lambda: self._take_photo(frame))

    def finished(self, job: Job, result: object) -> Reaction:
        """A job's result, back on the station's thread."""
        self._job_done(job)
        self._database_reached()
        return self._guarded(lambda: job.then(result), queued=True)

    def failed(self, job: Job, exc: BaseException) -> Reaction:
        """A job's exception: operator errors are shown; anything else is a bug and re-raised.
        The database unreachable: the job waits and runs again (``retry``), the screen as it
        was, with the banner saying so."""
        if isinstance(exc, DatabaseUnavailable):
            self._wait_for_database(job, exc)
            return self._react()
        self._job_done(job)
        if not isinstance(exc, OperatorError):
            raise exc
        self._database_reached()  # it answered: the error is about the step
        refused = job.refused
        if refused is not None:
            return self._guarded(lambda: refused(exc), queued=True)
        return self._react(error=str(exc), queued=True)

    def retry(self, round_: int) -> Reaction:
        """The timer a ``RetryAfter`` asked for: the jobs waiting for the database run again.
        A round made void meanwhile (Enter tried already, Esc gave up) does nothing."""
        if round_ == self._round and self._retry_due:
            self._retry_now()
        return self._react()

    def _refuse_while_waiting(self) -> Reaction:
        return self._react(
            error=f"Not taken: the database is unreachable (retrying every {self._delay:g} s)."
            " Your inspection is kept; scan again once it is back."
        )

    # --- scans and keys ---------------------------------------------------------------------

    def _dispatch_scan(self, scan: ClassifiedScan) -> None:
        log.info("Scan %s %s in %s", scan.kind.value, scan.value, self.state.name)
        if scan.kind is ScanKind.OPERATOR:
            raise WrongStep("That is an operator badge. Sign out (Ctrl+L) to change operator.")
        if self.state in (State.IDLE, State.OUTCOME, State.NO_RETURN, State.CHOOSE_SHOP):
            if scan.kind in _PARCEL_SCANS:  # asked which shop: another label starts over
                self._run(
                    "open parcel",
                    lambda: self.service.open_parcel(scan),
                    self._on_parcel,
                    changes=PARCEL_RECEIVED,
                )
                return
            if self.state is State.CHOOSE_SHOP:
                self._choose_shop("")  # refused with the keys that work
            if scan.kind is ScanKind.TEXT:
                raise WrongStep(
                    f"The station does not know the code '{scan.value[:30]}'. Scan the parcel's"
                    " label (tracking number or RMA) to start."
                )
            raise WrongStep(
                "Scan the parcel's label first (tracking number or RMA), then its items."
            )
        if self.state is State.CONFIRM_CLOSE:
            raise WrongStep(
                "Press Enter to confirm the refund, or Esc to go back to scanning items."
            )
        if self.state is State.CONFIRM_UNDO:
            raise WrongStep("Press Enter to undo the receipt, or Esc to keep the parcel open.")
        work, parcel = self._open_parcel()
        if self.state is State.UNIT and work.current is not None:
            if work.current.step is UnitStep.SERIAL and scan.kind is not ScanKind.RMA:
                # Serials are whatever the maker prints: all digits may look like a GTIN or a
                # tracking number, so the serial step takes the text as scanned.
                self._serial_scanned(scan_text(scan))
                return
            raise WrongStep("Finish this item first: " + prompt(work))
        if scan.kind in _PARCEL_SCANS:
            raise WrongStep(
                "This parcel is still open. Finish it (F8 closes with the rest missing)."
            )
        if not work.units:
            work.require_parcel_photo()
        view = parcel.view
        self._run("resolve item", lambda: self.service.resolve_item(scan, view), self._on_item)

    def _command(self, key: str) -> None:
        if self.state is State.CHOOSE_SHOP:
            if key in ("ESC", "ESCAPE"):
                self._cancel()
            else:
                self._choose_shop(key)
            return
        if key in _NAVIGATION_KEYS:
            return  # they only move in a list, and only the shop choice is the station's
        if key == "ENTER":
            if self.state is State.UNIT:
                self._accept_unit(None, None)
            elif self.state is State.CONFIRM_CLOSE:
                self._complete()
            elif self.state is State.CONFIRM_UNDO:
                self._undo_receipt()
            elif self.state is State.NO_RETURN:
                self._open_selected()
            return
        if key in ("ESC", "ESCAPE"):
            self._cancel()
            return
        if key == "F8":
            self._close_with_missing()
            return
        if key == "F9":
            self._empty_box()
            return
        if key == "F7":
            self._ask_undo()
            return
        if key == "F5":
            if self.state is State.NO_RETURN and self._unexpected_scan is not None:
                self._ask = AskUnexpectedNote(
                    f"Parcel {self._unexpected_scan.value} has no return. What is in it?"
                    " (for the shift lead)"
                )
            return
        if key == "F2":
            if self.state is State.UNIT:
                self._focus = Focus.NOTES
            return
        if key == "F4":
            self._focus = Focus.SCAN_FIELD
            return
        if (
            key == "W"
            and self.service.scale is not None
            and self.state in (State.RETURN, State.UNIT)
        ):
            self._weigh()
            return
        if self._unit_key(key):
            return
        if key.isdigit() and self.state is State.RETURN:
            raise WrongStep("Scan the item before grading it.")
        if self.state in (State.IDLE, State.OUTCOME):
            raise WrongStep("Scan a parcel label to start (F4 types a code by hand).")

    def _cancel(self) -> None:
        """Esc: one step back. Never discards a recorded parcel (it stays open to resume)."""
        self._focus = Focus.STATION
        if self.state is State.UNIT and self.work is not None:
            self.work.cancel_unit()
            self.state = State.RETURN
            self._banner = Banner("Item cancelled. Scan an item.", Tone.INFO)
        elif self.state is State.CONFIRM_CLOSE and self.work is not None:
            self.work.empty_box = False
            self.state = State.RETURN
            self._banner = Banner("Back to scanning items.", Tone.INFO)
        elif self.state is State.CONFIRM_UNDO:
            self.state = State.RETURN
            self._banner = Banner("Receipt kept. Scan an item.", Tone.INFO)
        elif self.state is State.RETURN and self.parcel is not None:
            rma = self.parcel.view.rma_number
            self._show_idle(
                f"Parcel {rma} left open; scan it again to carry on. Scan the next parcel.",
                Tone.WARNING,
            )
        elif self.state in (State.NO_RETURN, State.OUTCOME):
            self._show_idle("Scan a parcel label to start.", Tone.INFO)
        elif self.state is State.CHOOSE_SHOP:
            self._show_idle("No shop chosen: nothing was received. Scan a parcel label.", Tone.INFO)


__all__ = [
    "AskOverride",
    "AskUnexpectedNote",
    "Job",
    "Pool",
    "Reaction",
    "StationWorkflow",
    "scan_text",
]
