"""Rendering a ``customer.message`` payload into a subject, a text body and an HTML body.

Templates are Jinja2 in a sandbox (a shop's template folder is data, not code), HTML ones
autoescaped, text ones plain; a customer's name or note is always a value, never markup.
Folders: ``<templates>/<lang>/`` (the shop's own, from settings) before the bundled
``resources/messages/<lang>/``; per message kind ``<kind>.subject.txt``, ``<kind>.txt`` and
``<kind>.html``. Money and dates are formatted by Babel in the customer's language.

When the money arrives: the refund's release day in the warehouse's time zone, plus the
payment method's lead time in business days, skipping weekends and the warehouse country's
public holidays (``holidays`` package). A held refund states the day its review ends.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import holidays
from babel import Locale, UnknownLocaleError, localedata
from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from returnsdesk.config import MessagesSettings
from returnsdesk.domain.errors import ConfigError, ReturnsDeskError
from returnsdesk.domain.messages import MessageKind, add_business_days, parse_lead_times
from returnsdesk.domain.shifts import site_zone
from returnsdesk.paths import resources_dir

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class MessageNotRenderable(ReturnsDeskError):
    """A template is missing or broken, or the payload lacks a fact: a person must look."""


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    kind: MessageKind
    language: str
    to: str
    customer_name: str
    subject: str
    text: str
    html: str
    message_id: str  # "<key@domain>": the same on every attempt of one outbox event
    refund_expected_by: date | None
    review_by: date | None


def bundled_templates() -> Path:
    return resources_dir() / "messages"


class MessageRenderer:
    def __init__(
        self, settings: MessagesSettings, bundled: Path | None = None, *, shop_name: str = ""
    ) -> None:
        self.settings = settings
        # The client shop's name atop every HTML message (several shops at one station).
        self.shop_name = shop_name
        self._lead_times = parse_lead_times(settings.lead_times)
        self._zone = site_zone(settings.time_zone)
        try:
            holidays.country_holidays(
                settings.warehouse_country, subdiv=settings.warehouse_subdivision
            )
        except NotImplementedError as exc:
            raise ConfigError(
                f"messages.warehouse_country / warehouse_subdivision: {exc}"
            ) from None
        self._roots = [p for p in (settings.templates, bundled or bundled_templates()) if p]
        self._environments: dict[str, SandboxedEnvironment] = {}

    # --- language ------------------------------------------------------------------------

    def languages(self) -> list[str]:
        found = {
            p.name for root in self._roots if root.is_dir() for p in root.iterdir() if p.is_dir()
        }
        return sorted(found)

    def language_for(self, requested: str) -> str:
        """The template language for a customer's language tag ("de-AT" -> "de")."""
        available = self.languages()
        tag = requested.strip().replace("_", "-") if _LANGUAGE.match(requested.strip()) else ""
        for candidate in (tag, tag.split("-")[0].lower(), self.settings.default_language):
            if candidate and candidate in available:
                return candidate
        raise MessageNotRenderable(
            f"no message templates for {requested or 'the default language'!r} nor "
            f"{self.settings.default_language!r} (have: {', '.join(available) or 'none'})"
        )

    def _environment(self, language: str) -> SandboxedEnvironment:
        environment = self._environments.get(language)
        if environment is None:
            environment = SandboxedEnvironment(
                loader=FileSystemLoader([str(root / language) for root in self._roots]),
                autoescape=select_autoescape(enabled_extensions=("html",), default=False),
                undefined=StrictUndefined,
                keep_trailing_newline=True,
                trim_blocks=True,
                lstrip_blocks=True,
            )
            self._environments[language] = environment
        return environment

    # --- dates -----------------------------------------------------------------------------

    def lead_days(self, payment_method: str) -> int:
        return self._lead_times.get(payment_method.strip().lower(), self.settings.default_lead_days)

    def business_day_after(self, moment: datetime, days: int) -> date:
        start = moment.astimezone(self._zone).date()
        years = range(start.year, start.year + 2 + days // 200)
        calendar = holidays.country_holidays(
            self.settings.warehouse_country,
            subdiv=self.settings.warehouse_subdivision,
            years=years,
        )
        return add_business_days(start, days, calendar)

    # --- rendering -------------------------------------------------------------------------

    def render(self, payload: Mapping[str, Any], idempotency_key: str) -> RenderedMessage:
        try:
            kind = MessageKind(payload["kind"])
            requested = str(payload.get("language") or "")
            language = self.language_for(requested)
            locale = _locale(requested, language, self.settings.default_language)
            at = datetime.fromisoformat(str(payload["at"]))
            context, expected_by, review_by = self._context(payload, kind, locale, at)
            environment = self._environment(language)
            subject = environment.get_template(f"{kind.value}.subject.txt").render(context)
            text = environment.get_template(f"{kind.value}.txt").render(context)
            html = environment.get_template(f"{kind.value}.html").render(context)
        except (KeyError, ValueError, TypeError, TemplateError, UnknownLocaleError) as exc:
            raise MessageNotRenderable(
                f"{payload.get('kind')!r} message for {payload.get('rma_number')!r} cannot be "
                f"rendered: {type(exc).__name__}: {exc}"
            ) from exc
        domain = self.settings.from_address.rpartition("@")[2] or "returnsdesk.invalid"
        return RenderedMessage(
            kind=kind,
            language=language,
            to=str(payload["customer_email"]),
            customer_name=_CONTROL.sub(" ", str(payload.get("customer_name") or "")).strip(),
            subject=_CONTROL.sub(" ", subject).strip(),
            text=text,
            html=html,
            message_id=f"<{idempotency_key}@{domain}>",
            refund_expected_by=expected_by,
            review_by=review_by,
        )

    def _context(
        self, payload: Mapping[str, Any], kind: MessageKind, locale: Locale, at: datetime
    ) -> tuple[dict[str, Any], date | None, date | None]:
        currency = str(payload["currency"])

        def money(value: object) -> str:
            return format_currency(Decimal(str(value)), currency, locale=locale)

        def day(value: date) -> str:
            return format_date(value, format="long", locale=locale)

        items = []
        for item in payload.get("items", []):
            shown = dict(item)
            for key in ("amount", "gross", "deduction"):
                value = item.get(key)
                shown[f"{key}_text"] = money(value) if value is not None else ""
            shown["has_deduction"] = Decimal(str(item.get("deduction") or 0)) > 0
            shown["note"] = (
                str(item.get("note") or "") if self.settings.share_inspector_notes else ""
            )
            shown.setdefault("flags", [])
            shown.setdefault("outcome", "")
            items.append(shown)
        expected_by = review_by = None
        if kind is MessageKind.REFUND_ISSUED:
            method = str(payload.get("payment_method") or "")
            expected_by = self.business_day_after(at, self.lead_days(method))
        if kind is MessageKind.REFUND_HELD:
            review_by = self.business_day_after(at, self.settings.review_days)
        total = payload.get("total")
        context = {
            "kind": kind.value,
            "shop_name": self.shop_name,
            "customer_name": str(payload.get("customer_name") or ""),
            "rma_number": str(payload["rma_number"]),
            "order_number": str(payload["order_number"]),
            "tracking_number": str(payload.get("tracking_number") or ""),
            "payment_method": str(payload.get("payment_method") or ""),
            "currency": currency,
            "items": items,
            "accepted": [i for i in items if i["outcome"] == "accepted"],
            "not_matching": [i for i in items if i["outcome"] == "not_matching"],
            "missing": [i for i in items if i["outcome"] == "missing"],
            "total_text": money(total) if total is not None else "",
            "refund_status": str(payload.get("refund_status") or ""),
            "on_receipt": bool(payload.get("on_receipt")),
            "refund_released": payload.get("refund_status") == "approved"
            and total is not None
            and Decimal(str(total)) > 0,
            "problems": list(payload.get("problems", [])),
            "reason": str(payload.get("reason") or ""),
            "date_text": day(at.astimezone(self._zone).date()),
            "expected_by_text": day(expected_by) if expected_by else "",
            "review_by_text": day(review_by) if review_by else "",
        }
        return context, expected_by, review_by


def _locale(requested: str, language: str, default_language: str) -> Locale:
    """Babel's locale for the customer's own tag ("de-AT"), if it is of the template language,
    else the template language's.

    A build may lack a locale's data, or a parent's that it inherits from (the packaged one
    keeps a few: packaging/returnsdesk.spec): then amounts and dates are formatted as in the
    default language, else in English, and the customer still gets the message.
    """
    tag = requested.strip().replace("-", "_")
    candidates = [language, default_language, "en"]
    if tag and _LANGUAGE.match(tag) and tag.split("_")[0].lower() == language.split("-")[0]:
        candidates.insert(0, tag)
    for candidate in candidates:
        try:
            locale = Locale.parse(candidate.replace("-", "_"))
            localedata.load(str(locale))  # with every parent's data: raises if any is missing
        except (ValueError, UnknownLocaleError, OSError):
            continue
        return locale
    raise MessageNotRenderable(
        f"no Babel locale data for {requested!r}, {language!r}, {default_language!r} nor 'en'"
    )
