"""Regenerate resources/selftest/code128-ups.png, the label ``returnsdesk --self-test`` decodes.

A UPS tracking number (valid check digit) in Code 128, written by zxing-cpp and saved with
OpenCV: the self-test then proves that the installed build can load the image codecs, run
zxing-cpp and classify the read, with no camera attached.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import zxingcpp

VALUE = "1Z8ARVS59060133026"  # returnsdesk.selftest.SELFTEST_TRACKING must match
TARGET = Path(__file__).resolve().parent.parent / "resources" / "selftest" / "code128-ups.png"


def main() -> None:
    barcode = zxingcpp.create_barcode(VALUE, zxingcpp.BarcodeFormat.Code128)
    # 3 px per module, as a label under a bench camera; quiet zones included.
    image = np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=3, add_hrt=True), np.uint8)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    ok, encoded = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    if not ok:
        raise RuntimeError("OpenCV could not encode the PNG")
    TARGET.write_bytes(encoded.tobytes())


if __name__ == "__main__":
    main()
