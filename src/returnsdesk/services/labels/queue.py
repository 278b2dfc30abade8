"""The print queue: labels are written to ``print_jobs`` first, then printed by a worker.

A label is never sent straight to a printer. It is a row written durably with the unit it
belongs to (see ``queue_unit_labels``), so an offline printer, a refusal or a crash costs no
label: the ``PrintWorker`` sends the station's queued jobs oldest first, and when the printer
does not take one it stops, records why, and tries the same job again after an exponential
backoff with full jitter (``services.sync.backoff``, as the outbox relay does). Later labels
wait behind it, so labels come out in the order the units were finished.

A job is claimed before it is sent (``next_attempt_at`` moved past a lease, in one
``BEGIN IMMEDIATE`` transaction), so a second worker for the same station skips it. A crash
between the printer taking a label and the commit that marks it printed prints that label again
after the lease: a duplicate label is harmless, a missing one sends an item to the wrong place.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from returnsdesk.data import print_jobs
from returnsdesk.data.db import Database
from returnsdesk.data.models import PrintJob
from returnsdesk.data.repositories import append_audit
from returnsdesk.domain.clock import Clock, utc_now
from returnsdesk.domain.errors import PrinterUnavailable, WrongStep
from returnsdesk.domain.inspection import InspectedUnit
from returnsdesk.domain.labels import RoutingLabel, routing_label
from returnsdesk.domain.vocabulary import PrintJobStatus
from returnsdesk.services.labels.printers import LabelOutput
from returnsdesk.services.sync.backoff import backoff_delay
from returnsdesk.services.views import StationContext

log = logging.getLogger(__name__)

KIND_ROUTING = "routing_label"  # printed automatically when a unit is finished
KIND_REPRINT = "reprint"  # asked for from the shift history
_ERROR_LIMIT = 2000  # print_jobs.last_error


# --- writing jobs ------------------------------------------------------------------------------


def _add_job(
    session: Session,
    *,
    kind: str,
    station_id: uuid.UUID,
    parcel_id: uuid.UUID | None,
    unit_id: uuid.UUID | None,
    label: RoutingLabel,
    printer: str,
    now: datetime,
) -> None:
    session.add(
        PrintJob(
            kind=kind,
            station_id=station_id,
            parcel_id=parcel_id,
            unit_id=unit_id,
            license_plate=label.license_plate,
            payload=label.to_payload(),
            printer=printer[:300],
            created_at=now,
            next_attempt_at=now,
        )
    )


def queue_unit_labels(
    session: Session,
    *,
    ctx: StationContext,
    parcel_id: uuid.UUID,
    rma_number: str,
    units: Sequence[InspectedUnit],
    printer: str,
    now: datetime,
    client: str = "",  # the client shop's label title ([clients.<code>] label_title)
) -> int:
    """Queue the routing label of each unit that has none yet; returns how many were queued.

    Called when a unit is finished, and again in the parcel's completion transaction for all
    its units, so a unit whose own call was lost still gets exactly one label.
    """
    ids = [unit.unit_id for unit in units]
    if not ids:
        return 0
    labelled = print_jobs.labelled_units(session, ids, kind=KIND_ROUTING)
    queued = 0
    for unit in units:
        if unit.unit_id in labelled:
            continue
        label = routing_label(
            unit, rma_number=rma_number, station_code=ctx.station_code, client=client
        )
        _add_job(
            session,
            kind=KIND_ROUTING,
            station_id=ctx.station_id,
            parcel_id=parcel_id,
            unit_id=unit.unit_id,
            label=label,
            printer=printer,
            now=now,
        )
        queued += 1
    return queued


def reprint_labels(
    session: Session,
    *,
    ctx: StationContext,
    parcel_id: uuid.UUID,
    plate: str | None = None,
    printer: str,
    now: datetime,
    client: str = "",  # the client shop's label title
) -> list[str]:
    """Queue the labels of a completed parcel's units (or of one, by plate) again, here.

    The labels are rebuilt from the recorded inspections, the record of truth; returns their
    license plates. Each reprint is in the audit trail: a second label is a second chance of
    sending an item two ways.
    """
    rows = print_jobs.inspected_units(
        session, parcel_id, plate=plate.strip().upper() if plate is not None else None
    )
    if not rows:
        raise WrongStep("No inspected units in that parcel yet: labels print as units finish.")
    station_codes = print_jobs.station_codes(session)
    plates: list[str] = []
    for inspection, decision, rma_number, title in rows:
        assert inspection.license_plate is not None and inspection.grade is not None
        label = RoutingLabel(
            license_plate=inspection.license_plate,
            disposition=decision.disposition,
            location=decision.location,
            grade=inspection.grade,
            rma_number=rma_number or "",
            sku=inspection.sku_scanned or "",
            title=title or "",
            station_code=station_codes.get(inspection.station_id, ""),
            inspected_at=inspection.finished_at,
            client=client,
        )
        _add_job(
            session,
            kind=KIND_REPRINT,
            station_id=ctx.station_id,
            parcel_id=parcel_id,
            unit_id=inspection.id,
            label=label,
            printer=printer,
            now=now,
        )
        plates.append(label.license_plate)
    append_audit(
        session,
        action="label.reprinted",
        subject=", ".join(plates)[:200],
        details={"parcel_id": parcel_id, "license_plates": plates},
        operator_id=ctx.operator_id,
        station_id=ctx.station_id,
    )
    return plates


@dataclass(frozen=True, slots=True)
class UnitLabelView:
    """A completed unit's label as the shift history shows it."""

    license_plate: str
    sku: str
    disposition: str
    location: str
    status: str  # printed, queued, failed, or "no label" (a station without a printer)


def parcel_labels(session: Session, parcel_id: uuid.UUID) -> list[UnitLabelView]:
    rows = print_jobs.labelled_units_of_parcel(session, parcel_id)
    latest = print_jobs.latest_status_by_unit(session, parcel_id)
    return [
        UnitLabelView(
            license_plate=inspection.license_plate or "",
            sku=inspection.sku_scanned or "",
            disposition=decision.disposition.label,
            location=decision.location,
            status=latest.get(inspection.id, "no label"),
        )
        for inspection, decision in rows
    ]


# --- what the status bar shows -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelHealth:
    waiting: int
    failed: int
    last_error: str | None  # why the oldest waiting label did not print, if it was tried
    last_printed_at: datetime | None


def label_health(database: Database, station_id: uuid.UUID) -> LabelHealth:
    with database.read() as session:
        counts = print_jobs.unprinted_counts(session, station_id)
        head = print_jobs.head_of_queue(session, station_id)
        last_printed = print_jobs.last_printed_at(session, station_id)
    return LabelHealth(
        waiting=counts.get(PrintJobStatus.QUEUED, 0),
        failed=counts.get(PrintJobStatus.FAILED, 0),
        last_error=head.last_error if head is not None else None,
        last_printed_at=last_printed,
    )


# --- the worker --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrintRound:
    printed: int = 0
    failed: int = 0  # could not be rendered: marked failed, never retried
    offline: str | None = None  # the printer did not take the head job: why
    next_due_at: datetime | None = None  # when the head job may be tried again


class PrintWorker:
    """Prints one station's queued labels in order; ``run_forever`` on its own thread."""

    def __init__(
        self,
        database: Database,
        output: LabelOutput,
        station_id: uuid.UUID,
        *,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
        base_backoff_s: float = 1.0,
        max_backoff_s: float = 60.0,
        idle_poll_s: float = 5.0,
        lease_s: float = 60.0,
    ) -> None:
        self._database = database
        self.output = output
        self._station_id = station_id
        self._clock = clock
        self._rng = rng if rng is not None else random.Random()
        self._base_backoff_s = base_backoff_s
        self._max_backoff_s = max_backoff_s
        self._idle_poll_s = idle_poll_s
        self._lease = timedelta(seconds=lease_s)
        self._wake = threading.Event()
        self._stopping = threading.Event()

    def wake(self) -> None:
        """A label was queued (or the printer is back): look at once, not at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """End ``run_forever`` after the label in hand (from any thread)."""
        self._stopping.set()
        self._wake.set()

    def run_forever(self, on_change: Callable[[PrintRound], None] | None = None) -> None:
        """Print until ``stop``; ``on_change`` is called on this thread after each round that
        printed, failed or found the printer offline (a window shows the queue from it)."""
        log.info("Print worker started for %s", self.output.describe())
        failures = 0
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                result = self.run_once()
            except Exception:  # noqa: BLE001 - a locked or full database must not end printing
                failures += 1
                delay = max(1.0, backoff_delay(failures, rng=self._rng, max_s=self._max_backoff_s))
                log.exception("Print round failed; trying again in %.1f s", delay)
                self._wake.wait(delay)
                continue
            failures = 0
            if on_change is not None and (result.printed or result.failed or result.offline):
                try:
                    on_change(result)
                except Exception:  # noqa: BLE001 - a listener's bug must not stop printing
                    log.exception("Print change listener failed")
            if result.printed or result.failed:
                continue
            delay = self._idle_poll_s
            if result.next_due_at is not None:
                delay = min(delay, max((result.next_due_at - self._clock()).total_seconds(), 0))
            self._wake.wait(delay)
        log.info("Print worker stopped")

    def drain(self) -> PrintRound:
        """Print everything due now (``print-test``, tests); stops at an offline printer."""
        printed = failed = 0
        while True:
            result = self.run_once()
            printed += result.printed
            failed += result.failed
            if not (result.printed or result.failed):
                return PrintRound(printed, failed, result.offline, result.next_due_at)

    def run_once(self) -> PrintRound:
        """Print queued jobs oldest first until the queue is empty or the printer fails."""
        printed = failed = 0
        while True:
            claim = self._claim_head()
            if claim is None:
                return PrintRound(printed, failed)
            job, token = claim
            if token is None:  # the head is not due yet (backing off, or another worker has it)
                return PrintRound(printed, failed, next_due_at=job.next_attempt_at)
            try:
                document = self.output.render([RoutingLabel.from_payload(job.payload)])
            except Exception as exc:  # noqa: BLE001 - a job that cannot render must not block
                log.exception("Label %s cannot be rendered", job.license_plate)
                self._finish(job, token, PrintJobStatus.FAILED, f"cannot render: {exc}")
                failed += 1
                continue
            try:
                self.output.printer.send(document, name=job.license_plate or str(job.id))
            except PrinterUnavailable as exc:
                due = self._retry_later(job, token, str(exc))
                log.warning("Label %s not printed, retry at %s: %s", job.license_plate, due, exc)
                return PrintRound(printed, failed, offline=str(exc), next_due_at=due)
            self._finish(job, token, PrintJobStatus.PRINTED, None)
            log.info("Label %s printed on %s", job.license_plate, self.output.describe())
            printed += 1

    def _claim_head(self) -> tuple[PrintJob, datetime | None] | None:
        now = self._clock()
        with self._database.session() as session:
            job = print_jobs.head_of_queue(session, self._station_id)
            if job is None:
                return None
            if job.next_attempt_at > now:
                return job, None
            token = now + self._lease + timedelta(microseconds=self._rng.randrange(1, 1000))
            job.next_attempt_at = token
            session.add(job)
        return job, token

    def _finish(
        self, job: PrintJob, token: datetime, status: PrintJobStatus, error: str | None
    ) -> None:
        now = self._clock()
        values: dict[str, object] = {"status": status, "attempts": print_jobs.attempts_plus_one()}
        if status is PrintJobStatus.PRINTED:
            values |= {"printed_at": now, "printer": self.output.describe()[:300]}
        else:
            values["last_error"] = (error or "")[:_ERROR_LIMIT]
        with self._database.session() as session:
            print_jobs.update_if_leased(session, job.id, token=token, values=values)

    def _retry_later(self, job: PrintJob, token: datetime, error: str) -> datetime:
        attempts = job.attempts + 1
        delay = backoff_delay(
            attempts, rng=self._rng, max_s=self._max_backoff_s, base_s=self._base_backoff_s
        )
        due = self._clock() + timedelta(seconds=delay)
        with self._database.session() as session:
            print_jobs.update_if_leased(
                session,
                job.id,
                token=token,
                values={
                    "attempts": attempts,
                    "last_error": error[:_ERROR_LIMIT],
                    "next_attempt_at": due,
                },
            )
        return due
