"""What a scan is: a parcel's tracking number, an RMA, an order, an item's GTIN, a badge, or text.

Classification looks at the text alone, before any database look-up. All-digit formats overlap:
a 12-digit number can be a UPC-A or a FedEx Express number, a 15-digit one a FedEx Ground
number or a phone's IMEI, a 10-digit one a DHL waybill or a serial number. The rules below pick
one reading (documented where it is picked), so a service that finds nothing under that reading
may still try ``raw`` the other way.

A scan is rejected (``RejectedScan``) when it cannot be what it looks like: a check digit that
does not match, a prefix with nothing after it, control characters, too many characters. Each
message is written for the inspector and quotes at most ``EXCERPT_LENGTH`` characters of the scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from returnsdesk.domain.barcodes import (
    has_valid_mod10,
    is_valid_dhl_express,
    is_valid_fedex_express,
    is_valid_gtin,
    is_valid_ups,
)
from returnsdesk.domain.errors import RejectedScan

EXCERPT_LENGTH = 30

_GTIN_LENGTHS = frozenset({8, 12, 13, 14})
_DIGITS = re.compile(r"[0-9]+")
_CODE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")  # RMA and badge numbers: RMA-2024-00012
# Digits (or a 1Z number) typed by hand from a label, in the groups printed there.
_SPACED_GROUPS = re.compile(r"[0-9A-Z]+(?: [0-9A-Z]+)+")

_UPS = re.compile(r"1Z[0-9A-Z]{16}")
_USPS = re.compile(r"(9[2-5][0-9]{18,20})")
# GS1-128 IMpb: AI 420 + ZIP or ZIP+4 routing, then the tracking number. Routed lengths (28-30,
# 32-34) do not overlap, so the split is unambiguous even when the FNC1 after the ZIP was lost.
_USPS_ROUTED = re.compile(r"420(?:[0-9]{5}|[0-9]{9})(9[2-5][0-9]{18,20})")
# FedEx Ground GS1-128: AI 96, a 5-digit service code, then the 15-digit tracking number.
_FEDEX_96 = re.compile(r"96[0-9]{5}([0-9]{15})")
_DHL_JJD = re.compile(r"JJD[0-9]{10,30}")  # DHL Parcel; no published check digit (18 digits usual)


class ScanKind(StrEnum):
    TRACKING = "tracking"  # a parcel: carrier tracking number or SSCC
    RMA = "rma"
    ORDER = "order"
    GTIN = "gtin"  # an item's trade number, always 14 digits
    OPERATOR = "operator"  # an operator's badge
    TEXT = "text"  # anything else well-formed: an SKU or a serial, resolved against the database


class Carrier(StrEnum):
    UPS = "UPS"
    USPS = "USPS"
    FEDEX = "FedEx"
    DHL = "DHL"
    SSCC = "SSCC"  # a GS1 shipping container code: identifies the parcel, not the carrier


@dataclass(frozen=True)
class ClassifiedScan:
    kind: ScanKind
    value: str  # normalised: what the database is searched for
    raw: str  # as received, for the audit trail
    carrier: str | None = None  # a Carrier, for TRACKING
    symbology: str | None = None  # AIM symbology identifier sent by the scanner, e.g. "]C1"
    gtin: str | None = None  # 14 digits, for GTIN (equal to value)
    serial: str | None = None  # GS1 AI 21, when the item's barcode carries one


@dataclass(frozen=True)
class ScanRules:
    """Site settings for classification. Prefixes match case-insensitively.

    Prefixes are tried badge first, then RMA, then order, so a site whose SKUs begin with one of
    them must choose other prefixes. A prefix followed by something that is not a number of its
    kind (``SO-LAMP``) is read as text, since an SKU may look like that.
    """

    rma_prefixes: tuple[str, ...] = ("RMA-",)
    order_prefixes: tuple[str, ...] = ("#", "ORD-", "SO-", "WEB-")
    operator_prefixes: tuple[str, ...] = ("OP-",)
    max_length: int = 80
    # Characters standing for GS1's FNC1 between variable-length fields: GS, or the printable
    # character a keyboard-wedge scanner was set to send instead (GS rarely survives as a key).
    gs1_separators: tuple[str, ...] = ("\x1d",)

    def __post_init__(self) -> None:
        prefixes = self.rma_prefixes + self.order_prefixes + self.operator_prefixes
        if any(not prefix.strip() for prefix in prefixes):
            raise ValueError("Scan prefixes must not be empty")
        if self.max_length < 1:
            raise ValueError("max_length must be at least 1")
        if any(len(separator) != 1 for separator in self.gs1_separators):
            raise ValueError("Each GS1 separator must be one character")


DEFAULT_RULES = ScanRules()


def excerpt(text: str) -> str:
    """The start of a scan, quoted for a message; characters that would not show become '?'."""
    shown = "".join(c if c.isascii() and c.isprintable() else "?" for c in text[:EXCERPT_LENGTH])
    return f"'{shown}…'" if len(text) > EXCERPT_LENGTH else f"'{shown}'"


def check_length(text: str, rules: ScanRules) -> None:
    """Reject a scan longer than the site allows, before anything else looks at it."""
    if len(text) > rules.max_length:
        raise RejectedScan(
            f"Scan too long ({len(text)} characters, at most {rules.max_length}). "
            "Scan the parcel's tracking barcode or the item's own barcode."
        )


def match_tracking(value: str) -> tuple[Carrier, str] | None:
    """The carrier and tracking number for a compact, upper-case scan, or None.

    Formats with a distinctive prefix (UPS 1Z, USPS 92-95 and 420, FedEx 96) are rejected when
    their check digit fails. Bare 10, 12 and 15 digit numbers count only when their check digit
    matches; otherwise they may be serials, and None lets them be read as text.
    """
    if _UPS.fullmatch(value):
        if not is_valid_ups(value):
            raise _bad_check_digit("UPS tracking number", value)
        return Carrier.UPS, value
    for pattern in (_USPS_ROUTED, _USPS):
        if match := pattern.fullmatch(value):
            tracking = match.group(1)
            if not has_valid_mod10(tracking):
                raise _bad_check_digit("USPS tracking number", tracking)
            return Carrier.USPS, tracking
    if match := _FEDEX_96.fullmatch(value):
        if not has_valid_mod10(match.group(1)):
            raise _bad_check_digit("FedEx tracking number", value)
        return Carrier.FEDEX, match.group(1)
    if _DHL_JJD.fullmatch(value):
        return Carrier.DHL, value
    weak_checks = (
        (is_valid_fedex_express, Carrier.FEDEX),  # 12 digits
        (_is_fedex_ground, Carrier.FEDEX),  # 15 digits
        (is_valid_dhl_express, Carrier.DHL),  # 10 digits
    )
    for is_valid, carrier in weak_checks:
        if is_valid(value):
            return carrier, value
    return None


def classify_text(text: str, *, rules: ScanRules = DEFAULT_RULES) -> ClassifiedScan:
    """Classify one scan's text (symbology prefix and control characters already removed)."""
    check_length(text, rules)
    value = text.strip()
    if not value:
        raise RejectedScan("Empty scan — scan again.")
    if not (value.isascii() and value.isprintable()):
        raise RejectedScan(
            f"Scan {excerpt(value)} holds characters no barcode here uses. "
            "Check the scanner's keyboard layout, then scan again."
        )
    upper = value.upper()  # Caps Lock inverts a wedge scanner's letters; numbers are upper case

    prefixed = _classify_prefixed(upper, text, rules)
    if prefixed is not None:
        return prefixed

    compact = upper.replace(" ", "") if _SPACED_GROUPS.fullmatch(upper) else upper
    # GTIN before carriers: a 12-digit number whose GS1 check digit matches is read as a UPC-A
    # even though it may also be a FedEx Express number (about 1 in 10 FedEx numbers are).
    if is_valid_gtin(compact):
        gtin = compact.zfill(14)
        return ClassifiedScan(ScanKind.GTIN, gtin, raw=text, gtin=gtin)
    tracking = match_tracking(compact)
    if tracking is not None:
        carrier, number = tracking
        return ClassifiedScan(ScanKind.TRACKING, number, raw=text, carrier=carrier)
    if len(compact) in _GTIN_LENGTHS and _DIGITS.fullmatch(compact):
        raise _bad_check_digit("Barcode", compact)
    return ClassifiedScan(ScanKind.TEXT, value, raw=text)


def _classify_prefixed(upper: str, raw: str, rules: ScanRules) -> ClassifiedScan | None:
    kinds = (
        (ScanKind.OPERATOR, rules.operator_prefixes, _CODE),
        (ScanKind.RMA, rules.rma_prefixes, _CODE),
        (ScanKind.ORDER, rules.order_prefixes, _DIGITS),
    )
    for kind, prefixes, body_pattern in kinds:
        for prefix in prefixes:
            key = prefix.upper()
            if not upper.startswith(key):
                continue
            body = upper[len(key) :]
            if not body:
                raise RejectedScan(
                    f"Scan {excerpt(upper)} is cut off after its prefix — scan again."
                )
            if body_pattern.fullmatch(body):
                # Letter prefixes are part of the number (RMA-100001, SO-123); a bare '#' is
                # print decoration that the order system does not store.
                value = key + body if any(c.isalnum() for c in key) else body
                return ClassifiedScan(kind, value, raw=raw)
    return None


def _is_fedex_ground(value: str) -> bool:
    return len(value) == 15 and has_valid_mod10(value)


def _bad_check_digit(what: str, value: str) -> RejectedScan:
    return RejectedScan(f"{what} {excerpt(value)}: check digit does not match — scan again.")
