"""Routing labels: the unit's license plate, what the label says, and label sizes.

A license plate identifies one inspected unit for the rest of its life in the warehouse. It is
``LP`` and 10 Crockford base-32 characters (no I, L, O, U: nothing to misread), taken from the
50 random low bits of the unit's id (a UUID4, made when the unit is drafted). So it is known the
moment the unit exists, needs no counter shared between stations, and is the same on every
reprint. 12 characters fit Code128 on a 2x1 in label with 0.25 mm modules (2 dots at 203 dpi).
The unique column ``inspections.license_plate`` refuses a repeat within a database; between
stations on separate databases a repeat needs two of about 10^15 values to meet: with a million
units at each of two stations, about one chance in a thousand over their lifetime.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from returnsdesk.domain.errors import ConfigError
from returnsdesk.domain.inspection import InspectedUnit
from returnsdesk.domain.vocabulary import Disposition

LICENSE_PLATE_PREFIX = "LP"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PLATE_CHARS = 10
_PLATE = re.compile(rf"{LICENSE_PLATE_PREFIX}[{_CROCKFORD}]{{{_PLATE_CHARS}}}")
MM_PER_INCH = 25.4


def license_plate(unit_id: uuid.UUID) -> str:
    """The unit's license plate, e.g. ``LP7Q2M9XK4D0``."""
    bits = unit_id.int & ((1 << (5 * _PLATE_CHARS)) - 1)
    chars = []
    for _ in range(_PLATE_CHARS):
        bits, digit = divmod(bits, 32)
        chars.append(_CROCKFORD[digit])
    return LICENSE_PLATE_PREFIX + "".join(reversed(chars))


def is_license_plate(text: str) -> bool:
    return _PLATE.fullmatch(text.strip().upper()) is not None


@dataclass(frozen=True)
class RoutingLabel:
    """What a unit's routing label shows; stored with the print job, so it can be re-rendered."""

    license_plate: str
    disposition: Disposition
    location: str  # destination location or bin
    grade: str
    rma_number: str
    sku: str
    title: str
    station_code: str
    inspected_at: datetime
    client: str = ""  # the client shop's label title (several shops at one station), or none

    def to_payload(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["disposition"] = self.disposition.value
        payload["inspected_at"] = self.inspected_at.isoformat()
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> RoutingLabel:
        return cls(
            **{
                **payload,
                "disposition": Disposition(payload["disposition"]),
                "inspected_at": datetime.fromisoformat(payload["inspected_at"]),
            }
        )


def routing_label(
    unit: InspectedUnit, *, rma_number: str, station_code: str, client: str = ""
) -> RoutingLabel:
    """The routing label of a unit the inspector has just finished."""
    return RoutingLabel(
        license_plate=license_plate(unit.unit_id),
        disposition=unit.disposition,
        location=unit.location,
        grade=unit.grade,
        rma_number=rma_number,
        sku=unit.product.sku,
        title=unit.product.title,
        station_code=station_code,
        inspected_at=unit.finished_at,
        client=client,
    )


def sample_label(station_code: str, now: datetime) -> RoutingLabel:
    """A test print: says what it is, with a plate that scans like any other."""
    return RoutingLabel(
        license_plate=license_plate(uuid.uuid4()),
        disposition=Disposition.RESTOCK,
        location="TEST PRINT",
        grade="A",
        rma_number="TEST - NOT A RETURN",
        sku="TEST",
        title="returnsdesk test label: check the size, the darkness and that the barcode scans",
        station_code=station_code,
        inspected_at=now,
    )


@dataclass(frozen=True)
class LabelSize:
    """A label's width and height in millimetres (as it comes out of the printer)."""

    width_mm: float
    height_mm: float
    name: str

    @property
    def small(self) -> bool:
        """Small labels (2x1 in and the like) carry the plate and one line of routing only."""
        return self.height_mm < 60

    def dots(self, dpi: int) -> tuple[int, int]:
        return (
            round(self.width_mm / MM_PER_INCH * dpi),
            round(self.height_mm / MM_PER_INCH * dpi),
        )


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*[xX×]\s*(\d+(?:\.\d+)?)\s*(in|mm)\s*")
_MIN_MM, _MAX_MM = 20.0, 300.0


def parse_label_size(text: str) -> LabelSize:
    """``4x6in``, ``100x150mm``, ``2x1in`` or any ``WxHmm`` / ``WxHin`` (width first)."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ConfigError(f"label size {text!r}: write it as WxHin or WxHmm, e.g. 4x6in, 100x150mm")
    width, height, unit = float(match[1]), float(match[2]), match[3]
    factor = MM_PER_INCH if unit == "in" else 1.0
    size = LabelSize(width * factor, height * factor, f"{match[1]}x{match[2]}{unit}")
    for side in (size.width_mm, size.height_mm):
        if not _MIN_MM <= side <= _MAX_MM:
            limits = f"{_MIN_MM:g}-{_MAX_MM:g} mm"
            raise ConfigError(f"label size {text!r}: each side must be {limits}, not {side:g} mm")
    return size


__all__ = [
    "LICENSE_PLATE_PREFIX",
    "LabelSize",
    "RoutingLabel",
    "is_license_plate",
    "license_plate",
    "parse_label_size",
    "routing_label",
    "sample_label",
]
