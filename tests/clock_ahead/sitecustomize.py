"""Moves the clock of every Python process a test run starts, as ``--clock-ahead`` moves the
test process's own (tests/conftest.py puts this folder on the children's PYTHONPATH).

A relay subprocess or the reference shop must see the same time as the station that queued
their work, as they would on one machine. ``time_machine`` is imported from the test venv's
site-packages even into the shop's own venv (a C extension with no dependencies). The
variables are not named RETURNSDESK_*: the settings refuse unknown variables of that name.
"""

from __future__ import annotations

import os
import sys

_offset = os.environ.get("CLOCK_AHEAD_OFFSET_S")
if _offset:
    _site = os.environ["CLOCK_AHEAD_SITE"]
    sys.path.append(_site)
    try:
        from datetime import UTC, datetime, timedelta

        import time_machine
    finally:
        sys.path.remove(_site)
    time_machine.travel(datetime.now(UTC) + timedelta(seconds=float(_offset)), tick=True).start()
