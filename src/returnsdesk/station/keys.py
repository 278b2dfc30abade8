"""The keys that work in each step and what they do, as the screen's hints say them.

The grade keys come from the loaded grading scale (``grading.toml`` may allow 1-9), never from
a fixed list.
"""

from __future__ import annotations

from returnsdesk.domain.inspection import ParcelInspection, UnitStep
from returnsdesk.domain.policy import Grade
from returnsdesk.station.screen import KeyHint, ShopChoice, grade_keys

IDLE_KEYS = (KeyHint("Scan", "a parcel"), KeyHint("F4", "type a code"), KeyHint("F1", "help"))
OUTCOME_KEYS = (KeyHint("Scan", "the next parcel"), KeyHint("Esc", "clear"))
NO_RETURN_KEYS = (
    KeyHint("Type", "to search, Enter"),
    KeyHint("↓", "choose, Enter opens"),
    KeyHint("F5", "unexpected parcel"),
    KeyHint("Esc", "back"),
)
CONFIRM_CLOSE_KEYS = (KeyHint("Enter", "confirm refund"), KeyHint("Esc", "back to scanning items"))
CONFIRM_UNDO_KEYS = (KeyHint("Enter", "undo the receipt"), KeyHint("Esc", "keep the parcel"))


def choose_shop_keys(choice: ShopChoice) -> tuple[KeyHint, ...]:
    """A scan matched several shops' returns: the shop's number picks one, or ↓ ↑ and Enter."""
    count = len(choice.options)
    clear = (KeyHint("Backspace", "clear"),) if choice.typed else ()
    return (
        KeyHint("1" if count == 1 else f"1-{count}", "the shop on the label"),
        KeyHint("↓ ↑ Enter", "choose"),
        *clear,
        KeyHint("Esc", "cancel"),
    )


# A step waits for the database (it went away): scans are not taken meanwhile.
WAITING_KEYS = (KeyHint("Enter", "try the database now"), KeyHint("Esc", "stop waiting"))


def items_keys(work: ParcelInspection, *, scale: bool) -> tuple[KeyHint, ...]:
    """While a parcel is open, between its items."""
    return (
        KeyHint("Scan", "item"),
        *weigh_keys(work, scale=scale),
        KeyHint("F8", "close with rest missing"),
        KeyHint("F9", "empty box"),
        *undo_keys(work),
        KeyHint("Esc", "leave parcel"),
    )


def undo_keys(work: ParcelInspection) -> tuple[KeyHint, ...]:
    """F7, while nothing was inspected in the parcel: the wrong label was scanned."""
    if work.units or work.current is not None:
        return ()
    return (KeyHint("F7", "wrong label: undo receipt"),)


def weigh_keys(work: ParcelInspection, *, scale: bool) -> tuple[KeyHint, ...]:
    """W, while the parcel is whole at a station with a scale."""
    if not scale or work.units:
        return ()
    return (KeyHint("W", "weigh again" if work.weighing is not None else "weigh"),)


def unit_keys(step: UnitStep, grades: tuple[Grade, ...]) -> tuple[KeyHint, ...]:
    keys = grade_keys(grades)
    tail = (KeyHint("F2", "note"), KeyHint("Esc", "cancel item"))
    if step is UnitStep.SERIAL:
        return (KeyHint("Scan", "the serial number"), tail[1])
    if step is UnitStep.GRADE:
        return (KeyHint(keys, "grade"), *tail)
    regrade = KeyHint(keys, "re-grade")
    if step is UnitStep.CHECKLIST:
        return (KeyHint("Y", "yes"), KeyHint("N", "no"), regrade, *tail)
    return (KeyHint("Enter", "accept"), KeyHint("O", "override"), regrade, *tail)


def prompt(work: ParcelInspection) -> str:
    """What the inspector is asked now, with the unit under inspection."""
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
