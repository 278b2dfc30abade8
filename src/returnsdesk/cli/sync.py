"""``returnsdesk sync --once | --forever``: pull from and relay to the order system, headless.

For a station PC without the GUI open, or a service unit (systemd, Windows service). Settings
come from the usual layers (``config.py``); ``--database`` and ``--url`` override them. The
API token is read from the environment variable named by ``--token-env`` (default
``RETURNSDESK_ORDER_SYSTEM_TOKEN``), else from the OS keyring when the ``keyring`` package is
installed (service ``returnsdesk``, user ``order_system``). It is never logged.

``--once`` pulls what changed in the order system (returns with their orders, customers and
products, ``services/sync/inbound.py``), delivers every outbox event due now, prunes delivered
events older than ``order_system.keep_delivered_days`` (customer messages:
``messages.keep_days``), and exits; failed events keep their retry time for the next run.
``--forever`` relays until SIGTERM or SIGINT (Ctrl+C), pulling
and pruning every ``order_system.pull_interval_s`` on a thread beside it: the call in flight
finishes and is recorded, then it exits. Either may be killed at any moment: an event whose
outcome was not recorded is sent again with the same idempotency key
(``services/sync/relay.py``); a page pulled but not committed is read again.

Client shops (``[clients.<code>]``, ``services/sync/clients.py``): each shop's feed is pulled
with its own token (``RETURNSDESK_CLIENT_TOKEN_<CODE>``, else the keyring user
``order_system:<code>``) and each event goes to its own shop only; ``[order_system]`` is then
optional.

``--resend SEQUENCE --badge BADGE`` (a shift lead, PIN asked at the terminal or read as one
line from standard input) sends a parked event again under a new idempotency key, only when
the order system says the event's key was refused (``services/sync/recovery.py``): exit 0
when it was queued (the next relay run sends it), 1 when refused (nothing changed).

Exit status: 0 when the relay ran (parked or retried events are not failures of the command:
they are shown in the Sync panel), 1 when ``--once`` could not pull (the error is printed;
nothing of the broken page was written, and the relay still ran), 2 for a configuration
problem.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from types import FrameType

from returnsdesk.cli.support import command_database, sign_in_lead
from returnsdesk.config import (
    OrderSystemSettings,
    Settings,
    load_settings,
)
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.domain.errors import OperatorError, ReturnsDeskError
from returnsdesk.log import setup_logging
from returnsdesk.services.sync import HttpContractConnector, Relay, RelayStats
from returnsdesk.services.sync.clients import shop_connections
from returnsdesk.services.sync.connector import KeyInquiry
from returnsdesk.services.sync.credentials import (
    DEFAULT_TOKEN_ENV,
    KEYRING_SERVICE,
    order_system_token,
)
from returnsdesk.services.sync.housekeeping import prune_delivered
from returnsdesk.services.sync.inbound import Puller, ShopPullers
from returnsdesk.services.sync.recovery import resend_parked
from returnsdesk.services.sync.relay import parked_events
from returnsdesk.services.sync.shopify import ShopifyConnector
from returnsdesk.services.sync.station_pull import station_connector

log = logging.getLogger("returnsdesk.sync")

EXIT_OK, EXIT_PULL_FAILED, EXIT_CONFIG = 0, 1, 2


def _resend(
    sequence: int,
    badge: str | None,
    settings: Settings,
    shops: Mapping[str | None, KeyInquiry],
) -> int:
    if not badge:
        return _config_error("--resend needs the shift lead's --badge")
    database = command_database(settings)
    try:
        ensure_schema(database.engine)
        event = next((e for e in parked_events(database) if e.sequence == sequence), None)
        if event is None:
            sys.stderr.write(f"returnsdesk sync: refused: no parked event #{sequence}.\n")
            return EXIT_PULL_FAILED
        lead = sign_in_lead(database, settings, badge)
        view = resend_parked(
            database,
            event.id,
            lead,
            shop=shops.get(None),
            client_shops={code: c for code, c in shops.items() if code is not None},
        )
    except OperatorError as exc:
        sys.stderr.write(f"returnsdesk sync: refused, nothing changed: {exc}\n")
        return EXIT_PULL_FAILED
    finally:
        database.dispose()
    sys.stdout.write(
        f"returnsdesk sync: #{view.sequence} {view.event_type} queued again under key "
        f"{view.idempotency_key} (was {event.idempotency_key})\n"
    )
    return EXIT_OK


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="returnsdesk sync", description="Relay the station's outbox to the order system."
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    mode.add_argument("--forever", action="store_true", help="relay until SIGTERM or Ctrl+C")
    mode.add_argument(
        "--resend",
        type=_positive(int),
        metavar="SEQUENCE",
        help="send parked event #SEQUENCE again under a new key, if the shop says its key "
        "was refused (a shift lead: --badge, PIN asked)",
    )
    parser.add_argument("--badge", help="the shift lead's badge (with --resend)")
    parser.add_argument("--database", metavar="URL", help="database URL (overrides settings)")
    parser.add_argument("--url", metavar="URL", help="order system URL (overrides settings)")
    parser.add_argument(
        "--token-env",
        metavar="VAR",
        default=DEFAULT_TOKEN_ENV,
        help=f"environment variable holding the API token (default {DEFAULT_TOKEN_ENV})",
    )
    parser.add_argument(
        "--timeout", type=_positive(float), default=10.0, metavar="S", help="per call (10)"
    )
    parser.add_argument(
        "--lease-seconds",
        type=_positive(float),
        default=60.0,
        metavar="S",
        help="how long claimed events stay reserved for this relay (60; > 2 x timeout)",
    )
    parser.add_argument(
        "--batch", type=_positive(int), default=50, metavar="N", help="events per claim (50)"
    )
    return parser


def main(argv: Sequence[str]) -> int:
    try:
        args = _parser().parse_args(list(argv))
    except SystemExit as exc:  # argparse printed the usage or the error
        return exc.code if isinstance(exc.code, int) else EXIT_CONFIG
    if args.lease_seconds <= 2 * args.timeout:
        return _config_error("--lease-seconds must be more than twice --timeout")
    # The token variable is this command's secret input, not a setting: a name chosen with
    # --token-env may start with RETURNSDESK_, which the settings loader would take for a typo.
    environ = {k: v for k, v in os.environ.items() if k != args.token_env}
    try:
        settings = load_settings(
            environ=environ, overrides={"database.url": args.database, "order_system.url": args.url}
        )
        setup_logging(settings.logging, console=True)
    except ReturnsDeskError as exc:
        return _config_error(str(exc))
    shops: dict[str | None, OrderSystem] = {}
    try:
        for shop in shop_connections(settings):
            if shop.client is not None and shop.order_system.kind == "none":
                continue  # a client shop without an order system here: its events wait
            system, variable = shop.order_system, shop.token_variable
            if shop.client is None:
                if settings.clients and system.url is None:
                    continue  # client shops only: the station has no order system of its own
                variable = args.token_env
            if system.url is None:
                raise ValueError("no order system URL: set order_system.url or pass --url")
            token = order_system_token(variable, os.environ, shop.keyring_user)
            if token is None:
                whose = "" if shop.client is None else f" for {shop.label}"
                raise ValueError(
                    f"no API token{whose}: set {variable} or store it in the OS keyring "
                    f"(service {KEYRING_SERVICE!r}, user {shop.keyring_user!r})"
                )
            shops[shop.code] = _connector(system, system.url, token, args.timeout)
    except ValueError as exc:  # an unusable URL, or no URL or token
        _close(shops)
        return _config_error(str(exc))
    if args.resend is not None:
        try:
            return _resend(args.resend, args.badge, settings, shops)
        finally:
            _close(shops)
    database = command_database(settings)
    code = EXIT_OK
    try:
        ensure_schema(database.engine)
        # Customer messages are rendered and sent (to the shop or by SMTP) by the same relay;
        # with client shops, each event goes to its own shop only.
        relay = Relay(
            database,
            station_connector(database, shops, settings.messages, clients=settings.clients),
            batch=args.batch,
            lease_s=args.lease_seconds,
            parallel=settings.order_system.parallel_returns,
        )
        puller = ShopPullers([Puller(database, c, client_code=shop) for shop, c in shops.items()])
        keep_days = settings.order_system.keep_delivered_days
        keep_message_days = settings.messages.keep_days

        def prune() -> int:
            return prune_delivered(
                database,
                keep_days=keep_days,
                keep_message_days=keep_message_days,
                now=datetime.now(UTC),
            )

        stop = threading.Event()
        log.info(
            "Syncing with %s (%s)",
            ", ".join(f"{shop or 'own'}: {c!r}" for shop, c in shops.items()),
            "once" if args.once else "until stopped",
        )
        with _stop_on_signals(stop):
            if args.once:
                code = _pull_once(puller, stop)
                _report(relay.drain(stop))
                prune()
            else:
                pulling = threading.Thread(
                    target=puller.run_forever,
                    args=(stop,),
                    kwargs={
                        "interval_s": settings.order_system.pull_interval_s,
                        "after_each": prune,
                    },
                    name="returnsdesk-pull",
                )
                pulling.start()
                try:
                    relay.run_forever(stop)
                finally:
                    stop.set()
                    pulling.join()
    except ReturnsDeskError as exc:  # e.g. a database from a newer returnsdesk
        return _config_error(str(exc))
    finally:
        _close(shops)
        database.dispose()
    return code


OrderSystem = HttpContractConnector | ShopifyConnector


def _connector(system: OrderSystemSettings, url: str, token: str, timeout: float) -> OrderSystem:
    """Raises ValueError for an unusable URL."""
    if system.kind == "shopify":
        return ShopifyConnector(
            url,
            token,
            api_version=system.api_version,
            location_id=system.location_id,
            timeout_s=timeout,
        )
    return HttpContractConnector(url, token, timeout_s=timeout)


def _close(shops: Mapping[str | None, OrderSystem]) -> None:
    for connector in shops.values():
        connector.close()


def _pull_once(puller: ShopPullers, stop: threading.Event) -> int:
    try:
        stats = puller.pull(stop)
    except OperatorError as exc:  # PullFailed, MalformedAnswer: nothing of that page written
        log.warning("Pull failed: %s", exc)
        sys.stderr.write(f"returnsdesk sync: pull failed, nothing changed: {exc}\n")
        return EXIT_PULL_FAILED
    sys.stdout.write(f"returnsdesk sync: pulled {stats.summary()}\n")
    for note in stats.notes:
        sys.stdout.write(f"returnsdesk sync: {note}\n")
    return EXIT_OK


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` (main thread only) instead of killing mid-call."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("%s received: stopping after the call in flight", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _report(stats: RelayStats) -> None:
    summary = (
        f"delivered {stats.delivered}, to retry {stats.retried}, parked {stats.parked}, "
        f"handed back {stats.released}"
    )
    log.info("Relay run finished: %s", summary)
    sys.stdout.write(f"returnsdesk sync: {summary}\n")


def _config_error(message: str) -> int:
    sys.stderr.write(f"returnsdesk sync: {message}\n")
    return EXIT_CONFIG


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
