"""Check-digit arithmetic for the identifiers found on returned parcels and items."""

from __future__ import annotations

_UPS_LETTER_VALUES = {c: (i + 2) % 10 for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def gtin_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit for the digits of a GTIN (or SSCC, GLN) without its last digit."""
    if not body.isdigit() or not body.isascii():
        raise ValueError(f"GTIN body must be digits, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(body)):
        weight = 3 if position % 2 == 0 else 1
        total += int(char) * weight
    return str((10 - total % 10) % 10)


def is_valid_gtin(value: str) -> bool:
    """True for an 8, 12, 13 or 14 digit GTIN whose last digit checks."""
    if len(value) not in (8, 12, 13, 14) or not value.isdigit() or not value.isascii():
        return False
    return gtin_check_digit(value[:-1]) == value[-1]


def normalise_gtin(value: str) -> str:
    """A valid GTIN padded to the 14 digits it is stored under."""
    if not is_valid_gtin(value):
        raise ValueError(f"Not a valid GTIN: {value!r}")
    return value.zfill(14)


def ups_check_digit(body: str) -> str:
    """Check digit of a UPS ``1Z`` tracking number, over the 15 characters after ``1Z``.

    Letters map to digits (A=2, B=3, ... cycling mod 10); odd positions count once, even twice.
    """
    if len(body) != 15 or not body.isascii() or not body.isalnum():
        raise ValueError("UPS body must be 15 letters or digits")
    total = 0
    for position, char in enumerate(body.upper(), start=1):
        digit = int(char) if char.isdigit() else _UPS_LETTER_VALUES[char]
        total += digit * 2 if position % 2 == 0 else digit
    return str((10 - total % 10) % 10)


def is_valid_ups(value: str) -> bool:
    value = value.upper()
    if len(value) != 18 or not value.startswith("1Z") or not value.isascii() or not value.isalnum():
        return False
    return ups_check_digit(value[2:17]) == value[17]


def has_valid_mod10(value: str) -> bool:
    """True when the last digit is the GS1 mod-10 check digit of the others.

    The same arithmetic checks GTINs, SSCCs, USPS IMpb and FedEx Ground numbers, at any length.
    """
    if len(value) < 2 or not value.isdigit() or not value.isascii():
        return False
    return gtin_check_digit(value[:-1]) == value[-1]


def fedex_express_check_digit(body: str) -> str:
    """Check digit of a 12-digit FedEx Express number, over its first 11 digits.

    Weights 1, 3, 7 repeat from the rightmost digit; the sum mod 11, with 10 read as 0.
    """
    if len(body) != 11 or not body.isdigit() or not body.isascii():
        raise ValueError("FedEx Express body must be 11 digits")
    total = sum(int(char) * (1, 3, 7)[i % 3] for i, char in enumerate(reversed(body)))
    return str(total % 11 % 10)


def is_valid_fedex_express(value: str) -> bool:
    if len(value) != 12 or not value.isdigit() or not value.isascii():
        return False
    return fedex_express_check_digit(value[:11]) == value[11]


def is_valid_dhl_express(value: str) -> bool:
    """True for a 10-digit DHL Express waybill: its first nine digits mod 7 give the last."""
    if len(value) != 10 or not value.isdigit() or not value.isascii():
        return False
    return str(int(value[:9]) % 7) == value[9]
