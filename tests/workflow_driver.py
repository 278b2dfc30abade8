"""Drives the station's Qt-free workflow as the Qt controller does, with its jobs run at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from returnsdesk.domain.vocabulary import Disposition
from returnsdesk.services.station import StationService
from returnsdesk.station.changes import NOTHING, Changes
from returnsdesk.station.reaction import RetryAfter
from returnsdesk.station.screen import Screen, Sound, State
from returnsdesk.station.workflow import AskOverride, AskUnexpectedNote, Reaction, StationWorkflow

if TYPE_CHECKING:
    from returnsdesk.services.demo import DemoParcel
    from returnsdesk.services.photos import Image


class Station:
    """A station without a window: each input's jobs run before the next input, in order."""

    def __init__(self, service: StationService) -> None:
        self.service = service
        self.workflow = StationWorkflow(service)
        self.reaction = Reaction(self.workflow.screen())
        self.sounds: list[Sound] = []
        self.asked: AskOverride | AskUnexpectedNote | None = None
        self.inputs = 0  # scans and keys, as the inspector counts them
        self.changes: Changes = NOTHING  # the notices of the jobs that succeeded, together
        self.retries: list[RetryAfter] = []  # the retries asked for (jobs waiting for the DB)

    def _settle(self, reaction: Reaction) -> Reaction:
        jobs = list(reaction.jobs)
        self.sounds.extend(reaction.sounds)
        self.asked = reaction.ask
        self._note_retry(reaction)
        while jobs:
            job = jobs.pop(0)
            try:
                result = job.run()
            except Exception as exc:  # noqa: BLE001 - handed back, as Op does
                reaction = self.workflow.failed(job, exc)
            else:
                reaction = self.workflow.finished(job, result)
                self.changes = self.changes | job.changes
            self.sounds.extend(reaction.sounds)
            self.asked = reaction.ask or self.asked
            self._note_retry(reaction)
            jobs.extend(reaction.jobs)
        self.reaction = reaction
        return reaction

    def _note_retry(self, reaction: Reaction) -> None:
        if reaction.retry is not None:
            self.retries.append(reaction.retry)

    def retry(self) -> Screen:
        """The timer of the last retry asked for fires (at once: no waiting in tests)."""
        return self._settle(self.workflow.retry(self.retries[-1].round)).screen

    def scan(self, raw: str) -> Screen:
        self.inputs += 1
        return self._settle(self.workflow.scan(raw)).screen

    def press(self, key: str) -> Screen:
        self.inputs += 1
        return self._settle(self.workflow.key(key)).screen

    def note(self, text: str) -> Screen:
        return self._settle(self.workflow.note(text)).screen

    def override(self, choice: Disposition | None, reason: str) -> Screen:
        return self._settle(self.workflow.override(choice, reason)).screen

    def photo(self, frame: Image | None) -> Screen:
        return self._settle(self.workflow.photo(frame)).screen

    def search(self, text: str) -> Screen:
        return self._settle(self.workflow.search(text)).screen

    def highlight_shop(self, row: int) -> Screen:
        """A shop's row clicked while asked which shop."""
        return self._settle(self.workflow.highlight_shop(row)).screen

    def receive_unexpected(self, note: str | None) -> Screen:
        return self._settle(self.workflow.receive_unexpected(note)).screen

    @property
    def screen(self) -> Screen:
        return self.reaction.screen

    @property
    def state(self) -> State:
        return self.workflow.state

    @property
    def message(self) -> str:
        return self.screen.banner.text


def inspect_to_the_last_enter(station: Station, parcel: DemoParcel) -> None:
    """Open the parcel and grade every unit 2 (checklists answered yes); the last unit waits
    for the Enter that confirms the refund."""
    station.scan(parcel.tracking_number)
    units = [item.gtin for item in parcel.items for _ in range(item.quantity)]
    for number, gtin in enumerate(units, start=1):
        station.scan(gtin)
        station.press("2")
        while station.screen.unit is not None and station.screen.unit.decision is None:
            station.press("Y")
        if number < len(units):
            station.press("Enter")
