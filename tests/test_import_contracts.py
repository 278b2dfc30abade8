"""The import contracts in pyproject.toml hold on this tree, and each one breaks on its offence.

``lint-imports`` runs on a copy of ``src/returnsdesk`` with one import added, the way a careless
change would add it; each run takes about a second.
"""

from __future__ import annotations

import ast
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "returnsdesk"
CONFIG: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"][
    "importlinter"
]


def _contract_named_by(**options: object) -> str:
    """The name of the one contract with these options."""
    (name,) = [
        contract["name"]
        for contract in CONFIG["contracts"]
        if all(contract.get(key) == value for key, value in options.items())
    ]
    return str(name)


PYSIDE6 = _contract_named_by(type="forbidden", forbidden_modules=["PySide6", "shiboken6"])
LAYERS = _contract_named_by(type="layers")
DOMAIN = _contract_named_by(type="allowed_imports", source_modules=["returnsdesk.domain"])
SCAN = _contract_named_by(type="allowed_imports", source_modules=["returnsdesk.scan"])
_STATUS = re.compile(r"^(?P<name>.+) (?P<status>KEPT|BROKEN)(?: \(\d+ ignored imports?\))?$")


def _lint_imports(src: Path, cwd: Path) -> tuple[dict[str, str], str]:
    """Each contract's status (KEPT or BROKEN) and the whole report."""
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("lint-imports")),
            "--no-cache",
            "--config",
            str(ROOT / "pyproject.toml"),
        ],
        cwd=cwd,
        env=dict(os.environ, PYTHONPATH=str(src)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    report = result.stdout + result.stderr
    statuses = {
        match["name"]: match["status"]
        for line in report.splitlines()
        if (match := _STATUS.match(line.strip()))
    }
    assert set(statuses) == {contract["name"] for contract in CONFIG["contracts"]}, report
    assert result.returncode == (0 if set(statuses.values()) == {"KEPT"} else 1), report
    return statuses, report


def test_this_tree_keeps_every_contract(tmp_path: Path) -> None:
    statuses, report = _lint_imports(PACKAGE.parent, cwd=tmp_path)
    assert set(statuses.values()) == {"KEPT"}, report


@pytest.mark.parametrize(
    ("module", "added_import", "broken", "message"),
    [
        pytest.param(
            "paths.py",
            "import PySide6",
            {PYSIDE6},
            "returnsdesk.paths is not allowed to import PySide6",
            id="PySide6-outside-qt",
        ),
        pytest.param(
            "crash.py",
            "import returnsdesk.qt.app",
            {PYSIDE6},
            "returnsdesk.crash is not allowed to import PySide6",
            id="PySide6-through-a-qt-module",
        ),
        pytest.param(
            "cli/decode.py",
            "import returnsdesk.qt",
            {LAYERS},
            "returnsdesk.cli.decode -> returnsdesk.qt",
            id="cli-uses-qt",
        ),
        pytest.param(
            "data/backup.py",
            "import returnsdesk.services.views",
            {LAYERS},
            "returnsdesk.data.backup -> returnsdesk.services.views",
            id="data-uses-services",
        ),
        pytest.param(
            "scan/wedge.py",
            "import returnsdesk.config",
            {SCAN},
            "returnsdesk.scan.wedge imports returnsdesk.config",
            id="scan-uses-config",
        ),
        pytest.param(
            # keyring was in no deny-list: only an allow-list catches what nobody thought of
            "domain/text.py",
            "import keyring",
            {DOMAIN},
            "returnsdesk.domain.text imports keyring",
            id="domain-uses-a-library",
        ),
        pytest.param(
            "domain/money.py",
            "from returnsdesk import config",
            {DOMAIN},
            "returnsdesk.domain.money imports returnsdesk.config",
            id="domain-uses-settings",
        ),
    ],
)
def test_an_import_against_the_rules_breaks_its_contract(
    tmp_path: Path, module: str, added_import: str, broken: set[str], message: str
) -> None:
    # Given a copy of the package with one import added at the end of one module
    src = tmp_path / "src"
    shutil.copytree(PACKAGE, src / "returnsdesk", ignore=shutil.ignore_patterns("__pycache__"))
    with (src / "returnsdesk" / module).open("a", encoding="utf-8") as file:
        file.write(f"\n{added_import}  # noqa\n")
    # When the contracts are checked, then that contract breaks, saying which import broke it
    statuses, report = _lint_imports(src, cwd=tmp_path)
    assert {name for name, status in statuses.items() if status == "BROKEN"} == broken, report
    assert message in " ".join(report.split()), report


def test_the_pyside6_contract_covers_every_module_but_qt() -> None:
    # A new top-level module would otherwise be free to import Qt unnoticed.
    contract = next(c for c in CONFIG["contracts"] if c["name"] == PYSIDE6)
    top_level = {f"returnsdesk.{info.name}" for info in pkgutil.iter_modules([str(PACKAGE)])}
    assert set(contract["source_modules"]) == top_level - {"returnsdesk.qt"}
    assert contract.get("allow_indirect_imports", False) is False
    # The package's own __init__ is no source of the contract (it would take qt with it):
    # it imports nothing at all.
    tree = ast.parse((PACKAGE / "__init__.py").read_text("utf-8"))
    assert not [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]


def test_the_modules_allowed_into_qt_load_no_qt_until_asked() -> None:
    # The contract ignores a few imports of qt modules: each must stay inside a function, so
    # that importing the module (a CLI command, the diagnostics) loads no Qt.
    contract = next(c for c in CONFIG["contracts"] if c["name"] == PYSIDE6)
    importers = sorted({line.split(" -> ")[0] for line in contract["ignore_imports"]})
    assert importers  # else the rest proves nothing
    script = (
        "import importlib, json, sys\n"
        f"for name in {importers!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(n for n in sys.modules if n.startswith(('PySide6', 'shiboken6',"
        " 'returnsdesk.qt')))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=dict(os.environ, PYTHONPATH=str(PACKAGE.parent)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
