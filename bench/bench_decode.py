"""Camera decoding: the station's ``FrameDecoder`` against plain ``zxingcpp.read_barcodes``.

For every case in ``bench/frames.py`` (Code128 UPS/DHL/RMA, GS1-128 USPS/FedEx, DataMatrix,
GS1 DataMatrix, QR, PDF417, EAN-13, UPC-A, EAN-8, ITF-14) it draws ``--frames`` scenes and
feeds each scene to both readers in the same run:

* Values with a verified check digit (UPS, USPS, FedEx 96, GTINs) get one frame.
* Values without one (RMA, DHL JJD) get two frames of the same scene with fresh sensor noise,
  1/30 s apart on the decoder's clock: the station accepts them only when both frames read the
  same value. Plain zxing-cpp counts as decoded when either frame gives the true text, so the
  comparison favours plain zxing-cpp.

A scene counts as decoded when the decoder accepted the true value (plain: returned the true
text), and as a false accept when anything else was accepted (plain: any other text returned).
Times are per frame, wall clock, on one core: the process is pinned to one CPU and OpenCV's
thread pool is set to one thread. Plain zxing-cpp is timed with its defaults, all formats, on
the BGR frame, as a caller would use it.

Run: ``.venv/bin/python bench/bench_decode.py [--frames 60] [--seed 0] [--case EAN]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import zxingcpp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from frames import CASES, Case, render, scenes  # noqa: E402

from returnsdesk.scan.decode import FrameDecoder  # noqa: E402

TARGET_GAIN = 0.15  # at least 15% more scenes decoded than plain zxing-cpp
TARGET_MEDIAN_MS = 33.0  # 30 frames per second on one core


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Tally:
    scenes: int = 0
    decoded: int = 0
    false_accepts: int = 0
    ms: list[float] = field(default_factory=list)
    false_examples: list[str] = field(default_factory=list)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_case(case: Case, count: int, seed: int, decoder: FrameDecoder, clock: FakeClock) -> tuple[Tally, Tally]:
    ours, plain = Tally(), Tally()
    for scene in scenes(case, count, seed=seed):
        frames = [render(scene, 0)] if case.check_digit else [render(scene, 0), render(scene, 1)]
        decoder.reset()
        clock.now += 10.0
        accepted: set[str] = set()
        texts: set[str] = set()
        for frame in frames:
            clock.now += 1 / 30
            started = time.perf_counter()
            result = decoder.decode(frame)
            ours.ms.append((time.perf_counter() - started) * 1000)
            accepted.update(a.scan.value for a in result.accepted)

            started = time.perf_counter()
            found = zxingcpp.read_barcodes(frame)
            plain.ms.append((time.perf_counter() - started) * 1000)
            texts.update(barcode.text for barcode in found)
        for tally, got, truth in ((ours, accepted, scene.payload.value), (plain, texts, scene.truth_text)):
            tally.scenes += 1
            tally.decoded += truth in got
            wrong = got - {truth}
            if wrong:
                tally.false_accepts += 1
                tally.false_examples.append(f"{case.name} seed {scene.seed}: {sorted(wrong)} for {truth!r}")
    return ours, plain


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--frames", type=int, default=60, help="scenes per case (default 60)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--case", default="", help="only cases whose name contains this")
    args = parser.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, whatever else runs
    cv2.setNumThreads(1)
    clock = FakeClock()
    decoder = FrameDecoder(clock=clock)

    out = sys.stdout
    header = f"{'case':<22} {'scenes':>6} | {'ours':>5} {'FA':>3} {'med ms':>7} {'p95 ms':>7} | {'plain':>5} {'FA':>3} {'med ms':>7} {'p95 ms':>7}"
    out.write(header + "\n" + "-" * len(header) + "\n")
    total_ours, total_plain = Tally(), Tally()
    for case in CASES:
        if args.case.lower() not in case.name.lower():
            continue
        ours, plain = run_case(case, args.frames, args.seed, decoder, clock)
        out.write(
            f"{case.name:<22} {ours.scenes:>6} | {ours.decoded:>5} {ours.false_accepts:>3} "
            f"{statistics.median(ours.ms):>7.1f} {_percentile(ours.ms, 0.95):>7.1f} | "
            f"{plain.decoded:>5} {plain.false_accepts:>3} {statistics.median(plain.ms):>7.1f} "
            f"{_percentile(plain.ms, 0.95):>7.1f}\n"
        )
        out.flush()
        for total, tally in ((total_ours, ours), (total_plain, plain)):
            total.scenes += tally.scenes
            total.decoded += tally.decoded
            total.false_accepts += tally.false_accepts
            total.ms += tally.ms
            total.false_examples += tally.false_examples
    if not total_ours.scenes:
        out.write("no case matched\n")
        return 1
    out.write("-" * len(header) + "\n")
    out.write(
        f"{'total':<22} {total_ours.scenes:>6} | {total_ours.decoded:>5} {total_ours.false_accepts:>3} "
        f"{statistics.median(total_ours.ms):>7.1f} {_percentile(total_ours.ms, 0.95):>7.1f} | "
        f"{total_plain.decoded:>5} {total_plain.false_accepts:>3} "
        f"{statistics.median(total_plain.ms):>7.1f} {_percentile(total_plain.ms, 0.95):>7.1f}\n\n"
    )
    ours_rate = total_ours.decoded / total_ours.scenes
    plain_rate = total_plain.decoded / total_plain.scenes
    gain = total_ours.decoded / total_plain.decoded - 1 if total_plain.decoded else float("inf")
    median_ms = statistics.median(total_ours.ms)
    out.write(
        f"decoded: ours {ours_rate:.1%}, plain zxing-cpp {plain_rate:.1%} "
        f"({gain:+.1%} scenes; target >= +{TARGET_GAIN:.0%})\n"
        f"false accepts: ours {total_ours.false_accepts}, plain {total_plain.false_accepts} "
        "(target 0 for ours)\n"
        f"median per 1280x720 frame, one core: ours {median_ms:.1f} ms, "
        f"plain {statistics.median(total_plain.ms):.1f} ms (target <= {TARGET_MEDIAN_MS:.0f} ms)\n"
    )
    for example in total_ours.false_examples:
        out.write(f"  ours false accept: {example}\n")
    for example in total_plain.false_examples[:10]:
        out.write(f"  plain false read: {example}\n")
    met = gain >= TARGET_GAIN and total_ours.false_accepts == 0 and median_ms <= TARGET_MEDIAN_MS
    out.write("targets met\n" if met else "targets NOT met\n")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
