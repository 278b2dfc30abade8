"""The station's own state and the plumbing every step shares.

The domain's ``ParcelInspection`` keeps the parcel's state; this keeps the station's: which
screen, which parcel, what is running, and what the input being handled caused (gathered into
its ``Reaction``). The steps (parcel_step, unit_step) and the screen (display) build on it.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from returnsdesk.domain.errors import OperatorError, WrongStep
from returnsdesk.domain.inspection import ParcelInspection
from returnsdesk.domain.money import Money
from returnsdesk.domain.scanning import ClassifiedScan
from returnsdesk.services.station import StationService
from returnsdesk.services.views import CompletionResult, ReceivedParcel, ReturnSummary
from returnsdesk.station.changes import NOTHING, Changes
from returnsdesk.station.keys import prompt
from returnsdesk.station.reaction import AskOverride, AskUnexpectedNote, Job, Pool, Reaction
from returnsdesk.station.screen import Banner, Focus, OutcomePanel, Screen, Sound, State, Tone

if TYPE_CHECKING:
    from returnsdesk.services.photos import Image


class WorkflowCore(ABC):
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
        self._inspected: Money | None = None  # what the last completion's inspection found
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

    @abstractmethod
    def screen(self) -> Screen:
        """What the station shows now (display.Display)."""

    @abstractmethod
    def _dispatch_scan(self, scan: ClassifiedScan) -> None:
        """What a scan means in the current step (workflow.StationWorkflow)."""

    def _open_parcel(self) -> tuple[ParcelInspection, ReceivedParcel]:
        if self.work is None or self.parcel is None:
            raise WrongStep("Scan a parcel label first.")
        return self.work, self.parcel

    def _show_idle(self, message: str, tone: Tone) -> None:
        self.state = State.IDLE
        self.parcel = self.work = None
        self._outcome = None
        self._unexpected_scan = None
        self._results = ()
        self.selected = None
        self._banner = Banner(message, tone)
        self._focus = Focus.STATION

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
            return prompt(self.work)
        return {
            State.RETURN: "Scan an item.",
            State.CONFIRM_CLOSE: "Enter confirms the refund, Esc goes back.",
            State.CONFIRM_UNDO: "Enter undoes the receipt, Esc keeps the parcel open.",
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
