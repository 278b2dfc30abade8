"""What the database commands (``import``, ``operators``, ``refunds``, ``audit``, ...) share:
settings, logging, database, exit codes, a lead's sign-in at a terminal."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from returnsdesk.config import Settings, load_settings
from returnsdesk.data.db import Database, default_database_url, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.errors import NumberOfSeveralShops, OperatorError, ReturnsDeskError
from returnsdesk.log import setup_logging
from returnsdesk.services.approvals import authorize_lead
from returnsdesk.services.bootstrap import lockout_policy
from returnsdesk.services.views import StationContext


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


EXIT_OK, EXIT_REFUSED, EXIT_CONFIG = 0, 1, 2


def read_pin() -> str:
    """A PIN from the terminal, unechoed; from standard input's first line when piped."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass("PIN: ")


def sign_in_lead(database: Database, settings: Settings, badge: str) -> StationContext:
    """The shift lead's badge and PIN (asked now), for one decision at this terminal."""
    return authorize_lead(
        database,
        operator_code=badge,
        pin=read_pin(),
        station_code=settings.station.code,
        now=utc_now(),
        lockout=lockout_policy(settings),
    )


# --client for a command that takes an RMA: order and RMA numbers are each shop's own, so two
# client shops (or one and the station's own) may both have RMA-1001.
OWN_SHOP = "-"  # --client -: the station's own shop
T = TypeVar("T")


def add_client_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--client",
        metavar="CODE",
        help="whose RMA it is, when several shops use the number: a client shop's code"
        f" ([clients.<code>]), or {OWN_SHOP} for the station's own shop",
    )


def of_shop(
    rma: str, found: Sequence[T], shop: Callable[[T], str | None], client: str | None
) -> T | None:
    """The one of ``found`` (rows of that RMA) that is the ``--client`` shop's, or None.

    Without ``--client`` an RMA several shops use is refused (``NumberOfSeveralShops``: exit 1,
    nothing changed), naming the shops: the command never picks one of them."""
    if client is not None:
        wanted = None if client == OWN_SHOP else client
        found = [row for row in found if shop(row) == wanted]
    if len(found) > 1:
        shops = tuple(shop(row) for row in found)
        raise NumberOfSeveralShops(several_shops(rma, shops), number=rma[:40], shops=shops)
    return found[0] if found else None


def several_shops(rma: str, shops: Iterable[str | None]) -> str:
    """What every command says of an RMA several shops use, given without ``--client``."""
    names = ", ".join(sorted(code or f"{OWN_SHOP} (the station's own)" for code in shops))
    return (
        f"{rma[:40]} is an RMA number of several shops ({names}): say whose with"
        f" --client CODE ({OWN_SHOP} for the station's own shop)."
    )


CommandBody = Callable[[argparse.Namespace, Settings, Database], int]


def run_database_command(
    prog: str, parser: argparse.ArgumentParser, argv: Sequence[str], body: CommandBody
) -> int:
    """Parse, load the settings, open and migrate the database, run ``body``; a refusal the
    operator can act on exits 1 ("nothing changed"), broken settings or database exit 2."""
    args = parse_arguments(parser, argv)
    if isinstance(args, int):
        return args
    settings = command_settings(prog, args.database)
    if settings is None:
        return EXIT_CONFIG
    database = command_database(settings)
    try:
        ensure_schema(database.engine)
        return body(args, settings, database)
    except OperatorError as exc:
        sys.stderr.write(f"{prog}: refused, nothing changed: {exc}\n")
        return EXIT_REFUSED
    except ReturnsDeskError as exc:
        sys.stderr.write(f"{prog}: {exc}\n")
        return EXIT_CONFIG
    finally:
        database.dispose()
