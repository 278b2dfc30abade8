"""``returnsdesk sync --forever`` killed with SIGKILL while it e-mails customers: after restarts
every message arrived at least once, and one that arrived twice carries one Message-ID.

The relay runs as a real subprocess with SMTP delivery set by environment variables, its
password in the declared process variable, against a real aiosmtpd server on loopback that
requires STARTTLS (trustme certificates) and a login. The server holds its "250" after keeping
a message, so a kill can land after a message arrived and before the relay heard it: the
restarted relay sends it again, the same bytes under the same Message-ID.
"""

from __future__ import annotations

import os
import random
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_shop import FakeShop
from relay_process import RelayProcess
from smtp_server import SmtpServer
from sqlmodel import col, select

from completing import complete_parcel, station_service
from returnsdesk.data.models import OutboxEvent
from returnsdesk.domain.vocabulary import OutboxStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.messages.deliver import SMTP_PASSWORD_ENV
from returnsdesk.services.messages.queue import MESSAGE_EVENT

RETURNS = 12  # three messages each
KILLS = 3
TOKEN_ENV = "RETURNSDESK_TEST_SHOP_TOKEN"
LOGIN = ("station-01", "s3cret smtp")


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path, credentials=LOGIN)
    server.mailbox.hold_s = 0.15
    server.start()
    yield server
    server.stop()


def wait_for(
    condition: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    relay: subprocess.Popen[bytes] | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if relay is not None and relay.poll() is not None:
            raise AssertionError(f"the relay exited ({relay.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def messages(env: StationEnvironment) -> list[OutboxEvent]:
    with env.database.session() as session:
        return list(
            session.exec(
                select(OutboxEvent)
                .where(OutboxEvent.event_type == MESSAGE_EVENT)
                .order_by(col(OutboxEvent.sequence))
            ).all()
        )


@pytest.mark.slow
def test_a_relay_killed_while_mailing_loses_no_message_and_doubles_none_unrecognisably(
    demo_env: StationEnvironment, database_url: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    rng = random.Random(20260514)
    assert demo_env.demo is not None
    service = station_service(demo_env)
    for parcel in demo_env.demo.parcels[:RETURNS]:
        complete_parcel(service, parcel)
    queued = messages(demo_env)
    assert len(queued) >= 3 * RETURNS
    mailbox = smtp.mailbox
    log_path = tmp_path / "relay.log"
    with (
        FakeShop() as shop,
        RelayProcess(
            log_path,
            database_url=database_url,
            shop_url=shop.url,
            token_env=TOKEN_ENV,
            environment={
                **os.environ,
                TOKEN_ENV: shop.token,
                "RETURNSDESK_MESSAGES_DELIVERY": "smtp",
                "RETURNSDESK_MESSAGES_GRACE_MINUTES": "0",
                "RETURNSDESK_MESSAGES_SMTP_HOST": "127.0.0.1",
                "RETURNSDESK_MESSAGES_SMTP_PORT": str(smtp.port),
                "RETURNSDESK_MESSAGES_SMTP_CA_FILE": str(smtp.ca_file),
                "RETURNSDESK_MESSAGES_SMTP_USERNAME": LOGIN[0],
                "RETURNSDESK_MESSAGES_SMTP_TIMEOUT_S": "1",
                "RETURNSDESK_MESSAGES_FROM_ADDRESS": "returns@shop.example",
                SMTP_PASSWORD_ENV: LOGIN[1],
            },
            timeout_s="1",
            lease_s="3",
            batch="10",
        ) as relay,
    ):

        def pending() -> int:
            return sum(e.status is not OutboxStatus.DELIVERED for e in messages(demo_env))

        # Given the relay is mailing the customers, when it is killed mid-work and restarted
        for kill in range(KILLS):
            target = len(mailbox.received) + rng.randint(2, 6)
            process = relay.start()
            wait_for(
                lambda at_least=target: len(mailbox.received) >= at_least,
                relay=process,
                timeout=30,
                what=f"relay run {kill + 1} to mail",
            )
            if kill == 0:
                # Once exactly when a message arrived and its "250" is not said yet
                wait_for(lambda: mailbox.holding, timeout=10, what="a reply held")
            else:
                time.sleep(rng.uniform(0.0, 0.2))
            relay.kill()
            assert pending() > 0, "killed too late"
        # And a last run is let finish, then stopped with SIGTERM
        process = relay.start()
        wait_for(lambda: pending() == 0, timeout=40, what="every message to be sent", relay=process)
        relay.stop()

    # Then every message arrived, none unknown, each under its event's Message-ID
    keys = {f"<{e.idempotency_key}@shop.example>": e for e in messages(demo_env)}
    arrived = Counter(str(m["Message-ID"]) for m in mailbox.received)
    assert set(arrived) == set(keys)
    assert all(e.status is OutboxStatus.DELIVERED for e in keys.values())
    # And the kill after DATA made a duplicate: the same message, recognisable as one
    doubled = [message_id for message_id, count in arrived.items() if count > 1]
    assert doubled
    for message_id in doubled:
        copies = [m for m in mailbox.received if m["Message-ID"] == message_id]
        assert (
            len({(m["Subject"], m["Date"], m.get_body(("plain",)).get_content()) for m in copies})
            == 1
        )
        assert all(
            str(m["To"]).endswith(f"<{keys[message_id].payload['customer_email']}>") for m in copies
        )
    assert b"SIGTERM received" in log_path.read_bytes()
