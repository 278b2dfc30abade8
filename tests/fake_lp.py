"""A named fake of CUPS' ``lp`` (no CUPS runs here): a script on PATH that records each call.

Each call writes ``call-N.json`` into the record folder: its argv, its stdin, and a copy of any
file named on the command line (``lp`` prints files by name). With ``FAKE_LP_FAIL`` set it
prints that text to stderr and exits 1, as ``lp`` does for an unknown or stopped queue.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

SCRIPT = """#!{python}
import json, os, sys
from pathlib import Path
record = Path({record!r})
if os.environ.get("FAKE_LP_FAIL"):
    sys.stderr.write(os.environ["FAKE_LP_FAIL"] + "\\n")
    sys.exit(1)
files = {{a: Path(a).read_bytes().hex() for a in sys.argv[1:] if Path(a).is_file()}}
number = len(list(record.glob("call-*.json")))
stdin = b"" if files else sys.stdin.buffer.read()
(record / f"call-{{number}}.json").write_text(json.dumps(
    {{"argv": sys.argv[1:], "stdin": stdin.hex(), "files": files}}))
print("request id is fake-" + str(number) + " (1 file(s))")
"""


def install_fake_lp(folder: Path) -> Path:
    """Write ``lp`` into ``folder/bin`` and return the folder where its calls are recorded."""
    bin_dir = folder / "bin"
    record = folder / "lp-calls"
    bin_dir.mkdir(parents=True)
    record.mkdir()
    lp = bin_dir / "lp"
    lp.write_text(SCRIPT.format(python=sys.executable, record=str(record)))
    lp.chmod(lp.stat().st_mode | stat.S_IXUSR)
    return record


def lp_calls(record: Path) -> list[dict[str, object]]:
    calls = sorted(record.glob("call-*.json"), key=lambda p: int(p.stem.split("-")[1]))
    out = []
    for path in calls:
        call = json.loads(path.read_text())
        out.append(
            {
                "argv": call["argv"],
                "stdin": bytes.fromhex(call["stdin"]),
                "files": {name: bytes.fromhex(data) for name, data in call["files"].items()},
            }
        )
    return out


def path_with(bin_dir: Path) -> str:
    return f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
