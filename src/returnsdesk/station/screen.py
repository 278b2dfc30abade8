"""What the station screen shows, as plain typed values (no Qt, no markup).

The workflow builds a ``Screen`` after every input; the Qt side only puts it on widgets.
Texts here are plain: a view that renders HTML escapes them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Enum, StrEnum

from returnsdesk.domain.inspection import ExpectedLine, RefundQuoteLine, UnitStep
from returnsdesk.domain.money import Money
from returnsdesk.domain.policy import Grade
from returnsdesk.domain.vocabulary import Disposition
from returnsdesk.domain.weighing import Weighing
from returnsdesk.services.views import ReturnOutcome, ReturnSummary, ReturnView, ShopOption


class State(Enum):
    IDLE = "idle"  # waiting for a parcel scan
    NO_RETURN = "no_return"  # a parcel scan matched nothing: search or receive as unexpected
    RETURN = "return"  # a parcel is open: scan its items
    UNIT = "unit"  # an item is being inspected
    CONFIRM_CLOSE = "confirm_close"  # closing with units missing: the refund is shown
    CONFIRM_UNDO = "confirm_undo"  # taking back a receipt (a wrong label was scanned)
    CHOOSE_SHOP = "choose_shop"  # the scan matched returns of several shops: which one?
    OUTCOME = "outcome"  # a completed return is shown; the next parcel scan starts over


class Tone(Enum):
    INFO = "info"
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


class Step(Enum):
    """The four steps along the top of the screen."""

    PARCEL = 0
    ITEMS = 1
    GRADE = 2
    CONFIRM = 3


class Page(Enum):
    GUIDE = 0  # what to scan next (the idle help, or the open parcel's next item)
    NO_RETURN = 1
    UNIT = 2
    OUTCOME = 3
    SHOP_CHOICE = 4  # which shop's parcel: the shops using the number scanned


class Sound(StrEnum):
    SCAN_OK = "scan-ok"
    SCAN_ERROR = "scan-error"
    COMPLETE = "complete"
    CAMERA_ACCEPT = "camera-accept"


class Focus(Enum):
    STATION = "station"  # the screen itself: single keys are commands
    SEARCH = "search"
    RESULTS = "results"
    NOTES = "notes"
    SCAN_FIELD = "scan_field"


@dataclass(frozen=True)
class Banner:
    text: str
    tone: Tone


@dataclass(frozen=True)
class KeyHint:
    key: str  # as printed on the keyboard: "1-5", "Enter", "F8"
    does: str


@dataclass(frozen=True)
class IdleGuide:
    """How a return is worked, with the grades of the loaded grading scale."""

    grades: tuple[Grade, ...]


@dataclass(frozen=True)
class ItemsGuide:
    rma_number: str
    done: int
    expected: int
    waiting: bool = False  # its last step waits for the database (it went away)


@dataclass(frozen=True)
class ShopChoice:
    """The scan matched returns of several shops (a number they all use): the inspector picks
    the shop on the parcel's label by its number, or moves to it with ↓ ↑ and opens it with
    Enter. Any number of shops: a number other shops' numbers begin with (1, of 15 shops) waits
    for the next digit or Enter. Texts are plain (shop and customer names from outside)."""

    scanned: str
    options: tuple[ShopOption, ...]  # option i is shop number i + 1
    typed: str = ""  # the digits typed so far of a number that waits (other numbers begin so)
    highlighted: int | None = None  # the option Enter opens: typed, or moved to with ↓ ↑


@dataclass(frozen=True)
class LineProgress:
    line: ExpectedLine
    done: int


@dataclass(frozen=True)
class RefundPanel:
    title: str
    lines: tuple[RefundQuoteLine, ...]  # every unit of the return: item, grade, paid, deduction
    total: Money
    approval: str | None  # why a shift lead must approve it, or None
    confirming: bool  # Enter confirms exactly this refund
    # The refund released on receipt (a trusted customer): paid already, so ``total`` is only
    # what inspection finds, and less opens a recovery case instead of changing it.
    paid_on_receipt: Money | None = None

    @property
    def total_line(self) -> str:
        """The line under the units: the total, and why a lead approves it or that it was paid."""
        if self.paid_on_receipt is not None:
            paid = f"Paid on receipt {self.paid_on_receipt}"
            if not self.confirming:  # units not inspected yet count as not received
                return f"{paid}; if closed now: {self.total}"
            less = (
                " — less than paid: closing opens a recovery case for a shift lead"
                if self.total < self.paid_on_receipt
                else ""
            )
            return f"{paid}; inspection finds {self.total}{less}"
        approval = f" — needs shift-lead approval: {self.approval}" if self.approval else ""
        return f"Total refund {self.total}{approval}"


@dataclass(frozen=True)
class Decision:
    """The suggested disposition, shown once the unit is graded and the checklist answered."""

    grade_code: str
    grade_label: str
    disposition: Disposition
    location: str
    confirms_refund: bool  # Enter accepts the unit and confirms the refund


@dataclass(frozen=True)
class UnitPanel:
    unit_id: uuid.UUID
    title: str
    step: UnitStep
    prompt: str
    decision: Decision | None
    flags: tuple[str, ...]  # labels, e.g. "Wrong item"
    serial: str | None
    answers: tuple[tuple[str, bool], ...]  # question text, yes
    photos: int
    photo_required: str | None  # why a photo is still needed, or None
    notes: str
    selected_grade: str | None
    grades: tuple[Grade, ...]  # the grading scale in force: the return's client shop's

    @property
    def shows_grades(self) -> bool:
        return self.step is not UnitStep.SERIAL


@dataclass(frozen=True)
class NoReturnPanel:
    text: str
    results: tuple[ReturnSummary, ...]
    # Each result's shop is shown: the station serves client shops, or a result is one's.
    shops: bool = False


@dataclass(frozen=True)
class OutcomePanel:
    outcome: ReturnOutcome
    just_completed: bool


@dataclass(frozen=True)
class WeightPanel:
    """The open parcel's weight check, at a station with a scale."""

    text: str  # the verdict ("Parcel weighs 0.412 kg, expected ...") or the scale's problem
    tone: Tone  # OK: plausible; ERROR: underweight; WARNING: not weighed (scale problem)
    weighing: Weighing | None  # None: not weighed yet, or the scale failed


@dataclass(frozen=True)
class Actions:
    """Which buttons (the mouse's way to every key) make sense now."""

    accept: bool = False
    override: bool = False
    notes: bool = False
    photo: bool = False
    close_parcel: bool = False
    empty_box: bool = False
    back: bool = False


@dataclass(frozen=True)
class Screen:
    state: State
    page: Page
    step: Step
    banner: Banner
    keys: tuple[KeyHint, ...]
    actions: Actions
    busy: bool
    guide: IdleGuide | ItemsGuide | None = None
    return_view: ReturnView | None = None
    lines: tuple[LineProgress, ...] = ()
    refund: RefundPanel | None = None
    unit: UnitPanel | None = None
    no_return: NoReturnPanel | None = None
    shop_choice: ShopChoice | None = None
    outcome: OutcomePanel | None = None
    photo_subject: uuid.UUID | None = None  # whose thumbnails to show (the unit's)
    weight: WeightPanel | None = None  # None: no scale at this station, or no parcel open
    database_unreachable: bool = False  # the last try found it away; none has reached it since

    @property
    def keys_hint(self) -> str:
        return " · ".join(f"{hint.key} {hint.does}" for hint in self.keys)


def grade_keys(grades: tuple[Grade, ...]) -> str:
    """The grade keys as printed in hints: "1-5", or "1" for a one-grade scale."""
    keys = [grade.key for grade in grades]
    if not keys:
        return ""
    return keys[0] if len(keys) == 1 else f"{keys[0]}-{keys[-1]}"
