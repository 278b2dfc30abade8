"""Camera-like 1280x720 frames of the barcodes a returns station meets, with their ground truth.

A ``Scene`` fixes everything a person holding an item under the camera fixes: the symbol and
its value, where it lies, its rotation (any angle), perspective skew, module width (1.6-4 px),
focus and motion blur, the lighting gradient and the JPEG quality. ``render(scene, noise_seed)``
draws it with fresh sensor noise, so the same scene rendered twice is two frames of one hold.
Everything is seeded: the same arguments give the same pixels.

Symbols are drawn by zxing-cpp (``create_barcode`` + ``write_barcode_to_image`` at one pixel per
module), put on a white label with printed clutter, then warped onto a cardboard background
(with lines and printed words on it) with OpenCV; the blur, noise and JPEG steps follow in the
order a camera applies them. Per scene: rotation 0-360°; the label leaning up to 15° about
each axis, seen from 3.5 label sizes (keystone perspective); modules 1.6-4 px (less when the
label would not fit); focus blur sigma 0.2-1 px; motion blur 1-4 px in a third of the scenes;
a lighting gradient between gains 0.45 and 1.1; sensor noise sigma 2-8; JPEG quality 35-95.

Run ``python bench/frames.py OUT_DIR`` to write a few frames per case as PNG for a look.
"""

from __future__ import annotations

import math
import random
import string
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import zxingcpp

from returnsdesk.domain.barcodes import gtin_check_digit, ups_check_digit

FRAME_W, FRAME_H = 1280, 720
MIN_MODULE_PX, MAX_MODULE_PX = 1.6, 4.0
MAX_TILT_DEG = 15.0  # the label leans towards or away from the camera by up to this much
CAMERA_DISTANCE = 3.5  # in label sizes: a wide-angle camera over the desk
_EDGE = 12  # pixels kept free at the frame's border

Image = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Payload:
    content: str  # what zxing-cpp encodes (GS1 in HRI form "(01)...")
    value: str  # what the station's classifier must make of it (the accepted value)


@dataclass(frozen=True)
class Case:
    name: str  # the row in the benchmark table
    format: str  # zxingcpp.BarcodeFormat member name
    gs1: bool
    check_digit: bool  # True: one frame is enough to accept; False: needs a second frame
    payload: Callable[[random.Random], Payload]


@dataclass(frozen=True)
class Scene:
    case: Case
    payload: Payload
    truth_text: str  # what plain zxing-cpp returns for a clean read of the symbol
    seed: int
    module_px: float
    angle_deg: float
    tilt_deg: tuple[float, float]  # perspective: lean about the label's x and y axes
    corners: tuple[tuple[float, float], ...]  # the symbol image's corners in the frame
    focus_sigma: float
    motion_px: float
    motion_angle_deg: float
    light: tuple[float, float, float]  # gradient: low, high, direction (radians)
    noise_sigma: float
    jpeg_quality: int


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _with_mod10(body: str) -> str:
    return body + gtin_check_digit(body)


def _ups(rng: random.Random) -> Payload:
    shipper = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(6))
    body = shipper + rng.choice(("01", "02", "03", "12", "13")) + _digits(rng, 7)
    number = "1Z" + body + ups_check_digit(body)
    return Payload(number, number)


def _dhl(rng: random.Random) -> Payload:
    number = "JJD" + _digits(rng, 18)
    return Payload(number, number)


def _rma(rng: random.Random) -> Payload:
    number = f"RMA-{rng.randrange(100000, 1000000)}"
    return Payload(number, number)


def _usps(rng: random.Random) -> Payload:
    tracking = _with_mod10(rng.choice(("92", "93", "94", "95")) + _digits(rng, 19))
    return Payload(f"(420){_digits(rng, 5)}({tracking[:2]}){tracking[2:]}", tracking)


def _fedex(rng: random.Random) -> Payload:
    tracking = _with_mod10(_digits(rng, 14))
    return Payload(f"(96){_digits(rng, 5)}{tracking}", tracking)


def _gtin(length: int) -> Callable[[random.Random], Payload]:
    def make(rng: random.Random) -> Payload:
        first = rng.choice("123456789")  # no leading 0: UPC-A in EAN-13 is a case of its own
        gtin = _with_mod10(first + _digits(rng, length - 2))
        return Payload(gtin, gtin.zfill(14))

    return make


def _gs1_datamatrix(rng: random.Random) -> Payload:
    gtin = _with_mod10("0" + rng.choice("123456789") + _digits(rng, 11))
    serial = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(8))
    return Payload(f"(01){gtin}(21){serial}", gtin)


CASES: tuple[Case, ...] = (
    Case("Code128 UPS 1Z", "Code128", False, True, _ups),
    Case("Code128 DHL JJD", "Code128", False, False, _dhl),
    Case("Code128 RMA", "Code128", False, False, _rma),
    Case("GS1-128 USPS 420", "Code128", True, True, _usps),
    Case("GS1-128 FedEx 96", "Code128", True, True, _fedex),
    Case("DataMatrix RMA", "DataMatrix", False, False, _rma),
    Case("DataMatrix GS1 01+21", "DataMatrix", True, True, _gs1_datamatrix),
    Case("QRCode RMA", "QRCode", False, False, _rma),
    Case("PDF417 RMA", "PDF417", False, False, _rma),
    Case("EAN13", "EAN13", False, True, _gtin(13)),
    Case("UPCA", "UPCA", False, True, _gtin(12)),
    Case("EAN8", "EAN8", False, True, _gtin(8)),
    Case("ITF14", "ITF14", False, True, _gtin(14)),
)


# No symbol at all: a label with printed text only, on the same cardboard. Anything accepted on
# these frames is a false accept.
CLUTTER = Case("no barcode (clutter)", "", False, False, lambda rng: Payload("", ""))


def symbol_image(case: Case, payload: Payload) -> Image:
    """The symbol at one pixel per module, with zxing-cpp's quiet zones, black on white."""
    if case is CLUTTER:
        return np.full((60, 160), 255, np.uint8)
    barcode_format = zxingcpp.BarcodeFormat.__members__[case.format]
    if case.gs1:
        barcode = zxingcpp.create_barcode(payload.content, barcode_format, gs1=True)
    else:
        barcode = zxingcpp.create_barcode(payload.content, barcode_format)
    return np.ascontiguousarray(np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=1)))


def _label(rng: random.Random, symbol: Image) -> Image:
    """The symbol on a white label, with lines of printed text above and below it."""
    h, w = symbol.shape
    pad_x = rng.randint(3, 10)
    text_rows = rng.randint(0, 2)
    row_h = max(8, h // 5)
    top = pad_x + text_rows * row_h
    label = np.full((top + h + pad_x + row_h, w + 2 * pad_x), 255, np.uint8)
    label[top : top + h, pad_x : pad_x + w] = symbol
    scale = row_h / 30
    for row in range(text_rows + 1):
        y = top - 3 - row * row_h if row < text_rows else top + h + row_h - 2
        words = " ".join(
            "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(5))
            for _ in range(rng.randint(1, 3))
        )
        cv2.putText(label, words, (pad_x, y), cv2.FONT_HERSHEY_PLAIN, scale, 0, 1, cv2.LINE_AA)
    return label


def _tilted(w: int, h: int, tilt: tuple[float, float]) -> npt.NDArray[np.float64]:
    """The label's corners, centred, seen by a camera when the label leans ``tilt`` degrees
    about its x and y axes (perspective skew: the far side shrinks, bars fan a little)."""
    ax, ay = (math.radians(t) for t in tilt)
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    corners = np.array([[0, 0, 0], [w, 0, 0], [w, h, 0], [0, h, 0]], np.float64) - (w / 2, h / 2, 0)
    turned = corners @ (ry @ rx).T
    distance = CAMERA_DISTANCE * max(w, h)
    projected: npt.NDArray[np.float64] = turned[:, :2] * (distance / (distance + turned[:, 2:]))
    return projected


def make_scene(case: Case, seed: int) -> Scene:
    rng = random.Random(f"{case.name}/{seed}")
    payload = case.payload(rng)
    symbol = symbol_image(case, payload)
    clean = zxingcpp.read_barcodes(np.pad(symbol, 20, constant_values=255))
    if len(clean) != (case is not CLUTTER):
        raise RuntimeError(f"{case.name}: zxing-cpp cannot read its own symbol {payload}")
    truth_text = clean[0].text if clean else ""
    h, w = _label(random.Random(seed), symbol).shape
    angle = rng.uniform(0.0, 360.0)
    module = rng.uniform(MIN_MODULE_PX, MAX_MODULE_PX)
    tilt = (rng.uniform(-MAX_TILT_DEG, MAX_TILT_DEG), rng.uniform(-MAX_TILT_DEG, MAX_TILT_DEG))
    shape = _tilted(w, h, tilt)
    rotation = math.radians(angle)
    rot = np.array(
        [[math.cos(rotation), -math.sin(rotation)], [math.sin(rotation), math.cos(rotation)]]
    )
    shape = shape @ rot.T
    span = shape.max(axis=0) - shape.min(axis=0)
    # Smaller modules when the label would not fit the frame at the drawn size.
    module = min(module, (FRAME_W - 2 * _EDGE) / span[0], (FRAME_H - 2 * _EDGE) / span[1])
    shape *= module
    low, high = shape.min(axis=0), shape.max(axis=0)
    cx = rng.uniform(_EDGE - low[0], FRAME_W - _EDGE - high[0])
    cy = rng.uniform(_EDGE - low[1], FRAME_H - _EDGE - high[1])
    corners = tuple((float(x + cx), float(y + cy)) for x, y in shape)
    light_low = rng.uniform(0.45, 0.9)
    return Scene(
        case=case,
        payload=payload,
        truth_text=truth_text,
        seed=seed,
        module_px=module,
        angle_deg=angle,
        tilt_deg=tilt,
        corners=corners,
        focus_sigma=rng.uniform(0.2, 1.0),
        motion_px=rng.choice((0.0, 0.0, rng.uniform(1.0, 4.0))),
        motion_angle_deg=rng.uniform(0.0, 180.0),
        light=(light_low, rng.uniform(light_low + 0.05, 1.1), rng.uniform(0.0, 2 * math.pi)),
        noise_sigma=rng.uniform(2.0, 8.0),
        jpeg_quality=rng.randint(35, 95),
    )


def _background(rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """Cardboard: a brown base with coarse texture, packing-tape edges and marker strokes."""
    base = np.array([95, 140, 185], np.float32) * rng.uniform(0.8, 1.1)
    texture = cv2.resize(rng.normal(0.0, 10.0, (18, 32)).astype(np.float32), (FRAME_W, FRAME_H))
    frame = np.clip(base + texture[:, :, None], 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(2, 6))):
        p1 = (int(rng.integers(0, FRAME_W)), int(rng.integers(0, FRAME_H)))
        p2 = (int(rng.integers(0, FRAME_W)), int(rng.integers(0, FRAME_H)))
        shade = float(rng.uniform(20, 220))
        cv2.line(frame, p1, p2, (shade, shade, shade), int(rng.integers(1, 4)), cv2.LINE_AA)
    for _ in range(int(rng.integers(0, 3))):
        words = "".join(rng.choice(list(string.ascii_uppercase + " "), 10))
        org = (int(rng.integers(0, FRAME_W - 300)), int(rng.integers(30, FRAME_H)))
        cv2.putText(frame, words, org, cv2.FONT_HERSHEY_SIMPLEX, 1.0, (40, 40, 40), 2)
    return np.asarray(frame, np.float32)


def render(scene: Scene, noise_seed: int = 0) -> Image:
    """One BGR frame of the scene; ``noise_seed`` changes the sensor noise only."""
    label = _label(random.Random(scene.seed), symbol_image(scene.case, scene.payload))
    h, w = label.shape
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    homography = cv2.getPerspectiveTransform(src, np.array(scene.corners, np.float32))
    size = (FRAME_W, FRAME_H)
    warped = cv2.warpPerspective(label.astype(np.float32), homography, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((h, w), np.float32), homography, size)
    frame = _background(np.random.default_rng(scene.seed))
    paper = warped * np.float32(0.93)  # white paper is never the sensor's full scale
    frame = frame * (1 - mask[:, :, None]) + (paper * mask)[:, :, None]

    if scene.focus_sigma > 0:
        frame = np.asarray(cv2.GaussianBlur(frame, (0, 0), scene.focus_sigma), np.float32)
    if scene.motion_px >= 1:
        length = math.ceil(scene.motion_px) | 1
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0
        middle = length / 2 - 0.5
        turn = cv2.getRotationMatrix2D((middle, middle), scene.motion_angle_deg, 1)
        kernel = np.asarray(cv2.warpAffine(kernel, turn, (length, length)), np.float32)
        frame = np.asarray(cv2.filter2D(frame, -1, kernel / kernel.sum()), np.float32)

    low, high, direction = scene.light
    ys, xs = np.mgrid[0:FRAME_H, 0:FRAME_W].astype(np.float32)
    ramp = xs * math.cos(direction) + ys * math.sin(direction)
    ramp = (ramp - ramp.min()) / (ramp.max() - ramp.min())
    frame *= (low + (high - low) * ramp)[:, :, None]

    noise_rng = np.random.default_rng([scene.seed, noise_seed, 7])
    frame += noise_rng.normal(0.0, scene.noise_sigma, frame.shape).astype(np.float32)
    frame_u8 = np.clip(frame, 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", frame_u8, [cv2.IMWRITE_JPEG_QUALITY, scene.jpeg_quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return np.asarray(cv2.imdecode(jpeg, cv2.IMREAD_COLOR), np.uint8)


def scenes(case: Case, count: int, *, seed: int = 0) -> Iterator[Scene]:
    for index in range(count):
        yield make_scene(case, seed * 1_000_003 + index)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "frames")
    out.mkdir(parents=True, exist_ok=True)
    for case in (*CASES, CLUTTER):
        for scene in scenes(case, 3):
            name = f"{case.name.replace(' ', '_')}-{scene.seed}.png"
            cv2.imwrite(str(out / name), render(scene))
    sys.stdout.write(f"wrote {3 * (len(CASES) + 1)} frames to {out}\n")
