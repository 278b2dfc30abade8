"""``returnsdesk messages``: what a customer was sent about a return, and a lead's resend.

    returnsdesk messages list RMA-100004
    returnsdesk messages resend EVENT-ID --badge OP-0004

The lead's PIN is asked at the terminal (or read as one line from standard input when that
is not a terminal), never taken as an argument; a resend is audited, and so is a refusal.
Exit status: 0 done, 1 refused (nothing changed), 2 a configuration or database problem.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Sequence

from returnsdesk.cli.support import (
    EXIT_OK,
    EXIT_REFUSED,
    OWN_SHOP,
    add_client_option,
    run_database_command,
    several_shops,
    sign_in_lead,
)
from returnsdesk.config import Settings
from returnsdesk.data.db import Database
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.errors import NumberOfSeveralShops
from returnsdesk.services.messages.ledger import MessageRecord, list_messages, resend_message

PROG = "returnsdesk messages"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Customer messages of a return.")
    parser.add_argument("--database", metavar="URL", help="database URL (overrides settings)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listing = commands.add_parser("list", help="the messages of a return, oldest first")
    listing.add_argument("rma", help="the return's RMA number, e.g. RMA-100004")
    add_client_option(listing)
    resend = commands.add_parser("resend", help="send a message again (shift leads)")
    resend.add_argument("event_id", help="the message's id, as 'list' shows it")
    resend.add_argument("--badge", required=True, help="the lead's badge")
    return parser


def _line(record: MessageRecord) -> str:
    when = record.delivered_at or record.queued_at
    state = {"delivered": "sent", "pending": "waiting", "needs_attention": "PARKED"}.get(
        record.status.value, record.status.value
    )
    extra = f"  ({record.last_error})" if record.last_error and state != "sent" else ""
    again = "  [resend]" if record.resend_of else ""
    return (
        f"{record.event_id}  {record.kind:<20} {state:<8} {when:%Y-%m-%d %H:%M} UTC"
        f"  {record.to}{again}{extra}\n"
    )


def main(argv: Sequence[str]) -> int:
    return run_database_command(PROG, _parser(), argv, _run)


def _run(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    if args.command == "list":
        shops = None if args.client is None else (None if args.client == OWN_SHOP else args.client,)
        try:
            records = list_messages(database, args.rma, shops=shops)
        except NumberOfSeveralShops as exc:
            sys.stderr.write(f"{PROG}: refused: {several_shops(exc.number, exc.shops)}\n")
            return EXIT_REFUSED
        if not records:
            sys.stdout.write(f"No messages for {args.rma.strip().upper()[:40]}.\n")
        for record in records:
            sys.stdout.write(_line(record))
        return EXIT_OK
    try:
        event_id = uuid.UUID(args.event_id)
    except ValueError:
        sys.stderr.write(f"{PROG}: refused: {args.event_id[:40]!r} is no message id.\n")
        return EXIT_REFUSED
    lead = sign_in_lead(database, settings, args.badge)
    record = resend_message(database, event_id, lead, now=utc_now())
    sys.stdout.write(f"{PROG}: queued again as {record.event_id} ({record.kind} to {record.to})\n")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
