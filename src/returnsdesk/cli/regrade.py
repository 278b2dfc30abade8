"""``returnsdesk regrade``: blind second gradings for grader consistency, at a terminal.

    returnsdesk regrade next --badge OP-0002          the next unit to grade again (blind)
    returnsdesk regrade record LP-PLATE 2 --badge OP-0002   its grade (key or code)
    returnsdesk regrade agreement [--days 30]         agreement, confusion matrix, kappa

The unit is found by its routing label; the first grade and who gave it are never shown. An
operator with a PIN gives it at the terminal (one line of standard input when that is not a
terminal). Exit status: 0 done (or nothing waiting), 1 refused (nothing changed), 2 a
configuration or database problem.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from datetime import timedelta

from returnsdesk.cli.support import (
    EXIT_OK,
    run_database_command,
)
from returnsdesk.config import Settings
from returnsdesk.data.db import Database
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.policy import Policies, load_policies
from returnsdesk.paths import default_policy_dir
from returnsdesk.services import regrades
from returnsdesk.services.bootstrap import lockout_policy
from returnsdesk.services.operators import authenticate, badge_alone_signs_in
from returnsdesk.services.views import StationContext

PROG = "returnsdesk regrade"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Blind second gradings.")
    parser.add_argument("--database", metavar="URL", help="database URL (overrides settings)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    following = commands.add_parser("next", help="the next unit for you to grade again")
    following.add_argument("--badge", required=True, help="your badge")
    record = commands.add_parser("record", help="record your grade of a unit")
    record.add_argument("plate", help="the unit's routing label (license plate)")
    record.add_argument("grade", help="the grade: its key (1-9) or its code (A, B, ...)")
    record.add_argument("--badge", required=True, help="your badge")
    report = commands.add_parser("agreement", help="how well graders agree (for leads)")
    report.add_argument("--days", type=int, default=30, help="the last N days (default 30)")
    return parser


def _sign_in(database: Database, settings: Settings, badge: str) -> StationContext:
    pin = None
    if not badge_alone_signs_in(database, badge):
        pin = sys.stdin.readline().rstrip("\r\n") if not sys.stdin.isatty() else getpass.getpass()
    return authenticate(
        database,
        operator_code=badge,
        pin=pin,
        station_code=settings.station.code,
        now=utc_now(),
        lockout=lockout_policy(settings),
        purpose="regrade",
    )


def _agreement(database: Database, policies: Policies, days: int) -> None:
    end = utc_now()
    found = regrades.consistency(
        database, start=end - timedelta(days=days), end=end, grading=policies.grading
    )
    result = found.agreement
    kappa = "–" if result.kappa is None else f"{float(result.kappa):.2f}"
    out = sys.stdout
    out.write(
        f"Last {days} days: {result.pairs} units graded twice, {result.agreed} the same;"
        f" Cohen's kappa {kappa}\n"
    )
    for who in found.by_inspector:
        out.write(f"  {who.inspector[:40]:<40} {who.agreed:>5} of {who.regraded:>5} agreed\n")
    if result.pairs:
        out.write("first \\ second " + " ".join(f"{g:>5}" for g in result.grades) + "\n")
        for grade, row in zip(result.grades, result.matrix, strict=True):
            out.write(f"{grade:<15}" + " ".join(f"{n:>5}" for n in row) + "\n")


def main(argv: Sequence[str]) -> int:
    return run_database_command(PROG, _parser(), argv, _run)


def _run(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    policies = load_policies(settings.policies.directory or default_policy_dir())
    if args.command == "agreement":
        _agreement(database, policies, args.days)
        return EXIT_OK
    who = _sign_in(database, settings, args.badge)
    with database.session() as session:
        if args.command == "record":
            grade = regrades.record_regrade(
                session,
                license_plate=args.plate,
                grading=policies.grading,
                grade_key_or_code=args.grade,
                ctx=who,
                now=utc_now(),
            )
            task = None
        else:
            task = regrades.next_regrade(session, operator_id=who.operator_id)
    if args.command == "record":
        sys.stdout.write(f"{PROG}: {args.plate.strip().upper()} graded {grade}, thank you.\n")
    elif task is None:
        sys.stdout.write("No unit is waiting for you to grade it again.\n")
    else:
        sys.stdout.write(
            f"Fetch unit {task.license_plate} ({task.sku}, {task.title}) and grade it, then:"
            f" {PROG} record {task.license_plate} GRADE --badge {args.badge}"
            f" ({task.waiting} waiting)\n"
        )
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
