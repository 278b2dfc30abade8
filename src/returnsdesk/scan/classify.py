"""From a scanner's raw output to a ``ClassifiedScan``: the pipeline shared by wedge and camera.

Raw text can be anything a keyboard or a decoder produces, so it is checked for size and NUL
before any parsing. Scanners set to send an AIM symbology identifier (``]C1`` GS1-128, ``]E0``
EAN-13, ...) have it removed and kept in ``ClassifiedScan.symbology``; the camera path passes
zxing-cpp's identifier the same way. GS1 element strings are parsed with biip; everything else
goes to the domain's ``classify_text``. Only ``RejectedScan`` ever leaves ``classify``.

biip takes about 0.2 s to import, so it is imported by the first GS1 scan, not with this module;
``load_gs1_parser`` lets the station do that on a worker thread once its window is up.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import re
import string
import unicodedata

from returnsdesk.domain.barcodes import has_valid_mod10, is_valid_gtin
from returnsdesk.domain.errors import RejectedScan
from returnsdesk.domain.scanning import (
    DEFAULT_RULES,
    Carrier,
    ClassifiedScan,
    ScanKind,
    ScanRules,
    check_length,
    classify_text,
    excerpt,
    match_tracking,
)

log = logging.getLogger(__name__)

_AIM = re.compile(r"\][A-Za-z][0-9A-Za-z]")
_GS1_SYMBOLOGIES = frozenset({"]C1", "]d2", "]Q3", "]e0"})  # GS1-128, DataMatrix, QR, DataBar
_GTIN_ONLY_SYMBOLOGIES = ("]E", "]I")  # EAN/UPC and ITF carry nothing but GTINs
# Without a symbology identifier: GS1 as printed "(01)...", or an SSCC / GTIN element string.
_GS1_START = re.compile(r"\([0-9]{2,4}\)|01[0-9]{14}|00[0-9]{18}")
# Carrier labels in GS1-128: USPS (420 postal code, then AI 92-95) and FedEx Ground (AI 96). Their
# FNC1 is often lost in keyboard emulation, and biip would then swallow the tracking number into
# the variable-length postal code; the domain's carrier patterns split them without it.
_CARRIER_AIS = ("420", "92", "93", "94", "95", "96")
# What a scanner may put around its data: STX/ETX framing and its suffix (Enter, Tab).
_FRAMING = "\x02\x03" + string.whitespace


def classify(raw: str, *, rules: ScanRules = DEFAULT_RULES) -> ClassifiedScan:
    """Classify a scan as the scanner sent it; raises ``RejectedScan`` for anything unusable."""
    if "\x00" in raw:
        raise RejectedScan(
            "Scan holds a NUL character. Check the scanner's settings, then scan again."
        )
    check_length(raw, rules)
    separators = "".join(rules.gs1_separators)
    cleaned = raw.strip(_FRAMING)
    # Any other control character is a key the scanner (or a person) pressed inside the scan:
    # refused whole, since without it the rest can read as another, real number.
    if any(c not in separators and unicodedata.category(c) == "Cc" for c in cleaned):
        raise RejectedScan(
            f"Scan {excerpt(cleaned)} has a key no barcode holds (Esc, Tab, an arrow?) inside "
            "it. Nothing was changed — scan again."
        )
    symbology, body = _split_symbology(cleaned)
    body = body.strip(string.whitespace + separators)  # a leading or trailing FNC1 ends nothing
    compact = "".join(c for c in body if c not in separators)
    is_gs1 = symbology in _GS1_SYMBOLOGIES or _looks_like_gs1(body, separators)
    # Empty or unprintable text goes to classify_text, which says what is wrong with it.
    if is_gs1 and compact and compact.isascii() and compact.isprintable():
        scan = _classify_gs1(body, compact, rules)
    else:
        scan = classify_text(body, rules=rules)
    gtin_only = symbology is not None and symbology.startswith(_GTIN_ONLY_SYMBOLOGIES)
    # ITF-14 on cases is always 14 digits: a shorter ITF read is a partial one, even when its
    # digits happen to form a valid shorter GTIN.
    partial_itf = symbology is not None and symbology.startswith("]I") and len(compact) != 14
    if gtin_only and (scan.kind is not ScanKind.GTIN or partial_itf):
        # ITF in particular gives partial reads (10 of 14 digits) that look like other things.
        raise RejectedScan(f"Barcode {excerpt(body)} was read only in part — scan again.")
    return dataclasses.replace(scan, raw=raw, symbology=symbology)


def load_gs1_parser() -> None:
    """Import the GS1 parser now rather than at the first GS1 scan."""
    importlib.import_module("biip.gs1_messages")


def _split_symbology(text: str) -> tuple[str | None, str]:
    if not text.startswith("]"):
        return None, text
    if (match := _AIM.match(text)) is None:
        raise RejectedScan("Scan cut off at its symbology prefix — scan again.")
    return match.group(), text[match.end() :]


def _looks_like_gs1(body: str, separators: str) -> bool:
    if _GS1_START.match(body):
        return True
    return body[:1].isdigit() and any(separator in body for separator in separators)


def _classify_gs1(body: str, compact: str, rules: ScanRules) -> ClassifiedScan:
    """A GS1 element string; ``compact`` is the same without its separators."""
    if compact.isdigit() and compact.startswith(_CARRIER_AIS):
        tracking = match_tracking(compact)
        if tracking is not None:
            carrier, number = tracking
            return ClassifiedScan(ScanKind.TRACKING, number, raw=body, carrier=carrier)
    from biip import ParseConfig
    from biip.gs1_messages import GS1Message

    config = ParseConfig(
        separator_chars=rules.gs1_separators,
        gs1_element_strings_verify_date=False,  # dates do not matter here; zero dates are common
    )
    try:
        if body.startswith("("):
            message = GS1Message.parse_hri(body, config=config)
        else:
            message = GS1Message.parse(body, config=config)
    except Exception:  # biip has raised IndexError on odd input, and its messages echo the scan
        log.debug("biip could not parse a GS1 scan", exc_info=True)
        raise RejectedScan(f"GS1 barcode {excerpt(body)} could not be read — scan again.") from None
    values: dict[str, str] = {}
    for element in message.element_strings:
        values.setdefault(element.ai.ai, element.value)
    if (gtin := values.get("01")) is not None:
        if not is_valid_gtin(gtin):
            raise RejectedScan(f"GTIN {excerpt(gtin)}: check digit does not match — scan again.")
        return ClassifiedScan(ScanKind.GTIN, gtin, raw=body, gtin=gtin, serial=values.get("21"))
    if (sscc := values.get("00")) is not None:
        if not has_valid_mod10(sscc):
            raise RejectedScan(f"SSCC {excerpt(sscc)}: check digit does not match — scan again.")
        return ClassifiedScan(ScanKind.TRACKING, sscc, raw=body, carrier=Carrier.SSCC)
    raise RejectedScan(
        "This GS1 barcode holds no item or parcel number (a batch, date or routing code?). "
        "Scan the item's product barcode or the parcel's tracking barcode."
    )
