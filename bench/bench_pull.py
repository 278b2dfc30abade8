"""How fast a station pulls returns from the real django-oscar reference shop.

Starts the shop (tests/integration/oscar_shop.py: its own venv, migrated and seeded), adds
``--returns`` bulk orders with one return each (two lines: a shoe and two jackets), then times
``Puller.pull`` from an empty cursor into a fresh station SQLite file, page by page, and splits
the time between the shop's answer (HTTP, Django serialising Oscar's orders) and the station
applying and committing each page. A second pull then measures the "nothing new" poll.

Run: ``.venv/bin/python bench/bench_pull.py [--returns 2000] [--page-size 100] [--tmpfs]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

_TEMP = Path(tempfile.mkdtemp(prefix="returnsdesk-bench-pull-"))
os.environ["XDG_DATA_HOME"] = str(_TEMP / "data")
os.environ["XDG_CONFIG_HOME"] = str(_TEMP / "config")  # the audit key: not the user's
os.environ["RETURNSDESK_SYSTEM_CONFIG"] = ""
os.environ["RETURNSDESK_USER_CONFIG"] = ""
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from integration.oscar_shop import OscarShop  # noqa: E402
from returnsdesk.data.db import Database, make_engine  # noqa: E402
from returnsdesk.data.migrations import ensure_schema  # noqa: E402
from returnsdesk.services.sync import HttpContractConnector  # noqa: E402
from returnsdesk.services.sync.inbound import Puller  # noqa: E402


class TimedFeed:
    """The HTTP connector's feed, with the time of each answer recorded."""

    def __init__(self, connector: HttpContractConnector) -> None:
        self._connector = connector
        self.seconds: list[float] = []

    def fetch_return_changes(self, cursor: str, limit: int) -> object:
        started = time.perf_counter()
        answer = self._connector.fetch_return_changes(cursor, limit)
        self.seconds.append(time.perf_counter() - started)
        return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=2000, help="bulk returns to add")
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--tmpfs", action="store_true", help="station database on /dev/shm")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(dir="/dev/shm")) if args.tmpfs else _TEMP
    try:
        with OscarShop.start(_TEMP / "shop") as shop:
            started = time.perf_counter()
            shop.manage("seed_returnsdesk_bulk", str(args.returns), timeout=3600)
            sys.stdout.write(
                f"shop seeded with {args.returns} bulk returns in "
                f"{time.perf_counter() - started:.1f} s\n"
            )
            database = Database(make_engine(f"sqlite:///{folder / 'station.sqlite3'}"))
            ensure_schema(database.engine)
            with HttpContractConnector(shop.base_url, shop.token, timeout_s=120) as http:
                feed = TimedFeed(http)
                puller = Puller(database, feed, page_size=args.page_size)
                started = time.perf_counter()
                stats = puller.pull()
                total = time.perf_counter() - started
                answers = list(feed.seconds)
                fetching = sum(answers)
                started = time.perf_counter()
                idle = puller.pull()
                poll = time.perf_counter() - started
            database.dispose()
        sys.stdout.write(
            f"pulled {stats.received} returns ({stats.created} new) in {stats.pages} pages of "
            f"{args.page_size} in {total:.2f} s: {stats.received / total:.0f} returns/s\n"
            f"  shop answering: {fetching:.2f} s ({fetching / total:.0%}); station applying "
            f"and committing: {total - fetching:.2f} s "
            f"({(total - fetching) / stats.received * 1000:.2f} ms per return)\n"
            f"  median page answer {statistics.median(answers) * 1000:.0f} ms; "
            f"nothing-new poll: {poll * 1000:.0f} ms ({idle.received} returns)\n"
        )
    finally:
        shutil.rmtree(_TEMP, ignore_errors=True)
        if args.tmpfs:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
