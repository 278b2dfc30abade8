"""``returnsdesk import returns FILE.csv [--dry-run]``: returns from a CSV file, for shops
without an API. The columns: ``services/csv_import.py`` and docs/returns-import-sample.csv.

Every problem is printed with its row and column, and then nothing is written; otherwise the
whole file goes in one transaction. ``--dry-run`` checks and reports without writing.
``--client CODE`` tags the file's returns with a client shop (``[clients.<code>]``) where a
row gives no ``client_code`` of its own.
Exit status: 0 imported (or would be), 1 the file was refused, 2 a configuration problem.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from returnsdesk.cli.support import command_database, command_settings
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.domain.errors import ReturnsDeskError
from returnsdesk.services.csv_import import COLUMNS, ImportRejected, import_returns_file

EXIT_OK, EXIT_REFUSED, EXIT_CONFIG = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="returnsdesk import",
        description="Import returns from a CSV file (one row per return line).",
        epilog=f"Columns: {', '.join(COLUMNS)}.",
    )
    parser.add_argument("what", choices=["returns"], help="what the file holds")
    parser.add_argument("file", type=Path, metavar="FILE.csv")
    parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    parser.add_argument("--database", metavar="URL", help="database URL (overrides settings)")
    parser.add_argument(
        "--client", metavar="CODE", help="the client shop of rows without a client_code"
    )
    return parser


def main(argv: Sequence[str]) -> int:
    try:
        args = _parser().parse_args(list(argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_CONFIG
    settings = command_settings("returnsdesk import", args.database)
    if settings is None:
        return EXIT_CONFIG
    database = command_database(settings)
    try:
        ensure_schema(database.engine)
        result = import_returns_file(
            database,
            args.file,
            dry_run=args.dry_run,
            client=args.client,
            clients=[client.code for client in settings.clients],
        )
    except ImportRejected as exc:
        sys.stderr.write(f"returnsdesk import: {args.file} refused, nothing written:\n{exc}\n")
        return EXIT_REFUSED
    except ReturnsDeskError as exc:
        sys.stderr.write(f"returnsdesk import: {exc}\n")
        return EXIT_CONFIG
    finally:
        database.dispose()
    prefix = "dry run, nothing written: " if args.dry_run else ""
    sys.stdout.write(f"returnsdesk import: {prefix}{result.summary()}\n")
    for skipped in result.skipped:
        sys.stdout.write(f"  skipped {skipped}\n")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
