"""The station's logic: what each scan and key means in the current step.

The domain's ``ParcelInspection`` keeps the parcel's state; the controller turns inputs into
calls on it (or on ``StationService`` through ``Op``, off the GUI thread) and shows the result.
"""

from __future__ import annotations

import html
import logging
import uuid
from collections.abc import Callable
from enum import Enum, auto
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Slot
from PySide6.QtGui import QKeySequence, QShortcut

from returnsdesk.domain.errors import AlreadyCompleted, OperatorError, RejectedScan, WrongStep
from returnsdesk.domain.inspection import ParcelInspection, ScannedProduct, UnitStep
from returnsdesk.domain.labels import is_license_plate
from returnsdesk.domain.scanning import ClassifiedScan, ScanKind
from returnsdesk.domain.vocabulary import InspectionFlag, RefundStatus
from returnsdesk.qt.camera import CameraBridge
from returnsdesk.qt.dialogs import OverrideDialog, ask_text
from returnsdesk.qt.images import thumbnail_strip
from returnsdesk.qt.models import (
    ROW_ROLE,
    expected_lines_model,
    refund_lines_model,
    search_results_model,
)
from returnsdesk.qt.ops import Op
from returnsdesk.qt.scanner import ScanInputFilter
from returnsdesk.qt.sound import Cue, SoundPlayer
from returnsdesk.qt.station_view import StationView, Step, Tone
from returnsdesk.services.photos import PhotoView
from returnsdesk.services.station import (
    NoReturnFound,
    ParcelAlreadyCompleted,
    ParcelOpened,
    ParcelScanResult,
    StationService,
)
from returnsdesk.services.views import CompletionResult, ReceivedParcel, ReturnOutcome, ReturnView

if TYPE_CHECKING:
    from returnsdesk.services.photos import Image

log = logging.getLogger(__name__)

_PAGE_IDLE, _PAGE_NO_RETURN, _PAGE_UNIT, _PAGE_OUTCOME = range(4)


class State(Enum):
    IDLE = auto()  # waiting for a parcel scan
    NO_RETURN = auto()  # a parcel scan matched nothing: search or receive as unexpected
    RETURN = auto()  # a parcel is open: scan its items
    UNIT = auto()  # an item is being inspected
    CONFIRM_CLOSE = auto()  # closing with units missing: the refund is shown, Enter confirms
    OUTCOME = auto()  # a completed return is shown; the next parcel scan starts over


class StationController(QObject):
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
        self.state = State.IDLE
        self.busy = False
        self.parcel: ReceivedParcel | None = None
        self.work: ParcelInspection | None = None
        self.last_completion: CompletionResult | None = None
        self._camera_queue: list[ClassifiedScan] = []  # camera scans that came while busy
        self._thumbnails: dict[uuid.UUID, list[Image]] = {}  # by unit id (or parcel id)
        self._unexpected_scan: ClassifiedScan | None = None
        self._lines_model = expected_lines_model(self._inspected_count)
        self._refund_model = refund_lines_model()
        self._search_model = search_results_model()
        ui = view.ui
        ui.linesTable.setModel(self._lines_model)
        ui.refundTable.setModel(self._refund_model)
        ui.searchResults.setModel(self._search_model)
        view.stretch_columns(ui.linesTable, 0, 3)  # item title, the customer's reason
        view.stretch_columns(ui.refundTable, 0, 5)  # item title, deduction reason
        view.stretch_columns(ui.searchResults, 2)  # customer name
        view.set_grades(service.policies.grading)
        self._connect_signals(scanner)
        self._show_idle("Scan a parcel label to start.", Tone.INFO)

    # --- wiring ---------------------------------------------------------------------------

    def _connect_signals(self, scanner: ScanInputFilter) -> None:
        ui = self.view.ui
        scanner.scanned.connect(self.on_scan)
        scanner.command.connect(self.on_command)
        self.view.grade_clicked.connect(self.on_command)
        ui.scanEdit.returnPressed.connect(self._on_scan_field)
        ui.notesEdit.returnPressed.connect(self._on_notes_entered)
        ui.searchEdit.returnPressed.connect(self._on_search_entered)
        ui.searchResults.activated.connect(lambda _index: self._open_selected_result())
        ui.openReturnButton.clicked.connect(self._open_selected_result)
        ui.unexpectedButton.clicked.connect(self.receive_unexpected)
        ui.cancelSearchButton.clicked.connect(self.cancel)
        ui.acceptButton.clicked.connect(lambda: self.on_command("Enter"))
        ui.overrideButton.clicked.connect(lambda: self.on_command("O"))
        ui.notesButton.clicked.connect(self.edit_notes)
        ui.photoButton.clicked.connect(lambda: self.on_command("P"))
        if self.camera is not None:
            self.camera.scanned.connect(self.on_camera_scan)
        ui.closeParcelButton.clicked.connect(self.close_with_missing)
        ui.emptyBoxButton.clicked.connect(self.empty_box)
        ui.backButton.clicked.connect(self.cancel)
        shortcuts: list[tuple[str, Callable[[], None]]] = [
            ("F2", self.edit_notes),
            ("F4", self.focus_scan_field),
            ("F5", self.receive_unexpected),
            ("F8", self.close_with_missing),
            ("F9", self.empty_box),
            ("Escape", self.cancel),
        ]
        for key, slot in shortcuts:
            shortcut = QShortcut(QKeySequence(key), self.view)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

    # --- inputs -----------------------------------------------------------------------------

    def takes_lookups(self) -> bool:
        """No parcel is open: a license plate scan looks its unit up (in the shift history)."""
        return self.state in (State.IDLE, State.OUTCOME) or not self.view.isVisible()

    @Slot(str)
    def on_scan(self, raw: str) -> None:
        if is_license_plate(raw) and self.takes_lookups():
            return  # the main window shows the unit in the shift history
        if self.busy:
            self._error("Still saving the last step — scan again in a moment.")
            return
        try:
            scan = self.service.classify(raw)
        except RejectedScan as exc:
            self._error(f"Scan rejected: {exc}")
            return
        self._handle_scan(scan)

    @Slot(object)
    def on_camera_scan(self, scan: ClassifiedScan) -> None:
        """A value the camera's decoder accepted (classified and confirmed already)."""
        self.sounds.play(Cue.CAMERA_ACCEPT)
        if self.busy:
            self._camera_queue.append(scan)  # the camera will not offer it again while in view
            return
        self._handle_scan(scan)

    def _handle_scan(self, scan: ClassifiedScan) -> None:
        log.info("Scan %s %s in %s", scan.kind.value, scan.value, self.state.name)
        try:
            self._dispatch_scan(scan)
        except OperatorError as exc:
            self._error(str(exc))

    def _dispatch_scan(self, scan: ClassifiedScan) -> None:
        if scan.kind is ScanKind.OPERATOR:
            raise WrongStep("That is an operator badge. Sign out (Ctrl+L) to change operator.")
        if self.state in (State.IDLE, State.OUTCOME, State.NO_RETURN):
            if scan.kind in (ScanKind.TRACKING, ScanKind.RMA, ScanKind.ORDER):
                self._run(lambda: self.service.open_parcel(scan), self._on_parcel_result)
                return
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
            raise WrongStep("Finish this item first: " + self._unit_prompt_text())
        if scan.kind in (ScanKind.TRACKING, ScanKind.RMA, ScanKind.ORDER):
            raise WrongStep(
                "This parcel is still open. Finish it (F8 closes with the rest missing)."
            )
        self._run(lambda: self.service.resolve_item(scan, parcel.view), self._on_item_resolved)

    @Slot(str)
    def on_command(self, key: str) -> None:
        if self.busy or not self.view.isVisible():
            return
        try:
            self._command(key.upper())
        except OperatorError as exc:
            self._error(str(exc))

    def _command(self, key: str) -> None:
        if key == "ENTER":
            if self.state is State.UNIT:
                self.accept_unit()
            elif self.state is State.CONFIRM_CLOSE:
                self._complete()
            elif self.state is State.NO_RETURN:
                self._open_selected_result()
            return
        if self.state is State.UNIT and self.work is not None and self.work.current is not None:
            step = self.work.current.step
            if key.isdigit():
                if step is UnitStep.DISPOSITION or step is UnitStep.CHECKLIST:
                    self.work.regrade()  # a new grade key replaces the previous grade
                self.work.grade(key)
                self.sounds.play(Cue.SCAN_OK)
                self._show_unit()
                return
            if key in ("Y", "N") and step is UnitStep.CHECKLIST:
                self.work.answer(key == "Y")
                self._show_unit()
                return
            if key == "O" and step is UnitStep.DISPOSITION:
                self.override_disposition()
                return
        if key == "P":
            self.take_photo()
            return
        if key.isdigit() and self.state is State.RETURN:
            raise WrongStep("Scan the item before grading it.")
        if self.state in (State.IDLE, State.OUTCOME):
            raise WrongStep("Scan a parcel label to start (F4 types a code by hand).")

    def _on_scan_field(self) -> None:
        field = self.view.ui.scanEdit
        text = field.text()
        field.clear()
        self.view.setFocus()
        if text.strip():
            self.on_scan(text)

    def focus_scan_field(self) -> None:
        self.view.ui.scanEdit.setFocus()

    # --- parcels ------------------------------------------------------------------------------

    def _on_parcel_result(self, result: ParcelScanResult) -> None:
        if isinstance(result, ParcelOpened):
            self._start_parcel(result.parcel)
        elif isinstance(result, ParcelAlreadyCompleted):
            self.sounds.play(Cue.SCAN_ERROR)
            self._show_outcome(result.outcome, just_completed=False)
        elif isinstance(result, NoReturnFound):
            self._show_no_return(result.scan)

    def _start_parcel(self, parcel: ReceivedParcel) -> None:
        self.sounds.play(Cue.SCAN_OK)
        self.parcel = parcel
        self.work = self.service.resume_inspection(parcel)
        self.state = State.RETURN
        self._show_return(parcel.view)
        units = parcel.view.expected_units
        done = len(self.work.units)
        resumed = (
            f" (resumed: {done} unit{'s' if done != 1 else ''} already inspected)"
            if parcel.resumed
            else ""
        )
        self.view.show_message(
            f"Return {parcel.view.rma_number}: {units} unit{'s' if units != 1 else ''} expected"
            f"{resumed}. Scan an item.",
            Tone.OK,
        )
        self._show_return_page()

    def _show_no_return(self, scan: ClassifiedScan) -> None:
        self.sounds.play(Cue.SCAN_ERROR)
        self.state = State.NO_RETURN
        self._unexpected_scan = scan
        self.parcel = None
        self.work = None
        self._clear_return()
        ui = self.view.ui
        ui.noReturnLabel.setText(
            f"No return found for {scan.kind.value} {scan.value}. Search by order number or "
            "customer name, or receive the parcel as unexpected (a shift lead will review it)."
        )
        self._search_model.set_rows([])
        ui.workStack.setCurrentIndex(_PAGE_NO_RETURN)
        ui.searchEdit.clear()
        ui.searchEdit.setFocus()
        self._step(Step.PARCEL)
        self.view.show_message(f"No return found for {scan.value}.", Tone.WARNING)
        self.view.set_keys_hint(
            "Type to search, Enter · ↓ choose, Enter opens · F5 unexpected parcel · Esc back"
        )

    def _on_search_entered(self) -> None:
        text = self.view.ui.searchEdit.text()
        if not text.strip():
            return
        self._run(lambda: self.service.search(text), self._on_search_results)

    def _on_search_results(self, results: list[Any]) -> None:
        self._search_model.set_rows(results)
        table = self.view.ui.searchResults
        if results:
            table.selectRow(0)
            table.setFocus()
            self.view.show_message(
                f"{len(results)} returns found. ↓ ↑ choose, Enter opens.", Tone.INFO
            )
        else:
            self.view.show_message(
                "No return matches. Try the order number or the surname.", Tone.WARNING
            )

    def _open_selected_result(self) -> None:
        if self.state is not State.NO_RETURN:
            return
        rows = self.view.ui.searchResults.selectionModel().selectedRows()
        if not rows:
            self._error("Choose a return from the list first (search, then ↓).")
            return
        summary = rows[0].data(ROW_ROLE)
        scan = self._unexpected_scan
        tracking = scan.value if scan is not None and scan.kind is ScanKind.TRACKING else ""
        carrier = scan.carrier or "" if scan is not None else ""

        def open_it() -> ParcelScanResult:
            if summary.status.value == "completed":
                return ParcelAlreadyCompleted(self.service.outcome(summary.return_id))
            return ParcelOpened(self.service.open_return(summary.return_id, tracking, carrier))

        self._run(open_it, self._on_parcel_result)

    def receive_unexpected(self) -> None:
        if self.state is not State.NO_RETURN or self._unexpected_scan is None:
            return
        scan = self._unexpected_scan
        note = ask_text(
            self.view,
            "Unexpected parcel",
            f"Parcel {scan.value} has no return. What is in it? (for the shift lead)",
        )
        if note is None:
            return

        def done(_parcel_id: object) -> None:
            self._show_idle(
                f"Parcel {scan.value} received as unexpected and set aside for a shift lead.",
                Tone.WARNING,
            )

        self._run(lambda: self.service.receive_unexpected(scan, note), done)

    # --- units --------------------------------------------------------------------------------

    def _open_parcel(self) -> tuple[ParcelInspection, ReceivedParcel]:
        if self.work is None or self.parcel is None:
            raise WrongStep("Scan a parcel label first.")
        return self.work, self.parcel

    def _on_item_resolved(self, product: ScannedProduct) -> None:
        work, _parcel = self._open_parcel()
        draft = work.begin_unit(product, now=self.service.clock())
        self.state = State.UNIT
        if InspectionFlag.WRONG_ITEM in draft.flags:
            self.sounds.play(Cue.SCAN_ERROR)
            self.view.show_message(
                f"{product.title} is NOT on this return. Grade it anyway: it stays in the "
                "warehouse, is not refunded, and a shift lead sees it.",
                Tone.WARNING,
            )
        else:
            self.sounds.play(Cue.SCAN_OK)
            self.view.show_message(f"{product.title}: matched.", Tone.OK)
        self._show_unit()

    def _serial_scanned(self, serial: str) -> None:
        work, _parcel = self._open_parcel()
        if work.scan_serial(serial):
            self.sounds.play(Cue.SCAN_OK)
            self.view.show_message(f"Serial {serial} matches the unit shipped.", Tone.OK)
        else:
            self.sounds.play(Cue.SCAN_ERROR)
            self.view.show_message(
                f"Serial {serial} does not match any unit shipped on this order. "
                "Take a photo; the refund waits for a shift lead.",
                Tone.ERROR,
            )
        self._show_unit()

    def accept_unit(self, override: Any = None, reason: str | None = None) -> None:
        work, parcel = self._open_parcel()
        if work.current is None or work.current.step is not UnitStep.DISPOSITION:
            raise WrongStep(self._unit_prompt_text())
        last = work.completes_with_current
        unit = work.accept(now=self.service.clock(), override=override, reason=reason)
        self._lines_model.refresh()
        self.state = State.RETURN
        if last:
            self._complete()
            return
        # Stored now (a restart resumes with it) and its label prints while it is in the
        # inspector's hands; station ops run in order, so this lands before the completion.
        rma = parcel.view.rma_number
        Op(
            lambda: self.service.finish_unit(parcel.parcel_id, rma, unit), owner=self.view
        ).on_failure(self._show_failure).start()
        remaining = work.expected_units - len([u for u in work.units if u.line_id is not None])
        self.view.show_message(
            f"{unit.product.title}: {unit.disposition.label} → {unit.location}. "
            f"Scan the next item ({remaining} left) or F8 to close with the rest missing.",
            Tone.OK,
        )
        self._show_return_page()

    def override_disposition(self) -> None:
        work, _parcel = self._open_parcel()
        suggestion = work.suggestion()
        dialog = OverrideDialog(suggestion.disposition, parent=self.view)
        if dialog.exec() and dialog.choice is not None:
            self.accept_unit(dialog.choice, dialog.reason)
        self.view.setFocus()

    def take_photo(self) -> None:
        """Store the camera's current picture as evidence for the unit (or the parcel)."""
        work, parcel = self._open_parcel()
        frame = self.camera.latest_frame() if self.camera is not None else None
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
                self._thumbnails.setdefault(subject, []).append(thumbnail)
            self.sounds.play(Cue.SCAN_OK)
            what = "the unit" if unit is not None else "the parcel"
            self.view.show_message(f"Photo of {what} saved ({photo.sha256[:12]}…).", Tone.OK)
            if self.state is State.UNIT and work.current is unit:
                self._show_unit()

        # Photos use the general pool: encoding and fsync never hold up the next scan.
        Op(
            lambda: self.service.save_photo(parcel.parcel_id, unit.id if unit else None, frame),
            owner=self.view,
            pool=QThreadPool.globalInstance(),
        ).on_success(saved).on_failure(self._show_failure).start()

    def edit_notes(self) -> None:
        if self.state is State.UNIT:
            self.view.ui.notesEdit.setFocus()

    def _on_notes_entered(self) -> None:
        if self.work is not None and self.work.current is not None:
            try:
                self.work.set_notes(self.view.ui.notesEdit.text())
            except OperatorError as exc:  # e.g. a pasted NUL: the text stays to be corrected
                self._error(str(exc))
                return
        self.view.setFocus()
        self._show_unit()

    # --- closing ------------------------------------------------------------------------------

    def close_with_missing(self) -> None:
        if self.state is not State.RETURN or self.work is None:
            if self.state is State.UNIT:
                self._error("Finish or cancel (Esc) the current item before closing the parcel.")
            return
        missing = len(self.work.missing_units())
        self.state = State.CONFIRM_CLOSE
        self._show_refund(self.work)
        self._step(Step.CONFIRM)
        self.view.show_message(
            f"Close the parcel with {missing} unit{'s' if missing != 1 else ''} missing? "
            f"Refund {self.work.quote().total}. Enter confirms, Esc goes back.",
            Tone.WARNING,
        )
        self.view.set_keys_hint("Enter confirm refund · Esc back to scanning items")

    def empty_box(self) -> None:
        if self.state is not State.RETURN or self.work is None:
            return
        try:
            self.work.mark_empty_box()
        except OperatorError as exc:
            self._error(str(exc))
            return
        self.close_with_missing()
        self.view.show_message(
            f"Empty box: nothing of {self.work.expected_units} expected units. Refund "
            f"{self.work.quote().total}. Enter confirms, Esc goes back.",
            Tone.ERROR,
        )

    def _complete(self) -> None:
        work, parcel = self._open_parcel()
        self._step(Step.CONFIRM)
        self._run(
            lambda: self.service.complete(parcel.parcel_id, work),
            self._on_completed,
            on_operator_error=self._on_completion_refused,
        )

    def _on_completion_refused(self, exc: OperatorError) -> None:
        if isinstance(exc, AlreadyCompleted) and self.parcel is not None:
            # Another station was first: show what it recorded and free this one.
            return_id = self.parcel.view.return_id
            self._run(lambda: self.service.outcome(return_id), self._show_completed_elsewhere)
            return
        self._error(str(exc))
        if self.state is State.RETURN:
            self._show_return_page()

    def _show_completed_elsewhere(self, outcome: ReturnOutcome) -> None:
        self._show_outcome(outcome, just_completed=False)

    def _on_completed(self, result: CompletionResult) -> None:
        self.last_completion = result
        self.sounds.play(Cue.COMPLETE)
        parcel = self.parcel
        assert parcel is not None
        self._run(lambda: self.service.outcome(parcel.view.return_id), self._show_completed)

    def _show_completed(self, outcome: ReturnOutcome) -> None:
        self._show_outcome(outcome, just_completed=True)

    def cancel(self) -> None:
        """Esc: one step back. Never discards a recorded parcel (it stays open to resume)."""
        if self.state is State.UNIT and self.work is not None:
            self.work.cancel_unit()
            self.state = State.RETURN
            self.view.show_message("Item cancelled. Scan an item.", Tone.INFO)
            self._show_return_page()
        elif self.state is State.CONFIRM_CLOSE and self.work is not None:
            self.work.empty_box = False
            self.state = State.RETURN
            self.view.show_message("Back to scanning items.", Tone.INFO)
            self._show_return_page()
        elif self.state is State.RETURN and self.parcel is not None:
            rma = self.parcel.view.rma_number
            self._show_idle(
                f"Parcel {rma} left open; scan it again to carry on. Scan the next parcel.",
                Tone.WARNING,
            )
        elif self.state in (State.NO_RETURN, State.OUTCOME):
            self._show_idle("Scan a parcel label to start.", Tone.INFO)
        self.view.setFocus()

    # --- showing ------------------------------------------------------------------------------

    def _inspected_count(self, line: Any) -> int:
        if self.state is State.OUTCOME:
            return int(line.quantity)  # a completed return has every unit inspected or missing
        return self.work.inspected_count(line.line_id) if self.work is not None else 0

    def _show_idle(self, message: str, tone: Tone) -> None:
        self.state = State.IDLE
        self.parcel = None
        self.work = None
        self._unexpected_scan = None
        self._clear_return()
        ui = self.view.ui
        ui.idleHint.setText(_IDLE_HELP)
        ui.workStack.setCurrentIndex(_PAGE_IDLE)
        self._step(Step.PARCEL)
        self.view.show_message(message, tone)
        self.view.set_keys_hint("Scan a parcel · F4 type a code · F1 help")
        self.view.setFocus()

    def _clear_return(self) -> None:
        ui = self.view.ui
        ui.refundBox.setVisible(True)
        ui.returnTitle.setText("No parcel open")
        ui.returnDetails.setText("")
        self._lines_model.set_rows([])
        self._refund_model.set_rows([])
        ui.refundTotal.setText("")
        ui.refundBox.setTitle("Refund")

    def _show_return(self, view: ReturnView) -> None:
        ui = self.view.ui
        ui.returnTitle.setText(f"{view.rma_number} · {view.customer_name}")
        delivered = (
            view.delivered_at.astimezone().strftime("%d %b %Y") if view.delivered_at else "—"
        )
        if view.days_since_delivery is None:
            window = "not delivered yet"
        elif view.within_window:
            window = (
                f"<span style='color:#0f5132'>{view.days_since_delivery} days since delivery "
                f"(within {view.policy_window_days}-day window)</span>"
            )
        else:
            window = (
                f"<b style='color:#842029'>{view.days_since_delivery} days since delivery — "
                f"OUTSIDE the {view.policy_window_days}-day window</b>"
            )
        esc = html.escape
        ui.returnDetails.setText(
            f"Order <b>{esc(view.order_number)}</b> placed "
            f"{view.order_placed_at.astimezone().strftime('%d %b %Y')}, delivered {delivered}<br>"
            f"{window}<br>{esc(view.customer_email)}"
            f" · tracking {esc(', '.join(view.tracking_numbers) or '—')}"
        )
        self._lines_model.set_rows(view.lines)
        ui.linesTable.resizeRowsToContents()

    def _show_return_page(self) -> None:
        work, parcel = self._open_parcel()
        ui = self.view.ui
        done = len(work.units)
        ui.idleHint.setText(
            f"<p><b>Scan the next item</b> of {html.escape(parcel.view.rma_number)} "
            f"({done} of {work.expected_units} done).</p>"
            "<p>F8 close the parcel with the rest missing<br>"
            "F9 empty box<br>Esc leave the parcel open for later</p>"
        )
        ui.workStack.setCurrentIndex(_PAGE_IDLE)
        ui.refundBox.setVisible(True)
        self._step(Step.ITEMS)
        self._show_refund(work)
        self.view.set_keys_hint(
            "Scan item · F8 close with rest missing · F9 empty box · Esc leave parcel"
        )
        self.view.setFocus()

    def _show_unit(self) -> None:
        work, _parcel = self._open_parcel()
        draft = work.current
        assert draft is not None
        ui = self.view.ui
        line_text = (
            f"unit {draft.unit_index + 1} of {draft.line.quantity}"
            if draft.line is not None
            else "not on this return"
        )
        ui.unitTitle.setText(f"{draft.product.title} ({draft.product.sku}) — {line_text}")
        ui.unitPrompt.setText(self._unit_prompt_html())
        ui.notesEdit.setText(draft.notes)
        step = draft.step
        self.view.show_grade_buttons(
            step in (UnitStep.GRADE, UnitStep.CHECKLIST, UnitStep.DISPOSITION), selected=draft.grade
        )
        answers = [
            f"{html.escape(q.text)} <b>{'yes' if draft.answers[q.id] else 'no'}</b>"
            for q in draft.questions
            if q.id in draft.answers
        ]
        flags = [
            f"<b style='color:#842029'>⚠ {html.escape(f.label)}</b>" for f in sorted(draft.flags)
        ]
        serial = [f"Serial {html.escape(draft.serial)}"] if draft.serial else []
        photos = self._photo_lines(work, draft.photos)
        ui.unitAnswers.setText("<br>".join(flags + serial + photos + answers))
        self._show_thumbnails(draft.id)
        ui.workStack.setCurrentIndex(_PAGE_UNIT)
        self._step(Step.GRADE)
        pending = (
            work.preview_accept(now=self.service.clock()) if step is UnitStep.DISPOSITION else None
        )
        self._show_refund(work, pending=pending)
        hints = {
            UnitStep.SERIAL: "Scan the serial number · Esc cancel item",
            UnitStep.GRADE: "1-5 grade · F2 note · Esc cancel item",
            UnitStep.CHECKLIST: "Y yes · N no · 1-5 re-grade · F2 note · Esc cancel item",
            UnitStep.DISPOSITION: (
                "Enter accept · O override · 1-5 re-grade · F2 note · Esc cancel item"
            ),
        }
        self.view.set_keys_hint(hints[step])
        self.view.setFocus()

    @staticmethod
    def _photo_lines(work: ParcelInspection, count: int) -> list[str]:
        missing = work.missing_photo_reason()
        if missing:
            why = html.escape(missing)
            return [f"<b style='color:#842029'>📷 Photo required ({why}): press P</b>"]
        return [f"📷 {count} photo{'s' if count != 1 else ''}"] if count else []

    def _show_thumbnails(self, subject: uuid.UUID) -> None:
        thumbs = self._thumbnails.get(subject, [])
        strip = self.view.ui.photoStrip
        if not thumbs:
            strip.clear()
            strip.setVisible(False)
            return
        strip.setPixmap(thumbnail_strip(thumbs[-6:]))
        strip.setVisible(True)

    def _unit_prompt_text(self) -> str:
        work, _parcel = self._open_parcel()
        draft = work.current
        if draft is None:
            return "Scan an item."
        step = draft.step
        if step is UnitStep.SERIAL:
            return "Scan the unit's serial number."
        if step is UnitStep.GRADE:
            return "Grade the unit: press 1-5."
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

    def _unit_prompt_html(self) -> str:
        work, _parcel = self._open_parcel()
        draft = work.current
        assert draft is not None
        if draft.step is UnitStep.DISPOSITION:
            suggestion = work.suggestion()
            grade = work.policies.grading.by_code(draft.grade or "")
            then = " and confirm the refund" if work.completes_with_current else ""
            return (
                f"Grade <b>{html.escape(grade.code)} · {html.escape(grade.label)}</b><br>"
                "<span style='font-size:x-large'>Disposition: "
                f"<b>{html.escape(suggestion.disposition.label.upper())}"
                f"</b> → {html.escape(suggestion.location)}</span><br>"
                f"<b>Enter</b> to accept{then} · <b>O</b> to override"
            )
        return f"<b>{html.escape(self._unit_prompt_text())}</b>"

    def _show_refund(self, work: ParcelInspection, *, pending: Any = None) -> None:
        quote = work.quote(pending=pending)
        self._refund_model.set_rows(quote.lines)
        self.view.ui.refundTable.resizeRowsToContents()
        review = quote.review
        approval = (
            f" — needs shift-lead approval: {review.reason}"
            if review.status is RefundStatus.PENDING_APPROVAL
            else ""
        )
        self.view.ui.refundTotal.setText(f"Total refund {quote.total}{approval}")
        self.view.ui.refundBox.setTitle(
            "Refund to confirm"
            if self.state is State.CONFIRM_CLOSE
            or (pending is not None and work.completes_with_current)
            else "Refund if the parcel closed now"
        )

    def _show_outcome(self, outcome: ReturnOutcome, *, just_completed: bool) -> None:
        self.state = State.OUTCOME
        self.work = None
        self.parcel = None
        self._show_return(outcome.view)
        self._refund_model.set_rows([])
        ui = self.view.ui
        esc = html.escape
        rows = "".join(
            f"<tr><td>{esc(u.description)}</td><td>{esc(u.grade or 'missing')}</td>"
            f"<td>{esc(u.disposition.label if u.disposition else '—')}</td>"
            f"<td>{esc(u.location or '')}</td>"
            f"<td align='right'>{esc(u.amount.format() if u.amount else '—')}</td></tr>"
            for u in outcome.units
        )
        refund = outcome.refund_total.format() if outcome.refund_total else "—"
        status = outcome.refund_status.value.replace("_", " ") if outcome.refund_status else ""
        when = (
            outcome.completed_at.astimezone().strftime("%d %b %Y %H:%M")
            if outcome.completed_at
            else ""
        )
        ui.outcomeLabel.setText(
            f"<p><b>Completed {esc(when)}</b> by {esc(outcome.operator_name)} at "
            f"{esc(outcome.station_code)}</p>"
            f"<p style='font-size:x-large'>Refund <b>{esc(refund)}</b> ({esc(status)})</p>"
            f"<p>{esc(outcome.refund_status_reason)}</p>"
            "<table cellpadding='4'><tr><th align='left'>Unit</th><th>Grade</th>"
            f"<th>Disposition</th><th>Location</th><th align='right'>Refund</th></tr>{rows}</table>"
        )
        ui.workStack.setCurrentIndex(_PAGE_OUTCOME)
        ui.refundBox.setVisible(False)  # the outcome page itemises the refund
        if just_completed:
            self._step(Step.CONFIRM)
            pending = outcome.refund_status is RefundStatus.PENDING_APPROVAL
            self.view.show_message(
                f"Done: {outcome.view.rma_number} refund {refund} "
                + ("waits for shift-lead approval." if pending else "approved.")
                + " Scan the next parcel.",
                Tone.WARNING if pending else Tone.OK,
            )
        else:
            self._step(Step.PARCEL)
            self.view.show_message(
                f"{outcome.view.rma_number} was completed before: it cannot be refunded twice.",
                Tone.ERROR,
            )
        self.view.set_keys_hint("Scan the next parcel · Esc clear")
        self.view.setFocus()

    # --- plumbing -------------------------------------------------------------------------------

    def _error(self, message: str) -> None:
        self.sounds.play(Cue.SCAN_ERROR)
        self.view.show_message(message, Tone.ERROR)

    def _run(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None],
        *,
        on_operator_error: Callable[[OperatorError], None] | None = None,
    ) -> None:
        self.busy = True
        self.view.setCursor(Qt.CursorShape.BusyCursor)
        self._update_actions()

        def succeeded(result: Any) -> None:
            self._idle_again()
            try:
                on_success(result)
            except OperatorError as exc:
                self._error(str(exc))

        def failed(exc: BaseException) -> None:
            self._idle_again()
            if on_operator_error is not None and isinstance(exc, OperatorError):
                on_operator_error(exc)
            else:
                self._show_failure(exc)

        Op(fn, owner=self.view).on_success(succeeded).on_failure(failed).start()

    def _show_failure(self, exc: BaseException) -> None:
        """Operator errors go to the banner (a failed photo never costs the inspection);
        anything else is a bug, for the crash dialog."""
        if not isinstance(exc, OperatorError):
            raise exc
        self._error(str(exc))

    def _idle_again(self) -> None:
        self.busy = False
        self.view.unsetCursor()
        self._update_actions()
        if self._camera_queue:
            QTimer.singleShot(0, self._drain_camera_queue)

    def _drain_camera_queue(self) -> None:
        if self._camera_queue and not self.busy:
            self._handle_scan(self._camera_queue.pop(0))

    def _step(self, step: Step) -> None:
        self.view.show_step(step)
        self._update_actions()

    def _update_actions(self) -> None:
        """Enable the buttons (the mouse's way to every key) that make sense right now."""
        ui = self.view.ui
        ready = not self.busy
        draft = self.work.current if self.work is not None else None
        deciding = (
            self.state is State.UNIT and draft is not None and (draft.step is UnitStep.DISPOSITION)
        )
        open_parcel = self.state is State.RETURN and self.work is not None
        ui.acceptButton.setEnabled(ready and (deciding or self.state is State.CONFIRM_CLOSE))
        ui.overrideButton.setEnabled(ready and deciding)
        ui.notesButton.setEnabled(ready and self.state is State.UNIT)
        camera_on = self.camera is not None and self.camera.running
        ui.photoButton.setEnabled(camera_on and self.work is not None)
        ui.closeParcelButton.setEnabled(ready and open_parcel)
        ui.emptyBoxButton.setEnabled(ready and open_parcel and not (self.work and self.work.units))
        ui.backButton.setEnabled(ready and self.state is not State.IDLE)


def scan_text(scan: ClassifiedScan) -> str:
    """The scanned characters, without a scanner's symbology prefix or normalisation."""
    if scan.kind is ScanKind.TEXT:
        return scan.value
    text = scan.raw
    if scan.symbology and text.startswith(scan.symbology):
        text = text[len(scan.symbology) :]
    return "".join(ch for ch in text if ch.isprintable()).strip()


_IDLE_HELP = (
    "<h3>Ready for the next parcel</h3>"
    "<ol><li><b>Scan the parcel label</b> (tracking number or RMA). The return appears.</li>"
    "<li><b>Scan each item</b> (barcode, SKU or serial).</li>"
    "<li><b>Grade it</b> with one key: 1 A new · 2 B like new · 3 C used · 4 D damaged · "
    "5 F defective. Answer any checklist with Y / N.</li>"
    "<li><b>Enter</b> accepts the suggested disposition; after the last item it confirms the "
    "refund shown.</li></ol>"
    "<p>No scanner at hand? F4 lets you type a code. F1 lists the demo barcodes.</p>"
)
