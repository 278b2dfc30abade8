"""The parcel step: opening a parcel (or finding none and searching), weighing it, and closing
it: the refund confirmed, the completion written, the outcome shown.
"""

from __future__ import annotations

from dataclasses import replace

from returnsdesk.domain.errors import (
    AlreadyCompleted,
    OperatorError,
    ScaleProblem,
    WrongStep,
)
from returnsdesk.domain.money import Money
from returnsdesk.domain.scanning import ClassifiedScan, ScanKind
from returnsdesk.domain.vocabulary import InspectionFlag, RefundStatus
from returnsdesk.domain.weighing import Weighing
from returnsdesk.services.station import (
    NoReturnFound,
    ParcelAlreadyCompleted,
    ParcelOpened,
    ParcelScanResult,
    WhichShop,
)
from returnsdesk.services.views import (
    CompletionResult,
    ReceivedParcel,
    ReturnOutcome,
    ReturnSummary,
)
from returnsdesk.station.changes import PARCEL_COMPLETED, PARCEL_RECEIVED, RECEIPT_UNDONE
from returnsdesk.station.display import Display
from returnsdesk.station.screen import (
    Banner,
    Focus,
    OutcomePanel,
    ShopChoice,
    Sound,
    State,
    Tone,
)

SHOP_DIGITS = 9  # up to this many shops, one digit key picks a shop
SHOP_NAME_CHARS = 40  # of a shop's name in the banner


class ParcelSteps(Display):
    # --- opening ------------------------------------------------------------------------------

    def _on_parcel(self, result: ParcelScanResult) -> None:
        if isinstance(result, ParcelOpened):
            self._start_parcel(result.parcel)
        elif isinstance(result, ParcelAlreadyCompleted):
            self._sounds.append(Sound.SCAN_ERROR)
            self._show_outcome(result.outcome, just_completed=False)
        elif isinstance(result, NoReturnFound):
            self._show_no_return(result.scan)
        elif isinstance(result, WhichShop):
            self._ask_shop(result)

    # --- a number several shops use: which shop's return? ---------------------------------------

    def _ask_shop(self, which: WhichShop) -> None:
        """Never a guess: the inspector picks the shop on the parcel's label, by its number
        (any number of shops) or with ↓ ↑ and Enter."""
        self._sounds.append(Sound.SCAN_ERROR)  # nothing opened yet: look at the screen
        self.state = State.CHOOSE_SHOP
        self.parcel = self.work = None
        self._outcome = None
        count = len(which.options)
        self._shop_choice = ShopChoice(which.scan.value, which.options)
        self._shop_scan = which.scan
        self._focus = Focus.STATION
        how = (
            f"Press {_digits(count)} (the shop on the label)"
            if count <= SHOP_DIGITS
            else f"Type the number of the shop on the label ({_digits(count)})"
        )
        self._banner = Banner(
            f"{which.scan.value} is used by {count} shops. Which shop's parcel is it? {how},"
            " Esc cancels.",
            Tone.WARNING,
        )

    def _choose_shop(self, key: str) -> None:
        """A key while asked which shop: a digit of the shop's number, ↓ ↑, Enter, Backspace."""
        choice = self._shop_choice
        assert choice is not None
        count = len(choice.options)
        if key in ("UP", "DOWN"):
            at = choice.highlighted
            step = 1 if key == "DOWN" else -1
            self._highlight_shop(0 if at is None else min(count - 1, max(0, at + step)))
            return
        if key == "ENTER":
            if choice.highlighted is None:
                raise WrongStep(_shop_keys_words(count))
            self._open_shop(choice.highlighted)
            return
        if key == "BACKSPACE":
            typed = choice.typed[:-1]
            self._shop_choice = replace(
                choice, typed=typed, highlighted=int(typed) - 1 if typed else None
            )
            self._banner = Banner(_shop_keys_words(count), Tone.WARNING)
            return
        typed = choice.typed + key
        if not (key.isascii() and key.isdigit()) or typed.startswith("0") or int(typed) > count:
            self._shop_choice = replace(choice, typed="", highlighted=None)
            wrong = f"No shop {typed}. " if key.isascii() and key.isdigit() else ""
            raise WrongStep(wrong + _shop_keys_words(count))
        number = int(typed)
        if number * 10 > count:  # no other shop's number begins with it: it is whole
            self._open_shop(number - 1)
            return
        # 1 of 15 shops: shop 1, or the first digit of 10-15; Enter says it is 1.
        self._shop_choice = replace(choice, typed=typed, highlighted=number - 1)
        name = _isolated(choice.options[number - 1].shop_name)
        self._banner = Banner(
            f"Shop {number}, {name}: Enter opens it. Or type the next digit of"
            f" {number}0-{min(count, number * 10 + 9)}; Backspace clears.",
            Tone.WARNING,
        )

    def _highlight_shop(self, index: int) -> None:
        """The shop moved to (↓ ↑, or a click on its row): Enter opens its return."""
        choice = self._shop_choice
        assert choice is not None
        self._shop_choice = replace(choice, typed="", highlighted=index)
        name = _isolated(choice.options[index].shop_name)
        self._banner = Banner(
            f"Shop {index + 1} of {len(choice.options)}, {name}: Enter opens it. ↓ ↑ choose,"
            " Esc cancels.",
            Tone.WARNING,
        )

    def _open_shop(self, index: int) -> None:
        choice, scan = self._shop_choice, self._shop_scan
        assert choice is not None and scan is not None
        shop = choice.options[index]
        service = self.service
        self._run(
            "open parcel",
            lambda: service.open_parcel(scan, shop=shop),
            self._on_parcel,
            changes=PARCEL_RECEIVED,
        )

    def _start_parcel(self, parcel: ReceivedParcel) -> None:
        self._sounds.append(Sound.SCAN_OK)
        work = self.service.resume_inspection(parcel)
        self.parcel, self.work = parcel, work
        self._outcome = None
        self.state = State.RETURN
        units = parcel.view.expected_units
        done = len(work.units)
        resumed = f" (resumed: {done} unit{_s(done)} already inspected)" if parcel.resumed else ""
        # A station serving several shops says whose parcel is on the bench.
        name = parcel.view.client_name
        shop = f"{_isolated(name)}: " if name else ""
        self._banner = Banner(
            f"{shop}Return {parcel.view.rma_number}: {units} unit{_s(units)} expected"
            f"{resumed}. Scan an item.",
            Tone.OK,
        )
        if parcel.paid_on_receipt is not None:
            paid = parcel.paid_on_receipt
            self._banner = Banner(
                f"Refund already issued on receipt — inspection follows."
                f" {paid.total} paid {paid.released_at.astimezone():%d %b %H:%M};"
                f" {units} unit{_s(units)} expected{resumed}. Scan an item.",
                Tone.INFO,
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

    # --- undoing a receipt: the wrong label was scanned ------------------------------------

    def _ask_undo(self) -> None:
        """F7: the parcel on the bench is not this return's. Asks first, since it cannot be
        redone by a key: the receipt would have to be scanned again."""
        if self.state is State.UNIT:
            raise WrongStep("Finish or cancel (Esc) the current item first.")
        if self.state is not State.RETURN or self.work is None or self.parcel is None:
            return
        if self.work.units:
            raise WrongStep(
                "Units of this parcel were inspected already: the receipt stands."
                " Finish the parcel, or Esc and ask a shift lead."
            )
        self.state = State.CONFIRM_UNDO
        self._focus = Focus.STATION
        self._banner = Banner(
            f"Wrong label? Undo the receipt of {self.parcel.view.rma_number}: the return waits"
            " for its parcel again and the customer hears nothing. Enter undoes, Esc keeps it.",
            Tone.WARNING,
        )

    def _undo_receipt(self) -> None:
        _work, parcel = self._open_parcel()
        parcel_id = parcel.parcel_id
        self._run(
            "undo receipt",
            lambda: self.service.undo_receipt(parcel_id),
            self._on_receipt_undone,
            refused=self._on_undo_refused,
            changes=RECEIPT_UNDONE,
        )

    def _on_receipt_undone(self, rma_number: str) -> None:
        self._sounds.append(Sound.SCAN_OK)
        self.thumbnails.clear()
        self._show_idle(
            f"Receipt of {rma_number} undone: it waits for its parcel again. Scan the right label.",
            Tone.OK,
        )

    def _on_undo_refused(self, exc: OperatorError) -> None:
        if self.state is State.CONFIRM_UNDO:
            self.state = State.RETURN  # the parcel stays open, as it was
        self._error(str(exc))

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

    # --- no return found: search, or receive as unexpected ------------------------------------

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
            shops = len({r.client_code for r in results})
            # Two shops' RMA-1001 differ only by their shop: the label says which.
            which = f", of {shops} shops: the label says which" if shops > 1 else ""
            self._banner = Banner(
                f"{len(results)} returns found{which}. ↓ ↑ choose, Enter opens.", Tone.INFO
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
            f"{self._refund_words()}. Enter confirms, Esc goes back.",
            Tone.WARNING,
        )

    def _empty_box(self) -> None:
        if self.state is not State.RETURN or self.work is None:
            return
        self.work.mark_empty_box()
        self._close_with_missing()
        self._banner = Banner(
            f"Empty box: nothing of {self.work.expected_units} expected units."
            f" {self._refund_words()}. Enter confirms, Esc goes back.",
            Tone.ERROR,
        )

    def _refund_words(self) -> str:
        """The refund closing now would make, or, paid on receipt, what inspection found."""
        assert self.work is not None
        found = self.work.quote().total
        paid = self.parcel.paid_on_receipt if self.parcel is not None else None
        if paid is None:
            return f"Refund {found}"
        return f"Inspection finds {found}; {paid.total} was refunded on receipt"

    def _complete(self) -> None:
        work, parcel = self._open_parcel()
        self._completing = True
        self._run(
            "complete",
            lambda: self.service.complete(parcel.parcel_id, work),
            self._on_completed,
            refused=self._on_completion_refused,
            changes=PARCEL_COMPLETED,
            abandoned=self._completion_given_up,
        )

    def _completion_given_up(self) -> None:
        """Esc while the completion waited for the database: nothing was stored (or, if the
        answer was lost, Enter finds this very completion stored and shows it, once)."""
        self._completing = False
        self.state = State.CONFIRM_CLOSE
        self._banner = Banner(
            "Not completed: the database is unreachable. Your inspection is kept: Enter tries"
            " to complete again, Esc goes back to the items.",
            Tone.WARNING,
        )

    def _on_completion_refused(self, exc: OperatorError) -> None:
        self._completing = False
        if isinstance(exc, AlreadyCompleted) and self.parcel is not None:
            # Another station was first: show what it recorded and free this one.
            return_id = self.parcel.view.return_id
            rma = self.parcel.view.rma_number
            self._run(
                "outcome",
                lambda: self.service.outcome(return_id),
                lambda outcome: self._show_outcome(outcome, just_completed=False),
                abandoned=lambda: self._show_idle(
                    f"{rma} was completed before: it cannot be refunded twice.", Tone.ERROR
                ),
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
        # What inspection found, for a refund paid on receipt: the outcome shows the refund paid.
        self._inspected = self.work.quote().total if self.work is not None else None
        return_id, rma = parcel.view.return_id, parcel.view.rma_number

        def not_shown() -> None:
            # Completed and stored; only its summary could not be read back.
            self._completing = False
            self.thumbnails.clear()
            self._show_idle(
                f"Done: {rma} refund {result.refund_total.format()} {result.refund_status.value}"
                ". Its summary is not shown (database unreachable). Scan the next parcel.",
                Tone.WARNING,
            )

        self._run(
            "outcome",
            lambda: self.service.outcome(return_id),
            lambda outcome: self._show_outcome(outcome, just_completed=True),
            abandoned=not_shown,
        )

    def _show_outcome(self, outcome: ReturnOutcome, *, just_completed: bool) -> None:
        self.state = State.OUTCOME
        self._completing = False
        self.work = self.parcel = None
        self.thumbnails.clear()  # the return is done: its photos are in the shift history
        self._outcome = OutcomePanel(outcome, just_completed)
        self._focus = Focus.STATION
        completion = self.last_completion
        if just_completed and completion is not None and completion.released_on_receipt:
            self._banner = _receipt_outcome(
                outcome.view.rma_number, completion.refund_total, self._inspected, completion
            )
        elif just_completed:
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


def _receipt_outcome(
    rma: str, paid: Money, inspected: Money | None, completion: CompletionResult
) -> Banner:
    """Done with a parcel whose refund was issued on receipt: nothing paid again; a recovery
    case for a lead when inspection found less (or a flag)."""
    # Short: the station shows 160 characters of a banner.
    if completion.recovery_case_id is None:
        return Banner(
            f"Done: {rma}. {paid.format()} was refunded on receipt and inspection agrees:"
            " nothing more is paid. Scan the next parcel.",
            Tone.OK,
        )
    found = f"inspection finds {inspected.format()}" if inspected is not None else "inspection"
    return Banner(
        f"Done: {rma}. {paid.format()} was refunded on receipt, {found}:"
        " a recovery case is open for a shift lead. Scan the next parcel.",
        Tone.WARNING,
    )


def _digits(count: int) -> str:
    return "1" if count == 1 else f"1-{count}"


def _shop_keys_words(count: int) -> str:
    how = "Press" if count <= SHOP_DIGITS else "Type the number"
    return (
        f"{how} {_digits(count)} for the shop on the parcel's label (or ↓ ↑ and Enter),"
        " or Esc to cancel."
    )


def _isolated(name: str) -> str:
    """A shop's name cut, kept from reordering the words around it (a right-to-left name
    before the colon and "Enter opens it" would carry them over to its side)."""
    return f"\u2068{_cut(name)}\u2069"


def _cut(name: str) -> str:
    """A shop's name in the banner: a long one from the settings would push the rest out."""
    return name if len(name) <= SHOP_NAME_CHARS else name[: SHOP_NAME_CHARS - 1] + "…"


def _s(count: int) -> str:
    return "" if count == 1 else "s"
