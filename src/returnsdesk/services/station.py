"""The station's use cases, one transaction each, for the GUI (or a script) to call off-thread.

``StationService`` binds the database, the policies and the signed-in operator; every method
opens its own unit of work and returns detached views, so it is safe to call from a worker
thread while the GUI keeps running.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from returnsdesk.data import drafts, refunds, returns
from returnsdesk.data.db import Database
from returnsdesk.domain.clock import Clock
from returnsdesk.domain.errors import AlreadyCompleted, PrinterUnavailable, WrongStep
from returnsdesk.domain.inspection import InspectedUnit, ParcelInspection, ScannedProduct
from returnsdesk.domain.money import Money
from returnsdesk.domain.policy import Policies
from returnsdesk.domain.scanning import ClassifiedScan, ScanKind, ScanRules
from returnsdesk.domain.vocabulary import RecoveryResolution, ReturnStatus
from returnsdesk.domain.weighing import Weighing
from returnsdesk.scan.classify import classify
from returnsdesk.services import (
    approvals,
    history,
    inspection,
    intake,
    recovery_cases,
    regrades,
    weighing,
)
from returnsdesk.services.labels.printers import LabelOutput
from returnsdesk.services.labels.queue import (
    LabelHealth,
    PrintWorker,
    UnitLabelView,
    label_health,
    parcel_labels,
    queue_unit_labels,
    reprint_labels,
)
from returnsdesk.services.messages import ledger
from returnsdesk.services.operators import DEFAULT_LOCKOUT, LockoutPolicy, unlock_by_lead
from returnsdesk.services.photos import (
    PhotoProblem,
    PhotoStore,
    PhotoView,
    default_photo_root,
)
from returnsdesk.services.sync import recovery, relay
from returnsdesk.services.sync.connector import KeyInquiry, OutboxEventView
from returnsdesk.services.sync.relay import SyncHealth, sync_health
from returnsdesk.services.views import (
    OWN_SHOP_NAME,
    ClientProfile,
    CompletionResult,
    HistoryRow,
    PaidOnReceipt,
    ReceivedParcel,
    ReturnOutcome,
    ReturnSummary,
    ReturnView,
    ShopOption,
    StationContext,
)

if TYPE_CHECKING:
    from returnsdesk.services.photos import Image

T = TypeVar("T")


@dataclass(frozen=True)
class ParcelOpened:
    parcel: ReceivedParcel


@dataclass(frozen=True)
class ParcelAlreadyCompleted:
    outcome: ReturnOutcome


@dataclass(frozen=True)
class NoReturnFound:
    scan: ClassifiedScan


@dataclass(frozen=True)
class WhichShop:
    """The scan matched returns of several shops (a number they all use): ask, never guess."""

    scan: ClassifiedScan
    options: tuple[ShopOption, ...]  # the station's own shop first, then by client code


ParcelScanResult = ParcelOpened | ParcelAlreadyCompleted | NoReturnFound | WhichShop


class StationService:
    def __init__(
        self,
        *,
        database: Database,
        policies: Policies,
        context: StationContext,
        scan_rules: ScanRules,
        clock: Clock,
        require_photos: bool = False,
        photo_store: PhotoStore | None = None,
        label_output: LabelOutput | None = None,
        lockout: LockoutPolicy = DEFAULT_LOCKOUT,
        scale: weighing.Scale | None = None,
        regrade_draw: regrades.Draw = random.random,
        key_inquiry: KeyInquiry | None = None,  # the order system, asked before a resend
        # How long the order system is kept from hearing of a receipt, so F7 can undo a
        # mis-scan with the relay running (messages.grace_minutes); 0: told at once.
        receipt_grace: timedelta = timedelta(0),
        # Client shops by code: a return of one is worked under its policies and named.
        clients: Mapping[str, ClientProfile] | None = None,
        client_key_inquiries: Mapping[str, KeyInquiry] | None = None,  # each shop's system
    ) -> None:
        self.receipt_grace = receipt_grace
        self.database = database
        self.key_inquiry = key_inquiry
        self.policies = policies
        self.clients = dict(clients or {})
        self.client_key_inquiries = dict(client_key_inquiries or {})
        self.context = context
        self.scan_rules = scan_rules
        self.clock = clock
        self.lockout = lockout
        self.require_photos = require_photos
        self.photos = photo_store or PhotoStore(default_photo_root())
        self.scale = scale  # None: no bench scale, no weight check
        self.regrade_draw = regrade_draw  # picks units for a blind second grading
        # None: this station prints no labels (labels.printer = none).
        self.print_worker = (
            PrintWorker(database, label_output, context.station_id)
            if label_output is not None
            else None
        )

    def policies_for(self, client_code: str | None) -> Policies:
        """The policies a return of that client shop is worked under (None: the station's)."""
        client = self.clients.get(client_code) if client_code is not None else None
        return self.policies if client is None else client.policies

    def _named(self, view: ReturnView) -> ReturnView:
        client = self.clients.get(view.client_code) if view.client_code is not None else None
        # A code no longer in the settings is still shown: the return stays that shop's.
        name = client.name if client is not None else view.client_code
        return view if name is None else replace(view, client_name=name)

    def shop_name(self, client_code: str | None) -> str:
        """The shop as the station names it (a code no longer in the settings: the code)."""
        if client_code is None:
            return OWN_SHOP_NAME
        client = self.clients.get(client_code)
        return client.name if client is not None else client_code

    def classify(self, raw: str) -> ClassifiedScan:
        """Classify a raw scan; raises ``RejectedScan`` for garbage. Pure and fast."""
        return classify(raw, rules=self.scan_rules)

    def open_parcel(
        self, scan: ClassifiedScan, *, shop: ShopOption | None = None
    ) -> ParcelScanResult:
        """A parcel scan: receive the parcel of its return, or say why not. A number several
        shops use gives ``WhichShop``; the scan again with the ``shop`` chosen opens its return.
        """
        if scan.kind not in intake.PARCEL_SCANS:
            raise WrongStep("Scan the parcel's label first (tracking number or RMA).")
        now = self.clock()
        tracking = scan.value if scan.kind is ScanKind.TRACKING else ""
        shops = None if shop is None else (shop.client_code,)
        # One transaction, the return read once (and locked): find, then receive or explain.
        with self.database.session() as session:
            candidates = intake.find_returns(session, scan, client_codes=shops)
            if not candidates:
                return NoReturnFound(scan)
            if len(candidates) > 1:
                return WhichShop(scan, tuple(self._option(r) for r in candidates))
            found = candidates[0]
            if found.return_.status is ReturnStatus.COMPLETED:
                refunds = self.policies_for(found.return_.client_code).refunds
                outcome = history.return_outcome(session, found, refunds=refunds, now=now)
                return ParcelAlreadyCompleted(replace(outcome, view=self._named(outcome.view)))
            return ParcelOpened(self._receive(session, found, tracking, scan.carrier or "", now))

    def _option(self, record: returns.ReturnRecord) -> ShopOption:
        return_ = record.return_
        return ShopOption(
            client_code=return_.client_code,
            shop_name=self.shop_name(return_.client_code),
            return_id=return_.id,
            rma_number=return_.rma_number,
            order_number=record.order.number,
            customer_name=return_.customer_name,
            status=return_.status,
        )

    def open_return(
        self, return_id: uuid.UUID, tracking_number: str = "", carrier: str = ""
    ) -> ReceivedParcel:
        """Receive a parcel for a return chosen by search."""
        now = self.clock()
        with self.database.session() as session:
            return_ = returns.lock_return(session, return_id)
            if return_ is None:
                raise WrongStep("That return no longer exists.")
            record = returns.record_of(session, return_)
            return self._receive(session, record, tracking_number, carrier, now)

    def _receive(
        self,
        session: Session,
        record: returns.ReturnRecord,
        tracking_number: str,
        carrier: str,
        now: datetime,
    ) -> ReceivedParcel:
        return_ = record.return_
        parcel_id, resumed = intake.receive_parcel(
            session,
            ctx=self.context,
            record=record,
            # No carrier label: the RMA identifies the parcel.
            tracking_number=tracking_number or return_.rma_number,
            carrier=carrier,
            now=now,
            refunds=self.policies_for(return_.client_code).refunds,
            grace=self.receipt_grace,
        )
        view = self._named(
            intake.load_return_view(
                record, refunds=self.policies_for(return_.client_code).refunds, now=now
            )
        )
        finished = tuple(drafts.finished_units(session, parcel_id)) if resumed else ()
        weighed = weighing.stored_weighing(session, parcel_id) if resumed else None
        parcel_photos = (
            sum(1 for p in self.photos.list_for_parcel(session, parcel_id) if p.unit_id is None)
            if resumed
            else 0
        )
        refund = refunds.refund_of_return(session, return_.id)
        paid = (
            PaidOnReceipt(Money(refund.total, refund.currency), refund.created_at)
            if refund is not None and refund.released_on_receipt
            else None
        )
        return ReceivedParcel(
            parcel_id=parcel_id,
            view=view,
            resumed=resumed,
            finished_units=finished,
            weighing=weighed,
            parcel_photos=parcel_photos,
            paid_on_receipt=paid,
        )

    def undo_receipt(self, parcel_id: uuid.UUID) -> str:
        """A parcel opened against the wrong return, taken back before any work or any word to
        the shop (``intake.undo_receipt``, audited); the return's RMA number."""
        with self.database.session() as session:
            return intake.undo_receipt(
                session, ctx=self.context, parcel_id=parcel_id, now=self.clock()
            )

    def outcome(self, return_id: uuid.UUID) -> ReturnOutcome:
        with self.database.read() as session:
            return_ = returns.get_return(session, return_id)
            if return_ is None:
                raise WrongStep("That return no longer exists.")
            outcome = history.return_outcome(
                session,
                returns.record_of(session, return_),
                refunds=self.policies_for(return_.client_code).refunds,
                now=self.clock(),
            )
            return replace(outcome, view=self._named(outcome.view))

    def search(self, text: str) -> list[ReturnSummary]:
        with self.database.read() as session:
            return intake.search_returns(session, text, shop_name=self.shop_name)

    def receive_unexpected(self, scan: ClassifiedScan, note: str) -> uuid.UUID:
        with self.database.session() as session:
            return intake.receive_unexpected_parcel(
                session,
                ctx=self.context,
                tracking_number=scan.value,
                carrier=scan.carrier or "",
                note=note,
                now=self.clock(),
            )

    def new_inspection(self, view: ReturnView) -> ParcelInspection:
        return ParcelInspection(
            lines=view.lines,
            policies=self.policies_for(view.client_code),
            currency=view.currency,
            days_since_delivery=view.days_since_delivery,
            window=view.window,
            require_photos=self.require_photos,
        )

    def resume_inspection(self, parcel: ReceivedParcel) -> ParcelInspection:
        """The parcel's inspection with the units already finished in it (none if new)."""
        work = self.new_inspection(parcel.view)
        work.weighing = parcel.weighing
        work.parcel_photos = parcel.parcel_photos
        work.restore(list(parcel.finished_units))
        return work

    def weigh_parcel(self, parcel_id: uuid.UUID, contents_grams: int | None) -> Weighing:
        """Read the bench scale (raises ``ScaleProblem``), judge the weight against the goods'
        (``ParcelInspection.contents_grams``) and store it on the parcel."""
        if self.scale is None:
            raise WrongStep("This station has no scale (settings: scale.port).")
        weight = self.scale.weigh()
        with self.database.read() as session:
            client = returns.client_of_parcel(session, parcel_id) if self.clients else None
        verdict = self.policies_for(client).refunds.weight_check.judge(
            measured_grams=weight.whole_grams, contents_grams=contents_grams
        )
        with self.database.session() as session:
            weighing.record_weighing(
                session, parcel_id=parcel_id, weighing=verdict, now=self.clock()
            )
        return verdict

    def resolve_item(self, scan: ClassifiedScan, view: ReturnView) -> ScannedProduct:
        with self.database.read() as session:
            return inspection.resolve_item(session, scan, view=view)

    def complete(self, parcel_id: uuid.UUID, work: ParcelInspection) -> CompletionResult:
        now = self.clock()
        try:
            with self.database.session() as session:
                result = inspection.complete_parcel(
                    session,
                    ctx=self.context,
                    parcel_id=parcel_id,
                    inspection=work,
                    now=now,
                    label_printer=self._label_printer(),
                    label_titles={c: p.label_title for c, p in self.clients.items()},
                )
                if result.replayed:
                    return result  # its regrades and labels were queued the first time
                regrades.queue_regrades(
                    session,
                    units=[(unit.unit_id, unit.grade) for unit in work.units],
                    operator_id=self.context.operator_id,
                    percent=work.policies.grading.regrade_percent,  # the return's shop's
                    draw=self.regrade_draw,
                    now=now,
                )
        except IntegrityError as exc:
            # A concurrent completion can also surface at commit (PostgreSQL): say so plainly.
            if "refunds" in str(exc.orig):
                raise AlreadyCompleted("This return was refunded already.") from exc
            raise
        self._wake_printer()
        return result

    # --- labels -------------------------------------------------------------------------------

    def _label_printer(self) -> str | None:
        return self.print_worker.output.describe() if self.print_worker is not None else None

    def _label_title(self, session: Session, parcel_id: uuid.UUID) -> str:
        """The client shop's title for the parcel's routing labels ("" for the station's own)."""
        if not self.clients:
            return ""
        code = returns.client_of_parcel(session, parcel_id)
        client = self.clients.get(code) if code is not None else None
        return "" if client is None else client.label_title

    def _wake_printer(self) -> None:
        if self.print_worker is not None:
            self.print_worker.wake()

    def _queue_labels(self, write: Callable[[Session, str], T]) -> T:
        """Write print jobs for this station's printer in one transaction, then wake it."""
        printer = self._label_printer()
        if printer is None:
            raise PrinterUnavailable("This station has no label printer (labels.printer = none).")
        with self.database.session() as session:
            result = write(session, printer)
        self._wake_printer()
        return result

    def finish_unit(self, parcel_id: uuid.UUID, rma_number: str, unit: InspectedUnit) -> int:
        """Record a finished unit before its parcel is completed; returns labels queued.

        One transaction: the unit as a draft (so a restart, or another station scanning the
        parcel, carries on with it and its license plate) and its routing label, which the
        inspector sticks on now rather than when the whole parcel is done. The parcel's
        completion turns drafts into inspections and queues any label still missing.
        """
        printer = self._label_printer()
        with self.database.session() as session:
            # Locked: a completion at another station waits, or this unit is refused.
            inspection.lock_open_parcel(session, parcel_id)
            drafts.save_unit(
                session,
                parcel_id=parcel_id,
                unit=unit,
                station_id=self.context.station_id,
                operator_id=self.context.operator_id,
            )
            queued = (
                0
                if printer is None
                else queue_unit_labels(
                    session,
                    ctx=self.context,
                    parcel_id=parcel_id,
                    rma_number=rma_number,
                    units=[unit],
                    printer=printer,
                    now=self.clock(),
                    client=self._label_title(session, parcel_id),
                )
            )
        if queued:
            self._wake_printer()
        return queued

    def reprint(self, parcel_id: uuid.UUID, plate: str | None = None) -> list[str]:
        """Queue a completed parcel's labels (or one unit's, by plate) again; returns plates."""
        return self._queue_labels(
            lambda session, printer: reprint_labels(
                session,
                ctx=self.context,
                parcel_id=parcel_id,
                plate=plate,
                printer=printer,
                now=self.clock(),
                client=self._label_title(session, parcel_id),
            )
        )

    def parcel_labels(self, parcel_id: uuid.UUID) -> list[UnitLabelView]:
        with self.database.read() as session:
            return parcel_labels(session, parcel_id)

    def label_health(self) -> LabelHealth | None:
        if self.print_worker is None:
            return None
        return label_health(self.database, self.context.station_id)

    def save_photo(
        self, parcel_id: uuid.UUID, unit_id: uuid.UUID | None, frame: Image
    ) -> tuple[PhotoView, Image | None]:
        """Store a photo as evidence (raises ``PhotoNotSaved``); returns it with a thumbnail."""
        with self.database.session() as session:
            photo = self.photos.save(
                session,
                frame=frame,
                parcel_id=parcel_id,
                unit_id=unit_id,
                operator_id=self.context.operator_id,
                station_id=self.context.station_id,
                now=self.clock(),
            )
        return photo, self.photos.thumbnail(photo)

    def parcel_evidence(
        self, parcel_id: uuid.UUID
    ) -> list[tuple[PhotoView, Image | None, PhotoProblem | None]]:
        """A parcel's photos with thumbnails, each checked against its recorded SHA-256."""
        with self.database.read() as session:
            photos = self.photos.list_for_parcel(session, parcel_id)
            problems = {p.photo_id: p for p in self.photos.verify(session, parcel_id=parcel_id)}
        return [(p, self.photos.thumbnail(p), problems.get(p.id)) for p in photos]

    def verify_photos(self, *, days: int = 7) -> list[PhotoProblem]:
        """Photos of the last ``days`` whose file is missing or altered (checked at start-up)."""
        with self.database.read() as session:
            return self.photos.verify(session, since=self.clock() - timedelta(days=days))

    def sync_health(self) -> SyncHealth:
        return sync_health(self.database, self.clock())

    # --- shift lead: held refunds and order-system events that need a person ----------------

    def authorize_lead(self, operator_code: str, pin: str | None) -> StationContext:
        """The deciding lead's badge and PIN, asked for each decision, even of a signed-in lead:
        the person at the keyboard may not be the one who signed in."""
        return approvals.authorize_lead(
            self.database,
            operator_code=operator_code,
            pin=pin,
            station_code=self.context.station_code,
            now=self.clock(),
            lockout=self.lockout,
        )

    def pending_refunds(self) -> list[approvals.PendingRefund]:
        return approvals.pending_refunds(self.database)

    def decide_refund(
        self, refund_id: uuid.UUID, lead: StationContext, *, approve: bool, note: str
    ) -> approvals.RefundDecision:
        return approvals.decide_refund(
            self.database, refund_id, lead, approve=approve, note=note, now=self.clock()
        )

    def open_recovery_cases(self) -> list[recovery_cases.RecoveryCaseView]:
        """Refunds paid on receipt that inspection found too high, waiting for a lead."""
        return recovery_cases.open_cases(self.database)

    def close_recovery(
        self,
        case_id: uuid.UUID,
        lead: StationContext,
        *,
        resolution: RecoveryResolution,
        note: str,
    ) -> recovery_cases.ClosedRecovery:
        return recovery_cases.close_case(
            self.database, case_id, lead, resolution=resolution, note=note, now=self.clock()
        )

    def unlock_operator(self, badge: str, lead: StationContext) -> str:
        """A badge unlocked by a lead; its code as stored."""
        return unlock_by_lead(self.database, code=badge, lead=lead).code

    def parked_events(self) -> list[OutboxEventView]:
        return relay.parked_events(self.database)

    def retry_event(self, event_id: uuid.UUID, lead: StationContext) -> OutboxEventView:
        return relay.retry_parked(self.database, event_id, lead, now=self.clock())

    def resolve_event(
        self, event_id: uuid.UUID, lead: StationContext, *, note: str
    ) -> OutboxEventView:
        return relay.mark_resolved(self.database, event_id, lead, note=note, now=self.clock())

    def resend_event(self, event_id: uuid.UUID, lead: StationContext) -> OutboxEventView:
        """Send a parked event again under a new key, only if the shop says the old key was
        refused (``services/sync/recovery.py``); raises ``ResendRefused`` otherwise."""
        return recovery.resend_parked(
            self.database,
            event_id,
            lead,
            shop=self.key_inquiry,
            now=self.clock(),
            client_shops=self.client_key_inquiries,
        )

    def messages(
        self, rma_number: str, *, shops: Collection[str | None] | None = None
    ) -> list[ledger.MessageRecord]:
        """What was sent to the customer for a return, and when (``NoSuchMessage``: no return).
        ``shops``: whose return it is (``ledger.list_messages``); an RMA several use is refused
        (``NumberOfSeveralShops``) when they do not say."""
        return ledger.list_messages(self.database, rma_number, shops=shops)

    def resend_message(self, event_id: uuid.UUID, lead: StationContext) -> ledger.MessageRecord:
        """A customer message queued again by a lead, audited (``services/messages/ledger``)."""
        return ledger.resend_message(self.database, event_id, lead, now=self.clock())

    # --- grader consistency: blind second grades by whoever is signed in ------------------

    def next_regrade(self) -> regrades.RegradeTask | None:
        """The oldest unit waiting for a second grade that the signed-in operator did not
        grade first (what they may see of it: never the first grade or grader)."""
        with self.database.session() as session:
            return regrades.next_regrade(session, operator_id=self.context.operator_id)

    def record_regrade(self, license_plate: str, grade_key: str) -> str:
        """The signed-in operator's second grade of a unit, audited; its grade code. Refused
        (``WrongStep``) for the first grader, or a unit graded again already."""
        with self.database.session() as session:
            return regrades.record_regrade(
                session,
                license_plate=license_plate,
                grade_key_or_code=grade_key,
                grading=self.policies.grading,
                ctx=self.context,
                now=self.clock(),
            )

    def grader_agreement(self, *, days: int) -> regrades.Consistency:
        """Second grades recorded in the last ``days`` days, at every station."""
        end = self.clock()
        return regrades.consistency(
            self.database, start=end - timedelta(days=days), end=end, grading=self.policies.grading
        )

    def history(self, *, day: datetime | None = None, text: str = "") -> list[HistoryRow]:
        """Parcels received on the operator's day (local midnight to midnight), newest first."""
        local = (day or self.clock()).astimezone()
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        with self.database.read() as session:
            return history.shift_history(
                session,
                since=start.astimezone(UTC),
                until=(start + timedelta(days=1)).astimezone(UTC),
                text=text,
            )
