"""A real SMTP server (aiosmtpd) on loopback with STARTTLS, and faults on demand."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Mailbox:
    received: list[EmailMessage] = field(default_factory=list)
    # What the next DATA gets: "ok", a reply like "451 4.3.0 try later", or "drop" (the
    # message arrives, then the connection is cut before the reply).
    faults: list[str] = field(default_factory=list)
    sessions: int = 0
    # Seconds between keeping a message and replying 250: a client killed meanwhile never
    # hears that it arrived.
    hold_s: float = 0.0
    holding: bool = False

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:  # noqa: N802
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        fault = self.faults.pop(0) if self.faults else "ok"
        if fault == "drop":
            self._keep(envelope)
            server.transport.close()
            return "250 2.0.0 never heard"
        if fault != "ok":
            return fault
        self._keep(envelope)
        if self.hold_s:
            self.holding = True
            try:
                await asyncio.sleep(self.hold_s)
            finally:
                self.holding = False
        return "250 2.0.0 queued"

    def _keep(self, envelope: Any) -> None:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """Start, stop and start again on the same port, STARTTLS required (and a login, with
    ``credentials``)."""

    def __init__(self, folder: Path, credentials: tuple[str, str] | None = None) -> None:
        self.credentials = credentials
        ca = trustme.CA()
        self.ca_file = folder / "smtp-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(self._tls)
        self.port = free_port()
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(
            self.mailbox,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=self._tls,
            require_starttls=True,
            ready_timeout=10,
            auth_required=self.credentials is not None,
            authenticator=self._authenticate if self.credentials is not None else None,
        )
        self._controller.start()

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        given = (
            (auth_data.login.decode(), auth_data.password.decode())
            if isinstance(auth_data, LoginPassword)
            else None
        )
        return AuthResult(success=given == self.credentials)

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
