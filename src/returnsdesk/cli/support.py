"""What the database commands (``import``, ``operators``, ``refunds``, ``audit``) share:
settings, logging, database."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from returnsdesk.config import Settings, load_settings
from returnsdesk.data.db import Database, default_database_url, make_engine
from returnsdesk.domain.errors import ReturnsDeskError
from returnsdesk.log import setup_logging


def command_settings(prog: str, database_url: str | None) -> Settings | None:
    """The layered settings with ``--database`` on top, logging to the log file; None (after
    saying why on standard error) when the settings are broken."""
    try:
        settings = load_settings(overrides={"database.url": database_url})
        setup_logging(settings.logging, console=False)
    except ReturnsDeskError as exc:
        sys.stderr.write(f"{prog}: {exc}\n")
        return None
    return settings


def command_database(settings: Settings) -> Database:
    """The configured database; callers migrate it (``ensure_schema``) inside their ``try``."""
    return Database(make_engine(settings.database.url or default_database_url()))


def parse_arguments(
    parser: argparse.ArgumentParser, argv: Sequence[str]
) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code argparse chose (``--help``: 0, a bad one: 2)."""
    try:
        return parser.parse_args(list(argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
