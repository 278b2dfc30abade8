"""The sync tests' fake shop (real HTTP on loopback) serves these tests too."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))
