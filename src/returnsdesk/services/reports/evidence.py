"""The evidence pack for one return, for chargebacks and carrier claims.

Everything recorded about the return: order, lines with the customer's reasons, each unit's
grade, checklist, notes, flags and disposition, the refund lines, photos (embedded when the
file is there and its SHA-256 still matches), a timeline with operators, and file hashes.
Its rows are read by ``data.evidence``, from the report's snapshot connection.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection
from sqlmodel import Session

from returnsdesk.data.evidence import return_record
from returnsdesk.data.models import DispositionDecision, Photo
from returnsdesk.services.photos import default_photo_root
from returnsdesk.services.reports.content import Facts, Heading, ReportContent, Table
from returnsdesk.services.reports.content import Photo as PhotoBlock
from returnsdesk.services.reports.formatting import money, when, words
from returnsdesk.services.reports.request import ReportRequestError, ReportSetup

Step = Callable[[str], None]


def build(
    connection: Connection,
    rma_number: str,
    client_code: str | None,  # whose return (scope.evidence_shop); None: the station's own
    setup: ReportSetup,
    content: ReportContent,
    step: Step,
) -> None:
    zone = setup.zone
    blocks = content.blocks
    with Session(bind=connection) as session:
        step("Return and order")
        record = return_record(session, rma_number=rma_number, client_code=client_code)
    if record is None:
        raise ReportRequestError(f"No return {rma_number!r} in this database.")  # since deleted
    return_, order, refund = record.return_, record.order, record.refund
    names, stations = record.operator_names, record.station_codes
    lines, parcels, units = record.lines, record.parcels, record.units
    refund_lines, photos, audit = record.refund_lines, record.photos, record.audit

    blocks.append(
        Facts(
            "return",
            "Return",
            [
                ("RMA", return_.rma_number),
                ("Status", words(return_.status.value)),
                ("Customer", return_.customer_name),
                ("Customer email", return_.customer_email),
                ("Order", order.number),
                ("Order placed", when(order.placed_at, zone)),
                ("Delivered", when(order.delivered_at, zone)),
                ("Return opened", when(return_.created_at, zone)),
                ("Completed", when(return_.completed_at, zone)),
            ],
        )
    )
    blocks.append(
        Table(
            "lines",
            "Return lines (as the customer stated them)",
            ("SKU", "Qty", "Price paid", "Reason", "Customer comment", "Serials shipped"),
            [
                (
                    line.sku,
                    str(line.quantity),
                    money(ordered.unit_price, ordered.currency),
                    words(line.reason_code),
                    line.customer_comment,
                    ", ".join(ordered.serial_numbers),
                )
                for line, ordered in lines
            ],
            numeric=frozenset({1, 2}),
            widths=(1.2, 0.5, 1.0, 1.1, 2.2, 1.4),
        )
    )
    step("Units")
    blocks.append(Heading("Units inspected"))
    blocks.append(
        Table(
            "units",
            "Units",
            ("Finished", "SKU", "Grade", "Checklist", "Flags", "Disposition", "Inspector", "Notes"),
            [
                (
                    when(unit.finished_at, zone),
                    unit.sku_scanned or "–",
                    unit.grade or words(unit.outcome.value),
                    "; ".join(
                        f"{words(k)}: {'yes' if v else 'no'}" for k, v in unit.checklist.items()
                    )
                    or "–",
                    ", ".join(words(f) for f in unit.flags) or "–",
                    _disposition_text(decision),
                    names.get(unit.operator_id, "?"),
                    unit.notes,
                )
                for unit, decision in units
            ],
            widths=(1.1, 1.1, 0.75, 1.7, 1.0, 1.4, 1.2, 1.4),
        )
    )
    blocks.append(Heading("Refund"))
    if refund is None:
        blocks.append(Facts("refund", "Refund", [("Refund", "not yet decided")]))
    else:
        blocks.append(
            Facts(
                "refund",
                "Refund",
                [
                    ("Total", money(refund.total, refund.currency)),
                    ("Status", words(refund.status.value)),
                    ("Why", refund.status_reason or "–"),
                    ("Decided", when(refund.created_at, zone)),
                    ("By", names.get(refund.operator_id, "?")),
                ],
            )
        )
        blocks.append(
            Table(
                "refund-lines",
                "Refund lines",
                ("SKU", "Unit", "Paid", "Deduction", "Refund", "Deduction reason"),
                [
                    (
                        line.sku,
                        str(refund_line.unit_index + 1),
                        money(refund_line.gross, refund_line.currency),
                        money(refund_line.deduction, refund_line.currency),
                        money(refund_line.amount, refund_line.currency),
                        refund_line.deduction_reason or "–",
                    )
                    for refund_line, line in refund_lines
                ],
                numeric=frozenset({1, 2, 3, 4}),
                widths=(1.2, 0.5, 1.0, 1.0, 1.0, 2.3),
            )
        )

    step("Timeline")
    events: list[tuple[datetime, str, str, str]] = []

    def event(
        at: datetime, what: str, operator: uuid.UUID | None, station: uuid.UUID | None
    ) -> None:
        who = names.get(operator, "?") if operator else "–"
        where = stations.get(station, "?") if station else "–"
        events.append((at, what, who, where))

    for parcel in parcels:
        kind = "Unexpected parcel received" if parcel.unexpected else "Parcel received"
        what = f"{kind}: {parcel.tracking_number} ({parcel.carrier or '–'})"
        event(parcel.received_at, what, parcel.operator_id, parcel.station_id)
    for unit, decision in units:
        what = f"Unit {unit.sku_scanned or '–'}: {_disposition_text(decision)}"
        event(unit.finished_at, what, unit.operator_id, unit.station_id)
    for photo in photos:
        event(photo.taken_at, f"Photo {photo.id.hex[:8]}", photo.operator_id, photo.station_id)
    for entry in audit:
        what = f"Audit #{entry.sequence}: {entry.action}"
        event(entry.at, what, entry.operator_id, entry.station_id)
    events.sort(key=lambda e: e[0])
    blocks.append(Heading("Timeline"))
    blocks.append(
        Table(
            "timeline",
            "Timeline",
            ("Time", "What", "Operator", "Station"),
            [(when(at, zone), what, who, where) for at, what, who, where in events],
            widths=(1.1, 3.0, 1.5, 1.0),
        )
    )

    step("Photos and hashes")
    root = setup.photo_root or default_photo_root()
    checked = [_check(root, photo) for photo in photos]
    blocks.append(Heading("Photos"))
    for photo, (path, state) in zip(photos, checked, strict=True):
        caption = (
            f"Photo {photo.id} · {when(photo.taken_at, zone)} · {names.get(photo.operator_id, '?')}"
            f" · unit {photo.unit_id or 'parcel'} · {state}"
        )
        blocks.append(PhotoBlock(path, caption, available=state == "hash verified"))
    if not photos:
        blocks.append(Facts("photos", "Photos", [("Photos", "none taken for this return")]))
    blocks.append(
        Table(
            "file-hashes",
            "File hashes (SHA-256 recorded when the photo was taken)",
            ("File", "Bytes", "SHA-256", "Check"),
            [
                (photo.relative_path, f"{photo.bytes:,}", photo.sha256, state)
                for photo, (_, state) in zip(photos, checked, strict=True)
            ],
            numeric=frozenset({1}),
            widths=(1.8, 0.7, 3.0, 1.0),
        )
    )
    if audit:
        blocks.append(
            Table(
                "audit-hashes",
                "Audit entries for this return (hash chain)",
                # The subject as sealed: for a client shop's return it names the shop too.
                ("Sequence", "Action", "Subject", "Entry hash"),
                [(f"#{e.sequence}", e.action, e.subject, e.entry_hash) for e in audit],
                widths=(0.7, 1.3, 1.5, 3.3),
            )
        )


def _disposition_text(decision: DispositionDecision | None) -> str:
    if decision is None:
        return "–"
    text = f"{decision.disposition.label} → {decision.location}"
    if decision.overridden_from is not None:
        text += f" (overridden from {decision.overridden_from.label}: {decision.override_reason})"
    return text


def _check(root: Path, photo: Photo) -> tuple[Path, str]:
    path = root.joinpath(*photo.relative_path.split("/"))
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return path, "file missing"
    except OSError as exc:
        return path, f"unreadable: {exc.strerror or exc}"
    return path, "hash verified" if digest == photo.sha256 else "ALTERED: hash differs"
