"""The station's own state and the plumbing every step shares.

The domain's ``ParcelInspection`` keeps the parcel's state; this keeps the station's: which
screen, which parcel, what is running, and what the input being handled caused (gathered into
its ``Reaction``). The steps (parcel_step, unit_step) and the screen (display) build on it.
"""

from __future__ import annotations

import logging
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
from returnsdesk.station.reaction import (
    AskOverride,
    AskUnexpectedNote,
    Job,
    Pool,
    Reaction,
    RetryAfter,
)
from returnsdesk.station.screen import (
    Banner,
    Focus,
    OutcomePanel,
    Screen,
    ShopChoice,
    Sound,
    State,
    Tone,
)

if TYPE_CHECKING:
    from returnsdesk.services.photos import Image

log = logging.getLogger(__name__)

# Seconds between tries while the database is unreachable: soon at first (a server restarts
# in seconds), then every last value for as long as it stays away.
RETRY_DELAYS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0)


class WorkflowCore(ABC):
    def __init__(
        self,
        service: StationService,
        *,
        camera: Callable[[], bool] | None = None,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        self.service = service
        self._retry_delays = retry_delays
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
        # A scan that matched several shops' returns, and the shops offered (CHOOSE_SHOP).
        self._shop_scan: ClassifiedScan | None = None
        self._shop_choice: ShopChoice | None = None
        self.selected: int | None = None  # the search result chosen (the list's current row)
        self._completing = False
        self._camera_queue: list[ClassifiedScan] = []  # camera scans that came while busy
        self.thumbnails: dict[uuid.UUID, list[Image]] = {}  # by unit id (or parcel id)
        self._scale_problem: str | None = None  # why the open parcel could not be weighed
        # The database went away: jobs that found it unreachable wait to run again, unchanged
        # and in their order (a blocking one still counts in ``busy``).
        self._waiting: list[Job] = []
        self._tries = 0  # failed tries since the database was last reached
        self._round = 0  # names the retry asked for; a stale timer's round is ignored
        self._retry_due = False  # a retry was asked for and has not come yet
        self._delay = retry_delays[0]  # until the retry asked for
        self.database_unreachable = False  # until a job reaches it again (the status bar)
        # What the input being handled caused, gathered into its Reaction.
        self._jobs: list[Job] = []
        self._retry: RetryAfter | None = None
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
        self._shop_scan = self._shop_choice = None
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
        abandoned: Callable[[], None] | None = None,
    ) -> None:
        job = Job(what, run, then, refused, blocking, pool, changes, abandoned)
        if blocking:
            self.busy += 1
        self._retry_now()  # jobs waiting for the database go first: station jobs keep order
        self._jobs.append(job)

    def _job_done(self, job: Job) -> None:
        if job.blocking:
            self.busy = max(0, self.busy - 1)

    # --- the database went away ---------------------------------------------------------------

    @property
    def waiting_for_database(self) -> bool:
        return bool(self._waiting)

    def _wait_for_database(self, job: Job, exc: OperatorError) -> None:
        """``job`` found the database unreachable; nothing of it was stored (the transaction
        is gone whole). It runs again, unchanged, after a pause that grows to the last delay;
        the inspection stays as it is on screen meanwhile."""
        if not self.database_unreachable:
            self._sounds.append(Sound.SCAN_ERROR)  # once, not at every try
        self.database_unreachable = True
        self._waiting.append(job)
        if not self._retry_due:
            self._delay = self._retry_delays[min(self._tries, len(self._retry_delays) - 1)]
            self._tries += 1
            self._round += 1
            self._retry_due = True
            self._retry = RetryAfter(self._delay, self._round)
        log.warning("%s: %s Trying again in %g s.", job.what, exc, self._delay)
        self._banner = self._unreachable_banner(self._delay)

    def _unreachable_banner(self, delay: float) -> Banner:
        kept = "your inspection is kept" if self.work is not None else "nothing is lost"
        return Banner(
            f"Database unreachable — {kept}; retrying every {delay:g} s."
            " Scans wait until it is back (Enter tries now, Esc stops waiting).",
            Tone.ERROR,
        )

    def _retry_now(self) -> None:
        """The waiting jobs run again now, in their order; a retry already asked is void."""
        if not self._waiting:
            return
        self._jobs.extend(self._waiting)
        self._waiting.clear()
        self._retry_due = False
        self._round += 1

    def _database_reached(self) -> None:
        if not self.database_unreachable:
            return
        self.database_unreachable = False
        self._tries = 0
        if not self._waiting:
            self._banner = Banner(f"Database reachable again. {self._next()}", Tone.OK)

    def _stop_waiting(self) -> None:
        """Esc while a step waits for the database: the step is given up, the inspection
        stays; work that is not the inspector's to wait for (a finished unit's draft, a
        photo) keeps waiting in the background."""
        given_up = [job for job in self._waiting if job.blocking]
        self._waiting = [job for job in self._waiting if not job.blocking]
        if not self._waiting:
            self._retry_due = False
            self._round += 1
        self._banner = Banner(f"Stopped waiting for the database. {self._next()}", Tone.WARNING)
        self._focus = Focus.STATION
        for job in given_up:
            self._job_done(job)
            if job.abandoned is not None:
                job.abandoned()
        log.info("Gave up waiting for the database: %s", ", ".join(j.what for j in given_up))

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
            State.CHOOSE_SHOP: "Press the number of the shop on the parcel's label"
            " (or ↓ ↑ and Enter), Esc cancels.",
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
            retry=self._retry,
        )
        self._jobs, self._sounds, self._ask, self._focus = [], [], None, None
        self._retry = None
        return reaction
