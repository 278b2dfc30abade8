"""Delivering ``customer.message`` events: to the order system, or by the station's own SMTP.

``MessageConnector`` wraps the relay's order-system connector: every other event goes to it
unchanged; a message is

1. held while an earlier event of its return has not reached the order system (so "refund
   issued" never arrives before the shop has booked the refund), and a "parcel received" for
   the grace period after the receipt (then sent only if the receipt still stands; a station
   that held the receipt itself, ``held_until``, has waited it out already);
2. rendered (``render.py``; a broken template parks it for a person);
3. sent: as the order system's ``POST /returns/{rma}/notifications`` (the rendered subject,
   text and HTML beside the facts; the shop e-mails it and shows it on the customer's "My
   returns" page), or over SMTP with STARTTLS.

Lost and doubled never: the outcome goes back to the relay, which retries transient faults
(server down, 4xx, a connection dropped after DATA) with backoff and parks permanent ones
(5xx) for a shift lead, who sends them again after the cause is fixed. Every attempt carries
the same Message-ID, made from the event's idempotency key, so a message that did arrive
before the connection dropped is recognisable as the same message when it comes again.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from returnsdesk.config import MessagesSettings
from returnsdesk.data import messages as queries
from returnsdesk.data.db import Database
from returnsdesk.domain.clock import Clock, utc_now
from returnsdesk.domain.messages import MessageKind
from returnsdesk.services.messages.queue import MESSAGE_EVENT
from returnsdesk.services.messages.render import (
    MessageNotRenderable,
    MessageRenderer,
    RenderedMessage,
)
from returnsdesk.services.sync.connector import ClosableConnector, DeliveryResult, OutboxEventView

log = logging.getLogger(__name__)

SMTP_PASSWORD_ENV = "RETURNSDESK_SMTP_PASSWORD"
KEYRING_SERVICE, KEYRING_SMTP_USER = "returnsdesk", "smtp"
_DETAIL_LIMIT = 500

# The shop's word for each message (its notification contract's "status").
SHOP_STATUS = {
    MessageKind.PARCEL_RECEIVED: "received",
    MessageKind.INSPECTION_FINISHED: "inspected",
    MessageKind.REFUND_ISSUED: "refunded",
    MessageKind.REFUND_HELD: "held",
    MessageKind.ACTION_NEEDED: "action_needed",
}


class SmtpSender:
    """One SMTP connection per message: a station sends a few hundred a day at most."""

    def __init__(self, settings: MessagesSettings, password: str | None) -> None:
        if settings.smtp_host is None:
            raise ValueError("messages.smtp_host is not set")
        self.settings = settings
        self._host = settings.smtp_host
        self._password = password

    def __repr__(self) -> str:  # never the password
        return f"SmtpSender({self._host}:{self.settings.smtp_port})"

    def send(self, message: EmailMessage) -> DeliveryResult:
        where = f"SMTP {self._host}:{self.settings.smtp_port}"
        try:
            with smtplib.SMTP(
                self._host, self.settings.smtp_port, timeout=self.settings.smtp_timeout_s
            ) as smtp:
                smtp.ehlo()
                if self.settings.smtp_security == "starttls":
                    cafile = self.settings.smtp_ca_file
                    context = ssl.create_default_context(
                        cafile=str(cafile) if cafile is not None else None
                    )
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if self.settings.smtp_username:
                    smtp.login(self.settings.smtp_username, self._password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (550, b"refused"))
            return _by_code(where, int(code), _text(text))
        except smtplib.SMTPAuthenticationError as exc:
            # Fixed once for all messages (the password): keep trying, as for a wrong token.
            return DeliveryResult.retry(
                f"{where}: login refused ({exc.smtp_code}); check the SMTP password in the keyring"
            )
        except smtplib.SMTPResponseException as exc:
            return _by_code(where, exc.smtp_code, _text(exc.smtp_error))
        except (smtplib.SMTPException, OSError) as exc:
            # Refused, reset, timed out, TLS failed, or dropped after DATA: the message may
            # have arrived; it goes again with the same Message-ID.
            return DeliveryResult.retry(f"{where}: {type(exc).__name__}: {exc}"[:_DETAIL_LIMIT])
        return DeliveryResult.delivered(f"{where}: accepted for {message['To']}")


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _by_code(where: str, code: int, text: str) -> DeliveryResult:
    detail = f"{where}: {code} {text}"[:_DETAIL_LIMIT]
    if 400 <= code < 500:
        return DeliveryResult.retry(detail)
    # 5xx: the server will not take it as it is; a shift lead looks, then sends it again.
    return DeliveryResult.parked(detail)


def smtp_password(environ: Mapping[str, str] | None = None) -> str | None:
    """The SMTP password: a process variable (headless relay), else the OS keyring."""
    value = (os.environ if environ is None else environ).get(SMTP_PASSWORD_ENV, "")
    if value:
        return value
    try:
        import keyring

        stored = keyring.get_password(KEYRING_SERVICE, KEYRING_SMTP_USER)
    except Exception as exc:  # noqa: BLE001 - no usable keyring backend is "no password here"
        log.warning("OS keyring not readable: %s", exc)
        return None
    return stored or None


def build_email(
    rendered: RenderedMessage, settings: MessagesSettings, at: datetime, sender_name: str = ""
) -> EmailMessage:
    """The e-mail, the same bytes for every attempt (its Date is the message's own time)."""
    message = EmailMessage()
    message["From"] = (
        Address(display_name=sender_name, addr_spec=settings.from_address)
        if sender_name
        else settings.from_address
    )
    message["To"] = Address(display_name=rendered.customer_name, addr_spec=rendered.to)
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = rendered.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    message["Content-Language"] = rendered.language  # after the body: set_content drops it
    return message


class NoOrderSystem:
    """The order-system side of a relay that only sends messages (``Relay(event_types=...)``
    claims no other event): should another event reach it, it waits, as without any relay."""

    def deliver(self, event: OutboxEventView) -> DeliveryResult:
        return DeliveryResult.retry(
            "no order system is set up ([order_system] kind and url)", retry_after_s=3600.0
        )

    def close(self) -> None:
        pass


class MessageConnector:
    """Customer messages beside an order-system connector (see the module doc); every other
    event goes to ``inner`` unchanged. The relay's is built by ``station_connector``
    (services/sync/station_pull.py)."""

    def __init__(
        self,
        inner: ClosableConnector,
        database: Database,
        settings: MessagesSettings,
        *,
        renderer: MessageRenderer | None = None,
        sender: SmtpSender | None = None,
        clock: Clock = utc_now,
        order_system: bool = True,
        sender_name: str = "",  # the client shop the messages are sent for (From, heading)
    ) -> None:
        # order_system=False: no order system books this station's refunds (a station that
        # sends its messages by SMTP alone), so a message waits for no order-system event.
        self._order_system = order_system
        self._inner = inner
        self._database = database
        self.settings = settings
        self.renderer = renderer or MessageRenderer(settings, shop_name=sender_name)
        self._sender_name = sender_name
        if settings.delivery == "smtp" and sender is None:
            sender = SmtpSender(settings, smtp_password())
        self._sender = sender
        self._clock = clock

    def close(self) -> None:
        self._inner.close()

    def deliver(self, event: OutboxEventView) -> DeliveryResult:
        if event.event_type != MESSAGE_EVENT:
            return self._inner.deliver(event)
        payload = event.payload
        try:
            kind = MessageKind(payload["kind"])
            at = datetime.fromisoformat(str(payload["at"]))
        except (KeyError, ValueError) as exc:
            return DeliveryResult.parked(f"message payload unreadable: {exc}", remote_call=False)
        waiting = self._waiting(event, kind, at)
        if waiting is not None:
            return waiting
        if kind is MessageKind.PARCEL_RECEIVED and not self._receipt_stands(payload):
            return DeliveryResult.no_op("receipt undone within the grace period: nothing sent")
        try:
            rendered = self.renderer.render(payload, event.idempotency_key)
        except MessageNotRenderable as exc:
            return DeliveryResult.parked(str(exc)[:_DETAIL_LIMIT], remote_call=False)
        if self.settings.delivery == "smtp":
            assert self._sender is not None
            return self._sender.send(build_email(rendered, self.settings, at, self._sender_name))
        return self._inner.deliver(shop_notification(event, rendered))

    def _waiting(
        self, event: OutboxEventView, kind: MessageKind, at: datetime
    ) -> DeliveryResult | None:
        # A receipt written held (intake.receive_parcel) had its grace period at the station,
        # ended early once the receipt could no longer be undone: not waited for twice.
        if kind is MessageKind.PARCEL_RECEIVED and event.held_until is None:
            due = at + timedelta(minutes=self.settings.grace_minutes)
            left = (due - self._clock()).total_seconds()
            if left > 0:
                return DeliveryResult.retry(
                    f"held for the grace period until {due:%Y-%m-%d %H:%M} UTC",
                    retry_after_s=left,
                )
        if not self._order_system:
            return None
        return_id = event.payload.get("return_id")
        with self._database.session() as session:
            earlier = queries.first_undelivered_before(
                session, aggregate_id=_uuid(return_id), sequence=event.sequence
            )
        if earlier is not None:
            return DeliveryResult.retry(
                f"waiting until the return's {earlier} has reached the order system"
            )
        return None

    def _receipt_stands(self, payload: Mapping[str, Any]) -> bool:
        with self._database.session() as session:
            return queries.receipt_stands(
                session,
                parcel_id=_uuid(payload.get("parcel_id")),
                return_id=_uuid(payload.get("return_id")),
            )


def _uuid(value: object) -> uuid.UUID:
    return uuid.UUID(str(value))


def shop_notification(event: OutboxEventView, rendered: RenderedMessage) -> OutboxEventView:
    """The message as the order system's notification call (same key: the shop replays)."""
    p = event.payload
    refund_lines = (
        [
            {
                "sku": item["sku"],
                "unit_index": item.get("unit_index", 0),
                "amount": item["amount"],
                "deduction": item.get("deduction") or "0",
                "deduction_reason": item.get("deduction_reason") or "",
            }
            for item in p.get("items", [])
            if item.get("amount") is not None
        ]
        if rendered.kind is MessageKind.REFUND_ISSUED
        else []
    )
    payload: dict[str, Any] = {
        "rma_number": p["rma_number"],
        "customer_email": p["customer_email"],
        "customer_name": p.get("customer_name") or "",
        "status": SHOP_STATUS[rendered.kind],
        "message": rendered.subject,
        "reason": p.get("reason") or "",
        "currency": p["currency"],
        "total": p.get("total") or "0",
        "lines": refund_lines,
        "at": p["at"],
        "kind": rendered.kind.value,
        "language": rendered.language,
        "subject": rendered.subject,
        "text": rendered.text,
        "html": rendered.html,
        "message_id": rendered.message_id,
        "refund_expected_by": (
            rendered.refund_expected_by.isoformat() if rendered.refund_expected_by else None
        ),
        "review_by": rendered.review_by.isoformat() if rendered.review_by else None,
    }
    return replace(event, event_type="customer.notification", payload=payload)
