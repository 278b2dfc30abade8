"""The weight check at the station: the bench scale from the settings, and each parcel's
weighing stored on its row (so a restart, or another station, resumes with the verdict)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from returnsdesk.config import ScaleSettings
from returnsdesk.data.returns import get_parcel
from returnsdesk.domain.errors import WrongStep
from returnsdesk.domain.weighing import Weighing, Weight
from returnsdesk.scan.scale import MtSicsScale


class Scale(Protocol):
    def weigh(self) -> Weight:
        """The stable weight on the scale; raises ``ScaleProblem``."""
        ...

    def describe(self) -> str: ...


def scale_from_settings(settings: ScaleSettings) -> Scale | None:
    """The configured scale, or None when the station has none (``scale.port`` not set)."""
    if settings.port is None:
        return None
    # protocol is checked by the settings: "mt-sics" is the only one.
    return MtSicsScale(settings.port, baud=settings.baud, timeout_s=settings.timeout_s)


def record_weighing(
    session: Session, *, parcel_id: uuid.UUID, weighing: Weighing, now: datetime
) -> None:
    parcel = get_parcel(session, parcel_id)
    if parcel is None:
        raise WrongStep("That parcel no longer exists.")
    parcel.weighed_grams = weighing.measured_grams
    parcel.expected_grams = weighing.expected_grams
    parcel.lowest_grams = weighing.lowest_grams
    parcel.weighed_at = now
    session.add(parcel)


def stored_weighing(session: Session, parcel_id: uuid.UUID) -> Weighing | None:
    parcel = get_parcel(session, parcel_id)
    if parcel is None or parcel.weighed_grams is None:
        return None
    return Weighing(parcel.weighed_grams, parcel.expected_grams, parcel.lowest_grams)
