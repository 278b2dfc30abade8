"""The station window's non-Qt layers, imported before PySide6 to start faster.

Once PySide6 is imported, its ``__feature__`` import hook runs ``inspect.getsource`` on every
module imported after it, to look for the word "PySide6". Loading SQLAlchemy, SQLModel,
pydantic and the services first keeps them out of that hook: 0.15-0.2 s of a 1-2 s start here
(``bench/bench_startup.py``). ``tests/qt/test_startup.py`` fails when the Qt layer starts
importing a module that is not loaded here first.

Only ``returnsdesk.__main__`` imports this module, just before ``returnsdesk.qt.app``.
"""

from __future__ import annotations

import gc  # noqa: F401
import html  # noqa: F401
import shutil  # noqa: F401
import subprocess  # noqa: F401
import tempfile  # noqa: F401
import uuid  # noqa: F401
import zoneinfo  # noqa: F401

import returnsdesk.crash  # noqa: F401
import returnsdesk.data.db  # noqa: F401
import returnsdesk.scan.camera  # noqa: F401
import returnsdesk.scan.classify  # noqa: F401
import returnsdesk.scan.formats  # noqa: F401
import returnsdesk.scan.wedge  # noqa: F401
import returnsdesk.services.approvals  # noqa: F401
import returnsdesk.services.bootstrap  # noqa: F401
import returnsdesk.services.demo  # noqa: F401
import returnsdesk.services.labels.printers  # noqa: F401
import returnsdesk.services.labels.queue  # noqa: F401
import returnsdesk.services.operators  # noqa: F401
import returnsdesk.services.photos  # noqa: F401
import returnsdesk.services.reports  # noqa: F401
import returnsdesk.services.reports.kpis  # noqa: F401 - the KPI tab reads through it
import returnsdesk.services.station  # noqa: F401
import returnsdesk.services.sync.inbound  # noqa: F401
import returnsdesk.services.sync.relay  # noqa: F401
import returnsdesk.services.sync.station_pull  # noqa: F401
import returnsdesk.services.views  # noqa: F401
import returnsdesk.station.workflow  # noqa: F401
