"""The committed form modules are what pyside6-uic makes of the Designer files today."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI_DIR = ROOT / "ui"
FORMS_DIR = ROOT / "src" / "returnsdesk" / "qt" / "forms"
BUILD_FORMS = ROOT / "scripts" / "build_forms.py"


def test_committed_forms_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(BUILD_FORMS), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        "Form modules are stale: run `python scripts/build_forms.py` and commit the result.\n"
        + result.stdout
        + result.stderr
    )


def test_every_designer_form_has_its_generated_module_and_no_module_is_orphaned() -> None:
    ui_files = sorted(UI_DIR.glob("*.ui"))
    assert ui_files, f"no Designer forms found in {UI_DIR}"
    expected = {f"ui_{ui.stem}.py" for ui in ui_files}
    generated = {path.name for path in FORMS_DIR.glob("ui_*.py")}
    assert sorted(expected - generated) == [], "forms without a generated module"
    assert sorted(generated - expected) == [], "generated modules whose .ui file is gone"
    for ui in ui_files:
        module = FORMS_DIR / f"ui_{ui.stem}.py"
        first_line = module.read_text(encoding="utf-8").splitlines()[0]
        assert first_line.startswith(f"# Generated from ui/{ui.name} by scripts/build_forms.py")
