"""The scan pipeline: raw scanner output (AIM prefixes, GS1, control characters) to a scan."""

from __future__ import annotations

import re
import time

import pytest
from biip.gs1_messages import GS1Message
from hypothesis import given, settings
from hypothesis import strategies as st

from returnsdesk.domain.errors import RejectedScan
from returnsdesk.domain.scanning import (
    EXCERPT_LENGTH,
    Carrier,
    ClassifiedScan,
    ScanKind,
    ScanRules,
)
from returnsdesk.scan.classify import classify

GS = "\x1d"
USPS = "9400100000000000000006"  # IMpb with a valid GS1 mod-10 check digit


def test_gs1_128_with_serial_gives_gtin_and_serial() -> None:
    raw = "]C1010400638133393121SN12345"

    assert classify(raw) == ClassifiedScan(
        ScanKind.GTIN,
        "04006381333931",
        raw=raw,
        symbology="]C1",
        gtin="04006381333931",
        serial="SN12345",
    )


def test_gs1_datamatrix_with_group_separator_after_the_serial() -> None:
    # Given a pharma-style DataMatrix: GTIN, serial, FNC1, batch, expiry with a zero day
    raw = f"]d2010400638133393121ABC123{GS}10LOT7{GS}17260000"

    scan = classify(raw)

    assert (scan.kind, scan.gtin, scan.serial, scan.symbology) == (
        ScanKind.GTIN,
        "04006381333931",
        "ABC123",
        "]d2",
    )


def test_gs1_without_symbology_prefix_is_recognised_by_its_shape() -> None:
    assert classify("010400638133393121SN9").serial == "SN9"
    assert classify("(01)04006381333931(21)SN9").serial == "SN9"
    assert classify(f"0104006381333931{GS}").gtin == "04006381333931"


def test_a_scanner_substituted_separator_can_be_configured() -> None:
    # Given a wedge scanner set to send '~' for FNC1, since GS does not survive as a key
    rules = ScanRules(gs1_separators=(GS, "~"))

    scan = classify("]Q3010400638133393121SN1~10LOT", rules=rules)

    assert (scan.serial, scan.symbology) == ("SN1", "]Q3")


def test_sscc_is_a_parcel_number() -> None:
    scan = classify("]C100106141411234567897")

    assert (scan.kind, scan.value, scan.carrier) == (
        ScanKind.TRACKING,
        "106141411234567897",
        Carrier.SSCC,
    )


@pytest.mark.parametrize(
    "raw",
    [
        f"]C142012345{GS}{USPS}",  # ZIP, FNC1 as sent
        f"]C142012345{USPS}",  # FNC1 lost in keyboard emulation
        f"]C1420123456789{GS}{USPS}",  # ZIP+4
        f"420123456789{GS}{USPS}",
        f"]C1{USPS}",
    ],
)
def test_usps_gs1_128_keeps_the_tracking_part(raw: str) -> None:
    scan = classify(raw)

    assert (scan.kind, scan.value, scan.carrier) == (ScanKind.TRACKING, USPS, Carrier.USPS)


def test_fedex_ground_gs1_128() -> None:
    scan = classify("]C19611020987654312345672")

    assert (scan.value, scan.carrier) == ("987654312345672", Carrier.FEDEX)


@pytest.mark.parametrize(
    ("raw", "kind", "value", "symbology"),
    [
        ("1Z999AA10123456784", ScanKind.TRACKING, "1Z999AA10123456784", None),
        ("]C01Z999AA10123456784", ScanKind.TRACKING, "1Z999AA10123456784", "]C0"),
        ("]E04006381333931", ScanKind.GTIN, "04006381333931", "]E0"),
        ("]E0036000291452", ScanKind.GTIN, "00036000291452", "]E0"),
        ("]E496385074", ScanKind.GTIN, "00000096385074", "]E4"),
        ("]I110614141000415", ScanKind.GTIN, "10614141000415", "]I1"),
        ("]A0TSHIRT-M-BLU", ScanKind.TEXT, "TSHIRT-M-BLU", "]A0"),
        ("]L0RMA-100001", ScanKind.RMA, "RMA-100001", "]L0"),
        ("]C0986578788855", ScanKind.TRACKING, "986578788855", "]C0"),
        # Framing and suffix characters a scanner may add around the data
        ("\x02]C0JJD000390007827674\x03\r\n", ScanKind.TRACKING, "JJD000390007827674", "]C0"),
        ("  OP-0001\t", ScanKind.OPERATOR, "OP-0001", None),
    ],
)
def test_symbology_prefix_is_removed_and_kept(
    raw: str, kind: ScanKind, value: str, symbology: str | None
) -> None:
    scan = classify(raw)

    assert (scan.kind, scan.value, scan.symbology, scan.raw) == (kind, value, symbology, raw)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("]", "cut off at its symbology prefix"),
        ("]C", "cut off at its symbology prefix"),
        ("]C1", "Empty scan"),
        ("\r\n", "Empty scan"),
        ("RMA-1\x00", "NUL"),
        ("1Z999AA10123456785", "check digit does not match"),
        ("]C1010400638133393221SN1", "GTIN '04006381333932': check digit does not match"),
        ("]C100106141411234567890", "SSCC '106141411234567890': check digit"),
        (f"]C142012345{GS}9400100000000000000007", "USPS tracking number"),
        ("]C142012345", "holds no item or parcel number"),  # the routing barcode
        ("]C11726123110LOT", "holds no item or parcel number"),  # expiry and batch only
        ("]C1ZZ", "could not be read"),
        ("(01)123", "could not be read"),
        ("01040063813339317", "could not be read"),  # one digit too many
        ("]I11234567891", "read only in part"),  # ITF partial read that looks like DHL
        ("]E0ABCDEFGH", "read only in part"),
        (f"AB{GS}CD", "keyboard layout"),
        ("]C1\u00e9", "keyboard layout"),
        ("X" * 81, "Scan too long"),
    ],
)
def test_unusable_scans_are_rejected(raw: str, words: str) -> None:
    with pytest.raises(RejectedScan, match=re.escape(words)):
        classify(raw)


def test_length_is_capped_before_any_parsing() -> None:
    # Given ten megabytes that start like a GS1 scan
    raw = "]C101" + "9" * 10_000_000

    started = time.perf_counter()
    with pytest.raises(RejectedScan) as caught:
        classify(raw)

    assert time.perf_counter() - started < 1.0
    assert str(caught.value).startswith("Scan too long (10000005 characters")
    assert "9" * 10 not in str(caught.value)


def test_any_biip_failure_becomes_a_rejected_scan_without_echoing_the_input(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given biip failing as it once did on "]": with an IndexError quoting the whole input
    def broken_parse(value: str, **_: object) -> GS1Message:
        raise IndexError(f"string index out of range: {value!r}")

    monkeypatch.setattr(GS1Message, "parse", broken_parse)
    raw = "]C1" + "0104006381333931" + "21" + "S" * 20

    with pytest.raises(RejectedScan, match="could not be read") as caught:
        classify(raw)

    assert "S" * EXCERPT_LENGTH not in str(caught.value)
    assert caught.value.__suppress_context__


_AIM_PREFIXES = ["]C1", "]C0", "]d2", "]Q3", "]e0", "]E0", "]E4", "]I1", "]A0", "]L0", "]", "]C"]
_SHAPES = ["", "(01)", "(00)", "01", "00", "420", "96", "94", "1Z", "RMA-", "#", "OP-", "JJD"]
_scanner_like = st.builds(
    lambda prefix, shape, rest: prefix + shape + rest,
    st.sampled_from(["", *_AIM_PREFIXES]),
    st.sampled_from(_SHAPES),
    st.text(alphabet="0123456789()]~ ABCZaz-#\x1d\x00\x02\r\n\t\u00e9", max_size=60),
)
_any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=200)


@settings(deadline=None)  # biip's first call loads its tables
@given(st.one_of(_scanner_like, _any_text, st.text(max_size=5)))
def test_classify_either_classifies_or_rejects(raw: str) -> None:
    try:
        scan = classify(raw)
    except RejectedScan as rejected:
        assert len(str(rejected)) <= EXCERPT_LENGTH + 150
    else:
        assert scan.raw == raw
        assert scan.value and scan.value.isascii() and scan.value.isprintable()
        assert (scan.kind is ScanKind.GTIN) == (scan.gtin is not None)
        assert (scan.kind is ScanKind.TRACKING) == (scan.carrier is not None)


@given(st.integers(min_value=81, max_value=5000), st.sampled_from(["9", "\x1d", "]", "\u00e9"]))
def test_overlong_input_of_any_kind_is_rejected(length: int, char: str) -> None:
    with pytest.raises(RejectedScan, match="Scan too long"):
        classify(char * length)


def test_an_itf_read_shorter_than_14_digits_is_partial_even_if_it_checks() -> None:
    # 036000291452 is a valid UPC-A; read from an ITF-14 it is 12 of 14 digits.
    with pytest.raises(RejectedScan, match="read only in part"):
        classify("]I1036000291452")
    assert classify("]I110036000291459").kind is ScanKind.GTIN


@pytest.mark.parametrize(
    "raw",
    [
        "RMA-10\x1b0113",  # Esc inside a real-looking RMA: never read as RMA-100113
        "RMA-10\x1a0113",  # the marker the keyboard filter puts where a key was no character
        "1Z999AA1\t0123456784",  # a Tab inside: the suffix belongs at the end only
        "RMA-100\r113",
        "\x1b[2J\x1b[H",  # a terminal escape
        "RMA-100113\x1b",  # Esc as the last key before the Enter
        "\x7f\x7f\x7f\x7f",  # DEL
        f"]C1010400638133393\x1c{GS}21SN1",  # FS is no GS1 separator
    ],
)
def test_a_control_character_inside_a_scan_rejects_it_whole(raw: str) -> None:
    with pytest.raises(RejectedScan, match="key no barcode holds") as caught:
        classify(raw)
    assert "scan again" in str(caught.value)
    assert str(caught.value).isprintable()


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("RMA-100113\r\n", "RMA-100113"),  # the Enter suffix
        ("RMA-100113\t", "RMA-100113"),  # the Tab suffix
        (f"]C1010400638133393121SN1{GS}", "04006381333931"),  # a trailing FNC1
        (f"]C1010400638133393121SN1{GS}10LOT", "04006381333931"),  # GS between fields
    ],
)
def test_the_suffix_and_the_gs1_separator_are_understood(raw: str, value: str) -> None:
    assert classify(raw).value == value
