"""Camera frames to accepted scans: zxing-cpp, a search for what it misses, and no false accepts.

Every read goes through ``returnsdesk.scan.classify.classify`` (the keyboard-wedge pipeline), fed
the AIM symbology identifier zxing-cpp reports plus the decoded text, so a camera scan and a
wedge scan of the same label classify the same way.

Reading a frame (``FrameDecoder.decode``) takes up to two passes:

1. zxing-cpp over the whole grayscale frame, restricted to the station's formats. Its linear
   reader scans rows and columns only, so 1D symbols tilted more than a few degrees are missed,
   and small modules (under about 2 px) often are.
2. When pass 1 settled nothing: a search for symbols at any angle. The structure tensor of the
   image gradient (computed at half size, averaged over cells of 4x4 frame pixels) marks regions
   of strong edges all in one direction (bars: 1D and PDF417) and of strong edges in every
   direction (QR, DataMatrix). A bar region is warped upright along its measured bar direction
   (the tensor gives the direction, so no 90° guess is needed) with a quiet-zone margin, at
   scales 1, 2 and 1.5; a 2D region is cropped and enlarged 2-3 times; zxing-cpp reads each
   crop, and positions are mapped back to frame pixels. At most ``MAX_CANDIDATES`` regions are
   tried and none is started after ``SEARCH_BUDGET_S``, so a cluttered frame costs bounded time.

Acceptance, with no false accepts as the rule that wins over speed:

* a read counts only when ``classify`` accepts it; ITF only as a full 14-digit GTIN (partial
  ITF reads are common, and 8 or 12 digits can pass a GTIN check by chance);
* a verified check digit (GTIN, UPS 1Z, USPS IMpb, SSCC, FedEx in GS1-128) in a symbol with a
  strong check of its own (Code128 mod 103; DataMatrix, QR, PDF417 Reed-Solomon) is accepted at
  once;
* a verified check digit in EAN/UPC or ITF, whose only check is that one mod-10 digit, needs a
  second read: two decoding attempts in the frame, or two frames. zxing-cpp misread a tilted
  EAN-13 and a blurred EAN-8 as other valid GTINs on the benchmark's frames;
* anything else (an RMA in a QR code, a DHL JJD number, text in Code128 or PDF417) must be read
  in ``confirm_frames`` frames within ``confirm_window_s``;
* a value of the last two kinds does not count in a frame where another value was read on the
  same spot (zxing-cpp has read one Code128 symbol two ways, the same way in two frames).

A value already accepted is not accepted again until it has been out of view for
``confirm_window_s``: a person holds an item under the camera for seconds. Rejected reads are
reported in every frame they are read in; showing each reason once is the caller's choice.

OpenCV's thread pool is left as the caller set it; the benchmark calls ``cv2.setNumThreads(1)``
(and pins the process to one CPU) to measure one core.
"""

from __future__ import annotations

import enum
import errno
import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt
import zxingcpp

from returnsdesk.domain.errors import RejectedScan
from returnsdesk.domain.scanning import DEFAULT_RULES, Carrier, ClassifiedScan, ScanKind, ScanRules
from returnsdesk.scan.classify import classify
from returnsdesk.scan.formats import parse_formats

# zxing-cpp 3.1 has no GS1-128 format of its own: GS1-128 is Code128 whose symbology identifier
# is ]C1 (content type GS1), so "Code128" covers UPS 1Z, USPS 420 and FedEx 96 labels alike.
DEFAULT_FORMATS: Final[tuple[str, ...]] = (
    "Code128",
    "DataMatrix",
    "QRCode",
    "PDF417",
    "EAN13",
    "EAN8",
    "UPCA",
    "ITF14",
)
MAX_CANDIDATES: Final = 6  # regions tried per frame in pass 2
SEARCH_BUDGET_S: Final = 0.025  # pass 2 starts no new region once the frame has taken this long

Frame = npt.NDArray[np.uint8]
_Floats = npt.NDArray[np.float32]
Point = tuple[float, float]

_CELL = 4  # frame pixels per side of a structure-tensor cell
_MIN_EDGES = 30.0  # RMS gradient (Sobel units, half-size image) of a region worth searching
# Upscaling helps small modules, but zxing-cpp reads more crops at scale 1: a crop that fails at
# one scale often reads at another, and a second read is what EAN/UPC and ITF need anyway.
_STRIPE_SCALES = (1.0, 2.0, 1.5)
_MAX_CROP_PIXELS = 700_000  # larger crops (a region merged with long lines) are not enlarged
_STRIPE_COHERENCE = 0.7  # above: edges in one direction (bars); below _BLOB_COHERENCE: any
_BLOB_COHERENCE = 0.55
_SAME_DIRECTION = math.cos(math.radians(20))  # cells this close to a region's angle belong to it
_VERIFIED_CARRIERS = frozenset({Carrier.UPS, Carrier.USPS, Carrier.SSCC})
_LINEAR = frozenset(
    zxingcpp.barcode_formats_list(zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.AllLinear))
)
_STRIPED = _LINEAR | {zxingcpp.BarcodeFormat.PDF417}
# Symbols whose own check makes a misread all but impossible: Code128 (mod 103), DataMatrix, QR,
# PDF417, Aztec, MaxiCode (Reed-Solomon). EAN/UPC and ITF have one mod-10 digit, and zxing-cpp
# has misread a tilted EAN-13 as another valid GTIN here, so those need a second read.
_STRONG_SYMBOLOGIES = frozenset({"]C", "]d", "]Q", "]L", "]z", "]U"})


@dataclass(frozen=True)
class Detection:
    text: str  # as decoded, GS1 separators as GS (\x1d)
    format: str  # zxing-cpp's format name, e.g. "Code128", "EAN13"
    symbology: str  # AIM symbology identifier, e.g. "]C1"
    corners: tuple[Point, ...]  # 4 points in frame pixels, in order round the symbol (an outline)


@dataclass(frozen=True)
class AcceptedScan:
    scan: ClassifiedScan
    detection: Detection


@dataclass(frozen=True)
class RejectedRead:
    detection: Detection
    reason: str  # written for the operator


@dataclass(frozen=True)
class FrameResult:
    accepted: tuple[AcceptedScan, ...]
    rejected: tuple[RejectedRead, ...]
    pending: tuple[Detection, ...]  # read once, waiting for another frame to confirm it


@dataclass(frozen=True)
class _Read:
    detection: Detection
    outcome: ClassifiedScan | RejectedScan
    attempt: int  # which decoding attempt produced it; distinct attempts are independent reads


_Key = tuple[ScanKind, str]


class _Needs(enum.Enum):
    """What a value needs before it is accepted."""

    ONE_READ = enum.auto()  # verified check digit in a symbol with its own strong check
    SECOND_READ = enum.auto()  # verified check digit, weak symbol check: two attempts or frames
    FRAMES = enum.auto()  # no check digit: confirm_frames frames


@dataclass
class _Track:
    """One value seen recently: when, and whether it was accepted already."""

    frames: deque[float]
    last_seen: float
    accepted: bool = False


@dataclass(frozen=True)
class _Region:
    """Where pass 2 looks: a box at ``angle`` (radians, its u axis across the bars)."""

    center: Point
    angle: float
    length: float  # along u, pixels
    height: float  # along v, pixels
    stripes: bool  # True: bars (1D, PDF417); False: a blob (QR, DataMatrix)
    score: float


class FrameDecoder:
    """Decodes camera frames; keeps the little state that confirmation and debounce need.

    Not thread-safe: one decoder per camera, called from that camera's worker thread.
    """

    def __init__(
        self,
        *,
        formats: Sequence[str] = DEFAULT_FORMATS,
        rules: ScanRules = DEFAULT_RULES,
        confirm_frames: int = 2,
        confirm_window_s: float = 1.5,
        clock: Callable[[], float] = time.monotonic,
        search_budget_s: float | None = SEARCH_BUDGET_S,
    ) -> None:
        """``search_budget_s``: time after which pass 2 starts no new region; None: no limit
        (results then do not depend on the machine's speed, as tests need)."""
        if confirm_frames < 1:
            raise ValueError("confirm_frames must be at least 1")
        if not confirm_window_s > 0:  # also refuses NaN
            raise ValueError("confirm_window_s must be positive")
        self._formats = parse_formats(formats)
        self._all = zxingcpp.BarcodeFormats(list(self._formats))
        # PDF417 is stacked bars: found and straightened like a 1D symbol.
        striped = [f for f in self._formats if f in _STRIPED]
        blobs = [f for f in self._formats if f not in _STRIPED]
        self._striped = zxingcpp.BarcodeFormats(striped) if striped else None
        self._blobs = zxingcpp.BarcodeFormats(blobs) if blobs else None
        self._rules = rules
        self._confirm_frames = confirm_frames
        self._window = confirm_window_s
        self._clock = clock
        self._budget = math.inf if search_budget_s is None else search_budget_s
        self._tracks: dict[_Key, _Track] = {}

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(f.name for f in self._formats)

    def reset(self) -> None:
        """Forget every value seen: the next read of anything starts afresh."""
        self._tracks.clear()

    def decode(self, frame: Frame) -> FrameResult:
        """Read one BGR or grayscale uint8 frame; see the module docstring for the rules."""
        now = self._clock()
        self._tracks = {
            key: track
            for key, track in self._tracks.items()
            if now - track.last_seen <= self._window
        }

        def settled(reads: Sequence[_Read]) -> bool:
            """True once searching this frame further cannot change what gets accepted."""
            attempts = _attempts(reads)
            for read in reads:
                scan = read.outcome
                if not isinstance(scan, ClassifiedScan):
                    continue
                key = (scan.kind, scan.value)
                track = self._tracks.get(key)
                if track is not None and track.accepted:
                    return True  # held in view
                if self._needs(scan) != _Needs.SECOND_READ:
                    return True  # accepted now, or waiting for frames that no search replaces
                frames = len(track.frames) if track is not None else 0
                if max(frames + 1, len(attempts[key])) >= self._second_read:
                    return True
            return False

        reads = self._read(_gray(frame), settled)
        attempts = _attempts(reads)
        contested = self._contested(reads)
        accepted: list[AcceptedScan] = []
        pending: list[Detection] = []
        seen: set[_Key] = set()
        for read in reads:
            scan = read.outcome
            if isinstance(scan, RejectedScan):
                continue
            key = (scan.kind, scan.value)
            if key in seen:  # two attempts or two symbols: one frame is one sighting
                continue
            seen.add(key)
            track = self._tracks.get(key)
            if track is not None and track.accepted:  # still in view since it was accepted
                track.last_seen = now
                continue
            if key in contested:
                continue
            track = self._tracks.setdefault(key, _Track(deque(), now))
            track.last_seen = now
            track.frames.append(now)
            while now - track.frames[0] > self._window:
                track.frames.popleft()
            needs = self._needs(scan)
            if needs == _Needs.FRAMES:
                ready = len(track.frames) >= self._confirm_frames
            elif needs == _Needs.SECOND_READ:
                ready = max(len(track.frames), len(attempts[key])) >= self._second_read
            else:
                ready = True
            if ready:
                track.accepted = True
                accepted.append(AcceptedScan(scan, read.detection))
            else:
                pending.append(read.detection)
        return FrameResult(tuple(accepted), _rejections(reads, contested), tuple(pending))

    def decode_still(self, image: Frame) -> FrameResult:
        """Read a still image, which has no second frame; see ``decode_image_file``.

        Leaves the decoder's confirmation and debounce state alone.
        """
        reads = self._read(_gray(image), None)
        attempts = _attempts(reads)
        contested = self._contested(reads)
        first: dict[_Key, _Read] = {}
        for read in reads:
            if isinstance(read.outcome, ClassifiedScan):
                key = (read.outcome.kind, read.outcome.value)
                if key not in contested:
                    first.setdefault(key, read)
        accepted: list[AcceptedScan] = []
        rejected = list(_rejections(reads, contested))
        for key, read in first.items():
            scan = read.outcome
            assert isinstance(scan, ClassifiedScan)
            if self._needs(scan) == _Needs.ONE_READ or len(attempts[key]) >= self._second_read:
                accepted.append(AcceptedScan(scan, read.detection))
            else:
                rejected.append(RejectedRead(read.detection, "seen once: needs a second frame"))
        return FrameResult(tuple(accepted), tuple(rejected), ())

    @property
    def _second_read(self) -> int:
        return min(2, self._confirm_frames)

    def _needs(self, scan: ClassifiedScan) -> _Needs:
        if self._confirm_frames == 1:
            return _Needs.ONE_READ
        if not has_verified_check_digit(scan):
            return _Needs.FRAMES
        if (scan.symbology or "")[:2] in _STRONG_SYMBOLOGIES:
            return _Needs.ONE_READ
        return _Needs.SECOND_READ

    def _contested(self, reads: Sequence[_Read]) -> set[_Key]:
        """Values that need more than one read and were read where another value was read too.

        zxing-cpp has returned a correct UPS number and, from scan lines a few pixels away on the
        same symbol, a Code128 misread that passed the symbol's own check, and did so again in a
        later frame. Two values on one spot mean one is wrong: only a value that one read
        settles (a verified check digit in a strongly checked symbol) can stand there.
        """
        classified = [
            (read, (read.outcome.kind, read.outcome.value))
            for read in reads
            if isinstance(read.outcome, ClassifiedScan)
        ]
        outlines = [_outline(read.detection.corners) for read, _ in classified]
        contested: set[_Key] = set()
        for i, (read, key) in enumerate(classified):
            assert isinstance(read.outcome, ClassifiedScan)
            if key in contested or self._needs(read.outcome) == _Needs.ONE_READ:
                continue
            for j, (_, other) in enumerate(classified):
                if other != key and _overlap(outlines[i], outlines[j]):
                    contested.add(key)
                    break
        return contested

    # Reading ---------------------------------------------------------------------------------

    def _read(self, gray: Frame, settled: Callable[[Sequence[_Read]], bool] | None) -> list[_Read]:
        """Classified reads of the frame, pass 1 then pass 2 until ``settled`` says enough.

        Without ``settled`` (a still image), every pass and every crop is tried.
        """
        started = time.perf_counter()
        found = zxingcpp.read_barcodes(
            gray,
            formats=self._all,
            try_invert=False,  # labels are dark on light; inverting costs about a third more
            text_mode=zxingcpp.TextMode.Plain,  # GS1 with GS separators, as a wedge sends it
        )
        reads = [self._classified(barcode, _frame_corners(barcode), 0) for barcode in found]
        if settled is not None and settled(reads):
            return reads
        regions = _find_regions(
            gray, stripes=self._striped is not None, blobs=self._blobs is not None
        )
        attempt = 1
        for index, region in enumerate(regions[:MAX_CANDIDATES]):
            if settled is not None and index and time.perf_counter() - started > self._budget:
                break
            formats = self._striped if region.stripes else self._blobs
            assert formats is not None  # _find_regions looks only for configured kinds
            for crop in _crops(gray, region):
                found = zxingcpp.read_barcodes(
                    crop.image,
                    formats=formats,
                    try_rotate=not region.stripes,  # bars are upright already
                    try_downscale=False,
                    # Light-on-dark DataMatrix (marked on dark plastic) is a 2D thing, and 2D
                    # crops are small enough to try both ways.
                    try_invert=not region.stripes,
                    text_mode=zxingcpp.TextMode.Plain,
                )
                reads += [self._classified(b, crop.corners(b, region), attempt) for b in found]
                attempt += 1
                if settled is not None and settled(reads):
                    return reads
        return reads

    def _classified(
        self, barcode: zxingcpp.Barcode, corners: tuple[Point, ...], attempt: int
    ) -> _Read:
        detection = Detection(
            text=barcode.text,
            format=barcode.format.name,
            symbology=barcode.symbology_identifier,
            corners=corners,
        )
        outcome: ClassifiedScan | RejectedScan
        try:
            if detection.symbology.startswith("]I") and len(detection.text) != 14:
                raise RejectedScan(
                    f"ITF barcode read as {len(detection.text)} digits, not 14 — scan again."
                )
            outcome = classify(detection.symbology + detection.text, rules=self._rules)
        except RejectedScan as exc:
            outcome = exc
        return _Read(detection, outcome, attempt)


def _rejections(reads: Iterable[_Read], contested: set[_Key]) -> tuple[RejectedRead, ...]:
    """The rejected and contested reads, each text once (several attempts read one symbol)."""
    rejected: dict[tuple[str, str], RejectedRead] = {}
    for read in reads:
        outcome = read.outcome
        if isinstance(outcome, RejectedScan):
            reason = str(outcome)
        elif (outcome.kind, outcome.value) in contested:
            reason = "Barcode read as two different values — hold it still and scan again."
        else:
            continue
        key = (read.detection.symbology, read.detection.text)
        rejected.setdefault(key, RejectedRead(read.detection, reason))
    return tuple(rejected.values())


def _outline(corners: Sequence[Point]) -> npt.NDArray[np.float32]:
    """A read's outline as a rectangle, grown a little: 1D positions are thin scan lines."""
    (cx, cy), (w, h), angle = cv2.minAreaRect(np.array(corners, np.float32))
    grow = 2 * (4.0 + 0.06 * max(w, h))
    return np.asarray(cv2.boxPoints(((cx, cy), (w + grow, h + grow), angle)), np.float32)


def _overlap(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> bool:
    area, _ = cv2.intersectConvexConvex(a, b)
    return float(area) > 0


def _attempts(reads: Iterable[_Read]) -> dict[_Key, set[int]]:
    """For each value read, the decoding attempts that read it."""
    attempts: dict[_Key, set[int]] = {}
    for read in reads:
        if isinstance(read.outcome, ClassifiedScan):
            key = (read.outcome.kind, read.outcome.value)
            attempts.setdefault(key, set()).add(read.attempt)
    return attempts


def has_verified_check_digit(scan: ClassifiedScan) -> bool:
    """True when ``classify`` verified the value's own check digit (GTIN, UPS, IMpb, SSCC...)."""
    if scan.kind is ScanKind.GTIN:
        return True
    if scan.kind is not ScanKind.TRACKING:
        return False
    if scan.carrier in _VERIFIED_CARRIERS:
        return True
    # FedEx in GS1-128 (AI 96) carries a mod-10 digit; bare 12/15-digit FedEx guesses do not count.
    return scan.carrier == Carrier.FEDEX and scan.symbology == "]C1"


def decode_image_file(path: Path, *, decoder: FrameDecoder) -> FrameResult:
    """Read a still image (PNG, JPEG, ...) with the decoder's formats and rules.

    A still has one frame, so the multi-frame confirmation cannot happen. Instead, a value
    without a verified check digit is accepted when two independent decoding attempts read it
    (the whole-image pass and a straightened or upscaled crop, or two crops at different
    scales); read by one attempt only, it is reported as rejected, "seen once: needs a second
    frame". Values with a verified check digit are accepted on one read, as in ``decode``.
    Raises ``OSError`` when the file cannot be read as an image.
    """
    data = np.fromfile(path, dtype=np.uint8)  # raises OSError for missing or unreadable files
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise OSError(errno.EINVAL, "not an image OpenCV can read", str(path))
    return decoder.decode_still(np.asarray(image, np.uint8))


# Image work ----------------------------------------------------------------------------------


def _gray(frame: Frame) -> Frame:
    if frame.dtype != np.uint8:
        raise ValueError(f"Frames must be uint8, not {frame.dtype}")
    if frame.ndim == 2:
        return frame
    if frame.ndim == 3 and frame.shape[2] == 3:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), np.uint8)
    if frame.ndim == 3 and frame.shape[2] == 1:
        return frame[:, :, 0]
    raise ValueError(f"Frames must be grayscale or BGR, not shape {frame.shape}")


def _frame_corners(barcode: zxingcpp.Barcode) -> tuple[Point, ...]:
    p = barcode.position
    points = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
    return tuple((float(q.x), float(q.y)) for q in points)


def _find_regions(gray: Frame, *, stripes: bool, blobs: bool) -> list[_Region]:
    """Regions that may hold a symbol, best first, from the gradient's structure tensor."""
    h, w = gray.shape
    size = (w // _CELL, h // _CELL)
    if size[0] < 4 or size[1] < 4:
        return []
    # Half size: a quarter of the work. Bars stay bars when shrunk (even aliased), so the
    # direction survives; only the energy of the finest modules drops.
    half = cv2.resize(gray, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(half, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(half, cv2.CV_32F, 0, 1, ksize=3)

    def cells(product: cv2.typing.MatLike) -> _Floats:
        small = cv2.resize(product, size, interpolation=cv2.INTER_AREA)
        return np.asarray(cv2.blur(small, (3, 3)), np.float32)

    jxx = cells(cv2.multiply(gx, gx))
    jyy = cells(cv2.multiply(gy, gy))
    jxy = cells(cv2.multiply(gx, gy))
    energy = jxx + jyy
    diff = jxx - jyy
    coherence = np.sqrt(diff * diff + 4 * jxy * jxy) / (energy + 1e-3)
    strong = energy > _MIN_EDGES**2
    regions: list[_Region] = []
    if stripes:
        mask = (strong & (coherence > _STRIPE_COHERENCE)).astype(np.uint8)
        regions += _stripe_regions(mask, jxx, jyy, jxy, coherence)
    if blobs:
        mask = (strong & (coherence < _BLOB_COHERENCE)).astype(np.uint8)
        regions += _blob_regions(mask)
    # Bars first: pass 1 misses tilted 1D symbols far more often than it misses QR or DataMatrix.
    regions.sort(key=lambda r: (not r.stripes, -r.score))
    return regions


def _stripe_regions(
    mask: Frame, jxx: _Floats, jyy: _Floats, jxy: _Floats, coherence: _Floats
) -> list[_Region]:
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)  # gaps of wide spaces
    count, labels, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    regions: list[_Region] = []
    for label in range(1, count):
        if stats[label, cv2.CC_STAT_AREA] < 16:
            continue
        x, y, bw, bh = (int(v) for v in stats[label, :4])
        inside = labels[y : y + bh, x : x + bw] == label
        sxx = float(jxx[y : y + bh, x : x + bw][inside].sum())
        syy = float(jyy[y : y + bh, x : x + bw][inside].sum())
        sxy = float(jxy[y : y + bh, x : x + bw][inside].sum())
        angle = 0.5 * math.atan2(2 * sxy, sxx - syy)  # the gradient's direction: across bars
        ys, xs = np.nonzero(inside)
        # Only cells whose own direction agrees: a label edge touching the bars is not a bar.
        cxx = jxx[y : y + bh, x : x + bw][inside]
        cyy = jyy[y : y + bh, x : x + bw][inside]
        cxy = jxy[y : y + bh, x : x + bw][inside]
        c2, s2 = math.cos(2 * angle), math.sin(2 * angle)
        agreement = ((cxx - cyy) * c2 + 2 * cxy * s2) / (cxx + cyy + 1e-3)
        keep = agreement > _SAME_DIRECTION
        if keep.sum() < 12:
            continue
        px = (xs[keep] + x + 0.5) * _CELL
        py = (ys[keep] + y + 0.5) * _CELL
        cos_a, sin_a = math.cos(angle), math.sin(angle)
        u = px * cos_a + py * sin_a
        v = -px * sin_a + py * cos_a
        rows = _bar_rows(v)
        if rows is None:
            continue
        u, v = u[rows], v[rows]
        u0, u1, v0, v1 = float(u.min()), float(u.max()), float(v.min()), float(v.max())
        length, height = u1 - u0 + _CELL, v1 - v0 + _CELL
        if length < 40:  # a printed line or an edge, not bars
            continue
        uc, vc = (u0 + u1) / 2, (v0 + v1) / 2
        center = (uc * cos_a - vc * sin_a, uc * sin_a + vc * cos_a)
        score = float(keep.sum()) * float(coherence[y : y + bh, x : x + bw][inside].mean())
        regions.append(_Region(center, angle, length, height, True, score))
    return regions


def _bar_rows(v: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_] | None:
    """The cells, by position ``v`` along the bars, that belong to the symbol's rows of bars.

    A line printed or lying parallel to the bars joins their region but is thin across them:
    cut along v at rows much narrower than the widest, keep the longest run of wide rows.
    """
    row = ((v - v.min()) / _CELL).astype(np.int64)
    widths = np.bincount(row)
    wide = widths >= max(3.0, 0.4 * float(widths.max()))
    best_start, best_end, start = 0, -1, -1
    gap = 0
    for index, is_wide in enumerate(wide):
        if is_wide:
            if start < 0:
                start = index
            gap = 0
            if index - start > best_end - best_start:
                best_start, best_end = start, index
        elif start >= 0:
            gap += 1
            if gap > 2:  # a short gap is a defect; more is another object
                start, gap = -1, 0
    if best_end < best_start:
        return None
    selected: npt.NDArray[np.bool_] = (row >= best_start) & (row <= best_end)
    return selected


def _blob_regions(mask: Frame) -> list[_Region]:
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    opened = cv2.morphologyEx(closed, cv2.MORPH_OPEN, kernel)  # thin strokes: text, edges
    count, _, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    regions: list[_Region] = []
    for label in range(1, count):
        x, y, bw, bh, area = (int(v) for v in stats[label])
        long_side, short_side = max(bw, bh), min(bw, bh)
        if area < 12 or long_side > 3 * short_side or long_side * _CELL > 480:
            continue
        center = ((x + bw / 2) * _CELL, (y + bh / 2) * _CELL)
        regions.append(_Region(center, 0.0, bw * _CELL, bh * _CELL, False, float(area)))
    return regions


@dataclass(frozen=True)
class _Crop:
    image: Frame
    to_frame: npt.NDArray[np.float64]  # 2x3 affine: crop pixels to frame pixels

    def corners(self, barcode: zxingcpp.Barcode, region: _Region) -> tuple[Point, ...]:
        p = barcode.position
        points = [(q.x, q.y) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
        if region.stripes and barcode.format in _LINEAR:
            # A 1D read's position is the scan lines that agreed; outline the bars' full height.
            x0 = min(q[0] for q in points)
            x1 = max(q[0] for q in points)
            y1 = self.image.shape[0] - 1
            points = [(x0, 0), (x1, 0), (x1, y1), (x0, y1)]
        crop = np.array(points, np.float64)
        mapped = crop @ self.to_frame[:, :2].T + self.to_frame[:, 2]
        return tuple((float(px), float(py)) for px, py in mapped)


def _crops(gray: Frame, region: _Region) -> Iterable[_Crop]:
    """Crops of a region to decode, most promising first."""
    scales: tuple[float, ...]
    if region.stripes:
        # Quiet zone: zxing-cpp wants about ten modules of white beyond the bars.
        margin_u = max(16.0, 0.1 * region.length)
        margin_v = 6.0
        scales = _STRIPE_SCALES
    else:
        margin_u = margin_v = max(12.0, 0.2 * max(region.length, region.height))
        scales = (2.0, 3.0) if max(region.length, region.height) < 160 else (1.0, 2.0)
    area = (region.length + 2 * margin_u) * (region.height + 2 * margin_v)
    for scale in scales:
        if scale == 1 or area * scale * scale <= _MAX_CROP_PIXELS:
            yield _warp(gray, region, margin_u, margin_v, scale)


def _warp(gray: Frame, region: _Region, margin_u: float, margin_v: float, scale: float) -> _Crop:
    """The region turned so that u runs along x, with margins, enlarged ``scale`` times."""
    cos_a, sin_a = math.cos(region.angle), math.sin(region.angle)
    half_w = region.length / 2 + margin_u
    half_h = region.height / 2 + margin_v
    width, height = max(8, round(2 * half_w * scale)), max(8, round(2 * half_h * scale))
    cx, cy = region.center
    # Crop (x, y) to frame: center + (x / scale - half_w) * u_axis + (y / scale - half_h) * v_axis
    to_frame = np.array(
        [
            [cos_a / scale, -sin_a / scale, cx - half_w * cos_a + half_h * sin_a],
            [sin_a / scale, cos_a / scale, cy - half_w * sin_a - half_h * cos_a],
        ]
    )
    interpolation = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_LINEAR
    image = cv2.warpAffine(
        gray,
        to_frame,
        (width, height),
        flags=interpolation | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return _Crop(np.asarray(image, np.uint8), to_frame)


__all__ = [
    "DEFAULT_FORMATS",
    "AcceptedScan",
    "Detection",
    "FrameDecoder",
    "FrameResult",
    "RejectedRead",
    "decode_image_file",
    "has_verified_check_digit",
    "parse_formats",
]
