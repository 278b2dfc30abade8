"""The station's workflow: what each scan, key and click means in the current step.

Inputs come as plain values (the raw scan, the key's name, a dialog's answer). Each returns a
``Reaction``: the screen to show, sounds, a question to ask, and ``Job``s, the service calls to
run off the GUI thread. Whoever runs a job hands its result back with ``finished`` (or its
exception with ``failed``), another input. The domain's ``ParcelInspection`` keeps the parcel's
own state; this object keeps the station's (which screen, which parcel, what is running).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Any

from returnsdesk.domain.errors import (
    AlreadyCompleted,
    OperatorError,
    RejectedScan,
    ScaleProblem,
    WrongStep,
)
from returnsdesk.domain.inspection import (
    InspectedUnit,
    ParcelInspection,
    ScannedProduct,
    UnitStep,
)
from returnsdesk.domain.labels import is_license_plate
from returnsdesk.domain.scanning import ClassifiedScan, ScanKind
from returnsdesk.domain.vocabulary import Disposition, InspectionFlag, RefundStatus
from returnsdesk.domain.weighing import Weighing
from returnsdesk.services.station import (
    NoReturnFound,
    ParcelAlreadyCompleted,
    ParcelOpened,
    ParcelScanResult,
    StationService,
)
from returnsdesk.services.views import (
    CompletionResult,
    ReceivedParcel,
    ReturnOutcome,
    ReturnSummary,
)
from returnsdesk.station.changes import (
    NOTHING,
    PARCEL_COMPLETED,
    PARCEL_RECEIVED,
    PHOTO_SAVED,
    UNEXPECTED_PARCEL,
    UNIT_FINISHED,
    Changes,
)
from returnsdesk.station.screen import (
    Actions,
    Banner,
    Decision,
    Focus,
    IdleGuide,
    ItemsGuide,
    KeyHint,
    LineProgress,
    NoReturnPanel,
    OutcomePanel,
    Page,
    RefundPanel,
    Screen,
    Sound,
    State,
    Step,
    Tone,
    UnitPanel,
    WeightPanel,
    grade_keys,
)

if TYPE_CHECKING:
    from returnsdesk.services.photos import Image, PhotoView

log = logging.getLogger(__name__)

_PARCEL_SCANS = (ScanKind.TRACKING, ScanKind.RMA, ScanKind.ORDER)


class Pool(Enum):
    STATION = "station"  # one thread, in the order the inspector caused them
    GENERAL = "general"  # slow work that must never hold up the next scan (photos)


@dataclass(frozen=True)
class Job:
    """A service call to run off the GUI thread; its result goes back to ``finished``."""

    what: str  # for the log
    run: Callable[[], Any]
    then: Callable[[Any], None] = field(repr=False)
    refused: Callable[[OperatorError], None] | None = field(default=None, repr=False)
    blocking: bool = True  # the station takes no scan until it is done
    pool: Pool = Pool.STATION
    changes: Changes = NOTHING  # what it changed once it succeeded, for the other screens


@dataclass(frozen=True)
class AskOverride:
    suggested: Disposition


@dataclass(frozen=True)
class AskUnexpectedNote:
    prompt: str


@dataclass(frozen=True)
class Reaction:
    screen: Screen
    jobs: tuple[Job, ...] = ()
    sounds: tuple[Sound, ...] = ()
    ask: AskOverride | AskUnexpectedNote | None = None
    focus: Focus | None = None  # None: leave the focus where it is


class StationWorkflow:
    def __init__(
        self, service: StationService, *, camera: Callable[[], bool] | None = None
    ) -> None:
        self.service = service
        self._camera_on = camera or (lambda: False)
        self.state = State.IDLE
        self.busy = 0  # blocking jobs not finished yet
        self.parcel: ReceivedParcel | None = None
        self.work: ParcelInspection | None = None
        self.last_completion: CompletionResult | None = None
        self._banner = Banner("Scan a parcel label to start.", Tone.INFO)
        self._outcome: OutcomePanel | None = None
        self._unexpected_scan: ClassifiedScan | None = None
        self._results: tuple[ReturnSummary, ...] = ()
        self.selected: int | None = None  # the search result chosen (the list's current row)
        self._completing = False
        self._camera_queue: list[ClassifiedScan] = []  # camera scans that came while busy
        self.thumbnails: dict[uuid.UUID, list[Image]] = {}  # by unit id (or parcel id)
        self._scale_problem: str | None = None  # why the open parcel could not be weighed
        # What the input being handled caused, gathered into its Reaction.
        self._jobs: list[Job] = []
        self._sounds: list[Sound] = []
        self._ask: AskOverride | AskUnexpectedNote | None = None
        self._focus: Focus | None = None

    # --- inputs -------------------------------------------------------------------------------

    def takes_lookups(self) -> bool:
        """No parcel is open: a license plate scan looks its unit up (in the shift history)."""
        return self.state in (State.IDLE, State.OUTCOME)

    def scan(self, raw: str) -> Reaction:
        """A scanner burst (or a code typed in the scan field)."""
        if is_license_plate(raw) and self.takes_lookups():
            return self._react()  # a unit's label: the shift history looks it up
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
        if self.busy:
            self._camera_queue.append(scan)  # the camera will not offer it again while in view
            return self._react()
        return self._guarded(lambda: self._dispatch_scan(scan))

    def key(self, key: str) -> Reaction:
        """A key pressed by a person, or the button that stands for it ("2", "Y", "Enter")."""
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
        return self._guarded(lambda: job.then(result), queued=True)

    def failed(self, job: Job, exc: BaseException) -> Reaction:
        """A job's exception: operator errors are shown; anything else is a bug and re-raised."""
        self._job_done(job)
        if not isinstance(exc, OperatorError):
            raise exc
        refused = job.refused
        if refused is not None:
            return self._guarded(lambda: refused(exc), queued=True)
        return self._react(error=str(exc), queued=True)

    # --- scans and keys ---------------------------------------------------------------------

    def _dispatch_scan(self, scan: ClassifiedScan) -> None:
        log.info("Scan %s %s in %s", scan.kind.value, scan.value, self.state.name)
        if scan.kind is ScanKind.OPERATOR:
            raise WrongStep("That is an operator badge. Sign out (Ctrl+L) to change operator.")
        if self.state in (State.IDLE, State.OUTCOME, State.NO_RETURN):
            if scan.kind in _PARCEL_SCANS:
                self._run(
                    "open parcel",
                    lambda: self.service.open_parcel(scan),
                    self._on_parcel,
                    changes=PARCEL_RECEIVED,
                )
                return
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
        work, parcel = self._open_parcel()
        if self.state is State.UNIT and work.current is not None:
            if work.current.step is UnitStep.SERIAL and scan.kind is not ScanKind.RMA:
                # Serials are whatever the maker prints: all digits may look like a GTIN or a
                # tracking number, so the serial step takes the text as scanned.
                self._serial_scanned(scan_text(scan))
                return
            raise WrongStep("Finish this item first: " + self._prompt(work))
        if scan.kind in _PARCEL_SCANS:
            raise WrongStep(
                "This parcel is still open. Finish it (F8 closes with the rest missing)."
            )
        if not work.units:
            work.require_parcel_photo()
        view = parcel.view
        self._run("resolve item", lambda: self.service.resolve_item(scan, view), self._on_item)

    def _command(self, key: str) -> None:
        if key == "ENTER":
            if self.state is State.UNIT:
                self._accept_unit(None, None)
            elif self.state is State.CONFIRM_CLOSE:
                self._complete()
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
        if self.state is State.UNIT and self.work is not None and self.work.current is not None:
            step = self.work.current.step
            if key.isdigit():
                if step is UnitStep.DISPOSITION or step is UnitStep.CHECKLIST:
                    self.work.regrade()  # a new grade key replaces the previous grade
                self.work.grade(key)
                self._sounds.append(Sound.SCAN_OK)
                self._focus = Focus.STATION
                return
            if key in ("Y", "N") and step is UnitStep.CHECKLIST:
                self.work.answer(key == "Y")
                self._focus = Focus.STATION
                return
            if key == "O" and step is UnitStep.DISPOSITION:
                self._ask = AskOverride(self.work.suggestion().disposition)
                return
        if key.isdigit() and self.state is State.RETURN:
            raise WrongStep("Scan the item before grading it.")
        if self.state in (State.IDLE, State.OUTCOME):
            raise WrongStep("Scan a parcel label to start (F4 types a code by hand).")

    # --- parcels ------------------------------------------------------------------------------

    def _on_parcel(self, result: ParcelScanResult) -> None:
        if isinstance(result, ParcelOpened):
            self._start_parcel(result.parcel)
        elif isinstance(result, ParcelAlreadyCompleted):
            self._sounds.append(Sound.SCAN_ERROR)
            self._show_outcome(result.outcome, just_completed=False)
        elif isinstance(result, NoReturnFound):
            self._show_no_return(result.scan)

    def _start_parcel(self, parcel: ReceivedParcel) -> None:
        self._sounds.append(Sound.SCAN_OK)
        work = self.service.resume_inspection(parcel)
        self.parcel, self.work = parcel, work
        self._outcome = None
        self.state = State.RETURN
        units = parcel.view.expected_units
        done = len(work.units)
        resumed = f" (resumed: {done} unit{_s(done)} already inspected)" if parcel.resumed else ""
        self._banner = Banner(
            f"Return {parcel.view.rma_number}: {units} unit{_s(units)} expected"
            f"{resumed}. Scan an item.",
            Tone.OK,
        )
        self._focus = Focus.STATION
        self._scale_problem = None
        if self.service.scale is not None and work.weighing is None and not work.units:
            self._banner = Banner(
                f"Return {parcel.view.rma_number}: {units} unit{_s(units)} expected."
                " Weighing the parcel…",
                Tone.INFO,
            )
            self._weigh()

    # --- the weight check ---------------------------------------------------------------------

    def _weigh(self) -> None:
        """Weigh the open parcel (when it is opened, or W): before its items come out."""
        work, parcel = self._open_parcel()
        if self.service.scale is None:
            raise WrongStep("This station has no scale (settings: scale.port).")
        if work.units or work.current is not None:
            raise WrongStep(
                "Items are out of the parcel already: its weight says nothing now."
                " Weigh a parcel when it is opened, before scanning its items."
            )
        service, parcel_id, contents = self.service, parcel.parcel_id, work.contents_grams
        self._run(
            "weigh parcel",
            lambda: service.weigh_parcel(parcel_id, contents),
            self._on_weighed,
            refused=self._on_scale_problem,
        )

    def _on_weighed(self, weighing: Weighing) -> None:
        work, _parcel = self._open_parcel()
        work.weigh(weighing)
        self._scale_problem = None
        if not weighing.underweight:
            self._sounds.append(Sound.SCAN_OK)
            self._banner = Banner(f"{weighing.describe()} Scan an item.", Tone.OK)
            return
        self._sounds.append(Sound.SCAN_ERROR)
        then = []
        if work.missing_photo_reason() is not None:
            then.append("Photograph the opened parcel (P), then scan its items.")
        if InspectionFlag.UNDERWEIGHT in self.service.policies.refunds.needs_approval_flags:
            then.append("The refund waits for a shift lead.")
        self._banner = Banner(" ".join([weighing.describe(), *then]), Tone.ERROR)

    def _on_scale_problem(self, exc: OperatorError) -> None:
        if not isinstance(exc, ScaleProblem):
            self._error(str(exc))
            return
        self._scale_problem = str(exc)
        self._sounds.append(Sound.SCAN_ERROR)
        self._banner = Banner(
            f"Not weighed: {exc} Or go on without a weight: scan an item.", Tone.WARNING
        )

    def _weight_panel(self, work: ParcelInspection) -> WeightPanel | None:
        if self.service.scale is None:
            return None
        weighing = work.weighing
        if weighing is not None:
            tone = Tone.ERROR if weighing.underweight else Tone.OK
            return WeightPanel(weighing.describe(), tone, weighing)
        if self._scale_problem is not None:
            return WeightPanel(f"Not weighed: {self._scale_problem}", Tone.WARNING, None)
        if work.units:
            return WeightPanel("Not weighed (items were out before it was).", Tone.WARNING, None)
        return WeightPanel(
            "Weighing…" if self.busy else "Not weighed yet: W weighs.", Tone.INFO, None
        )

    def _show_no_return(self, scan: ClassifiedScan) -> None:
        self._sounds.append(Sound.SCAN_ERROR)
        self.state = State.NO_RETURN
        self._unexpected_scan = scan
        self.parcel = self.work = None
        self._outcome = None
        self._results = ()
        self.selected = None
        self._banner = Banner(f"No return found for {scan.value}.", Tone.WARNING)
        self._focus = Focus.SEARCH

    def _on_search_results(self, results: list[ReturnSummary]) -> None:
        self._results = tuple(results)
        if results:
            self.selected = 0
            self._focus = Focus.RESULTS
            self._banner = Banner(
                f"{len(results)} returns found. ↓ ↑ choose, Enter opens.", Tone.INFO
            )
        else:
            self.selected = None
            self._banner = Banner(
                "No return matches. Try the order number or the surname.", Tone.WARNING
            )

    def _open_selected(self) -> None:
        if self.selected is None or not 0 <= self.selected < len(self._results):
            raise WrongStep("Choose a return from the list first (search, then ↓).")
        summary = self._results[self.selected]
        scan = self._unexpected_scan
        tracking = scan.value if scan is not None and scan.kind is ScanKind.TRACKING else ""
        carrier = scan.carrier or "" if scan is not None else ""
        service = self.service

        def open_it() -> ParcelScanResult:
            if summary.status.value == "completed":
                return ParcelAlreadyCompleted(service.outcome(summary.return_id))
            return ParcelOpened(service.open_return(summary.return_id, tracking, carrier))

        self._run("open return", open_it, self._on_parcel, changes=PARCEL_RECEIVED)

    # --- units --------------------------------------------------------------------------------

    def _open_parcel(self) -> tuple[ParcelInspection, ReceivedParcel]:
        if self.work is None or self.parcel is None:
            raise WrongStep("Scan a parcel label first.")
        return self.work, self.parcel

    def _on_item(self, product: ScannedProduct) -> None:
        work, _parcel = self._open_parcel()
        draft = work.begin_unit(product, now=self.service.clock())
        self.state = State.UNIT
        self._focus = Focus.STATION
        if InspectionFlag.WRONG_ITEM in draft.flags:
            self._sounds.append(Sound.SCAN_ERROR)
            self._banner = Banner(
                f"{product.title} is NOT on this return. Grade it anyway: it stays in the "
                "warehouse, is not refunded, and a shift lead sees it.",
                Tone.WARNING,
            )
        else:
            self._sounds.append(Sound.SCAN_OK)
            self._banner = Banner(f"{product.title}: matched.", Tone.OK)

    def _serial_scanned(self, serial: str) -> None:
        work, _parcel = self._open_parcel()
        if work.scan_serial(serial):
            self._sounds.append(Sound.SCAN_OK)
            self._banner = Banner(f"Serial {serial} matches the unit shipped.", Tone.OK)
        else:
            self._sounds.append(Sound.SCAN_ERROR)
            self._banner = Banner(
                f"Serial {serial} does not match any unit shipped on this order. "
                "Take a photo; the refund waits for a shift lead.",
                Tone.ERROR,
            )

    def _accept_unit(self, override: Disposition | None, reason: str | None) -> None:
        work, parcel = self._open_parcel()
        if work.current is None or work.current.step is not UnitStep.DISPOSITION:
            raise WrongStep(self._prompt(work))
        last = work.completes_with_current
        unit = work.accept(now=self.service.clock(), override=override, reason=reason)
        self.state = State.RETURN
        self._focus = Focus.STATION
        if last:
            self._complete()
            return
        # Stored now (a restart resumes with it) and its label prints while it is in the
        # inspector's hands; station jobs run in order, so this lands before the completion.
        service, rma = self.service, parcel.view.rma_number
        self._run(
            "finish unit",
            lambda: service.finish_unit(parcel.parcel_id, rma, unit),
            lambda _queued: None,
            blocking=False,
            changes=UNIT_FINISHED,
        )
        remaining = work.expected_units - len([u for u in work.units if u.line_id is not None])
        self._banner = Banner(
            f"{unit.product.title}: {unit.disposition.label} → {unit.location}. "
            f"Scan the next item ({remaining} left) or F8 to close with the rest missing.",
            Tone.OK,
        )

    def _take_photo(self, frame: Image | None) -> None:
        work, parcel = self._open_parcel()
        if frame is None:
            raise WrongStep("No camera picture to save: the camera is off or not connected.")
        unit = work.current
        subject = unit.id if unit is not None else parcel.parcel_id

        def saved(result: tuple[PhotoView, Image | None]) -> None:
            photo, thumbnail = result
            if unit is not None:
                unit.photos += 1
            else:
                work.parcel_photos += 1
            if thumbnail is not None:
                self.thumbnails.setdefault(subject, []).append(thumbnail)
            self._sounds.append(Sound.SCAN_OK)
            what = "the unit" if unit is not None else "the parcel"
            self._banner = Banner(f"Photo of {what} saved ({photo.sha256[:12]}…).", Tone.OK)

        service, unit_id = self.service, unit.id if unit is not None else None
        # Photos use the general pool: encoding and fsync never hold up the next scan.
        self._run(
            "save photo",
            lambda: service.save_photo(parcel.parcel_id, unit_id, frame),
            saved,
            blocking=False,
            pool=Pool.GENERAL,
            changes=PHOTO_SAVED,
        )

    # --- closing ------------------------------------------------------------------------------

    def _close_with_missing(self) -> None:
        if self.state is State.UNIT:
            raise WrongStep("Finish or cancel (Esc) the current item before closing the parcel.")
        if self.state is not State.RETURN or self.work is None:
            return
        missing = len(self.work.missing_units())
        self.state = State.CONFIRM_CLOSE
        self._banner = Banner(
            f"Close the parcel with {missing} unit{_s(missing)} missing? "
            f"Refund {self.work.quote().total}. Enter confirms, Esc goes back.",
            Tone.WARNING,
        )

    def _empty_box(self) -> None:
        if self.state is not State.RETURN or self.work is None:
            return
        self.work.mark_empty_box()
        self._close_with_missing()
        self._banner = Banner(
            f"Empty box: nothing of {self.work.expected_units} expected units. Refund "
            f"{self.work.quote().total}. Enter confirms, Esc goes back.",
            Tone.ERROR,
        )

    def _complete(self) -> None:
        work, parcel = self._open_parcel()
        self._completing = True
        self._run(
            "complete",
            lambda: self.service.complete(parcel.parcel_id, work),
            self._on_completed,
            refused=self._on_completion_refused,
            changes=PARCEL_COMPLETED,
        )

    def _on_completion_refused(self, exc: OperatorError) -> None:
        self._completing = False
        if isinstance(exc, AlreadyCompleted) and self.parcel is not None:
            # Another station was first: show what it recorded and free this one.
            return_id = self.parcel.view.return_id
            self._run(
                "outcome",
                lambda: self.service.outcome(return_id),
                lambda outcome: self._show_outcome(outcome, just_completed=False),
            )
            return
        self._error(str(exc))
        if self.state is State.RETURN:
            self._focus = Focus.STATION

    def _on_completed(self, result: CompletionResult) -> None:
        self.last_completion = result
        self._sounds.append(Sound.COMPLETE)
        parcel = self.parcel
        assert parcel is not None
        return_id = parcel.view.return_id
        self._run(
            "outcome",
            lambda: self.service.outcome(return_id),
            lambda outcome: self._show_outcome(outcome, just_completed=True),
        )

    def _show_outcome(self, outcome: ReturnOutcome, *, just_completed: bool) -> None:
        self.state = State.OUTCOME
        self._completing = False
        self.work = self.parcel = None
        self.thumbnails.clear()  # the return is done: its photos are in the shift history
        self._outcome = OutcomePanel(outcome, just_completed)
        self._focus = Focus.STATION
        if just_completed:
            refund = outcome.refund_total.format() if outcome.refund_total else "—"
            pending = outcome.refund_status is RefundStatus.PENDING_APPROVAL
            self._banner = Banner(
                f"Done: {outcome.view.rma_number} refund {refund} "
                + ("waits for shift-lead approval." if pending else "approved.")
                + " Scan the next parcel.",
                Tone.WARNING if pending else Tone.OK,
            )
        else:
            self._banner = Banner(
                f"{outcome.view.rma_number} was completed before: it cannot be refunded twice.",
                Tone.ERROR,
            )

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
        elif self.state is State.RETURN and self.parcel is not None:
            rma = self.parcel.view.rma_number
            self._show_idle(
                f"Parcel {rma} left open; scan it again to carry on. Scan the next parcel.",
                Tone.WARNING,
            )
        elif self.state in (State.NO_RETURN, State.OUTCOME):
            self._show_idle("Scan a parcel label to start.", Tone.INFO)

    def _show_idle(self, message: str, tone: Tone) -> None:
        self.state = State.IDLE
        self.parcel = self.work = None
        self._outcome = None
        self._unexpected_scan = None
        self._results = ()
        self.selected = None
        self._banner = Banner(message, tone)
        self._focus = Focus.STATION

    # --- plumbing -------------------------------------------------------------------------------

    def _run(
        self,
        what: str,
        run: Callable[[], Any],
        then: Callable[[Any], None],
        *,
        refused: Callable[[OperatorError], None] | None = None,
        blocking: bool = True,
        pool: Pool = Pool.STATION,
        changes: Changes = NOTHING,
    ) -> None:
        job = Job(what, run, then, refused, blocking, pool, changes)
        if blocking:
            self.busy += 1
        self._jobs.append(job)

    def _job_done(self, job: Job) -> None:
        if job.blocking:
            self.busy = max(0, self.busy - 1)

    def _error(self, message: str) -> None:
        self._sounds.append(Sound.SCAN_ERROR)
        self._banner = Banner(message, Tone.ERROR)

    def _guarded(self, act: Callable[[], object], *, queued: bool = False) -> Reaction:
        """Run one input (or, ``queued``, a job's result; then the camera's waiting scans):
        an operator error is shown on the banner, never raised."""
        before = self._banner
        try:
            act()
        except OperatorError as exc:
            self._error(str(exc))
        else:
            if self._banner is before and before.tone is Tone.ERROR and not queued:
                # A rejection stays red only until an input succeeds: then say what comes next.
                self._banner = Banner(self._next(), Tone.INFO)
        return self._react(queued=queued)

    def _next(self) -> str:
        if self.state is State.UNIT and self.work is not None:
            return self._prompt(self.work)
        return {
            State.RETURN: "Scan an item.",
            State.CONFIRM_CLOSE: "Enter confirms the refund, Esc goes back.",
            State.NO_RETURN: "Search by order number or name, or F5 for an unexpected parcel.",
        }.get(self.state, "Scan a parcel label to start.")

    def _react(self, *, error: str | None = None, queued: bool = False) -> Reaction:
        if error is not None:
            self._error(error)
        if queued and not self.busy and self._camera_queue:
            scan = self._camera_queue.pop(0)
            try:
                self._dispatch_scan(scan)
            except OperatorError as exc:
                self._error(str(exc))
        reaction = Reaction(
            screen=self.screen(),
            jobs=tuple(self._jobs),
            sounds=tuple(self._sounds),
            ask=self._ask,
            focus=self._focus,
        )
        self._jobs, self._sounds, self._ask, self._focus = [], [], None, None
        return reaction

    # --- the screen -----------------------------------------------------------------------------

    def screen(self) -> Screen:
        state, work, parcel = self.state, self.work, self.parcel
        grades = self.service.policies.grading.grades
        base = Screen(
            state=state,
            page=Page.GUIDE,
            step=Step.PARCEL,
            banner=self._banner,
            keys=(),
            actions=self._actions(),
            busy=self.busy > 0,
        )
        if state is State.OUTCOME and self._outcome is not None:
            outcome = self._outcome
            return replace(
                base,
                page=Page.OUTCOME,
                step=Step.CONFIRM if outcome.just_completed else Step.PARCEL,
                keys=(KeyHint("Scan", "the next parcel"), KeyHint("Esc", "clear")),
                return_view=outcome.outcome.view,
                lines=tuple(LineProgress(ln, ln.quantity) for ln in outcome.outcome.view.lines),
                outcome=outcome,
            )
        if state is State.NO_RETURN and self._unexpected_scan is not None:
            scan = self._unexpected_scan
            return replace(
                base,
                page=Page.NO_RETURN,
                step=Step.PARCEL,
                keys=(
                    KeyHint("Type", "to search, Enter"),
                    KeyHint("↓", "choose, Enter opens"),
                    KeyHint("F5", "unexpected parcel"),
                    KeyHint("Esc", "back"),
                ),
                no_return=NoReturnPanel(
                    f"No return found for {scan.kind.value} {scan.value}. Search by order "
                    "number or customer name, or receive the parcel as unexpected (a shift "
                    "lead will review it).",
                    self._results,
                ),
            )
        if work is None or parcel is None:
            return replace(
                base,
                page=Page.GUIDE,
                step=Step.PARCEL,
                keys=(
                    KeyHint("Scan", "a parcel"),
                    KeyHint("F4", "type a code"),
                    KeyHint("F1", "help"),
                ),
                guide=IdleGuide(grades),
            )
        lines = tuple(LineProgress(ln, work.inspected_count(ln.line_id)) for ln in work.lines)
        draft = work.current
        if state is State.UNIT and draft is not None:
            unit = self._unit_panel(work)
            pending = work.preview_accept(now=self.service.clock()) if unit.decision else None
            confirming = pending is not None and work.completes_with_current
            return replace(
                base,
                page=Page.UNIT,
                step=Step.CONFIRM if self._completing else Step.GRADE,
                keys=self._unit_keys(draft.step),
                return_view=parcel.view,
                lines=lines,
                refund=self._refund(work, pending, confirming=confirming),
                unit=unit,
                photo_subject=draft.id,
                weight=self._weight_panel(work),
            )
        confirming = state is State.CONFIRM_CLOSE or self._completing
        return replace(
            base,
            page=Page.GUIDE,
            step=Step.CONFIRM if confirming else Step.ITEMS,
            keys=(
                (KeyHint("Enter", "confirm refund"), KeyHint("Esc", "back to scanning items"))
                if state is State.CONFIRM_CLOSE
                else (
                    KeyHint("Scan", "item"),
                    *self._weigh_key(work),
                    KeyHint("F8", "close with rest missing"),
                    KeyHint("F9", "empty box"),
                    KeyHint("Esc", "leave parcel"),
                )
            ),
            guide=ItemsGuide(parcel.view.rma_number, len(work.units), work.expected_units),
            return_view=parcel.view,
            lines=lines,
            refund=self._refund(work, None, confirming=confirming),
            weight=self._weight_panel(work),
        )

    def _weigh_key(self, work: ParcelInspection) -> tuple[KeyHint, ...]:
        """W, while the parcel is whole at a station with a scale."""
        if self.service.scale is None or work.units:
            return ()
        return (KeyHint("W", "weigh again" if work.weighing is not None else "weigh"),)

    def _unit_keys(self, step: UnitStep) -> tuple[KeyHint, ...]:
        grades = grade_keys(self.service.policies.grading.grades)
        tail = (KeyHint("F2", "note"), KeyHint("Esc", "cancel item"))
        if step is UnitStep.SERIAL:
            return (KeyHint("Scan", "the serial number"), tail[1])
        if step is UnitStep.GRADE:
            return (KeyHint(grades, "grade"), *tail)
        regrade = KeyHint(grades, "re-grade")
        if step is UnitStep.CHECKLIST:
            return (KeyHint("Y", "yes"), KeyHint("N", "no"), regrade, *tail)
        return (KeyHint("Enter", "accept"), KeyHint("O", "override"), regrade, *tail)

    def _unit_panel(self, work: ParcelInspection) -> UnitPanel:
        draft = work.current
        assert draft is not None
        line_text = (
            f"unit {draft.unit_index + 1} of {draft.line.quantity}"
            if draft.line is not None
            else "not on this return"
        )
        decision = None
        if draft.step is UnitStep.DISPOSITION:
            suggestion = work.suggestion()
            grade = work.policies.grading.by_code(draft.grade or "")
            decision = Decision(
                grade_code=grade.code,
                grade_label=grade.label,
                disposition=suggestion.disposition,
                location=suggestion.location,
                confirms_refund=work.completes_with_current,
            )
        return UnitPanel(
            unit_id=draft.id,
            title=f"{draft.product.title} ({draft.product.sku}) — {line_text}",
            step=draft.step,
            prompt=self._prompt(work),
            decision=decision,
            flags=tuple(flag.label for flag in sorted(draft.flags)),
            serial=draft.serial,
            answers=tuple(
                (q.text, draft.answers[q.id]) for q in draft.questions if q.id in draft.answers
            ),
            photos=draft.photos,
            photo_required=work.missing_photo_reason(),
            notes=draft.notes,
            selected_grade=draft.grade,
        )

    def _prompt(self, work: ParcelInspection) -> str:
        draft = work.current
        if draft is None:
            return "Scan an item."
        step = draft.step
        if step is UnitStep.SERIAL:
            return "Scan the unit's serial number."
        if step is UnitStep.GRADE:
            return f"Grade the unit: press {grade_keys(work.policies.grading.grades)}."
        if step is UnitStep.CHECKLIST:
            question = draft.next_question
            assert question is not None
            return f"{question.text} (Y / N)"
        suggestion = work.suggestion()
        then = " and confirm the refund" if work.completes_with_current else ""
        return (
            f"Suggested: {suggestion.disposition.label} → {suggestion.location}. "
            f"Enter to accept{then}, O to override."
        )

    def _refund(
        self, work: ParcelInspection, pending: InspectedUnit | None, *, confirming: bool
    ) -> RefundPanel:
        quote = work.quote(pending=pending)
        review = quote.review
        return RefundPanel(
            title="Refund to confirm" if confirming else "Refund if the parcel closed now",
            lines=quote.lines,
            total=quote.total,
            approval=review.reason if review.status is RefundStatus.PENDING_APPROVAL else None,
            confirming=confirming,
        )

    def _actions(self) -> Actions:
        ready = not self.busy
        draft = self.work.current if self.work is not None else None
        deciding = (
            self.state is State.UNIT and draft is not None and draft.step is UnitStep.DISPOSITION
        )
        open_parcel = self.state is State.RETURN and self.work is not None
        return Actions(
            accept=ready and (deciding or self.state is State.CONFIRM_CLOSE),
            override=ready and deciding,
            notes=ready and self.state is State.UNIT,
            photo=self._camera_on() and self.work is not None,
            close_parcel=ready and open_parcel,
            empty_box=ready and open_parcel and not (self.work and self.work.units),
            back=ready and self.state is not State.IDLE,
        )


def scan_text(scan: ClassifiedScan) -> str:
    """The scanned characters, without a scanner's symbology prefix or normalisation."""
    if scan.kind is ScanKind.TEXT:
        return scan.value
    text = scan.raw
    if scan.symbology and text.startswith(scan.symbology):
        text = text[len(scan.symbology) :]
    return "".join(ch for ch in text if ch.isprintable()).strip()


def _s(count: int) -> str:
    return "" if count == 1 else "s"


__all__ = [
    "AskOverride",
    "AskUnexpectedNote",
    "Job",
    "Pool",
    "Reaction",
    "StationWorkflow",
    "scan_text",
]
