"""Where bundled files live: the top-level ``resources/`` folder of a checkout or a build."""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The folder holding policies, icons and sounds.

    A packaged build bundles it beside the package (``returnsdesk/resources``, or under
    PyInstaller's ``sys._MEIPASS``); a source checkout or editable install has it at the top.
    """
    candidates = [_PACKAGE_DIR / "resources", _PACKAGE_DIR.parent.parent / "resources"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.insert(0, Path(bundle) / "resources")
    for candidate in candidates:
        if (candidate / "policies").is_dir():
            return candidate
    raise FileNotFoundError(f"returnsdesk resources not found; looked in {candidates}")


def default_policy_dir() -> Path:
    return resources_dir() / "policies"
