"""One typed, frozen ``Settings`` object, read once at start.

Layers, each overriding the one before:

1. the defaults written below;
2. the system-wide file for IT (``/etc/returnsdesk/config.toml``, on Windows
   ``%PROGRAMDATA%\\returnsdesk\\config.toml``; the variable ``RETURNSDESK_SYSTEM_CONFIG`` names
   another file, or disables the layer when empty);
3. the user file (``config.toml`` in the platformdirs user config dir; ``RETURNSDESK_USER_CONFIG``
   works the same way);
4. environment variables ``RETURNSDESK_<SECTION>_<KEY>``, e.g. ``RETURNSDESK_STATION_CODE``;
5. overrides from the command line, as dotted keys: ``{"station.code": "STATION-07"}``.

Every layer is checked as it is read, and a ``ConfigError`` names the file or variable and the
key. A file at its default location may be absent; a file named by a variable must exist.

Secrets never come from here: the order system's API token lives in the OS keyring, and a
``token`` key in a file or variable is refused with a message saying so.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import sys
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import Field, dataclass, field, fields, is_dataclass
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Literal, NamedTuple, get_args, get_origin, get_type_hints
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import platformdirs

from returnsdesk.domain.errors import ConfigError
from returnsdesk.domain.kpis import parse_cost, parse_costs
from returnsdesk.domain.labels import parse_label_size
from returnsdesk.domain.messages import parse_lead_times
from returnsdesk.domain.shifts import parse_recovery_rates, parse_shifts, site_zone

APP_NAME = "returnsdesk"
ENV_PREFIX = "RETURNSDESK_"
SYSTEM_CONFIG_ENV = "RETURNSDESK_SYSTEM_CONFIG"
USER_CONFIG_ENV = "RETURNSDESK_USER_CONFIG"
CONFIG_FILE_NAME = "config.toml"

OrderSystemKind = Literal["none", "oscar", "shopify"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
PrinterKind = Literal["none", "zpl-tcp", "zpl-cups", "pdf-cups", "pdf-folder"]
ScaleProtocol = Literal["mt-sics"]


def _setting(
    default: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    unset: str | None = None,
) -> Any:
    """A field with its checks (inclusive bounds) and, for ``None``, what "not set" means."""
    return field(default=default, metadata={"min": minimum, "max": maximum, "unset": unset})


@dataclass(frozen=True)
class StationSettings:
    code: str = "STATION-01"  # recorded on every inspection and audit entry
    name: str | None = None


@dataclass(frozen=True)
class DatabaseSettings:
    # SQLAlchemy URL; returnsdesk.data.db resolves None to its SQLite file.
    url: str | None = _setting(None, unset="SQLite file in the user data dir")

    def __repr__(self) -> str:
        # The URL may carry a password, and settings end up in logs and crash reports.
        shown = None if self.url is None else _redact_url(self.url)
        return f"DatabaseSettings(url={shown!r})"


@dataclass(frozen=True)
class PoliciesSettings:
    # None: the bundled files, returnsdesk.paths.default_policy_dir().
    directory: Path | None = _setting(None, unset="bundled defaults")


@dataclass(frozen=True)
class ScannerSettings:
    """Keyboard-wedge input: a burst of keys faster than ``max_gap_ms`` apart is one scan."""

    max_gap_ms: int = _setting(50, minimum=1, maximum=1000)
    min_length: int = _setting(4, minimum=1)
    max_length: int = _setting(80, minimum=1)
    rma_prefixes: tuple[str, ...] = ("RMA-",)
    order_prefixes: tuple[str, ...] = ("#", "ORD-", "SO-", "WEB-")


@dataclass(frozen=True)
class CameraSettings:
    """The bench camera: scanner and evidence recorder. No source: the station has no camera."""

    # A device index ("0"), a video file or a folder of images (recorded frames, for demos).
    source: str | None = _setting(None, unset="no camera")
    width: int = _setting(1280, minimum=160, maximum=7680)
    height: int = _setting(720, minimum=120, maximum=4320)
    fps: int = _setting(30, minimum=1, maximum=120)
    formats: tuple[str, ...] = (
        "Code128",
        "DataMatrix",
        "QRCode",
        "PDF417",
        "EAN13",
        "EAN8",
        "UPCA",
        "ITF",
    )
    # Units the evidence policy names (grading.toml [evidence]) need a photo before they are
    # finished; enforced only where a camera is configured.
    require_photos: bool = True


@dataclass(frozen=True)
class ScaleSettings:
    """The bench scale (docs/it-guide.md, "Bench scale"). No port: the station has no scale."""

    # The serial port: /dev/ttyUSB0, /dev/serial/by-id/..., COM3.
    port: str | None = _setting(None, unset="no scale")
    protocol: ScaleProtocol = "mt-sics"  # Mettler Toledo MT-SICS, the S / SI commands
    baud: int = _setting(9600, minimum=300, maximum=115_200)
    # How long a reading may take: the scale waits for the weight to settle within it.
    timeout_s: float = _setting(5.0, minimum=0.5, maximum=30.0)


@dataclass(frozen=True)
class UiSettings:
    sounds: bool = True
    font_scale: float = _setting(1.0, minimum=0.5, maximum=3.0)


@dataclass(frozen=True)
class LoggingSettings:
    level: LogLevel = "INFO"
    # None: platformdirs' user log dir, resolved by returnsdesk.log.
    directory: Path | None = _setting(None, unset="user log dir")


@dataclass(frozen=True)
class OrderSystemSettings:
    """The shop the outbox is relayed to. Its API token is read from the OS keyring, never here."""

    kind: OrderSystemKind = "none"
    # oscar: the sync API's base URL; shopify: the shop, https://NAME.myshopify.com.
    url: str | None = None
    # Shopify only: the Admin API version spoken (its schema is vendored in resources/shopify),
    # and the location returns are restocked at (a Location GID; unset: the first active one).
    api_version: str = "2026-10"
    location_id: str | None = _setting(None, unset="the shop's first active location")
    # How often the station pulls returns, orders and products from the order system.
    pull_interval_s: float = _setting(60.0, minimum=5.0, maximum=86_400.0)
    # Delivered outbox events are deleted after this many days (returnsdesk sync prunes).
    keep_delivered_days: int = _setting(30, minimum=1)
    # Returns whose events the relay delivers at once (each return's still one by one, in
    # order); 1: one event at a time. More helps a backlog as far as the shop serves them.
    parallel_returns: int = _setting(4, minimum=1, maximum=32)


@dataclass(frozen=True)
class ReportsSettings:
    """Shift reports: the site's clock, its named shifts, and what each channel recovers."""

    time_zone: str = "UTC"  # a zoneinfo name, e.g. "Europe/Berlin"; shifts are local times
    # "name=HH:MM-HH:MM"; an end at or before the start crosses midnight.
    shifts: tuple[str, ...] = ("early=06:00-14:00", "late=14:00-22:00", "night=22:00-06:00")
    # Share of a unit's resale value recovered per disposition, for "value recovered".
    recovery_rates: tuple[str, ...] = (
        "restock=1.00",
        "refurbish=0.60",
        "liquidate=0.20",
        "recycle=0.00",
    )
    # What a return costs, for the KPI report's cost per return: "amount CUR", one currency.
    labour_rate: str = "30.00 EUR"  # per hour of inspection
    handling_cost: str = "1.50 EUR"  # per return received (receiving, packing material)
    refurbishment_cost: str = "8.00 EUR"  # per unit sent to refurbishment


@dataclass(frozen=True)
class LabelsSettings:
    """The station's label printer. ``none``: this station prints no routing labels.

    ``zpl-tcp``: a Zebra-type printer on raw TCP (``host``, ``port``); ``zpl-cups``: a CUPS raw
    queue (``queue``); ``pdf-cups``: a system printer through CUPS (``queue``, or the default
    printer); ``pdf-folder``: PDFs written to ``folder`` (a hot folder, or a station's archive).
    """

    printer: PrinterKind = "none"
    host: str | None = None
    port: int = _setting(9100, minimum=1, maximum=65535)
    timeout_s: float = _setting(5.0, minimum=0.5, maximum=60.0)
    queue: str | None = _setting(None, unset="the system's default printer (pdf-cups)")
    folder: Path | None = _setting(None, unset="labels/ in the user data dir")
    size: str = "4x6in"  # 4x6in, 100x150mm, 2x1in, or any WxHmm / WxHin
    dpi: int = 203  # ZPL printers: 203, 300 or 600


@dataclass(frozen=True)
class SecuritySettings:
    """Sign-in protection (PCI DSS 8.3.4 lockout, 8.2.8 idle lock); the limits are maxima."""

    # Wrong PINs in a row that lock a badge, and for how long (counted in the database).
    max_pin_failures: int = _setting(10, minimum=1, maximum=10)
    lockout_minutes: int = _setting(30, minimum=30, maximum=24 * 60)
    # Minutes without a key, scan or click before the station asks for a badge and PIN again.
    idle_lock_minutes: int = _setting(15, minimum=1, maximum=15)


MessageDelivery = Literal["order_system", "smtp"]
SmtpSecurity = Literal["starttls", "none"]


@dataclass(frozen=True)
class MessagesSettings:
    """Messages to the customer (services/messages): what they say and how they leave.

    ``delivery``: ``order_system`` hands each message to the shop (which e-mails it);
    ``smtp``: the station sends it itself (STARTTLS; the password lives in the OS keyring,
    service "returnsdesk", user "smtp", or the process variable RETURNSDESK_SMTP_PASSWORD).
    """

    delivery: MessageDelivery = "order_system"
    # For a customer whose language the shop did not say, or whose language has no templates.
    default_language: str = "en"
    # A template folder of the shop's own (<folder>/<lang>/<kind>.txt|.html|.subject.txt);
    # anything it lacks comes from the bundled resources/messages.
    templates: Path | None = _setting(None, unset="bundled templates")
    # The order system hears of a receipt (and "parcel received" goes) this long after it, so a
    # receipt undone within minutes (F7) is never heard of; a completed return goes at once.
    grace_minutes: int = _setting(15, minimum=0, maximum=24 * 60)
    # Business days from the refund's release until the money is with the customer, per
    # payment method ("method=days"); methods not named wait ``default_lead_days``.
    lead_times: tuple[str, ...] = ("card=5", "paypal=2", "bank_transfer=3", "invoice=5")
    default_lead_days: int = _setting(10, minimum=0, maximum=60)
    # Business days a shift lead takes at most to review a held refund (the "by when").
    review_days: int = _setting(2, minimum=0, maximum=30)
    # Public holidays of this country (and subdivision, e.g. "BY") are no business days.
    warehouse_country: str = "DE"
    warehouse_subdivision: str | None = None
    time_zone: str = "UTC"  # the warehouse's zoneinfo name: which day a refund was released
    # Whether the inspector's note on a unit is shown to the customer.
    share_inspector_notes: bool = False
    from_address: str = "returns@example.com"
    smtp_host: str | None = None
    smtp_port: int = _setting(587, minimum=1, maximum=65535)
    smtp_security: SmtpSecurity = "starttls"
    smtp_username: str | None = None
    # A CA bundle to trust for the SMTP server's certificate (else the system's).
    smtp_ca_file: Path | None = _setting(None, unset="the system's trusted CAs")
    smtp_timeout_s: float = _setting(20.0, minimum=1.0, maximum=300.0)
    # Delivered messages stay this long for the lead's list and resend (other delivered
    # outbox events: order_system.keep_delivered_days); then they are deleted.
    keep_days: int = _setting(365, minimum=1, maximum=3650)


@dataclass(frozen=True)
class ClientSettings:
    """One client shop served at this station (third-party logistics): ``[clients.<code>]``.

    Its returns carry ``code`` (``client_code`` in the database); its events go only to its own
    order system; its policies, label title and message sender are used for its returns.
    """

    code: str  # the table's name: letters, digits, "-" and "_", at most 40
    name: str  # shown at the bench and on reports
    order_system: OrderSystemSettings = field(default_factory=OrderSystemSettings)
    # A policy folder of this client's own (grading, checklists, dispositions, refunds).
    policies: Path | None = _setting(None, unset="the station's [policies]")
    label_title: str | None = _setting(None, unset="the client's name")  # on routing labels
    sender_name: str | None = _setting(None, unset="the client's name")  # customer messages
    from_address: str | None = _setting(None, unset="messages.from_address")


@dataclass(frozen=True)
class Settings:
    station: StationSettings = field(default_factory=StationSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    policies: PoliciesSettings = field(default_factory=PoliciesSettings)
    scanner: ScannerSettings = field(default_factory=ScannerSettings)
    camera: CameraSettings = field(default_factory=CameraSettings)
    scale: ScaleSettings = field(default_factory=ScaleSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    order_system: OrderSystemSettings = field(default_factory=OrderSystemSettings)
    reports: ReportsSettings = field(default_factory=ReportsSettings)
    labels: LabelsSettings = field(default_factory=LabelsSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    messages: MessagesSettings = field(default_factory=MessagesSettings)
    # Client shops ([clients.<code>]); none: the station serves one shop, [order_system].
    clients: tuple[ClientSettings, ...] = ()
    # Files, variables and "command line" that set at least one value, lowest layer first.
    sources: tuple[str, ...] = ()

    def client(self, code: str | None) -> ClientSettings | None:
        """The client of that code; None for the station's own shop (code None) or unknown."""
        return next((c for c in self.clients if code is not None and c.code == code), None)


# The schema, read from the dataclasses above so that they stay the only place it is written.
_SETTINGS_HINTS = get_type_hints(Settings)
_SECTIONS: dict[str, type[Any]] = {
    f.name: _SETTINGS_HINTS[f.name]
    for f in fields(Settings)
    if is_dataclass(_SETTINGS_HINTS[f.name])
}
_FIELDS: dict[str, dict[str, Field[Any]]] = {
    section: {f.name: f for f in fields(cls)} for section, cls in _SECTIONS.items()
}
_HINTS: dict[str, dict[str, Any]] = {
    section: get_type_hints(cls) for section, cls in _SECTIONS.items()
}
_SECRET_KEYS = {("order_system", "token"), ("messages", "smtp_password")}
_SECRET_MESSAGE = (
    "API tokens are kept in the OS keyring (or, for a headless relay, the process environment"
    " variable RETURNSDESK_ORDER_SYSTEM_TOKEN), never in a settings file"
)
_DEFAULTS_SOURCE = "defaults"
_COMMAND_LINE_SOURCE = "command line"
_SECRET_WORDS = ("token", "secret", "password", "key")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _env_name(section: str, key: str) -> str:
    return f"{ENV_PREFIX}{section}_{key}".upper()


_ENV_VARS = {
    _env_name(section, key): (section, key) for section in _FIELDS for key in _FIELDS[section]
}
_SECRET_ENV_VARS = {_env_name(section, key): (section, key) for section, key in _SECRET_KEYS}
# Variables that steer a process but are no settings: where the layers are, start-up checks,
# and the order-system token for a headless relay (read by the relay itself, never stored).
CONTROL_ENV_VARS = frozenset(
    {
        SYSTEM_CONFIG_ENV,
        USER_CONFIG_ENV,
        "RETURNSDESK_EXIT_WHEN_READY",
        "RETURNSDESK_ORDER_SYSTEM_TOKEN",
        "RETURNSDESK_SHOP_VENV",
        "RETURNSDESK_BUILD_TEST",
        "RETURNSDESK_REQUIRE_POSTGRES",  # tests/postgres.py: fail, not skip, without a server
        "RETURNSDESK_REQUIRE_SHOP",  # tests/integration: fail, not skip, without the Oscar shop
        "RETURNSDESK_UPDATE_SCREENSHOTS",  # tests/integration: write docs/screenshots too
        "RETURNSDESK_AUDIT_KEY_FILE",  # the audit key file's path (data/audit_key.py)
        "RETURNSDESK_SMTP_PASSWORD",  # the SMTP password for a headless relay (messages)
    }
)


# A client shop's API token for a headless relay: RETURNSDESK_CLIENT_TOKEN_<CODE> (the code in
# capitals, "-" as "_"); else the OS keyring, service "returnsdesk", user "order_system:<code>".
CLIENT_TOKEN_ENV_PREFIX = "RETURNSDESK_CLIENT_TOKEN_"


def client_token_variable(code: str) -> str:
    return CLIENT_TOKEN_ENV_PREFIX + code.upper().replace("-", "_")


class _Entry(NamedTuple):
    """One raw value from one layer, with what is needed to convert it and to blame its source."""

    source: str
    section: str
    key: str
    raw: object
    text: bool  # a string from the environment or command line, parsed into the field's type
    base: Path | None  # a settings file's folder, against which relative paths resolve


class _InvalidValueError(Exception):
    """A value that does not fit its setting; the loader adds the source and the key."""


def load_settings(
    *,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings from every layer; raise ``ConfigError`` at the first invalid value.

    ``overrides`` maps dotted keys to values; ``None`` values are skipped so that a command line
    can pass its unset options straight through. ``environ`` defaults to ``os.environ``.
    """
    env = os.environ if environ is None else environ
    values: dict[tuple[str, str], object] = {}
    origins: dict[tuple[str, str], str] = {}
    sources: list[str] = []
    layers = [
        *(_file_entries(path, required) for path, required in _config_files(env)),
        _env_entries(env),
        _override_entries(overrides or {}),
    ]
    for layer in layers:
        for entry in layer:
            values[entry.section, entry.key] = _convert_entry(entry)
            origins[entry.section, entry.key] = entry.source
            if entry.source not in sources:
                sources.append(entry.source)
    _check_combinations(values, origins)
    sections = {
        name: cls(**{key: value for (section, key), value in values.items() if section == name})
        for name, cls in _SECTIONS.items()
    }
    clients = _build_clients(values, ", ".join(sources) or _DEFAULTS_SOURCE)
    return Settings(**sections, clients=clients, sources=tuple(sources))


def settings_report(settings: Settings) -> str:
    """The effective settings as readable text for diagnostics, with passwords in URLs hidden."""
    lines = [f"Settings from: {', '.join((_DEFAULTS_SOURCE, *settings.sources))}"]
    for section, section_fields in _FIELDS.items():
        lines.append(f"[{section}]")
        section_value = getattr(settings, section)
        for key, spec in section_fields.items():
            value = getattr(section_value, key)
            if value is None:
                meaning = spec.metadata.get("unset")
                lines.append(f"{key} = (not set{f': {meaning}' if meaning else ''})")
            else:
                shown = _redact_url(value) if key == "url" else value
                lines.append(f"{key} = {_show(shown)}")
    for client in settings.clients:
        system = client.order_system
        lines.append(f"[clients.{client.code}] name = {_show(client.name)}")
        url = _show(_redact_url(system.url)) if system.url else "(not set)"
        lines.append(f"order_system.kind = {_show(system.kind)}, url = {url}")
        if client.policies is not None:
            lines.append(f"policies = {_show(client.policies)}")
    lines.append(f"# order system token: {_SECRET_MESSAGE}")
    return "\n".join(lines)


def _config_files(environ: Mapping[str, str]) -> list[tuple[Path, bool]]:
    """The settings files to read, system first, each with whether it must exist."""
    if sys.platform == "win32":
        program_data = environ.get("PROGRAMDATA", r"C:\ProgramData")
        system_default = Path(program_data) / APP_NAME / CONFIG_FILE_NAME
    else:
        system_default = Path("/etc") / APP_NAME / CONFIG_FILE_NAME
    user_default = Path(platformdirs.user_config_dir(APP_NAME, APP_NAME)) / CONFIG_FILE_NAME
    files = []
    for variable, default in ((SYSTEM_CONFIG_ENV, system_default), (USER_CONFIG_ENV, user_default)):
        named = environ.get(variable)
        if named is None:
            files.append((default, False))
        elif named:  # an empty variable switches the layer off (tests, kiosks)
            files.append((Path(named).expanduser(), True))
    return files


def _file_entries(path: Path, required: bool) -> Iterator[_Entry]:
    source = str(path)
    try:
        with path.open("rb") as stream:
            document = tomllib.load(stream)
    except FileNotFoundError:
        if required:
            raise ConfigError(f"{source}: file not found") from None
        return
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read: {exc.strerror or exc}") from exc
    except ValueError as exc:  # TOMLDecodeError, or bytes that are not UTF-8
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    for section, table in document.items():
        if section == _CLIENTS:
            yield from _client_table_entries(source, table, path.parent)
            continue
        if section not in _FIELDS:
            raise ConfigError(f"{source}: {_unknown_section(section)}")
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: {section}: must be a table ([{section}])")
        for key, raw in table.items():
            _check_known(source, section, key)
            yield _Entry(source, section, key, raw, text=False, base=path.parent)


def _env_entries(environ: Mapping[str, str]) -> Iterator[_Entry]:
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX) or name in CONTROL_ENV_VARS:
            continue
        if name.startswith(CLIENT_TOKEN_ENV_PREFIX):  # a secret read by the relay, no setting
            continue
        if name in _SECRET_ENV_VARS:
            raise ConfigError(f"{name}: {'.'.join(_SECRET_ENV_VARS[name])}: {_SECRET_MESSAGE}")
        if name not in _ENV_VARS:
            raise ConfigError(f"{name}: unknown variable{_suggest(name, list(_ENV_VARS))}")
        section, key = _ENV_VARS[name]
        yield _Entry(name, section, key, environ[name], text=True, base=None)


def _override_entries(overrides: Mapping[str, Any]) -> Iterator[_Entry]:
    for dotted, raw in overrides.items():
        if raw is None:
            continue
        section, _, key = dotted.partition(".")
        if section == _CLIENTS:
            yield _client_entry(_COMMAND_LINE_SOURCE, key, raw, isinstance(raw, str), None)
            continue
        if section not in _FIELDS:
            raise ConfigError(f"{_COMMAND_LINE_SOURCE}: {_unknown_section(section)}")
        if not key:
            example = f"{section}.{next(iter(_FIELDS[section]))}"
            raise ConfigError(f"{_COMMAND_LINE_SOURCE}: {dotted}: expected a key like {example}")
        _check_known(_COMMAND_LINE_SOURCE, section, key)
        yield _Entry(_COMMAND_LINE_SOURCE, section, key, raw, text=isinstance(raw, str), base=None)


def _check_known(source: str, section: str, key: str) -> None:
    if (section, key) in _SECRET_KEYS:
        raise ConfigError(f"{source}: {section}.{key}: {_SECRET_MESSAGE}")
    if key in _FIELDS[section]:
        return
    known = list(_FIELDS[section])
    suggestion = _suggest(key, known)
    if not suggestion:  # the right key in the wrong section is a common slip
        home = next((s for s, keys in _FIELDS.items() if key in keys), None)
        suggestion = f" (did you mean {home}.{key}?)" if home else f" (known: {', '.join(known)})"
    raise ConfigError(f"{source}: unknown key {section}.{key}{suggestion}")


_CLIENTS = "clients"
# Begins with a letter or digit: a lone "-" means the station's own shop (``--client -``).
_CLIENT_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
_CLIENT_FIELDS = {
    f.name: f for f in fields(ClientSettings) if f.name not in ("code", "order_system")
}
_CLIENT_HINTS = get_type_hints(ClientSettings)


def _client_table_entries(source: str, tables: object, base: Path) -> Iterator[_Entry]:
    """``[clients.CODE]`` tables, each with its keys and an ``[clients.CODE.order_system]``."""
    if not isinstance(tables, dict):
        raise ConfigError(f"{source}: clients: must be tables, [clients.CODE]")
    for code, table in tables.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: clients.{code}: must be a table ([clients.{code}])")
        for key, raw in table.items():
            if key == "order_system" and isinstance(raw, dict):
                for nested, value in raw.items():
                    yield _client_entry(source, f"{code}.order_system.{nested}", value, False, base)
            else:
                yield _client_entry(source, f"{code}.{key}", raw, False, base)


def _client_entry(source: str, dotted: str, raw: object, text: bool, base: Path | None) -> _Entry:
    """One client value, its key checked: ``CODE.key`` or ``CODE.order_system.key``."""
    code, _, key = dotted.partition(".")
    if not _CLIENT_CODE.fullmatch(code):
        raise ConfigError(
            f"{source}: clients.{code}: a client code is 1 to 40 letters, digits, - or _,"
            " beginning with a letter or digit"
        )
    section, _, nested = key.rpartition(".")
    if section == "order_system":
        if nested == "token":
            raise ConfigError(f"{source}: clients.{code}.order_system.token: {_SECRET_MESSAGE}")
        if nested not in _FIELDS["order_system"]:
            known = ", ".join(_FIELDS["order_system"])
            raise ConfigError(
                f"{source}: unknown key clients.{code}.order_system.{nested} (known: {known})"
            )
    elif section or key not in _CLIENT_FIELDS:
        known = ", ".join([*_CLIENT_FIELDS, "order_system"])
        raise ConfigError(f"{source}: unknown key clients.{code}.{key} (known: {known})")
    return _Entry(source, _CLIENTS, dotted, raw, text=text, base=base)


def _build_clients(
    values: Mapping[tuple[str, str], object], source: str
) -> tuple[ClientSettings, ...]:
    by_code: dict[str, dict[str, object]] = {}
    for (section, dotted), value in values.items():
        if section != _CLIENTS:
            continue
        code, _, key = dotted.partition(".")
        by_code.setdefault(code, {})[key] = value
    clients = []
    for code, table in by_code.items():
        if "name" not in table:
            raise ConfigError(f"{source}: clients.{code}.name: required (the shop's name)")
        system = {key.partition(".")[2]: value for key, value in table.items() if "." in key}
        order_system = OrderSystemSettings(**system)  # type: ignore[arg-type]
        if order_system.kind != "none" and order_system.url is None:
            raise ConfigError(
                f"{source}: clients.{code}.order_system.url: required when its kind is "
                f"{order_system.kind!r}"
            )
        own = {key: value for key, value in table.items() if "." not in key}
        clients.append(
            ClientSettings(code=code, order_system=order_system, **own)  # type: ignore[arg-type]
        )
    return tuple(clients)


def _unknown_section(section: str) -> str:
    return f"unknown section [{section}]{_suggest(section, list(_FIELDS))}"


def _suggest(word: str, known: list[str]) -> str:
    matches = difflib.get_close_matches(word, known, n=1)
    return f" (did you mean {matches[0]}?)" if matches else ""


def _convert_entry(entry: _Entry) -> object:
    if entry.section == _CLIENTS:  # key: "CODE.name" or "CODE.order_system.url"
        _code, _, key = entry.key.partition(".")
        section, _, nested = key.rpartition(".")
        spec = _FIELDS[section][nested] if section else _CLIENT_FIELDS[key]
        hint = _HINTS[section][nested] if section else _CLIENT_HINTS[key]
    else:
        spec = _FIELDS[entry.section][entry.key]
        hint = _HINTS[entry.section][entry.key]
    try:
        value = _convert(hint, entry.raw, entry.text, entry.base)
        _check_bounds(value, spec.metadata.get("min"), spec.metadata.get("max"))
    except _InvalidValueError as exc:
        raise ConfigError(f"{entry.source}: {entry.section}.{entry.key}: {exc}") from None
    return value


def _convert(hint: Any, raw: object, text: bool, base: Path | None) -> object:
    """``raw`` as a value of type ``hint``; strings from text sources are parsed first."""
    origin = get_origin(hint)
    if origin is UnionType:  # ``X | None``; an empty string from text sources means "unset"
        if raw is None or (text and isinstance(raw, str) and not raw.strip()):
            return None
        (inner,) = (arg for arg in get_args(hint) if arg is not NoneType)
        return _convert(inner, raw, text, base)
    if origin is Literal:
        choices: tuple[str, ...] = get_args(hint)
        if isinstance(raw, str):
            for choice in choices:
                if choice.casefold() == raw.strip().casefold():
                    return choice
        raise _InvalidValueError(f"must be one of {', '.join(choices)}, not {raw!r}")
    if origin is tuple:
        if text and isinstance(raw, str):
            items = [item.strip() for item in raw.split(",") if item.strip()]
        elif isinstance(raw, list | tuple) and all(isinstance(item, str) for item in raw):
            items = [item.strip() for item in raw]
        else:
            raise _InvalidValueError(f"must be a list of text, not {raw!r}")
        if not all(items):
            raise _InvalidValueError("must not contain empty text")
        return tuple(items)
    if hint is bool:
        return _to_bool(raw, text)
    if hint is int:
        return _to_int(raw, text)
    if hint is float:
        return _to_float(raw, text)
    if hint is str:
        if not isinstance(raw, str):
            raise _InvalidValueError(f"must be text, not {raw!r}")
        if not raw.strip():
            raise _InvalidValueError("must not be empty")
        return raw.strip()
    if hint is Path:
        if not isinstance(raw, str) or not raw.strip():
            raise _InvalidValueError(f"must be a folder path, not {raw!r}")
        path = Path(raw.strip()).expanduser()
        # Relative paths in a file are relative to that file, as IT would expect.
        return base / path if base is not None else path.absolute()
    raise TypeError(f"no conversion for settings of type {hint!r}")  # a bug here, not bad input


def _to_bool(raw: object, text: bool) -> bool:
    if isinstance(raw, bool):
        return raw
    if text and isinstance(raw, str):
        word = raw.strip().casefold()
        if word in _TRUE | _FALSE:
            return word in _TRUE
    raise _InvalidValueError(f"must be true or false, not {raw!r}")


# bool is an int to Python, but ``true`` for a number is a mistake: refuse it in both.
def _to_int(raw: object, text: bool) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if text and isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError:
            pass
    raise _InvalidValueError(f"must be an integer, not {raw!r}")


def _to_float(raw: object, text: bool) -> float:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if text and isinstance(raw, str):
        try:
            return float(raw.strip())
        except ValueError:
            pass
    raise _InvalidValueError(f"must be a number, not {raw!r}")


def _check_bounds(value: object, minimum: float | None, maximum: float | None) -> None:
    if not isinstance(value, int | float):
        return
    # Written as "not within" so that NaN fails too.
    if minimum is not None and not value >= minimum:
        raise _InvalidValueError(f"must be at least {minimum}, not {value!r}")
    if maximum is not None and not value <= maximum:
        raise _InvalidValueError(f"must be at most {maximum}, not {value!r}")


def _check_combinations(
    values: Mapping[tuple[str, str], object], origins: Mapping[tuple[str, str], str]
) -> None:
    """Rules across keys, checked on the merged values; blame the layer that set the key."""

    def get(section: str, key: str) -> Any:
        return values.get((section, key), _FIELDS[section][key].default)

    def origin(section: str, key: str) -> str:
        return origins.get((section, key), _DEFAULTS_SOURCE)

    min_length, max_length = get("scanner", "min_length"), get("scanner", "max_length")
    if min_length > max_length:
        raise ConfigError(
            f"{origin('scanner', 'min_length')}: scanner.min_length: {min_length} exceeds "
            f"scanner.max_length {max_length} (from {origin('scanner', 'max_length')})"
        )
    _check_reports(get, origin)
    kind = get("order_system", "kind")
    if kind != "none" and get("order_system", "url") is None:
        raise ConfigError(
            f"{origin('order_system', 'kind')}: order_system.url: required when "
            f"order_system.kind is {kind!r}"
        )
    if not re.fullmatch(r"\d{4}-(01|04|07|10)", get("order_system", "api_version")):
        raise ConfigError(
            f"{origin('order_system', 'api_version')}: order_system.api_version: Shopify "
            f"versions look like 2026-10, not {get('order_system', 'api_version')!r}"
        )
    _check_labels(get, origin)
    _check_messages(get, origin)


def _check_messages(get: Callable[[str, str], Any], origin: Callable[[str, str], str]) -> None:
    if get("messages", "delivery") == "smtp" and get("messages", "smtp_host") is None:
        raise ConfigError(
            f"{origin('messages', 'delivery')}: messages.smtp_host: required when "
            "messages.delivery is 'smtp'"
        )
    for key, check in (
        ("lead_times", parse_lead_times),
        ("time_zone", site_zone),
    ):
        try:
            check(get("messages", key))
        except ValueError as exc:
            raise ConfigError(f"{origin('messages', key)}: messages.{key}: {exc}") from None


def _check_labels(get: Callable[[str, str], Any], origin: Callable[[str, str], str]) -> None:
    printer = get("labels", "printer")
    needs = {"zpl-tcp": "host", "zpl-cups": "queue"}.get(printer)
    if needs is not None and get("labels", needs) is None:
        raise ConfigError(
            f"{origin('labels', 'printer')}: labels.{needs}: required when labels.printer is"
            f" {printer!r}"
        )
    try:
        parse_label_size(get("labels", "size"))
    except ConfigError as exc:
        raise ConfigError(f"{origin('labels', 'size')}: labels.size: {exc}") from None
    dpi = get("labels", "dpi")
    if dpi not in (203, 300, 600):
        raise ConfigError(
            f"{origin('labels', 'dpi')}: labels.dpi: must be 203, 300 or 600, not {dpi}"
        )


def _check_reports(get: Any, origin: Any) -> None:
    checks = (
        ("time_zone", site_zone),
        ("shifts", parse_shifts),
        ("recovery_rates", parse_recovery_rates),
    )
    for key, parse in checks:
        try:
            parse(get("reports", key))
        except ValueError as exc:
            raise ConfigError(f"{origin('reports', key)}: reports.{key}: {exc}") from None
    costs = ("labour_rate", "handling_cost", "refurbishment_cost")
    for key in costs:
        try:
            parse_cost(get("reports", key))
        except ValueError as exc:
            raise ConfigError(f"{origin('reports', key)}: reports.{key}: {exc}") from None
    try:
        parse_costs(*(get("reports", key) for key in costs))
    except ValueError as exc:
        raise ConfigError(f"{origin('reports', 'labour_rate')}: reports costs: {exc}") from None


def _redact_url(url: str) -> str:
    """``url`` with its password and any secret-looking query values replaced by ``***``."""
    parts = urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if ":" in userinfo:
        userinfo = userinfo.partition(":")[0] + ":***"
    query = [
        (name, "***" if any(word in name.lower() for word in _SECRET_WORDS) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(
        parts._replace(netloc=f"{userinfo}{at}{hostport}", query=urlencode(query, safe="*"))
    )


def _show(value: object) -> str:
    """A value as it would be written in the TOML file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | Path):
        return json.dumps(str(value))
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return str(value)
