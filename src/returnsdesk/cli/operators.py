"""``returnsdesk operators``: the badges that sign in, for IT and shift leads at a terminal.

    returnsdesk operators list
    returnsdesk operators add OP-0042 --name "Ana Lima" [--role shift_lead] [--pin]
    returnsdesk operators set-pin OP-0042 [--clear]
    returnsdesk operators set-role OP-0042 shift_lead
    returnsdesk operators deactivate OP-0042    (and: activate)
    returnsdesk operators unlock OP-0042        (after too many wrong PINs)

A PIN is never an argument (it would stay in the shell history): ``--pin`` and ``set-pin`` ask
for it twice at the terminal, or read one line from standard input when that is not a
terminal (for provisioning scripts). Exit status: 0 done, 1 refused (nothing changed),
2 a configuration or database problem.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from returnsdesk.cli.support import command_database, command_settings
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.domain.errors import ReturnsDeskError
from returnsdesk.domain.vocabulary import OperatorRole
from returnsdesk.services import operator_admin, operators
from returnsdesk.services.bootstrap import scan_rules

EXIT_OK, EXIT_REFUSED, EXIT_CONFIG = 0, 1, 2
_ROLES = [role.value for role in OperatorRole]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="returnsdesk operators", description="List and manage operators' badges and PINs."
    )
    parser.add_argument("--database", metavar="URL", help="database URL (overrides settings)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("list", help="every operator, with role, PIN and status")
    add = commands.add_parser("add", help="a new operator")
    add.add_argument("badge", help="the code printed on the badge, e.g. OP-0042")
    add.add_argument("--name", required=True)
    add.add_argument("--role", choices=_ROLES, default=OperatorRole.INSPECTOR.value)
    add.add_argument("--pin", action="store_true", help="ask for a PIN (required for leads)")
    pin = commands.add_parser("set-pin", help="a new PIN (asked for), or --clear for none")
    pin.add_argument("badge")
    pin.add_argument("--clear", action="store_true", help="sign in with the badge alone")
    role = commands.add_parser("set-role", help="inspector, shift_lead or admin")
    role.add_argument("badge")
    role.add_argument("role", choices=_ROLES)
    for name, text in (
        ("deactivate", "the badge no longer signs in"),
        ("activate", "again"),
        ("unlock", "clear a lock after too many wrong PINs"),
    ):
        commands.add_parser(name, help=text).add_argument("badge")
    return parser


def _read_pin() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("PIN: ")
    if getpass.getpass("PIN again: ") != first:
        raise operator_admin.OperatorChangeRefused("The two PINs differ.")
    return first


def _print_list(rows: list[operator_admin.OperatorRow]) -> None:
    if not rows:
        sys.stdout.write("No operators yet: add one with 'returnsdesk operators add'.\n")
        return
    sys.stdout.write(f"{'BADGE':<16} {'ROLE':<11} {'PIN':<4} {'STATUS':<9} NAME\n")
    for row in rows:
        status = "active" if row.active else "inactive"
        pin = "yes" if row.has_pin else "no"
        sys.stdout.write(f"{row.code:<16} {row.role.value:<11} {pin:<4} {status:<9} {row.name}\n")


def main(argv: Sequence[str]) -> int:
    try:
        args = _parser().parse_args(list(argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_CONFIG
    settings = command_settings("returnsdesk operators", args.database)
    if settings is None:
        return EXIT_CONFIG
    by = getpass.getuser()
    database = command_database(settings)
    try:
        ensure_schema(database.engine)
        with database.session() as session:
            if args.command == "list":
                _print_list(operator_admin.list_operators(session))
                return EXIT_OK
            if args.command == "add":
                operator = operator_admin.add_operator(
                    session,
                    code=args.badge,
                    name=args.name,
                    role=OperatorRole(args.role),
                    pin=_read_pin() if args.pin else None,
                    rules=scan_rules(settings),
                    by=by,
                )
                done = f"added {operator.code} ({operator.name}, {operator.role.value})"
            elif args.command == "set-pin":
                pin = None if args.clear else _read_pin()
                operator = operator_admin.set_pin(session, code=args.badge, pin=pin, by=by)
                change = "signs in without a PIN" if pin is None else "has a new PIN"
                done = f"{operator.code} {change}"
            elif args.command == "set-role":
                role = OperatorRole(args.role)
                operator = operator_admin.set_role(session, code=args.badge, role=role, by=by)
                done = f"{operator.code} is now {role.value}"
            elif args.command == "unlock":
                operator = operators.unlock_operator(session, code=args.badge, by=by)
                done = f"{operator.code} is unlocked"
            else:
                active = args.command == "activate"
                operator = operator_admin.set_active(session, code=args.badge, active=active, by=by)
                change = "can sign in again" if active else "can no longer sign in"
                done = f"{operator.code} {change}"
    except (operator_admin.OperatorChangeRefused, operators.UnknownOperator) as exc:
        sys.stderr.write(f"returnsdesk operators: refused, nothing changed: {exc}\n")
        return EXIT_REFUSED
    except ReturnsDeskError as exc:
        sys.stderr.write(f"returnsdesk operators: {exc}\n")
        return EXIT_CONFIG
    finally:
        database.dispose()
    sys.stdout.write(f"returnsdesk operators: {done}\n")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
