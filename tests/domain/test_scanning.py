"""Scan classification in the domain: formats, check digits, prefixes and rejections."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from returnsdesk.domain.barcodes import (
    fedex_express_check_digit,
    gtin_check_digit,
    has_valid_mod10,
    is_valid_dhl_express,
    is_valid_fedex_express,
    ups_check_digit,
)
from returnsdesk.domain.errors import RejectedScan
from returnsdesk.domain.scanning import (
    EXCERPT_LENGTH,
    Carrier,
    ClassifiedScan,
    ScanKind,
    ScanRules,
    classify_text,
    excerpt,
    match_tracking,
)

# Quoted excerpt plus the longest fixed wording of any message.
MAX_MESSAGE_LENGTH = EXCERPT_LENGTH + 150


@pytest.mark.parametrize(
    ("text", "kind", "value", "carrier"),
    [
        # UPS's published example; letters and Caps Lock case are both read.
        ("1Z999AA10123456784", ScanKind.TRACKING, "1Z999AA10123456784", Carrier.UPS),
        ("1z999aa10123456784", ScanKind.TRACKING, "1Z999AA10123456784", Carrier.UPS),
        ("1Z 999 AA1 01 2345 678 4", ScanKind.TRACKING, "1Z999AA10123456784", Carrier.UPS),
        # USPS IMpb, 22 digits: GS1 mod-10 check digit on the last position.
        ("9400100000000000000006", ScanKind.TRACKING, "9400100000000000000006", Carrier.USPS),
        ("9400111899223197428497", ScanKind.TRACKING, "9400111899223197428497", Carrier.USPS),
        # Typed by hand from the label, in its printed groups.
        ("9400 1000 0000 0000 0000 06", ScanKind.TRACKING, "9400100000000000000006", Carrier.USPS),
        # USPS GS1-128 with the 420 ZIP routing, FNC1 lost: the routing part is dropped.
        ("420123459400100000000000000006", ScanKind.TRACKING, "9400100000000000000006", "USPS"),
        ("4201234567899400100000000000000006", ScanKind.TRACKING, "9400100000000000000006", "USPS"),
        # FedEx Express 12 digits (its check digit, and a GS1 check digit that fails).
        ("986578788855", ScanKind.TRACKING, "986578788855", Carrier.FEDEX),
        # FedEx Ground 15 digits, and its 22-digit GS1-128 form (AI 96 + service code).
        ("987654312345672", ScanKind.TRACKING, "987654312345672", Carrier.FEDEX),
        ("9611020987654312345672", ScanKind.TRACKING, "987654312345672", Carrier.FEDEX),
        ("JJD000390007827674", ScanKind.TRACKING, "JJD000390007827674", Carrier.DHL),
        ("1234567891", ScanKind.TRACKING, "1234567891", Carrier.DHL),  # 123456789 mod 7 = 1
        ("4006381333931", ScanKind.GTIN, "04006381333931", None),  # EAN-13
        ("036000291452", ScanKind.GTIN, "00036000291452", None),  # UPC-A
        ("96385074", ScanKind.GTIN, "00000096385074", None),  # EAN-8
        ("10614141000415", ScanKind.GTIN, "10614141000415", None),  # GTIN-14 (ITF-14 carton)
        ("RMA-100001", ScanKind.RMA, "RMA-100001", None),
        ("rma-2024-00a1", ScanKind.RMA, "RMA-2024-00A1", None),
        ("#100001", ScanKind.ORDER, "100001", None),  # '#' is decoration
        ("ORD-5512", ScanKind.ORDER, "ORD-5512", None),  # letter prefixes belong to the number
        ("so-77", ScanKind.ORDER, "SO-77", None),
        ("OP-0001", ScanKind.OPERATOR, "OP-0001", None),
        ("TSHIRT-M-BLU", ScanKind.TEXT, "TSHIRT-M-BLU", None),
        ("SN-a1b2c3", ScanKind.TEXT, "SN-a1b2c3", None),  # serials keep their case
        ("SO-LAMP", ScanKind.TEXT, "SO-LAMP", None),  # an order prefix, but an SKU's shape
        ("1234567890", ScanKind.TEXT, "1234567890", None),  # 10 digits, DHL check fails
        ("  ABC 123 ", ScanKind.TEXT, "ABC 123", None),
    ],
)
def test_classify_text_reads_real_world_scans(
    text: str, kind: ScanKind, value: str, carrier: str | None
) -> None:
    scan = classify_text(text)

    assert (scan.kind, scan.value, scan.carrier) == (kind, value, carrier)
    assert scan.raw == text


def test_gtin_scans_carry_the_gtin_field() -> None:
    scan = classify_text("4006381333931")

    assert scan.gtin == scan.value == "04006381333931"
    assert scan.serial is None and scan.symbology is None


def test_a_12_digit_number_valid_as_both_upc_and_fedex_is_read_as_a_gtin() -> None:
    # Given a number whose last digit satisfies both GS1 mod 10 and the FedEx Express check
    assert is_valid_fedex_express("797806677146")

    # Then the GTIN reading wins (an item scan is far more common than this collision)
    assert classify_text("797806677146") == ClassifiedScan(
        ScanKind.GTIN, "00797806677146", raw="797806677146", gtin="00797806677146"
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Empty scan"),
        ("   ", "Empty scan"),
        ("1Z999AA10123456785", "UPS tracking number '1Z999AA10123456785': check digit"),
        ("9400100000000000000007", "USPS tracking number"),
        ("420123459400100000000000000007", "USPS tracking number"),
        ("9611020987654312345671", "FedEx tracking number"),
        ("4006381333932", "Barcode '4006381333932': check digit does not match — scan again"),
        ("036000291453", "check digit does not match"),  # neither UPC-A nor FedEx
        ("96385075", "check digit does not match"),
        ("10614141000416", "check digit does not match"),
        ("4006 3813 3393 2", "check digit does not match"),
        ("RMA-", "cut off after its prefix"),
        ("#", "cut off after its prefix"),
        ("op-", "cut off after its prefix"),
        ("ABC\tDEF", "keyboard layout"),
        ("caf\u00e9", "keyboard layout"),  # a wedge on the wrong keyboard layout
        ("A" * 81, "Scan too long (81 characters, at most 80)"),
    ],
)
def test_classify_text_rejects_with_a_message_for_the_inspector(text: str, words: str) -> None:
    with pytest.raises(RejectedScan, match=re.escape(words)):
        classify_text(text)


def test_rejection_quotes_at_most_a_short_excerpt() -> None:
    with pytest.raises(RejectedScan) as caught:
        classify_text("\u00e9" + "X" * 70)

    assert "X" * (EXCERPT_LENGTH + 1) not in str(caught.value)
    assert "'?" + "X" * (EXCERPT_LENGTH - 1) + "…'" in str(caught.value)


def test_excerpt_masks_characters_that_would_not_show() -> None:
    assert excerpt("AB\x1b[2J") == "'AB?[2J'"
    assert excerpt("9" * 40) == "'" + "9" * EXCERPT_LENGTH + "…'"


def test_rules_take_site_prefixes() -> None:
    # Given a shop whose order numbers are printed WEB-204000 and whose RMAs start with R
    rules = ScanRules(rma_prefixes=("R-", "RET"), order_prefixes=("WEB-",), max_length=20)

    assert classify_text("web-204000", rules=rules).value == "WEB-204000"
    assert classify_text("RET778", rules=rules) == ClassifiedScan(
        ScanKind.RMA, "RET778", raw="RET778"
    )
    assert classify_text("RMA-1", rules=rules).kind is ScanKind.TEXT
    assert classify_text("#100001", rules=rules).kind is ScanKind.TEXT
    with pytest.raises(RejectedScan, match="at most 20"):
        classify_text("X" * 21, rules=rules)


def test_badge_prefix_is_tried_before_rma_and_order() -> None:
    rules = ScanRules(operator_prefixes=("SO-",))

    assert classify_text("SO-123", rules=rules).kind is ScanKind.OPERATOR


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rma_prefixes": ("",)},
        {"order_prefixes": ("#", " ")},
        {"operator_prefixes": ("",)},
        {"max_length": 0},
        {"gs1_separators": ("~~",)},
    ],
)
def test_rules_refuse_settings_that_would_misread_every_scan(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ScanRules(**kwargs)


def test_match_tracking_leaves_unknown_and_failed_bare_numbers_to_the_caller() -> None:
    assert match_tracking("TSHIRT") is None
    assert match_tracking("123456789013") is None  # 12 digits, FedEx check fails
    assert match_tracking("123456789012345") is None  # 15 digits, mod 10 fails
    assert match_tracking("JJD000390007827674") == (Carrier.DHL, "JJD000390007827674")


def test_check_digit_helpers() -> None:
    assert fedex_express_check_digit("98657878885") == "5"
    assert is_valid_fedex_express("986578788855")
    assert not is_valid_fedex_express("98657878885X")
    assert not is_valid_fedex_express("\u0669" * 12)  # Arabic-Indic digits are not digits here
    assert has_valid_mod10("106141411234567897")  # SSCC
    assert not has_valid_mod10("7")
    assert is_valid_dhl_express("1234567891")
    assert not is_valid_dhl_express("1234567892")
    with pytest.raises(ValueError):
        fedex_express_check_digit("123")


@given(st.text(max_size=120))
def test_classify_text_either_classifies_or_rejects(text: str) -> None:
    try:
        scan = classify_text(text)
    except RejectedScan as rejected:
        assert len(str(rejected)) <= MAX_MESSAGE_LENGTH
    else:
        assert scan.value
        assert scan.raw == text


@given(st.text(alphabet="0123456789", min_size=11, max_size=13))
def test_any_gtin_with_its_check_digit_is_a_gtin(body: str) -> None:
    gtin = body + gtin_check_digit(body)

    scan = classify_text(gtin)

    assert (scan.kind, scan.value) == (ScanKind.GTIN, gtin.zfill(14))


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=15, max_size=15))
def test_any_ups_number_with_its_check_digit_is_a_ups_tracking(body: str) -> None:
    number = "1Z" + body + ups_check_digit(body)

    assert classify_text(number.lower()).carrier == Carrier.UPS
