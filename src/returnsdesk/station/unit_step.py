"""The unit step: an item scanned and matched (or flagged), its serial, photos, and the unit
accepted with its disposition (the last one confirms the refund).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from returnsdesk.domain.errors import WrongStep
from returnsdesk.domain.inspection import ScannedProduct, UnitStep
from returnsdesk.domain.scanning import ClassifiedScan, ScanKind
from returnsdesk.domain.vocabulary import Disposition, InspectionFlag
from returnsdesk.station.changes import PHOTO_SAVED, UNIT_FINISHED
from returnsdesk.station.keys import prompt
from returnsdesk.station.parcel_step import ParcelSteps
from returnsdesk.station.reaction import AskOverride, Pool
from returnsdesk.station.screen import Banner, Focus, Sound, State, Tone

if TYPE_CHECKING:
    from returnsdesk.services.photos import Image, PhotoView


class UnitSteps(ParcelSteps):
    def _unit_key(self, key: str) -> bool:
        """A grade key, Y / N or O for the unit under inspection; False: none of them now."""
        if self.state is not State.UNIT or self.work is None or self.work.current is None:
            return False
        step = self.work.current.step
        if key.isdigit():
            if step is UnitStep.DISPOSITION or step is UnitStep.CHECKLIST:
                self.work.regrade()  # a new grade key replaces the previous grade
            self.work.grade(key)
            self._sounds.append(Sound.SCAN_OK)
            self._focus = Focus.STATION
            return True
        if key in ("Y", "N") and step is UnitStep.CHECKLIST:
            self.work.answer(key == "Y")
            self._focus = Focus.STATION
            return True
        if key == "O" and step is UnitStep.DISPOSITION:
            self._ask = AskOverride(self.work.suggestion().disposition)
            return True
        return False

    def _on_item(self, product: ScannedProduct) -> None:
        work, _parcel = self._open_parcel()
        draft = work.begin_unit(product, now=self.service.clock())
        self.state = State.UNIT
        self._focus = Focus.STATION
        if InspectionFlag.WRONG_ITEM in draft.flags:
            self._sounds.append(Sound.SCAN_ERROR)
            self._banner = Banner(
                f"{product.title} is NOT on this return. Grade it anyway: it stays in the "
                "warehouse, is not refunded, and a shift lead sees it.",
                Tone.WARNING,
            )
        else:
            self._sounds.append(Sound.SCAN_OK)
            self._banner = Banner(f"{product.title}: matched.", Tone.OK)

    def _serial_scanned(self, serial: str) -> None:
        work, _parcel = self._open_parcel()
        if work.scan_serial(serial):
            self._sounds.append(Sound.SCAN_OK)
            self._banner = Banner(f"Serial {serial} matches the unit shipped.", Tone.OK)
        else:
            self._sounds.append(Sound.SCAN_ERROR)
            self._banner = Banner(
                f"Serial {serial} does not match any unit shipped on this order. "
                "Take a photo; the refund waits for a shift lead.",
                Tone.ERROR,
            )

    def _accept_unit(self, override: Disposition | None, reason: str | None) -> None:
        work, parcel = self._open_parcel()
        if work.current is None or work.current.step is not UnitStep.DISPOSITION:
            raise WrongStep(prompt(work))
        last = work.completes_with_current
        unit = work.accept(now=self.service.clock(), override=override, reason=reason)
        self.state = State.RETURN
        self._focus = Focus.STATION
        if last:
            self._complete()
            return
        # Stored now (a restart resumes with it) and its label prints while it is in the
        # inspector's hands; station jobs run in order, so this lands before the completion.
        service, rma = self.service, parcel.view.rma_number
        self._run(
            "finish unit",
            lambda: service.finish_unit(parcel.parcel_id, rma, unit),
            lambda _queued: None,
            blocking=False,
            changes=UNIT_FINISHED,
        )
        remaining = work.expected_units - work.expected_inspected
        self._banner = Banner(
            f"{unit.product.title}: {unit.disposition.label} → {unit.location}. "
            f"Scan the next item ({remaining} left) or F8 to close with the rest missing.",
            Tone.OK,
        )

    def _take_photo(self, frame: Image | None) -> None:
        work, parcel = self._open_parcel()
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
                self.thumbnails.setdefault(subject, []).append(thumbnail)
            self._sounds.append(Sound.SCAN_OK)
            what = "the unit" if unit is not None else "the parcel"
            self._banner = Banner(f"Photo of {what} saved ({photo.sha256[:12]}…).", Tone.OK)

        service, unit_id = self.service, unit.id if unit is not None else None
        # Photos use the general pool: encoding and fsync never hold up the next scan.
        self._run(
            "save photo",
            lambda: service.save_photo(parcel.parcel_id, unit_id, frame),
            saved,
            blocking=False,
            pool=Pool.GENERAL,
            changes=PHOTO_SAVED,
        )


def scan_text(scan: ClassifiedScan) -> str:
    """The scanned characters, without a scanner's symbology prefix or normalisation."""
    if scan.kind is ScanKind.TEXT:
        return scan.value
    text = scan.raw
    if scan.symbology and text.startswith(scan.symbology):
        text = text[len(scan.symbology) :]
    return "".join(ch for ch in text if ch.isprintable()).strip()
