"""OpenCV builds: the PyPI opencv-python-headless wheel against the station's slim one.

Two interpreters (venvs with the project installed that differ only in their ``cv2``) run turn
about, so that drift on a shared machine hits both alike. Each turn runs, with that
interpreter:

* ``bench/bench_decode.py --frames N``: the camera decoder end to end (scenes decoded, median
  wall and CPU ms per 1280x720 frame, one core);
* this script's ``--photo`` child: the photo path of ``services/photos.py`` on a 4032x3024
  phone-sized frame (JPEG decode, shrink to 1600 px with INTER_AREA, encode at quality 85, and
  a 160 px thumbnail), median wall and CPU ms per photo over ``--photos`` runs, one core.

It prints each turn, then the medians per build and their ratio slim/stock, with the load
average before and after.

Run: ``.venv/bin/python bench/bench_opencv_builds.py --stock /tmp/stock/bin/python
--slim /tmp/slim/bin/python [--rounds 3] [--frames 20] [--photos 15]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import cast

BENCH = Path(__file__).resolve().parent
DECODED = re.compile(r"decoded: ours ([\d.]+)%")
WALL = re.compile(r"one core: ours ([\d.]+) ms")
CPU = re.compile(r"CPU time .*?: ours ([\d.]+) ms")


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def photo_child(runs: int) -> None:
    """Time the photo path in this interpreter; print one JSON line."""
    import cv2
    import numpy as np
    import numpy.typing as npt

    from returnsdesk.services.photos import _encode_jpeg, _fit

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cv2.setNumThreads(1)
    # A frame with edges and texture (JPEG of pure noise or flat colour would be atypical).
    rng = np.random.default_rng(0)
    frame = np.zeros((3024, 4032, 3), np.uint8)
    for _ in range(400):
        x, y = (int(v) for v in rng.integers(0, 4000, 2))
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        cv2.rectangle(frame, (x, y % 3000), (x + 300, y % 3000 + 200), colour, -1)
    noisy = cv2.add(frame, rng.integers(0, 24, frame.shape, dtype=np.uint8))
    ok, taken = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    times, cpu_times = [], []
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), time.thread_time()
        image = cast("npt.NDArray[np.uint8]", cv2.imdecode(taken, cv2.IMREAD_COLOR))
        data, width, height = _encode_jpeg(image)
        _fit(image, 160)
        times.append((time.perf_counter() - start) * 1000)
        cpu_times.append((time.thread_time() - cpu_start) * 1000)
    figures = {"photo_ms": statistics.median(times), "photo_cpu_ms": statistics.median(cpu_times)}
    _say(json.dumps(figures | {"bytes": len(data), "size": width}))


def _turn(python: str, frames: int, photos: int) -> dict[str, float]:
    decode = subprocess.run(
        [python, str(BENCH / "bench_decode.py"), "--frames", str(frames)],
        capture_output=True,
        text=True,
        check=False,  # exit 1 means a target missed; the figures are still printed
    ).stdout
    figures = {}
    for name, pattern in (("decoded", DECODED), ("frame_ms", WALL), ("frame_cpu_ms", CPU)):
        match = pattern.search(decode)
        if match is None:
            raise SystemExit(f"{python}: bench_decode.py printed no {name}:\n{decode}")
        figures[name] = float(match.group(1))
    photo = subprocess.run(
        [python, __file__, "--photo", str(photos)], capture_output=True, text=True, check=True
    )
    photo_figures = json.loads(photo.stdout)
    figures["photo_ms"] = photo_figures["photo_ms"]
    figures["photo_cpu_ms"] = photo_figures["photo_cpu_ms"]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--stock", help="python of a venv with the PyPI wheel")
    parser.add_argument("--slim", help="python of a venv with the slim wheel")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--frames", type=int, default=20, help="bench_decode.py --frames")
    parser.add_argument("--photos", type=int, default=15, help="photos timed per turn")
    parser.add_argument("--photo", type=int, default=0, help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args(argv)
    if args.photo:
        photo_child(args.photo)
        return 0
    if not args.stock or not args.slim:
        parser.error("--stock and --slim are required")

    builds = {"stock": args.stock, "slim": args.slim}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in builds}
    _say(f"load average before: {_load()}")
    for round_ in range(args.rounds):
        order = list(builds) if round_ % 2 == 0 else list(reversed(builds))
        for name in order:
            figures = _turn(builds[name], args.frames, args.photos)
            results[name].append(figures)
            _say(f"round {round_ + 1} {name:<5} {figures}  (load {_load()})")
    keys = ("decoded", "frame_ms", "frame_cpu_ms", "photo_ms", "photo_cpu_ms")
    _say(f"\n{'median':<14}" + "".join(f"{key:>14}" for key in keys))
    medians = {
        name: {key: statistics.median(turn[key] for turn in turns) for key in keys}
        for name, turns in results.items()
    }
    for name, row in medians.items():
        _say(f"{name:<14}" + "".join(f"{row[key]:>14.1f}" for key in keys))
    ratios = "".join(f"{medians['slim'][key] / medians['stock'][key]:>14.2f}" for key in keys)
    _say(f"{'slim/stock':<14}{ratios}")
    _say(f"load average after: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
