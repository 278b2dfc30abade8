"""A demo floor worked through the real services: two stations, a clock we control.

Fixtures are in conftest.py.

Returns are completed as inspectors would (scan parcel, scan items, grade, checklist, accept,
complete), so reports read exactly what the station writes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pypdf

from returnsdesk.data.db import Database
from returnsdesk.domain.inspection import ParcelInspection, UnitStep
from returnsdesk.services.demo import DemoParcel, DemoSummary
from returnsdesk.services.reports import ReportSetup
from returnsdesk.services.station import ParcelOpened, StationService

# The late shift's last hour in UTC; the clock ticks past midnight into the night shift.
START = datetime(2026, 11, 22, 21, 0, tzinfo=UTC)
HOSTILE_NAME = (
    '<font color="red">Mallory</font> <a href="javascript:alert(1)">x</a> '
    "محمد עברית 😀 " + "W" * 5000
)
HOSTILE_NOTE = "<b>scratched</b> & dented <img src=x onerror=1/> – ‮reversed‬ 📦"


class Clock:
    """Each reading moves time on by ``step``: an inspector's pace, deterministic."""

    def __init__(self, start: datetime, step: timedelta = timedelta(minutes=2)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


@dataclass
class Floor:
    database: Database
    summary: DemoSummary
    stations: dict[str, StationService]
    clock: Clock
    photo_root: Path
    completed: list[str] = field(default_factory=list)  # RMA numbers

    def setup(self) -> ReportSetup:
        return ReportSetup.from_settings(photo_root=self.photo_root, generated_by="TEST-PC")

    def parcel(self, rma: str) -> DemoParcel:
        return next(p for p in self.summary.parcels if p.rma_number == rma)

    def work(
        self,
        parcel: DemoParcel,
        *,
        station: str = "STATION-01",
        grade: str = "2",
        answer: bool = True,
        note: str = "",
        photo: bool = False,
        empty_box: bool = False,
        wrong_gtin: str | None = None,
    ) -> None:
        service = self.stations[station]
        opened = service.open_parcel(service.classify(parcel.tracking_number))
        assert isinstance(opened, ParcelOpened)
        work: ParcelInspection = service.new_inspection(opened.parcel.view)
        if empty_box:
            work.mark_empty_box()
        else:
            if wrong_gtin is not None:
                self._unit(service, work, opened, wrong_gtin, None, grade, answer, note, photo)
            for item in parcel.items:
                for unit in range(item.quantity):
                    serial = item.serial_numbers[unit] if item.serial_numbers else None
                    self._unit(service, work, opened, item.gtin, serial, grade, answer, note, photo)
        service.complete(opened.parcel.parcel_id, work)
        self.completed.append(parcel.rma_number)

    def _unit(
        self,
        service: StationService,
        work: ParcelInspection,
        opened: ParcelOpened,
        gtin: str,
        serial: str | None,
        grade: str,
        answer: bool,
        note: str,
        photo: bool,
    ) -> None:
        product = service.resolve_item(service.classify(gtin), opened.parcel.view)
        draft = work.begin_unit(product, now=service.clock())
        if draft.step is UnitStep.SERIAL and serial is not None:
            work.scan_serial(serial)
        work.grade(grade)
        while work.current is not None and work.current.step is UnitStep.CHECKLIST:
            work.answer(answer)
        if note:
            work.set_notes(note)
        if photo:
            frame = np.random.default_rng(1).integers(0, 256, (480, 640, 3), dtype=np.uint8)
            service.save_photo(opened.parcel.parcel_id, draft.id, frame)
            work.record_photo()
        work.accept(now=service.clock())


def pdf_text(data: bytes) -> list[str]:
    """The text of each page, as a reader's copy-paste would see it."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages]


def flat(data: bytes) -> str:
    """All pages' text with runs of whitespace as one space, for phrase searches."""
    return " ".join(" ".join(pdf_text(data)).split())
