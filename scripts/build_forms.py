"""Compile every ui/*.ui Designer form into src/returnsdesk/qt/forms/ui_*.py with pyside6-uic.

Run after editing a form: ``python scripts/build_forms.py``. ``--check`` exits 1 when a
committed form module is missing or stale (used by the test suite).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI_DIR = ROOT / "ui"
FORMS_DIR = ROOT / "src" / "returnsdesk" / "qt" / "forms"
HEADER = "# Generated from ui/{name} by scripts/build_forms.py. Do not edit: edit the .ui file.\n"


def uic_command() -> list[str]:
    beside_python = Path(sys.executable).with_name("pyside6-uic")
    found = str(beside_python) if beside_python.exists() else shutil.which("pyside6-uic")
    if found is None:
        raise SystemExit("pyside6-uic not found: install PySide6-Essentials")
    return [found]


def compile_form(ui_file: Path) -> str:
    result = subprocess.run(
        [*uic_command(), "--from-imports", str(ui_file)],
        check=True,
        capture_output=True,
        text=True,
    )
    # uic stamps its own version in a comment; drop comment lines so the check is stable.
    body = "\n".join(line for line in result.stdout.splitlines() if not line.startswith("#"))
    return HEADER.format(name=ui_file.name) + body.strip() + "\n"


def target_for(ui_file: Path) -> Path:
    return FORMS_DIR / f"ui_{ui_file.stem}.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a form module is stale")
    args = parser.parse_args(argv)
    stale: list[str] = []
    FORMS_DIR.mkdir(parents=True, exist_ok=True)
    init = FORMS_DIR / "__init__.py"
    if not init.exists():
        init.write_text('"""Form classes generated from ui/*.ui; see scripts/build_forms.py."""\n')
    for ui_file in sorted(UI_DIR.glob("*.ui")):
        generated = compile_form(ui_file)
        target = target_for(ui_file)
        current = target.read_text() if target.exists() else None
        if current == generated:
            continue
        if args.check:
            stale.append(target.name)
        else:
            target.write_text(generated)
            print(f"wrote {target.relative_to(ROOT)}")  # noqa: T201 - CLI output
    if stale:
        print("stale forms: " + ", ".join(stale) + " (run scripts/build_forms.py)")  # noqa: T201
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
