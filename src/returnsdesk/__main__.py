"""Command line: ``returnsdesk`` starts the station; ``--demo`` uses the demo database."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from returnsdesk import __version__, readahead

log = logging.getLogger("returnsdesk")

# Commands that do their work and exit, without the station window.
COMMANDS = (
    "decode",
    "sync",
    "print-test",
    "print-labels",
    "report",
    "import",
    "operators",
    "refunds",
    "recovery",
    "messages",
    "regrade",
    "audit",
    "diagnostics",
)


def opens_the_window(arguments: Sequence[str]) -> bool:
    """Whether these arguments start the station window (a guess is fine: see readahead)."""
    if arguments[:1] and arguments[0] in COMMANDS:
        return False
    exits_at_once = ("--version", "-h", "--help", "--self-test")
    return not any(argument in exits_at_once for argument in arguments)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="returnsdesk",
        description="Returns inspection station.",
        epilog=(
            "Other commands: 'returnsdesk decode [--json] IMAGE...' decodes barcode images as"
            " the camera would; 'returnsdesk sync --once|--forever' relays the outbox to the"
            " order system; 'returnsdesk import returns FILE.csv [--dry-run]' imports returns;"
            " 'returnsdesk report shift|insights|recovery|evidence' writes a PDF report;"
            " 'returnsdesk print-test' prints a test label and 'returnsdesk print-labels"
            " --once|--forever' prints queued labels headless;"
            " 'returnsdesk operators list|add|set-pin|set-role|deactivate|activate|unlock'"
            " manages badges and PINs; 'returnsdesk refunds list|approve|reject' decides held"
            " refunds; 'returnsdesk recovery list|close' closes recovery cases (refunds paid on"
            " receipt that inspection found too high); 'returnsdesk messages list|resend' shows"
            " and resends customer messages;"
            " 'returnsdesk regrade next|record|agreement' runs blind second gradings;"
            " 'returnsdesk audit verify|seal|reseal|key' checks the audit trail and"
            " manages its key; 'returnsdesk diagnostics' prints a report for IT."
        ),
    )
    parser.add_argument("--version", action="version", version=f"returnsdesk {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="open the demo database (created and filled if absent)"
    )
    parser.add_argument("--database", metavar="URL", help="database URL (overrides settings)")
    parser.add_argument("--station", metavar="CODE", help="station code (overrides settings)")
    parser.add_argument("--operator", metavar="BADGE", help="sign this operator in (no PIN only)")
    parser.add_argument(
        "--camera",
        metavar="SOURCE",
        help="camera: a device index, a video file or a folder of images (overrides settings)",
    )
    parser.add_argument("--verbose", action="store_true", help="log debug messages to the console")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation (database, barcodes, PDF, Qt, policies) and exit",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] and arguments[0] in COMMANDS:
        return _run_command(arguments[0], arguments[1:])
    args = parse_args(arguments)
    if args.self_test:  # before settings: a broken config must not fail the install check
        from returnsdesk.selftest import run_self_test

        return run_self_test(out=sys.stdout)
    # The station window from here: its libraries are read on a thread while it imports, so
    # this comes before any import that is not needed to get here (a frozen build has started
    # it already, in a run-time hook: packaging/rthook_readahead.py).
    readahead.start_reading_ahead(readahead.default_list_file())
    from returnsdesk.config import load_settings
    from returnsdesk.domain.errors import ConfigError
    from returnsdesk.log import setup_logging

    try:
        settings = load_settings(
            overrides={
                "database.url": args.database,
                "station.code": args.station,
                "camera.source": args.camera,
            }
        )
    except ConfigError as exc:
        print(f"returnsdesk: configuration error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    log_file = setup_logging(settings.logging, console=args.verbose)
    log.info(
        "returnsdesk %s starting; log %s; settings from %s", __version__, log_file, settings.sources
    )
    import returnsdesk.gui_preload  # noqa: F401 - before PySide6, see its docstring
    from returnsdesk.qt.app import run  # Qt loads only for the GUI

    return run(settings, demo=args.demo, operator_code=args.operator)


def _run_command(command: str, arguments: list[str]) -> int:
    """One of ``COMMANDS``; each imports only what it needs (no Qt, mostly no database)."""
    if command == "decode":
        from returnsdesk.cli.decode import main as decode_main

        return decode_main(arguments)
    if command == "sync":
        from returnsdesk.cli.sync import main as sync_main  # the headless relay

        return sync_main(arguments)
    if command in ("print-test", "print-labels"):
        from returnsdesk.cli import printing

        return (printing.print_test if command == "print-test" else printing.print_labels)(
            arguments
        )
    if command == "report":
        from returnsdesk.cli.report import main as report_main

        return report_main(arguments)
    if command == "import":
        from returnsdesk.cli.importing import main as import_main

        return import_main(arguments)
    if command == "operators":
        from returnsdesk.cli.operators import main as operators_main

        return operators_main(arguments)
    if command == "refunds":
        from returnsdesk.cli.refunds import main as refunds_main

        return refunds_main(arguments)
    if command == "recovery":
        from returnsdesk.cli.recovery import main as recovery_main

        return recovery_main(arguments)
    if command == "messages":
        from returnsdesk.cli.messages import main as messages_main

        return messages_main(arguments)

    if command == "regrade":
        from returnsdesk.cli.regrade import main as regrade_main

        return regrade_main(arguments)
    if command == "audit":
        from returnsdesk.cli.audit import main as audit_main

        return audit_main(arguments)
    if command == "diagnostics":
        return _diagnostics()
    raise AssertionError(f"{command} is in COMMANDS but not run here")


def _diagnostics() -> int:
    from returnsdesk.config import load_settings
    from returnsdesk.domain.errors import ConfigError

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"FAIL  settings: {exc}")  # noqa: T201 - CLI output
        return 1
    from returnsdesk.diagnostics import run_diagnostics

    return run_diagnostics(settings, out=sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
