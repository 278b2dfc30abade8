"""Garbage-collection pauses in the station's window process, with and without ``gc.freeze()``.

A full (generation 2) collection walks every tracked object while holding the GIL, so the
window's thread stands still for its whole length: keys queue, timers fire late. This starts
the real window process (``python -m returnsdesk --demo``, Qt offscreen, a throwaway
XDG_DATA_HOME/XDG_CONFIG_HOME), lets it finish starting (the window built, then ``--settle``
seconds for the background work it starts), and then, from a thread inside that process,
times full collections (``gc.callbacks``) in ``--rounds`` rounds, each of both modes:

* ``unfrozen``: ``gc.unfreeze()``: every object made so far is walked again;
* ``frozen``: ``gc.freeze()``: the objects made so far are moved out of the collector's reach
  (what the station does once its window is up, ``qt/app.py``), so only later ones are walked;

then works one one-unit demo return by keystrokes (parcel scan, item scan, grade 2, Y to its
checklist, Enter: key events posted to the window's focus widget, as the window system
delivers them) and times one full collection.

Before those rounds it measures what the station's own freeze costs in memory: objects frozen
at start-up that become garbage in a reference cycle later are never collected. It works
``--kept-after`` returns with the station's freeze in place, collects as usual, then unfreezes
and collects once more with ``gc.DEBUG_SAVEALL``: what that second collection finds is what
the freeze had kept (counted, and sized with ``sys.getsizeof``, which leaves out buffers
owned by C++ objects).

It also reports the collections the process ran by itself while starting (how many full ones,
and the longest). Figures are written to README ("Garbage-collection pauses").

Run: ``.venv/bin/python bench/bench_gc.py [--rounds 7] [--settle 12]``
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO_FILE = "returnsdesk-demo.sqlite3"  # in the data dir: returnsdesk.data.db


def _kept_by_freeze() -> tuple[int, int, dict[str, int]]:
    """Unfreeze, and collect what the freeze had kept from the collector: (objects, bytes,
    the most common types). The caller has just run a normal full collection."""
    import gc

    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.unfreeze()
        gc.collect()
        kept = list(gc.garbage)
    finally:
        gc.garbage.clear()
        gc.set_debug(0)
    by_type: dict[str, int] = {}
    for obj in kept:
        name = type(obj).__name__
        by_type[name] = by_type.get(name, 0) + 1
    common = dict(sorted(by_type.items(), key=lambda item: -item[1])[:6])
    return len(kept), sum(sys.getsizeof(obj) for obj in kept), common


def _child(out: Path, rounds: int, settle_s: float, kept_after: int) -> None:
    """Runs inside the window process: time collections once the window is up."""
    import gc
    import runpy

    from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication, QWidget

    timings: list[tuple[int, float]] = []  # (generation, ms) of every collection
    started: list[float] = []

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            timings.append((info["generation"], (time.perf_counter() - started.pop()) * 1000))

    gc.callbacks.append(on_gc)
    window_built = threading.Event()
    focus: list[QWidget] = []  # the window's focus widget, as last seen by the GUI thread
    codes: list[tuple[str, str]] = []  # (tracking number, item barcode) of one-unit returns

    import returnsdesk.qt.app as app_module

    build = app_module.build_main_window

    def build_and_tell(*args: Any, **kwargs: Any) -> Any:
        window = build(*args, **kwargs)
        demo = args[0].demo
        for parcel in demo.parcels if demo is not None else ():
            (item, *more) = parcel.items
            if not more and item.quantity == 1 and not item.serial_numbers:
                codes.append((parcel.tracking_number, item.gtin))

        def note_focus() -> None:
            focus[:] = [QApplication.focusWidget() or window]

        watcher = QTimer(window)
        watcher.timeout.connect(note_focus)
        watcher.start(50)
        window_built.set()
        return window

    def post(text: str, *, enter: bool) -> None:
        for ch in text:
            key = QKeyEvent(
                QEvent.Type.KeyPress, Qt.Key(ord(ch.upper())), Qt.KeyboardModifier(0), ch
            )
            QCoreApplication.postEvent(focus[0], key)
        if enter:
            QCoreApplication.postEvent(
                focus[0],
                QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier(0)),
            )

    app_module.build_main_window = build_and_tell  # type: ignore[assignment]

    def work_one_return() -> int:
        """Work the next one-unit demo return by keystrokes; how many were worked (0 or 1)."""
        if not codes:
            time.sleep(4.0)
            return 0
        tracking, gtin = codes.pop(0)
        # Grade 2, then Y to any checklist question (a key that asks nothing is refused).
        steps = [(tracking, True, 1.0), (gtin, True, 1.0), ("2", False, 0.4)] + [
            ("Y", False, 0.4)
        ] * 4
        for text, enter, wait_s in steps:
            post(text, enter=enter)
            time.sleep(wait_s)
        post("", enter=True)
        time.sleep(1.5)
        return 1

    def measure() -> None:
        window_built.wait()
        time.sleep(settle_s)
        at_start = list(timings)
        frozen_by_station = gc.get_freeze_count()
        kept_worked = sum(work_one_return() for _ in range(kept_after))
        gc.collect()
        kept_objects, kept_bytes, kept_types = _kept_by_freeze()
        results: dict[str, list[float]] = {"unfrozen": [], "frozen": []}
        tracked: dict[str, list[int]] = {"unfrozen": [], "frozen": []}
        while_working: list[float] = []
        worked = 0
        for _ in range(rounds):
            for mode in ("unfrozen", "frozen"):
                if mode == "unfrozen":
                    gc.unfreeze()
                else:
                    gc.freeze()
                timings.clear()
                worked += work_one_return()
                while_working += [ms for gen, ms in timings if gen == 2]
                tracked[mode].append(len(gc.get_objects()))
                timings.clear()
                gc.collect()
                results[mode].append(sum(ms for gen, ms in timings if gen == 2))
        full = [ms for gen, ms in at_start if gen == 2]
        out.write_text(
            json.dumps(
                {
                    "start_collections": len(at_start),
                    "start_full_ms": full,
                    "frozen_by_station": frozen_by_station,
                    "kept": [kept_worked, kept_objects, kept_bytes, kept_types],
                    "worked": worked,
                    "while_working_full_ms": while_working,
                    "tracked": tracked,
                    "full_ms": results,
                    "thresholds": gc.get_threshold(),
                }
            )
        )

    threading.Thread(target=measure, daemon=True).start()
    sys.argv = ["returnsdesk", "--demo"]
    runpy.run_module("returnsdesk", run_name="__main__", alter_sys=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--settle", type=float, default=12.0)
    parser.add_argument(
        "--kept-after",
        type=int,
        default=3,
        help="returns worked before measuring the freeze's memory",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(args.child, args.rounds, args.settle, args.kept_after)
        return
    with tempfile.TemporaryDirectory(prefix="bench-gc-") as tmp:
        home = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNSDESK_")}
        env.update(
            QT_QPA_PLATFORM="offscreen",
            XDG_DATA_HOME=str(home / "data"),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_CACHE_HOME=str(home / "cache"),
            XDG_STATE_HOME=str(home / "state"),
            PYTHONPATH=str(ROOT / "src"),
        )
        out = home / "gc.json"
        command = [sys.executable, __file__, "--child", str(out), "--rounds", str(args.rounds)]
        command += ["--settle", str(args.settle), "--kept-after", str(args.kept_after)]
        child = subprocess.Popen(command, env=env)
        try:
            deadline = time.monotonic() + 600
            while not out.exists() and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(0.2)  # the file is written in one call; let it land
        finally:
            child.terminate()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
        if not out.exists():
            raise SystemExit("the window process gave no figures")
        figures = json.loads(out.read_text())
        with sqlite3.connect(home / "data" / "returnsdesk" / DEMO_FILE) as db:
            (completed,) = db.execute(
                "SELECT count(*) FROM returns WHERE status = 'completed'"
            ).fetchone()
    load = os.getloadavg()
    full = figures["start_full_ms"]
    lines = [
        f"load average {load[0]:.1f} {load[1]:.1f}; thresholds {figures['thresholds']}",
        f"start-up: {figures['start_collections']} collections, {len(full)} full "
        f"({', '.join(f'{ms:.0f}' for ms in full)} ms); frozen by the station at start: "
        f"{figures['frozen_by_station']:,} objects",
        "kept by the station's freeze after {} return(s): {:,} objects, {:,} bytes ({})".format(
            *figures["kept"][:3], ", ".join(f"{k} {v}" for k, v in figures["kept"][3].items())
        ),
        f"returns worked by keystrokes: {figures['worked'] + figures['kept'][0]}"
        f" ({completed} completed in the "
        f"database); full collections the process ran meanwhile: "
        f"{[round(ms) for ms in figures['while_working_full_ms']]} ms",
    ]
    medians = {mode: statistics.median(ms) for mode, ms in figures["full_ms"].items()}
    for mode, ms in figures["full_ms"].items():
        objects = statistics.median(figures["tracked"][mode])
        lines.append(
            f"{mode:9} full collection after a return: median {medians[mode]:8.2f} ms "
            f"[{min(ms):.2f}-{max(ms):.2f}], objects it walks: {objects:,.0f}"
        )
    lines.append(f"ratio frozen/unfrozen: {medians['frozen'] / medians['unfrozen']:.4f}")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
