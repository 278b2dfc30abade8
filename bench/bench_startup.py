"""Start-up time: the installed build against starting from source, in the same run.

For each way of starting (``source``: the dev venv's ``python -m returnsdesk``; ``build``: the
PyInstaller executable) and each scenario, the median and spread of N runs, interleaved so
that drift on a shared machine hits both alike:

* ``version``: ``--version``, interpreter and bootloader start-up only (no Qt, no database);
* ``self-test``: ``--self-test`` to its exit (migrates a temp database, decodes, renders a PDF,
  draws a widget offscreen): every heavy import once;
* ``ready``: ``--demo`` with ``RETURNSDESK_EXIT_WHEN_READY=1``, from process start to the
  station printing ``ready`` (main window shown, signed in, waiting for a scan). The demo
  database is created by one warm-up run first, so it is not part of the time; each start
  also writes the read-ahead list the next one uses (``returnsdesk/readahead.py``), as a
  station's earlier starts would have;
* ``station``: as ``ready``, but the way a station starts: its database given
  (``--database``, the demo's file) and its operator signed in (``--operator``), without the
  demo's data check and parcel list.

``--cold`` drops the page cache before every run (Linux, root only), so each start reads its
files from disk as after a reboot; otherwise starts are warm (files cached), as for a station
restarted during a shift. Qt runs offscreen.

``--before-source SRC`` and ``--before-app EXE`` add an older version (a ``src/`` folder, e.g.
from ``git archive``, run with the same venv; an older build) to the same interleaved runs,
with each median's ratio to the older one's: on a shared machine, ratios measured together
hold better than seconds measured on different days.

Run: ``.venv/bin/python bench/bench_startup.py [--app build/dist/returnsdesk/returnsdesk]
[--runs 5] [--cold] [--before-source /tmp/old/src --before-app /tmp/old-build/returnsdesk]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_FILE = "returnsdesk-demo.sqlite3"  # in the data dir: returnsdesk.data.db
SCENARIOS: dict[str, list[str]] = {
    "version": ["--version"],
    "self-test": ["--self-test"],
    "ready": ["--demo"],
    # A station's own start: the same database, opened as a station opens its own (no demo
    # data check, no demo parcel list for the help page), its operator signed in.
    "station": ["--database", "sqlite:///{demo_database}", "--operator", "OP-0001"],
}
READY_SCENARIOS = ("ready", "station")


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNSDESK_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        RETURNSDESK_SYSTEM_CONFIG="",
        RETURNSDESK_USER_CONFIG="",
        RETURNSDESK_EXIT_WHEN_READY="1",
        RETURNSDESK_UI_SOUNDS="false",
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
    )
    return env


def _drop_caches() -> None:
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def _time(command: list[str], env: dict[str, str], *, until_ready: bool) -> float:
    """Seconds from spawning ``command`` to its exit, or to its ``ready`` line."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    ready: float | None = None
    assert process.stdout is not None
    for line in process.stdout:
        if until_ready and ready is None and line.strip() == "ready":
            ready = time.perf_counter() - started
    code = process.wait(timeout=300)
    exited = time.perf_counter() - started
    if code != 0 or (until_ready and ready is None):
        stderr = process.stderr.read() if process.stderr else ""
        raise RuntimeError(f"{command} exited {code}: {stderr[-2000:]}")
    return ready if ready is not None else exited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--app", type=Path, default=ROOT / "build" / "dist" / "returnsdesk" / "returnsdesk"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="drop the page cache before each run")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument(
        "--source-path", type=Path, help="run the source from this src/ folder instead (PYTHONPATH)"
    )
    parser.add_argument("--before-source", type=Path, help="an older src/ folder to compare")
    parser.add_argument("--before-app", type=Path, help="an older build's executable to compare")
    args = parser.parse_args()
    for app in (args.app, args.before_app):
        if app is not None and not app.exists():
            sys.exit(f"{app} not found: run packaging/build_linux.sh first, or pass --app")
    python = [str(ROOT / ".venv" / "bin" / "python"), "-m", "returnsdesk"]
    starters = {"source": python, "build": [str(args.app)]}
    if args.before_source:
        starters["source (before)"] = python
    if args.before_app:
        starters["build (before)"] = [str(args.before_app)]
    with tempfile.TemporaryDirectory(prefix="returnsdesk-bench-startup-") as folder:
        results = _measure(args, starters, Path(folder))
    kind = "cold (page cache dropped before each run)" if args.cold else "warm (files cached)"
    sys.stdout.write(f"Start-up, {kind}; {args.runs} runs each, median [min-max] seconds\n\n")
    sys.stdout.write(f"| scenario | {' | '.join(starters)} |\n")
    sys.stdout.write(f"|---|{'---|' * len(starters)}\n")
    for scenario in args.scenarios.split(","):
        cells = []
        for name in starters:
            runs = results[scenario, name]
            median = statistics.median(runs)
            cell = f"{median:.2f} [{min(runs):.2f}-{max(runs):.2f}]"
            before = results.get((scenario, f"{name} (before)"))
            if before:
                cell += f" (x{median / statistics.median(before):.2f})"
            cells.append(cell)
        sys.stdout.write(f"| {scenario} | {' | '.join(cells)} |\n")


def _measure(
    args: argparse.Namespace, starters: dict[str, list[str]], home: Path
) -> dict[tuple[str, str], list[float]]:
    # Each its own home: an older version may keep its demo database differently.
    envs = {name: _env(home / str(number)) for number, name in enumerate(starters)}
    if args.source_path:
        envs["source"]["PYTHONPATH"] = str(args.source_path.resolve())
    if args.before_source:
        envs["source (before)"]["PYTHONPATH"] = str(args.before_source.resolve())
    for name, starter in starters.items():  # warm-up: creates the demo database, fills caches
        _time([*starter, "--demo"], envs[name], until_ready=True)
    results: dict[tuple[str, str], list[float]] = {}
    for scenario in args.scenarios.split(","):
        for _ in range(args.runs):
            for name, starter in starters.items():
                if args.cold:
                    _drop_caches()
                demo_database = Path(envs[name]["XDG_DATA_HOME"]) / "returnsdesk" / DEMO_FILE
                arguments = [a.format(demo_database=demo_database) for a in SCENARIOS[scenario]]
                seconds = _time(
                    [*starter, *arguments], envs[name], until_ready=scenario in READY_SCENARIOS
                )
                results.setdefault((scenario, name), []).append(seconds)
    return results


if __name__ == "__main__":
    main()
