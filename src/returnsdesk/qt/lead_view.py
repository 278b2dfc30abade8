"""The shift lead's desk: refunds held for approval, recovery cases (refunds paid on receipt
that inspection found too high), what the customer was told, order-system events that need a
person, and how well graders agree.

Keyboard first, like the station: lone keys arrive as commands from the scanner filter
(A approve, R reject, C/W/D close a recovery case as recovered, written off or disputed,
S send a customer message again, T retry, N resend under a new key, M mark resolved,
U unlock a badge, F5 refresh), arrows move in the tables and Tab moves
between them; Alt+R goes to the return whose messages are shown. At a station serving client
shops a Shop list below the messages says whose return it is, when several shops use the RMA number:
the tab names them and asks rather than guessing (a held refund or recovery case chosen sets
it to its return's shop). A grade key records the
signed-in operator's blind second grade of the unit shown under "Grader consistency" (an
inspector's work, so no lead confirms it). An inspector's station
works too: a lead confirms each decision with a badge (and PIN); the decision is recorded in
the lead's name.

The tab reads nothing on a timer: each decision says what it changed (``changed``) and the
window's change notices bring this tab, the status bar and the history up to date.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from typing import TypeVar

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from returnsdesk.domain.errors import NumberOfSeveralShops, OperatorError
from returnsdesk.domain.policy import Grade
from returnsdesk.domain.vocabulary import LEAD_ROLES, OutboxStatus, RecoveryResolution
from returnsdesk.qt.dialogs import QUOTE_CHARS, fit_height
from returnsdesk.qt.forms.ui_lead_badge_dialog import Ui_LeadBadgeDialog
from returnsdesk.qt.forms.ui_lead_view import Ui_LeadView
from returnsdesk.qt.models import ERROR_BRUSH, WARN_BRUSH, Column, RowTableModel
from returnsdesk.qt.ops import Op
from returnsdesk.qt.plain import clipped, plain_tooltip, set_clipped_text
from returnsdesk.qt.scanner import TYPED_BY_HAND
from returnsdesk.qt.shops import (
    OWN_SHOP,
    choose_shop,
    chosen_shop,
    offer_shops,
    shop_name,
    whose_question,
)
from returnsdesk.qt.sync_status import SyncMonitor, sync_trouble
from returnsdesk.qt.tables import bounded_columns
from returnsdesk.qt.typography import BODY_PT, HEADING_PT, scaled_font
from returnsdesk.services.approvals import PendingRefund, PendingRefundLine
from returnsdesk.services.messages.ledger import MessageRecord
from returnsdesk.services.recovery_cases import RecoveryCaseView
from returnsdesk.services.regrades import Consistency, InspectorAgreement, RegradeTask
from returnsdesk.services.station import StationService
from returnsdesk.services.sync.connector import OutboxEventView
from returnsdesk.services.sync.relay import SyncHealth
from returnsdesk.services.views import StationContext
from returnsdesk.station.changes import (
    BADGE_UNLOCKED,
    EVENT_RESENT,
    EVENT_RESOLVED,
    EVENT_RETRIED,
    MESSAGE_RESENT,
    RECOVERY_CLOSED,
    REFUND_DECIDED,
    UNIT_REGRADED,
    Changes,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
# Colours only: a style sheet naming the weight gave the label the application's type size
# instead of the tab's (scaled) one; the weight is set on the font.
_ERROR_STYLE = "color:#842029;"
_OK_STYLE = "color:#0f5132;"
_UNITS_SHOWN = 3  # a held refund's units listed below the table
_LINE_CHARS = 150  # each of those lines, in half the tab's width
_SYNC_CHARS = 300  # the shop's error may be a whole HTML page
_MESSAGE_CHARS = 600  # a refusal may quote it too
_SHOP_CHARS = 20  # of a shop's name in the choice beside the return field (whole in its tooltip)
_AGREEMENT_DAYS = 30  # the period of the agreement table, up to the service's clock
_GRADE_KEYS_PER_ROW = 5  # a scale of nine grades must not widen the tab
_LEAST_ROWS = 2  # a table shows this many rows even when it holds fewer
_KINDS = frozenset({"refunds_waiting", "recovery", "outbox", "regrades"})  # what this tab shows
# The keys that close the selected recovery case, and how.
_RECOVERY_KEYS = {
    "C": RecoveryResolution.RECOVERED,
    "W": RecoveryResolution.WRITTEN_OFF,
    "D": RecoveryResolution.DISPUTED,
}


def pending_refunds_model() -> RowTableModel[PendingRefund]:
    # Who inspected it and since when are below the table, for the selected refund: the table
    # shares the tab's width with the customer's messages.
    return RowTableModel(
        [
            Column("RMA", lambda p: p.rma_number),
            Column("Customer", lambda p: p.customer_name),
            Column("Refund", lambda p: p.total.format(), numeric=True),
            Column("Held because", lambda p: p.reason),
        ]
    )


def recovery_cases_model() -> RowTableModel[RecoveryCaseView]:
    # When the refund was released, what inspection refunds, when and by whom the case was
    # opened are below the table, for the selected case: the table shares half the tab.
    return RowTableModel(
        [
            Column("RMA", lambda c: c.rma_number),
            Column("Customer", lambda c: c.customer_name),
            Column("Paid", lambda c: c.paid.format(), numeric=True),
            Column("At stake", lambda c: c.at_stake.format(), numeric=True),
            Column("Found", lambda c: c.found),
        ]
    )


def recovery_details(case: RecoveryCaseView) -> str:
    """The selected case below the table: the refund, what inspection would pay, who opened it."""
    opener = f" by {case.opened_by}" if case.opened_by else ""
    return (
        f"{case.paid.format()} paid on receipt {_local_time(case.refund_released_at)},"
        f" inspection refunds {case.inspected.format()}.\n"
        f"Found: {case.found}. Case opened {_local_time(case.opened_at)}{opener}."
    )


def parked_events_model() -> RowTableModel[OutboxEventView]:
    return RowTableModel(
        [
            Column("#", lambda e: str(e.sequence), numeric=True),
            Column("Event", lambda e: e.event_type),
            Column("RMA", lambda e: str(e.payload.get("rma_number", "—"))),
            Column("Tries", lambda e: str(e.attempts), numeric=True),
            Column("Order system said", lambda e: e.last_error or ""),
            Column("Recorded", lambda e: _local_time(e.created_at)),
        ],
        background=lambda _e: WARN_BRUSH,
    )


def messages_model() -> RowTableModel[MessageRecord]:
    return RowTableModel(
        [
            Column("Message", _message_kind),
            Column("To", lambda m: m.to),
            Column("Status", message_status),
            Column("Time", lambda m: _local_time(m.delivered_at or m.queued_at)),
        ],
        background=lambda m: ERROR_BRUSH if m.status is OutboxStatus.NEEDS_ATTENTION else None,
    )


def agreement_model() -> RowTableModel[InspectorAgreement]:
    return RowTableModel(
        [
            Column("First grader", lambda a: a.inspector),
            Column("Graded again", lambda a: str(a.regraded), numeric=True),
            Column("Same grade", lambda a: str(a.agreed), numeric=True),
            Column("Agreement", lambda a: _percent(a.agreed, a.regraded), numeric=True),
        ]
    )


def agreement_summary(found: Consistency, days: int) -> str:
    result = found.agreement
    if not result.pairs:
        return f"Last {days} days: no unit graded a second time."
    kappa = "–" if result.kappa is None else f"{float(result.kappa):.2f}"
    units = "unit" if result.pairs == 1 else "units"
    return (
        f"Last {days} days: {result.pairs} {units} graded twice, {result.agreed} the same"
        f" ({_percent(result.agreed, result.pairs)}); Cohen's kappa {kappa}."
    )


def regrade_text(task: RegradeTask | None, grades: tuple[Grade, ...]) -> str:
    """What the second grader sees: the unit to fetch, never its first grade or grader."""
    if task is None:
        return (
            "No unit is waiting for you to grade it again (a unit you graded first goes to"
            " another inspector)."
        )
    others = task.waiting - 1
    more = f" {others} more after it." if others else ""
    keys = f"{grades[0].key}–{grades[-1].key}" if len(grades) > 1 else grades[0].key
    title = clipped(task.title, 120)
    return (
        f"Grade again, blind: unit {task.license_plate} · {task.sku} · {title}. Fetch it,"
        f" inspect it and press its grade ({keys}).{more}"
    )


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "–"


def message_status(message: MessageRecord) -> str:
    """Sent, waiting (with the last failure, if it was tried), or parked with the reason."""
    if message.status is OutboxStatus.DELIVERED:
        return "sent"
    if message.status is OutboxStatus.NEEDS_ATTENTION:
        return f"parked: {message.last_error or 'no reason recorded'}"
    if message.last_error:
        return f"waiting, tried {message.attempts}×: {message.last_error}"
    return "waiting"


def _message_kind(message: MessageRecord) -> str:
    words = message.kind.replace("_", " ").capitalize()
    return f"{words} (sent again)" if message.resend_of else words


def sync_details(
    health: SyncHealth,
    *,
    configured: bool,
    pull_error: str | None,
    shop_names: Mapping[str, str] | None = None,
) -> str:
    """What the lead needs below the status bar's line: where events wait (per client shop,
    at a station serving several), the last delivery and the errors."""
    lines = []
    if not configured:
        lines.append("No order system is configured: events wait in the outbox.")
    names = shop_names or {}
    for shop in health.by_shop:
        code = shop.client_code
        if code is None:
            who = "The station's own shop"
        else:
            who = f"{names[code]} ({code})" if code in names else code
        parked = f", {shop.needs_attention} need attention" if shop.needs_attention else ""
        lines.append(f"{who}: {shop.pending} waiting{parked}")
    if health.last_delivered_at is not None:
        lines.append(f"Last delivered {_local_time(health.last_delivered_at)}.")
    if health.last_error:
        lines.append(f"Last error: {health.last_error}")
    if pull_error is not None:
        lines.append(f"Reading returns from the order system failed: {pull_error}")
    return "\n".join(lines)


def _unit_line(line: PendingRefundLine) -> str:
    paid = f"paid {line.gross.format()} − {line.deduction.format()} = {line.amount.format()}"
    why = f" ({line.deduction_reason})" if line.deduction_reason else ""
    return f"{line.sku} #{line.unit_index + 1}: {paid}{why}"


def _local_time(moment: datetime) -> str:
    local = moment.astimezone()
    today = datetime.now(UTC).astimezone().date()
    return local.strftime("%H:%M" if local.date() == today else "%d %b %H:%M")


class LeadBadgeDialog(QDialog):
    """A shift lead confirms each decision, at any station: badge -> PIN -> reason.

    Enter moves on from the badge (a scan ends in Enter) and from the PIN; only Enter in the
    last field, or OK, submits. A reason that is required must be given before it submits.
    Laid out by ui/lead_badge_dialog.ui.
    """

    def __init__(
        self,
        action: str,
        *,
        note_prompt: str | None,
        note_required: bool,
        badge: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ui = Ui_LeadBadgeDialog()
        self._ui.setupUi(self)  # type: ignore[no-untyped-call]
        if parent is not None:
            self.setFont(parent.font())  # a window does not inherit it: the lead tab's type size
        ui = self._ui
        self._note_required = note_required
        set_clipped_text(ui.question, action, QUOTE_CHARS)
        ui.badgeEdit.setText(badge)
        self._fields = [ui.badgeEdit, ui.pinEdit]
        if note_prompt is not None:
            ui.noteLabel.setText(note_prompt)
            self._fields.append(ui.noteEdit)
        else:
            ui.form.setRowVisible(ui.noteEdit, False)
        fit_height(self)
        (ui.pinEdit if badge else ui.badgeEdit).setFocus()

    # --- what the lead gave ---------------------------------------------------------------

    def badge(self) -> str:
        return self._ui.badgeEdit.text()

    def pin(self) -> str | None:
        return self._ui.pinEdit.text() or None

    def note(self) -> str:
        return self._ui.noteEdit.text()

    def problem(self) -> str:
        """Why the dialog refused to close, as shown."""
        return self._ui.problem.text()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # focusWidget: the field Enter was typed in, even while the window is not active.
            focus = self.focusWidget()
            if focus in self._fields and focus is not self._fields[-1]:
                self._fields[self._fields.index(focus) + 1].setFocus()
                return
            self.accept()
            return
        super().keyPressEvent(event)

    def accept(self) -> None:
        ui = self._ui
        for field, missing in (
            (ui.badgeEdit, "Scan the shift lead's badge."),
            (ui.pinEdit, "Enter the shift lead's PIN."),
        ):
            if not field.text().strip():
                ui.problem.setText(missing)
                fit_height(self)
                field.setFocus()
                return
        if self._note_required and not ui.noteEdit.text().strip():
            ui.problem.setText("A reason is required.")
            fit_height(self)
            ui.noteEdit.setFocus()
            return
        super().accept()


class LeadView(QWidget):
    """Laid out by ui/lead_view.ui; its widgets are its own, the rest of the station reads
    and drives it through the methods below."""

    # A decision was recorded: its notice (station.changes), for every screen showing the data.
    changed = Signal(object)

    def __init__(
        self,
        service: StationService,
        *,
        sync: SyncMonitor,
        font_scale: float = 1.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ui = Ui_LeadView()
        self._ui.setupUi(self)  # type: ignore[no-untyped-call]
        self._service = service
        self._sync = sync
        self.setFont(scaled_font(self.font(), BODY_PT, font_scale))  # children inherit it
        heading = scaled_font(self.font(), HEADING_PT, font_scale)
        heading.setBold(True)
        ui = self._ui
        for label in (ui.refundsHeading, ui.recoveryHeading, ui.messagesHeading, ui.syncHeading):
            label.setFont(heading)
        self._busy = False
        self._refunds_model = pending_refunds_model()
        _table(ui.refundsTable, self._refunds_model, stretch=3, widest=200)  # held because
        self._recovery_model = recovery_cases_model()
        _table(ui.recoveryTable, self._recovery_model, stretch=4, widest=200)  # found
        self._recovery_buttons = {
            RecoveryResolution.RECOVERED: ui.recoveredButton,
            RecoveryResolution.WRITTEN_OFF: ui.writeOffButton,
            RecoveryResolution.DISPUTED: ui.disputedButton,
        }
        # The status bar's own line, then the details; long errors are cut (whole in the tooltip).
        self._events_model = parked_events_model()
        _table(ui.eventsTable, self._events_model, stretch=4, widest=200)  # the shop said
        self._messages_model = messages_model()
        _table(ui.messagesTable, self._messages_model, stretch=2, widest=220)  # status
        # Typed or scanned, an RMA is looked up here: never taken for a scan for the station.
        ui.rmaEdit.setProperty(TYPED_BY_HAND, True)
        self._messages_rma: str | None = None  # the return whose messages are shown
        self._messages_shop: str | None = None  # and the shop asked for (None: not said)
        self._asked_whose = False  # the tab asked which shop's return the lead meant
        # The Shop list was set by a held refund or recovery case chosen, not by the lead: a
        # return typed next is any shop's again (else it would be looked up in that one).
        self._shop_set_by_tab = False
        self._offers_shops = offer_shops(
            ui.shopCombo, service.clients, own_shop=True, chars=_SHOP_CHARS
        )
        ui.shopLabel.setVisible(self._offers_shops)
        ui.shopCombo.setVisible(self._offers_shops)
        self._agreement_model = agreement_model()
        _table(ui.agreementTable, self._agreement_model, stretch=0, widest=160)
        ui.regradeHeading.setFont(heading)
        self._grades = service.policies.grading.grades
        self._grade_buttons: list[QPushButton] = []
        for index, grade in enumerate(self._grades):
            button = QPushButton(f"{clipped(grade.label, 14)} ({grade.key})", self)
            button.setToolTip(plain_tooltip(f"{grade.code} {grade.label}: {grade.description}"))
            ui.regradeKeys.addWidget(
                button, index // _GRADE_KEYS_PER_ROW, index % _GRADE_KEYS_PER_ROW
            )
            self._grade_buttons.append(button)
        self._regrade_task: RegradeTask | None = None
        # The held refund's return (RMA, shop), while it stays selected; the recovery case's.
        self._refund_rma: tuple[str, str] | None = None
        self._recovery_rma: tuple[str, str] | None = None

        # What a notice named while the tab was hidden, read when it is shown (all at first).
        self._stale: set[str] = set(_KINDS)
        self._connect_signals()
        self._enable_actions()

    def _connect_signals(self) -> None:
        self._ui.approveButton.clicked.connect(lambda: self.decide(approve=True))
        self._ui.rejectButton.clicked.connect(lambda: self.decide(approve=False))
        for resolution, button in self._recovery_buttons.items():
            button.clicked.connect(lambda _checked=False, how=resolution: self.close_recovery(how))
        self._ui.resendMessageButton.clicked.connect(self.resend_message)
        self._ui.rmaEdit.returnPressed.connect(self._look_up_messages)
        self._ui.rmaEdit.textEdited.connect(lambda _text: self._return_typed())
        # activated: the lead's choice only, not the tab's own (a held refund's shop set).
        self._ui.shopCombo.activated.connect(lambda _index: self._shop_chosen())
        self._ui.retryButton.clicked.connect(self.retry)
        self._ui.resendButton.clicked.connect(self.resend)
        self._ui.resolveButton.clicked.connect(self.resolve)
        self._ui.refreshButton.clicked.connect(self.refresh)
        for button, grade in zip(self._grade_buttons, self._grades, strict=True):
            button.clicked.connect(lambda _checked=False, key=grade.key: self.regrade(key))
        self._ui.unlockButton.clicked.connect(self.unlock)
        QShortcut(QKeySequence("F5"), self).activated.connect(self.refresh)
        self._ui.refundsTable.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self._refund_chosen()
        )
        self._ui.recoveryTable.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self._recovery_chosen()
        )
        self._ui.messagesTable.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self._enable_actions()
        )
        self._ui.eventsTable.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self._enable_actions()
        )
        self._sync.changed.connect(self._show_sync)

    # --- what the lead sees ---------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Who may grade which unit again depends on who signed in (the station may have been
        # locked and signed into by someone else): read it each time.
        stale, self._stale = self._stale | {"regrades"}, set()
        self._read(stale)
        self._ui.refundsTable.setFocus()

    @Slot(object)
    def on_changes(self, changes: Changes) -> None:
        """A change notice: re-read what it names now if on screen, else when shown."""
        kinds = _KINDS.intersection(changes.named())
        if self.isVisible():
            self._read(kinds)
        else:
            self._stale |= kinds

    def refresh(self) -> None:
        """F5: read everything again (what other stations did since the last slow tick)."""
        self._read(_KINDS)
        self._sync.refresh()

    def _read(self, kinds: AbstractSet[str]) -> None:
        service = self._service
        if "refunds_waiting" in kinds:
            Op(service.pending_refunds, owner=self).on_success(self._show_refunds).on_failure(
                self._show_error
            ).start()
        if "recovery" in kinds:
            Op(service.open_recovery_cases, owner=self).on_success(self._show_recovery).on_failure(
                self._show_error
            ).start()
        if "outbox" in kinds:  # the sync line comes from the monitor, which reads it itself
            Op(service.parked_events, owner=self).on_success(self._show_events).on_failure(
                self._show_error
            ).start()
            if self._messages_rma is not None:  # messages are outbox events too
                self._read_messages(self._messages_rma, self._messages_shop)
        if "regrades" in kinds:
            Op(service.next_regrade, owner=self).on_success(self._show_regrade).on_failure(
                self._show_error
            ).start()
            Op(lambda: service.grader_agreement(days=_AGREEMENT_DAYS), owner=self).on_success(
                self._show_agreement
            ).on_failure(self._show_error).start()

    def _show_regrade(self, task: RegradeTask | None) -> None:
        self._regrade_task = task
        self._ui.regradeTask.setText(regrade_text(task, self._grades))
        self._ui.regradeTask.setToolTip(plain_tooltip(task.title) if task is not None else "")
        self._enable_actions()

    def _show_agreement(self, found: Consistency) -> None:
        self._ui.agreementSummary.setText(agreement_summary(found, _AGREEMENT_DAYS))
        self._agreement_model.set_rows(found.by_inspector)

    def _read_messages(self, rma: str, shop: str | None) -> None:
        """The messages of ``shop``'s return ``rma`` (``OWN_SHOP``: the station's own; None:
        the one shop that has it, asked which when several do)."""
        self._messages_rma, self._messages_shop = rma, shop
        shops = None if shop is None else (None if shop == OWN_SHOP else shop,)

        def current() -> bool:  # not an answer overtaken by another return's
            return (rma, shop) == (self._messages_rma, self._messages_shop)

        def shown(records: list[MessageRecord]) -> None:
            if current():
                self._show_messages(records)
                if self._asked_whose and shop is not None:  # the question is answered
                    self._asked_whose = False
                    whose = shop_name(None if shop == OWN_SHOP else shop, self._service.clients)
                    self._say(f"The messages of {rma} of {whose}.")

        def failed(exc: BaseException) -> None:
            if not current():
                return
            self._show_messages([])
            if isinstance(exc, NumberOfSeveralShops):
                clients = self._service.clients
                self._say(whose_question(exc, clients, self._offers_shops), error=True)
                self._asked_whose = True
            else:
                self._show_error(exc)

        Op(lambda: self._service.messages(rma, shops=shops), owner=self).on_success(
            shown
        ).on_failure(failed).start()

    def _show_messages(self, records: list[MessageRecord]) -> None:
        current = self._selected(self._ui.messagesTable, self._messages_model)
        self._messages_model.set_rows(records)
        _reselect(
            self._ui.messagesTable, [m.event_id for m in records], current and current.event_id
        )
        self._enable_actions()

    def _look_up_messages(self) -> None:
        """Enter in the return field: that return's messages, the table to act on them."""
        rma = self._ui.rmaEdit.text().strip().upper()
        if rma:
            self._ui.rmaEdit.setText(rma)
            self._read_messages(rma, chosen_shop(self._ui.shopCombo))
            self._ui.messagesTable.setFocus()

    def _return_typed(self) -> None:
        """The lead types a return: the shop a selected refund or case had set no longer holds."""
        if self._shop_set_by_tab:
            self._shop_set_by_tab = False
            choose_shop(self._ui.shopCombo, None)

    def _shop_chosen(self) -> None:
        """Another shop chosen: the messages of that shop's return of the number shown."""
        self._shop_set_by_tab = False
        rma = self._ui.rmaEdit.text().strip().upper()
        if rma:
            self._read_messages(rma, chosen_shop(self._ui.shopCombo))

    def _return_chosen(self, rma: str, client_code: str | None) -> tuple[str, str]:
        """A held refund's or recovery case's return: its number and shop in the fields, its
        messages listed (its shop said, so never asked)."""
        shop = OWN_SHOP if client_code is None else client_code
        self._ui.rmaEdit.setText(rma)
        if self._offers_shops and self._ui.shopCombo.findData(shop) >= 0:
            choose_shop(self._ui.shopCombo, shop)
            self._shop_set_by_tab = True
        self._read_messages(rma, shop)
        return rma, shop

    def _refund_chosen(self) -> None:
        """A held refund selected: its units, and its return's messages unless it was already
        the selected one (a refresh keeps a return the lead looked up)."""
        self._show_refund_lines()
        refund = self._selected(self._ui.refundsTable, self._refunds_model)
        if refund is None:
            self._refund_rma = None
        elif (refund.rma_number, refund.client_code or OWN_SHOP) != self._refund_rma:
            self._refund_rma = self._return_chosen(refund.rma_number, refund.client_code)

    def _show_refunds(self, refunds: list[PendingRefund]) -> None:
        current = self._selected(self._ui.refundsTable, self._refunds_model)
        self._refunds_model.set_rows(refunds)
        _reselect(
            self._ui.refundsTable, [r.refund_id for r in refunds], current and current.refund_id
        )
        self._show_refund_lines()

    def _show_recovery(self, cases: list[RecoveryCaseView]) -> None:
        current = self._selected(self._ui.recoveryTable, self._recovery_model)
        self._recovery_model.set_rows(cases)
        _reselect(self._ui.recoveryTable, [c.case_id for c in cases], current and current.case_id)
        self._show_recovery_details()

    def _recovery_chosen(self) -> None:
        """A recovery case selected: its details, and what its customer was told (the refund
        issued on receipt)."""
        self._show_recovery_details()
        case = self._selected(self._ui.recoveryTable, self._recovery_model)
        if case is None:
            self._recovery_rma = None
        elif (case.rma_number, case.client_code or OWN_SHOP) != self._recovery_rma:
            self._recovery_rma = self._return_chosen(case.rma_number, case.client_code)

    def _show_recovery_details(self) -> None:
        case = self._selected(self._ui.recoveryTable, self._recovery_model)
        if case is None:
            empty = self._recovery_model.rowCount() == 0
            self._ui.recoveryDetails.setText("No open case." if empty else "")
            self._ui.recoveryDetails.setToolTip("")
        else:
            # Two lines, each cut (the tab must fit 1366x768); the whole, and the reason as the
            # inspection wrote it, in the tooltip.
            whole = recovery_details(case)
            shown = "\n".join(clipped(line, _LINE_CHARS) for line in whole.splitlines())
            self._ui.recoveryDetails.setText(shown)
            self._ui.recoveryDetails.setToolTip(plain_tooltip(f"{whole}\n{case.reason}"))
        self._enable_actions()

    def _show_sync(self, health: SyncHealth) -> None:
        pull_error = self._sync.pull_error
        details = sync_details(
            health,
            configured=self._sync.configured,
            pull_error=pull_error,
            shop_names={code: client.name for code, client in self._service.clients.items()},
        )
        set_clipped_text(self._ui.syncState, f"{self._sync.line()}\n{details}".strip(), _SYNC_CHARS)
        trouble = sync_trouble(health, pull_failed=pull_error is not None)
        _emphasize(self._ui.syncState, _ERROR_STYLE if trouble else None)

    def _show_events(self, events: list[OutboxEventView]) -> None:
        current = self._selected(self._ui.eventsTable, self._events_model)
        self._events_model.set_rows(events)
        _reselect(self._ui.eventsTable, [e.id for e in events], current and current.id)
        self._enable_actions()

    def _show_refund_lines(self) -> None:
        refund = self._selected(self._ui.refundsTable, self._refunds_model)
        if refund is None:
            count = self._refunds_model.rowCount()
            self._ui.refundLines.setText("Nothing waiting." if count == 0 else "")
            self._ui.refundLines.setToolTip("")
        else:
            whole = [
                f"Inspected by {refund.inspector} ({refund.station_code}),"
                f" waiting since {_local_time(refund.created_at)}.",
                f"Held because: {refund.reason}",
                *map(_unit_line, refund.lines),
            ]
            # The reason and a few units, cut: the tab must fit a 1366x768 screen with its
            # buttons; the whole text is in the tooltip.
            shown = [clipped(line, _LINE_CHARS) for line in whole[: _UNITS_SHOWN + 2]]
            if len(whole) > _UNITS_SHOWN + 2:
                more = len(whole) - _UNITS_SHOWN - 1
                shown[-1] = f"… and {more} more units (hover for all)"
            text = "\n".join(shown)
            self._ui.refundLines.setText(text)
            all_of_it = "\n".join(whole)
            self._ui.refundLines.setToolTip(plain_tooltip(all_of_it) if all_of_it != text else "")
        self._enable_actions()

    def _enable_actions(self) -> None:
        has_refund = self._selected(self._ui.refundsTable, self._refunds_model) is not None
        has_event = self._selected(self._ui.eventsTable, self._events_model) is not None
        has_message = self._selected(self._ui.messagesTable, self._messages_model) is not None
        has_case = self._selected(self._ui.recoveryTable, self._recovery_model) is not None
        for button, enabled in (
            (self._ui.approveButton, has_refund),
            (self._ui.rejectButton, has_refund),
            *((button, has_case) for button in self._recovery_buttons.values()),
            (self._ui.resendMessageButton, has_message),
            *((button, self._regrade_task is not None) for button in self._grade_buttons),
            (self._ui.retryButton, has_event),
            (self._ui.resendButton, has_event),
            (self._ui.resolveButton, has_event),
        ):
            button.setEnabled(enabled and not self._busy)

    def _say(self, text: str, *, error: bool = False) -> None:
        # A refusal may quote the shop's answer, which can be a whole page: cut, whole in the
        # tooltip.
        set_clipped_text(self._ui.message, text, _MESSAGE_CHARS)
        _emphasize(self._ui.message, _ERROR_STYLE if error else _OK_STYLE)

    def _show_error(self, exc: BaseException) -> None:
        self._busy = False
        self._enable_actions()
        if isinstance(exc, OperatorError):
            self._say(str(exc), error=True)
        else:
            log.error("Shift lead view failed", exc_info=exc)
            self._say(f"Could not complete that: {exc}", error=True)

    # --- what the rest of the station (and a test) reads -----------------------------------

    def message(self) -> str:
        """What the last action did, or why it could not."""
        return self._ui.message.text()

    def sync_text(self) -> str:
        """The order system's state: the status bar's line, then the details."""
        return self._ui.syncState.text()

    def held_refunds(self) -> list[PendingRefund]:
        return self._refunds_model.rows()

    def parked_events(self) -> list[OutboxEventView]:
        return self._events_model.rows()

    def recovery_cases(self) -> list[RecoveryCaseView]:
        return self._recovery_model.rows()

    def shown_recovery_cases(self) -> list[str]:
        """Each open case as the lead reads its row: RMA · customer · paid · at stake · found."""
        model = self._recovery_model
        return [
            " · ".join(
                str(model.index(row, column).data()) for column in range(model.columnCount())
            )
            for row in range(model.rowCount())
        ]

    def recovery_text(self) -> str:
        """The selected recovery case, as shown below its table."""
        return self._ui.recoveryDetails.text()

    def select_recovery(self, row: int) -> None:
        self._ui.recoveryTable.setCurrentIndex(self._recovery_model.index(row, 0))

    def refund_details(self) -> str:
        """The selected held refund's reason and units, as shown below the table."""
        return self._ui.refundLines.text()

    def select_refund(self, row: int) -> None:
        self._ui.refundsTable.setCurrentIndex(self._refunds_model.index(row, 0))

    def select_event(self, row: int) -> None:
        self._ui.eventsTable.setCurrentIndex(self._events_model.index(row, 0))

    def regrade_task(self) -> str:
        """The unit to grade again, as the second grader reads it."""
        return self._ui.regradeTask.text()

    def agreement(self) -> tuple[str, list[str]]:
        """The agreement line and each inspector's row as shown (name · again · same · %)."""
        model = self._agreement_model
        rows = [
            " · ".join(
                str(model.index(row, column).data()) for column in range(model.columnCount())
            )
            for row in range(model.rowCount())
        ]
        return self._ui.agreementSummary.text(), rows

    def messages(self) -> list[MessageRecord]:
        """The messages of the return in the return field, as listed."""
        return self._messages_model.rows()

    def shown_messages(self) -> list[str]:
        """Each listed message as the lead reads its row: message · to · status · time."""
        model = self._messages_model
        return [
            " · ".join(
                str(model.index(row, column).data()) for column in range(model.columnCount())
            )
            for row in range(model.rowCount())
        ]

    def messages_return(self) -> str:
        """The return whose messages are listed, as its field shows it."""
        return self._ui.rmaEdit.text()

    def return_field(self) -> QLineEdit:
        """Where the lead types the return whose messages to list."""
        return self._ui.rmaEdit

    def shop_choice(self) -> QComboBox:
        """Whose return it is, below the messages (hidden at a one-shop station)."""
        return self._ui.shopCombo

    def shops_offered(self) -> list[str]:
        """The shop choice as shown (empty when the station serves one shop)."""
        combo = self._ui.shopCombo
        return [combo.itemText(i) for i in range(combo.count())] if self._offers_shops else []

    def select_message(self, row: int) -> None:
        self._ui.messagesTable.setCurrentIndex(self._messages_model.index(row, 0))

    # --- what the lead does ---------------------------------------------------------------

    def on_command(self, key: str) -> None:
        """Lone keys from the scanner filter, while this view is on screen."""
        if not self.isVisible() or self._busy:
            return
        actions: dict[str, Callable[[], None]] = {
            "A": lambda: self.decide(approve=True),
            "R": lambda: self.decide(approve=False),
            "S": self.resend_message,
            "T": self.retry,
            "N": self.resend,
            "M": self.resolve,
            "U": self.unlock,
        }
        action = actions.get(key.upper())
        resolution = _RECOVERY_KEYS.get(key.upper())
        if action is not None:
            action()
        elif resolution is not None:
            self.close_recovery(resolution)
        elif any(grade.key == key for grade in self._grades):
            self.regrade(key)

    def regrade(self, key: str) -> None:
        """A grade key: the signed-in operator's second grade of the unit shown."""
        task = self._regrade_task
        if task is None:
            self._say(regrade_text(None, self._grades), error=True)
            return

        def recorded(code: str) -> None:
            self._busy = False
            self._enable_actions()
            self._say(f"Unit {task.license_plate} graded {code} the second time. Thank you.")
            self.changed.emit(UNIT_REGRADED)  # the next unit and the agreement are read anew

        def refused(exc: BaseException) -> None:
            self._show_error(exc)
            self._read({"regrades"})  # e.g. graded at another station meanwhile: the next one

        self._busy = True
        self._enable_actions()
        Op(lambda: self._service.record_regrade(task.license_plate, key), owner=self).on_success(
            recorded
        ).on_failure(refused).start()

    def decide(self, *, approve: bool) -> None:
        refund = self._selected(self._ui.refundsTable, self._refunds_model)
        if refund is None:
            return
        verb = "Approve" if approve else "Reject"
        what = f"{verb} the refund of {refund.total.format()} for {refund.rma_number}?"
        self._as_lead(
            what,
            note_prompt="Note (optional)" if approve else "Why is it rejected? (required)",
            note_required=not approve,
            work=lambda lead, note: self._service.decide_refund(
                refund.refund_id, lead, approve=approve, note=note
            ),
            changes=REFUND_DECIDED,
            done=lambda decision: (
                f"Refund for {decision.rma_number} {decision.status.value}"
                f" by {decision.decided_by}"
                + (": it will be paid through the order system." if approve else ".")
            ),
        )

    def close_recovery(self, resolution: RecoveryResolution) -> None:
        """C, W or D: the selected recovery case closed as recovered, written off or disputed,
        with the lead's note (required: the audit and the next lead read it)."""
        case = self._selected(self._ui.recoveryTable, self._recovery_model)
        if case is None:
            return
        self._as_lead(
            f"Close the recovery case of {case.rma_number} ({case.at_stake.format()} at stake)"
            f" as “{resolution.label}”?",
            note_prompt="What happened? (required, e.g. paid back by bank transfer)",
            note_required=True,
            work=lambda lead, note: self._service.close_recovery(
                case.case_id, lead, resolution=resolution, note=note
            ),
            changes=RECOVERY_CLOSED,
            done=lambda closed: (
                f"Recovery case of {closed.rma_number} closed: {closed.resolution.label.lower()}"
                f" ({closed.at_stake.format()}), by {closed.closed_by}."
            ),
        )

    def resend_message(self) -> None:
        """S: the selected message queued again for the customer (a new message, audited)."""
        message = self._selected(self._ui.messagesTable, self._messages_model)
        if message is None:
            return
        self._as_lead(
            f"Send the message “{_message_kind(message)}” for {message.rma_number}"
            f" to {message.to} again?",
            note_prompt=None,
            note_required=False,
            work=lambda lead, _note: self._service.resend_message(message.event_id, lead),
            changes=MESSAGE_RESENT,
            done=lambda sent: (
                f"Message “{_message_kind(sent)}” for {sent.rma_number} queued again to {sent.to}."
            ),
        )

    def retry(self) -> None:
        event = self._selected(self._ui.eventsTable, self._events_model)
        if event is None:
            return
        self._as_lead(
            f"Send event #{event.sequence} ({event.event_type}) again, with its same key?",
            note_prompt=None,
            note_required=False,
            work=lambda lead, _note: self._service.retry_event(event.id, lead),
            changes=EVENT_RETRIED,
            done=lambda view: f"Event #{view.sequence} queued again.",
        )

    def resend(self) -> None:
        """N: after a refusal was fixed in the shop, the event goes again under a new key;
        the service first asks the shop what the old key did and refuses unless "refused"."""
        event = self._selected(self._ui.eventsTable, self._events_model)
        if event is None:
            return
        self._as_lead(
            f"Send event #{event.sequence} ({event.event_type}) again under a new key? The order"
            " system is asked first whether its key applied nothing.",
            note_prompt=None,
            note_required=False,
            work=lambda lead, _note: self._service.resend_event(event.id, lead),
            changes=EVENT_RESENT,
            done=lambda view: f"Event #{view.sequence} queued again under a new key.",
        )

    def resolve(self) -> None:
        event = self._selected(self._ui.eventsTable, self._events_model)
        if event is None:
            return
        self._as_lead(
            f"Mark event #{event.sequence} ({event.event_type}) as handled in the shop?",
            note_prompt="How was it resolved? (required, e.g. refunded by hand in the shop)",
            note_required=True,
            work=lambda lead, note: self._service.resolve_event(event.id, lead, note=note),
            changes=EVENT_RESOLVED,
            done=lambda view: f"Event #{view.sequence} marked resolved.",
        )

    def unlock(self) -> None:
        self._as_lead(
            "Unlock a badge that too many wrong PINs locked?",
            note_prompt="Badge to unlock",
            note_required=True,
            work=lambda lead, badge: self._service.unlock_operator(badge, lead),
            changes=BADGE_UNLOCKED,
            done=lambda code: f"Badge {code} is unlocked.",
        )

    def _as_lead(
        self,
        question: str,
        *,
        note_prompt: str | None,
        note_required: bool,
        work: Callable[[StationContext, str], T],
        changes: Changes,
        done: Callable[[T], str],
    ) -> None:
        """Ask the deciding lead's badge, PIN and reason, every time; run it off the GUI thread.

        A signed-in lead finds their badge filled in: the PIN still proves who is at the keys.
        """
        signed_in = self._service.context
        dialog = LeadBadgeDialog(
            question,
            note_prompt=note_prompt,
            note_required=note_required,
            badge=signed_in.operator_code if signed_in.role in LEAD_ROLES else "",
            parent=self,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        code, pin, note = dialog.badge(), dialog.pin(), dialog.note()

        def run() -> T:
            lead = self._service.authorize_lead(code, pin)
            return work(lead, note)

        def succeeded(result: T) -> None:
            self._busy = False
            self._enable_actions()
            self._say(done(result))
            self.changed.emit(changes)  # the window's notices re-read this tab too

        self._busy = True
        self._enable_actions()
        Op(run, owner=self).on_success(succeeded).on_failure(self._show_error).start()

    @staticmethod
    def _selected(table: QTableView, model: RowTableModel[T]) -> T | None:
        index = table.currentIndex()
        if not index.isValid() or index.row() >= model.rowCount():
            return None
        return model.row(index.row())


def _emphasize(label: QLabel, style: str | None) -> None:
    """Coloured and bold with ``style``, plain without."""
    label.setStyleSheet(style or "")
    font = label.font()
    font.setBold(style is not None)
    label.setFont(font)


def _table(table: QTableView, model: RowTableModel[T], *, stretch: int, widest: int = 360) -> None:
    table.setModel(model)
    table.verticalHeader().setVisible(False)
    bounded_columns(table, stretch=stretch, widest=widest)
    model.modelReset.connect(lambda: _fit_rows(table))
    _fit_rows(table)


def _fit_rows(table: QTableView) -> None:
    """As tall as its rows (two at least), no taller: the tab's height goes to the tables with
    rows to show, not to the blank below a short list (the column ends in a spacer)."""
    row = table.verticalHeader().defaultSectionSize()
    chrome = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
    rows = table.model().rowCount()
    table.setMinimumHeight(chrome + _LEAST_ROWS * row)
    table.setMaximumHeight(chrome + max(rows, _LEAST_ROWS) * row)


def _reselect(table: QTableView, ids: list[object], previous: object) -> None:
    """Keep the lead's place after a refresh; else the first row."""
    if not ids:
        return
    row = ids.index(previous) if previous in ids else 0
    table.setCurrentIndex(table.model().index(row, 0))
