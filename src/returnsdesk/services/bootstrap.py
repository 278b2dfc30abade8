"""Opening a station's world from settings: database (migrated), policies, demo data."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
from sqlalchemy.engine import make_url
from sqlmodel import Session

from returnsdesk.config import Settings
from returnsdesk.data.backup import backup_before_upgrade
from returnsdesk.data.db import Database, default_database_url, demo_database_url, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.domain.policy import Policies, load_policies
from returnsdesk.domain.scanning import ScanRules
from returnsdesk.paths import default_policy_dir
from returnsdesk.services.demo import DemoSummary, seed_demo
from returnsdesk.services.operators import LockoutPolicy
from returnsdesk.services.views import ClientProfile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StationEnvironment:
    database: Database
    policies: Policies
    scan_rules: ScanRules
    database_label: str  # where the data lives, for the status bar (no password)
    demo: DemoSummary | None
    demo_sheet: Path | None
    # Client shops by code ([clients.<code>]), each with its policies; empty: one shop.
    clients: dict[str, ClientProfile] = field(default_factory=dict)


def database_url(settings: Settings, *, demo: bool) -> str:
    if settings.database.url:
        return settings.database.url
    return demo_database_url() if demo else default_database_url()


def describe_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite {Path(parsed.database or ':memory:').name}"
    return f"{parsed.get_backend_name()} {parsed.host or ''}/{parsed.database or ''}"


def scan_rules(settings: Settings) -> ScanRules:
    scanner = settings.scanner
    return ScanRules(
        rma_prefixes=tuple(scanner.rma_prefixes),
        order_prefixes=tuple(scanner.order_prefixes),
        max_length=scanner.max_length,
    )


def lockout_policy(settings: Settings) -> LockoutPolicy:
    security = settings.security
    return LockoutPolicy(
        max_failures=security.max_pin_failures, lock_minutes=security.lockout_minutes
    )


def client_profiles(settings: Settings, policies: Policies) -> dict[str, ClientProfile]:
    """Each client shop with its own policy folder loaded (else the station's ``policies``)."""
    return {
        client.code: ClientProfile(
            name=client.name,
            policies=policies if client.policies is None else load_policies(client.policies),
            label_title=client.label_title or client.name,
        )
        for client in settings.clients
    }


def open_environment(settings: Settings, *, demo: bool) -> StationEnvironment:
    """Everything a station needs, ready: raises PolicyError / ReturnsDeskError with clear text."""
    policies = load_policies(settings.policies.directory or default_policy_dir())
    clients = client_profiles(settings, policies)
    url = database_url(settings, demo=demo)
    database = Database(make_engine(url))
    backup_before_upgrade(database.engine)  # SQLite only; IT backs up PostgreSQL
    ensure_schema(database.engine)
    summary: DemoSummary | None = None
    sheet: Path | None = None
    if demo:
        with Session(database.engine) as session:
            # Commits itself (the whole demo data set is one setup action) and reads the
            # parcels back either way.
            summary = seed_demo(session)
        sheet = Path(platformdirs.user_data_dir("returnsdesk", "returnsdesk")) / "demo-barcodes.pdf"
        if not sheet.exists():
            # reportlab only here: importing it costs every later start about 0.3 s.
            from returnsdesk.services.demo_sheet import write_demo_sheet

            sheet.parent.mkdir(parents=True, exist_ok=True)
            write_demo_sheet(summary, sheet)
        log.info("Demo database %s; barcode sheet %s", url, sheet)
    return StationEnvironment(
        database=database,
        policies=policies,
        scan_rules=scan_rules(settings),
        database_label=describe_url(url),
        demo=summary,
        demo_sheet=sheet,
        clients=clients,
    )
