"""``returnsdesk decode [--json] [--formats Code128,EAN13,...] IMAGE...``: read barcodes in images.

Uses the camera's pipeline (``returnsdesk.scan.decode``) on still images, so it answers "would
the station accept this label?" without a camera or a database. A still has one frame: values
without a check digit count when two independent decoding attempts read them (see
``decode_image_file``).

Exit status: 0 when every image gave at least one accepted value, 1 when one did not, 2 when
an image could not be read or the arguments are wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from returnsdesk.scan.decode import (
    DEFAULT_FORMATS,
    Detection,
    FrameDecoder,
    FrameResult,
    decode_image_file,
)
from returnsdesk.scan.formats import parse_formats

EXIT_OK, EXIT_NOTHING, EXIT_UNREADABLE = 0, 1, 2


def _formats(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    try:
        parse_formats(names)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return names


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="returnsdesk decode",
        description="Read the barcodes in images as the station's camera would.",
        epilog="Exit status: 0 every image gave a value, 1 one did not, 2 an image was unreadable.",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list, one per image")
    parser.add_argument(
        "--formats",
        type=_formats,
        default=DEFAULT_FORMATS,
        metavar="F1,F2",
        help=f"barcode formats to read (default: {','.join(DEFAULT_FORMATS)})",
    )
    parser.add_argument(
        "images", nargs="+", type=Path, metavar="IMAGE", help="PNG, JPEG, BMP, TIFF... files"
    )
    return parser


def main(argv: Sequence[str]) -> int:
    try:
        args = _parser().parse_args(list(argv))
    except SystemExit as exc:  # argparse has printed the usage or the error already
        return exc.code if isinstance(exc.code, int) else EXIT_UNREADABLE
    decoder = FrameDecoder(formats=args.formats)
    status = EXIT_OK
    records: list[dict[str, Any]] = []
    for path in args.images:
        try:
            result = decode_image_file(path, decoder=decoder)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            sys.stderr.write(f"returnsdesk decode: cannot read {path}: {reason}\n")
            records.append({"image": str(path), "error": reason})
            status = EXIT_UNREADABLE
            continue
        if not result.accepted and status == EXIT_OK:
            status = EXIT_NOTHING
        record = _record(path, result)
        records.append(record)
        if not args.json:
            sys.stdout.write(_text(record))
    if args.json:
        sys.stdout.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    return status


def _record(path: Path, result: FrameResult) -> dict[str, Any]:
    return {
        "image": str(path),
        "accepted": [
            {
                "kind": str(accepted.scan.kind),
                "value": accepted.scan.value,
                "carrier": accepted.scan.carrier,
                "gtin": accepted.scan.gtin,
                "serial": accepted.scan.serial,
                **_detection(accepted.detection),
            }
            for accepted in result.accepted
        ],
        "rejected": [
            {"reason": rejected.reason, **_detection(rejected.detection)}
            for rejected in result.rejected
        ],
    }


def _detection(detection: Detection) -> dict[str, Any]:
    return {
        "text": detection.text,
        "format": detection.format,
        "symbology": detection.symbology,
        "corners": [[round(x, 1), round(y, 1)] for x, y in detection.corners],
    }


def _text(record: dict[str, Any]) -> str:
    lines = [f"{record['image']}:"]
    for accepted in record["accepted"]:
        carrier = f"  carrier {accepted['carrier']}" if accepted["carrier"] else ""
        serial = f"  serial {_shown(accepted['serial'])}" if accepted["serial"] else ""
        lines.append(
            f"  accepted  {accepted['kind']}  {accepted['value']}{carrier}{serial}"
            f"  ({accepted['format']} {accepted['symbology']})"
        )
    for rejected in record["rejected"]:
        lines.append(
            f"  rejected  {_shown(rejected['text'])}  ({rejected['format']} "
            f"{rejected['symbology']}): {rejected['reason']}"
        )
    if len(lines) == 1:
        lines.append("  no barcode read")
    return "\n".join(lines) + "\n"


def _shown(text: str) -> str:
    """Decoded text for a terminal: GS1 separators as <GS>, other control characters escaped."""
    text = text.replace("\x1d", "<GS>")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
