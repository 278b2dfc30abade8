"""Barcode format names, as settings and the command line give them, checked against zxing-cpp.

Apart from the decoder so that a station can check its camera settings at start without
loading OpenCV and numpy (zxing-cpp alone imports in a few milliseconds).
"""

from __future__ import annotations

from collections.abc import Iterable

import zxingcpp


def parse_formats(names: Iterable[str]) -> tuple[zxingcpp.BarcodeFormat, ...]:
    """zxing-cpp formats for names such as "Code128" or "EAN-13"; ValueError names a bad one."""
    readable = set(
        zxingcpp.barcode_formats_list(zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.AllReadable))
    )
    formats: list[zxingcpp.BarcodeFormat] = []
    for name in names:
        if name.strip().upper().replace("-", "") == "GS1128":
            raise ValueError(
                f"Unknown barcode format {name!r}: zxing-cpp reads GS1-128 as Code128 "
                "(symbology ]C1); name Code128."
            )
        try:
            barcode_format = zxingcpp.barcode_format_from_str(name.strip())
        except ValueError:
            raise ValueError(f"Unknown barcode format {name!r}") from None
        if barcode_format == zxingcpp.BarcodeFormat.NONE:
            raise ValueError(f"Unknown barcode format {name!r}")
        if barcode_format not in readable:
            raise ValueError(f"Barcode format {name!r} is a group; name single formats")
        if barcode_format not in formats:
            formats.append(barcode_format)
    if not formats:
        raise ValueError("At least one barcode format is needed")
    return tuple(formats)
