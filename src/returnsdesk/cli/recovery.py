"""``returnsdesk recovery``: recovery cases at a terminal, for a shift lead away from a station.

    returnsdesk recovery list
    returnsdesk recovery close RMA-100002 --resolution recovered --badge OP-0004 \\
        --note "paid back by bank transfer"

A recovery case is a refund released on receipt (a trusted customer) that the inspection
found too high. Resolutions: ``recovered`` (the customer paid the difference back),
``written_off``, ``disputed`` (the customer disputes the finding). The lead's PIN is asked at
the terminal (or read as one line from standard input when that is not a terminal), never
taken as an argument; the same rules as at a station: badge and PIN, a lead who did not handle
the return, a note; refusals are audited. Exit status: 0 closed (or listed), 1 refused
(nothing changed), 2 a configuration or database problem.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from returnsdesk.cli.support import (
    EXIT_OK,
    EXIT_REFUSED,
    add_client_option,
    of_shop,
    run_database_command,
    sign_in_lead,
)
from returnsdesk.config import Settings
from returnsdesk.data.db import Database
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.vocabulary import RecoveryResolution
from returnsdesk.services import recovery_cases

PROG = "returnsdesk recovery"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Recovery cases: refunds paid on receipt, found too high."
    )
    parser.add_argument("--database", metavar="URL", help="database URL (overrides settings)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("list", help="open recovery cases, oldest first")
    close = commands.add_parser("close", help="close a case with its resolution and a note")
    close.add_argument("rma", help="the return's RMA number, e.g. RMA-100002")
    close.add_argument(
        "--resolution",
        required=True,
        choices=[resolution.value for resolution in RecoveryResolution],
        help="recovered (from the customer), written_off or disputed (by the customer)",
    )
    close.add_argument("--badge", required=True, help="the closing lead's badge")
    close.add_argument("--note", required=True, help="what happened (required)")
    add_client_option(close)
    return parser


def _print_cases(cases: list[recovery_cases.RecoveryCaseView]) -> None:
    if not cases:
        sys.stdout.write("No recovery case is open.\n")
        return
    sys.stdout.write(
        f"{'RMA':<14} {'PAID':>12} {'AT STAKE':>12}  {'RELEASED':<16} {'OPENED':<16}"
        f" {'OPENED BY':<20} {'CUSTOMER':<24} FOUND\n"
    )
    for case in cases:
        released = case.refund_released_at.astimezone().strftime("%Y-%m-%d %H:%M")
        opened = case.opened_at.astimezone().strftime("%Y-%m-%d %H:%M")
        sys.stdout.write(
            f"{case.rma_number:<14} {case.paid.format():>12} {case.at_stake.format():>12}"
            f"  {released:<16} {opened:<16} {(case.opened_by or '—')[:20]:<20}"
            f" {case.customer_name[:24]:<24} {case.reason}\n"
        )


def main(argv: Sequence[str]) -> int:
    return run_database_command(PROG, _parser(), argv, _run)


def _run(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    cases = recovery_cases.open_cases(database)
    if args.command == "list":
        _print_cases(cases)
        return EXIT_OK
    rma = args.rma.strip().upper()
    case = of_shop(
        rma, [c for c in cases if c.rma_number == rma], lambda c: c.client_code, args.client
    )
    if case is None:
        sys.stderr.write(f"{PROG}: refused: {rma[:40]!r} has no open recovery case.\n")
        return EXIT_REFUSED
    if not args.note.strip():
        sys.stderr.write(f"{PROG}: refused: say what happened with --note; nothing changed.\n")
        return EXIT_REFUSED
    lead = sign_in_lead(database, settings, args.badge)
    closed = recovery_cases.close_case(
        database,
        case.case_id,
        lead,
        resolution=RecoveryResolution(args.resolution),
        note=args.note,
        now=utc_now(),
    )
    sys.stdout.write(
        f"{PROG}: {closed.rma_number} closed, {closed.resolution.label.lower()}"
        f" ({closed.at_stake.format()}), by {closed.closed_by}\n"
    )
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
