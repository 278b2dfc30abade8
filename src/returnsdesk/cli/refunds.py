"""``returnsdesk refunds``: held refunds at a terminal, for a shift lead away from a station.

    returnsdesk refunds list
    returnsdesk refunds approve RMA-100004 --badge OP-0004 [--note "checked the photos"]
    returnsdesk refunds reject RMA-100004 --badge OP-0004 --note "item swapped"

The lead's PIN is asked at the terminal (or read as one line from standard input when that
is not a terminal), never taken as an argument. The same rules as at a station: badge and PIN
(wrong ones count towards the lock), a lead who did not handle the return, a reason for a
rejection; refusals are audited. Exit status: 0 decided, 1 refused (nothing changed), 2 a
configuration or database problem.
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
from returnsdesk.services import approvals

PROG = "returnsdesk refunds"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Decide refunds held for a lead.")
    parser.add_argument("--database", metavar="URL", help="database URL (overrides settings)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("list", help="refunds waiting for a shift lead, oldest first")
    for verb, text in (("approve", "pay the held refund"), ("reject", "refuse it (with --note)")):
        decide = commands.add_parser(verb, help=text)
        decide.add_argument("rma", help="the return's RMA number, e.g. RMA-100004")
        decide.add_argument("--badge", required=True, help="the deciding lead's badge")
        decide.add_argument("--note", default="", help="why (required to reject)")
        add_client_option(decide)
    return parser


def _print_pending(pending: list[approvals.PendingRefund]) -> None:
    if not pending:
        sys.stdout.write("No refunds are waiting for a shift lead.\n")
        return
    sys.stdout.write(f"{'RMA':<14} {'TOTAL':>14}  {'INSPECTOR':<20} {'STATION':<12} WHY HELD\n")
    for refund in pending:
        sys.stdout.write(
            f"{refund.rma_number:<14} {refund.total.format():>14}  {refund.inspector[:20]:<20}"
            f" {refund.station_code[:12]:<12} {refund.reason}\n"
        )


def main(argv: Sequence[str]) -> int:
    return run_database_command(PROG, _parser(), argv, _run)


def _run(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    pending = approvals.pending_refunds(database)
    if args.command == "list":
        _print_pending(pending)
        return EXIT_OK
    rma = args.rma.strip().upper()
    refund = of_shop(
        rma, [r for r in pending if r.rma_number == rma], lambda r: r.client_code, args.client
    )
    if refund is None:
        sys.stderr.write(f"{PROG}: refused: no refund for {rma[:40]!r} waits for a lead.\n")
        return EXIT_REFUSED
    approve = args.command == "approve"
    if not approve and not args.note.strip():
        sys.stderr.write(f"{PROG}: refused: say why with --note; nothing changed.\n")
        return EXIT_REFUSED
    lead = sign_in_lead(database, settings, args.badge)
    decision = approvals.decide_refund(
        database, refund.refund_id, lead, approve=approve, note=args.note, now=utc_now()
    )
    sys.stdout.write(
        f"{PROG}: {decision.rma_number} {decision.total.format()} {decision.status.value}"
        f" by {decision.decided_by}\n"
    )
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
