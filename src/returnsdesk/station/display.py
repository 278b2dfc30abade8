"""What the station shows: the typed ``Screen``, built from its state after each input."""

from __future__ import annotations

from dataclasses import replace

from returnsdesk.domain.inspection import InspectedUnit, ParcelInspection, UnitStep
from returnsdesk.domain.vocabulary import RefundStatus
from returnsdesk.station.core import WorkflowCore
from returnsdesk.station.keys import (
    CONFIRM_CLOSE_KEYS,
    CONFIRM_UNDO_KEYS,
    IDLE_KEYS,
    NO_RETURN_KEYS,
    OUTCOME_KEYS,
    WAITING_KEYS,
    choose_shop_keys,
    items_keys,
    prompt,
    unit_keys,
)
from returnsdesk.station.screen import (
    Actions,
    Decision,
    IdleGuide,
    ItemsGuide,
    LineProgress,
    NoReturnPanel,
    Page,
    RefundPanel,
    Screen,
    State,
    Step,
    Tone,
    UnitPanel,
    WeightPanel,
)


class Display(WorkflowCore):
    def screen(self) -> Screen:
        screen = replace(self._screen(), database_unreachable=self.database_unreachable)
        if not (self.waiting_for_database and self.busy):
            return screen
        # The step on screen waits for the database: all else as it was, these keys only.
        guide = screen.guide
        return replace(
            screen,
            keys=WAITING_KEYS,
            actions=replace(screen.actions, accept=True, back=True),
            guide=replace(guide, waiting=True) if isinstance(guide, ItemsGuide) else guide,
        )

    def _screen(self) -> Screen:
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
                keys=OUTCOME_KEYS,
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
                keys=NO_RETURN_KEYS,
                no_return=NoReturnPanel(
                    f"No return found for {scan.kind.value} {scan.value}. Search by order "
                    "number or customer name, or receive the parcel as unexpected (a shift "
                    "lead will review it).",
                    self._results,
                    shops=bool(self.service.clients)
                    or any(r.client_code is not None for r in self._results),
                ),
            )
        if state is State.CHOOSE_SHOP and self._shop_choice is not None:
            return replace(
                base,
                page=Page.SHOP_CHOICE,
                step=Step.PARCEL,
                keys=choose_shop_keys(self._shop_choice),
                shop_choice=self._shop_choice,
            )
        if work is None or parcel is None:
            return replace(
                base,
                page=Page.GUIDE,
                step=Step.PARCEL,
                keys=IDLE_KEYS,
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
                keys=unit_keys(draft.step, work.policies.grading.grades),
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
            step=(
                Step.CONFIRM
                if confirming
                else Step.PARCEL
                if state is State.CONFIRM_UNDO
                else Step.ITEMS
            ),
            keys=(
                CONFIRM_CLOSE_KEYS
                if state is State.CONFIRM_CLOSE
                else CONFIRM_UNDO_KEYS
                if state is State.CONFIRM_UNDO
                else items_keys(work, scale=self.service.scale is not None)
            ),
            guide=ItemsGuide(parcel.view.rma_number, work.expected_inspected, work.expected_units),
            return_view=parcel.view,
            lines=lines,
            refund=self._refund(work, None, confirming=confirming),
            weight=self._weight_panel(work),
        )

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
            prompt=prompt(work),
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
            grades=work.policies.grading.grades,
        )

    def _refund(
        self, work: ParcelInspection, pending: InspectedUnit | None, *, confirming: bool
    ) -> RefundPanel:
        quote = work.quote(pending=pending)
        review = quote.review
        paid = self.parcel.paid_on_receipt if self.parcel is not None else None
        if paid is not None:
            # Paid already: no approval to wait for, whatever inspection finds.
            return RefundPanel(
                title="Refund already issued on receipt — inspection follows",
                lines=quote.lines,
                total=quote.total,
                approval=None,
                confirming=confirming,
                paid_on_receipt=paid.total,
            )
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
            accept=ready and (deciding or self.state in (State.CONFIRM_CLOSE, State.CONFIRM_UNDO)),
            override=ready and deciding,
            notes=ready and self.state is State.UNIT,
            photo=self._camera_on() and self.work is not None,
            close_parcel=ready and open_parcel,
            empty_box=ready and open_parcel and not (self.work and self.work.units),
            back=ready and self.state is not State.IDLE,
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
