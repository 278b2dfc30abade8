"""The packaged build keeps Babel's data for a few locales only (packaging/returnsdesk.spec):
a customer whose language it lacks still gets their message, in English (or the shop's default),
and the relay delivers it. Babel is pointed at a folder holding exactly the kept locales."""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import babel.localedata
import pytest
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from fake_shop import FakeShop
from sqlmodel import select

from completing import demo_parcel, station_service
from returnsdesk.config import MessagesSettings
from returnsdesk.data.models import Order, OutboxEvent, Return
from returnsdesk.domain.vocabulary import OutboxStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.messages.queue import MESSAGE_EVENT
from returnsdesk.services.messages.render import MessageRenderer
from returnsdesk.services.station import ParcelOpened
from returnsdesk.services.sync import HttpContractConnector, Relay
from returnsdesk.services.sync.station_pull import station_connector

SPEC = Path(__file__).resolve().parents[3] / "packaging" / "returnsdesk.spec"
AT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def kept_locales() -> tuple[str, ...]:
    match = re.search(r"^_BABEL_LOCALES = (\(.*?\))$", SPEC.read_text(encoding="utf-8"), re.M)
    assert match, "packaging/returnsdesk.spec names the Babel locales it keeps"
    kept = ast.literal_eval(match.group(1))
    assert isinstance(kept, tuple)
    return kept


def _clear_babel_caches() -> None:
    babel.localedata.exists.cache_clear()
    babel.localedata.locale_identifiers.cache_clear()


@pytest.fixture
def packaged_babel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Babel with only the locale data the packaged build keeps."""
    folder = tmp_path / "locale-data"
    folder.mkdir()
    for name in kept_locales():
        shutil.copy(Path(babel.localedata._dirname) / f"{name}.dat", folder)
    monkeypatch.setattr(babel.localedata, "_dirname", str(folder))
    monkeypatch.setattr(babel.localedata, "_cache", {})
    _clear_babel_caches()
    yield
    _clear_babel_caches()  # before the real folder is back: nothing remembered from this one


def payload(language: str) -> dict[str, object]:
    return {
        "kind": "refund_issued",
        "rma_number": "RMA-100042",
        "order_number": "100042",
        "customer_name": "Ana",
        "customer_email": "ana@example.com",
        "language": language,
        "payment_method": "card",
        "currency": "EUR",
        "at": AT.isoformat(),
        "total": "12.50",
        "items": [{"title": "Rain jacket", "sku": "JKT-1", "amount": "12.50"}],
    }


def test_the_simulated_build_lacks_the_locales_a_customer_may_have(packaged_babel: None) -> None:
    # The simulation is the build's: French and Brazilian Portuguese are not there
    for missing in ("fr", "pt_BR"):
        with pytest.raises(UnknownLocaleError):
            Locale.parse(missing)
    Locale.parse("de_DE")


@pytest.mark.parametrize(
    ("language", "template", "amount"),
    [
        ("fr", "en", "€12.50"),
        ("pt_BR", "en", "€12.50"),
        ("en-GB", "en", "€12.50"),
        ("en_AU", "en", "€12.50"),
        ("de-AT", "de", "12,50\xa0€"),
    ],
)
def test_a_language_the_build_has_no_data_for_still_gets_its_message(
    packaged_babel: None, language: str, template: str, amount: str
) -> None:
    message = MessageRenderer(MessagesSettings()).render(payload(language), "key-1")
    assert message.language == template
    assert "RMA-100042" in message.subject
    assert amount in message.text


def test_a_shops_own_language_without_babel_data_is_formatted_as_the_default(
    packaged_babel: None, tmp_path: Path
) -> None:
    # Given a shop writing French templates of its own, French its default language
    french = tmp_path / "templates" / "fr"
    french.mkdir(parents=True)
    (french / "refund_issued.subject.txt").write_text("Remboursement {{ rma_number }}")
    (french / "refund_issued.txt").write_text("Nous avons remboursé {{ total_text }}.\n")
    (french / "refund_issued.html").write_text("<p>{{ total_text }}</p>\n")
    settings = MessagesSettings(templates=tmp_path / "templates", default_language="fr")
    # When a French customer's refund is announced by the packaged build
    message = MessageRenderer(settings).render(payload("fr-FR"), "key-2")
    # Then the text is the shop's French, the amount as English writes it
    assert message.language == "fr"
    assert message.text == "Nous avons remboursé €12.50.\n"


def test_every_kept_locale_has_the_data_it_inherits() -> None:
    """en_GB inherits from en_001, not from en: keeping one without the other broke it."""
    kept = set(kept_locales())
    exceptions = get_global("parent_exceptions")
    for name in kept - {"root"}:
        while name != "root":
            parts = name.split("_")
            name = exceptions.get(name) or ("_".join(parts[:-1]) if len(parts) > 1 else "root")
            assert name in kept, f"{name} (a parent) is not kept"


def test_the_relay_delivers_messages_to_customers_of_any_language(
    packaged_babel: None, demo_env: StationEnvironment, shop: FakeShop
) -> None:
    # Given two customers, Brazilian and British, whose parcels were received
    service = station_service(demo_env)
    parcels = {"RMA-100001": "pt_BR", "RMA-100002": "en-GB"}
    with demo_env.database.session() as session:
        for rma, language in parcels.items():
            return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
            order = session.get(Order, return_.order_id)
            assert order is not None
            order.customer_language = language
            session.add(order)
    for rma in parcels:
        parcel = demo_parcel(demo_env, rma)
        assert isinstance(
            service.open_parcel(service.classify(parcel.tracking_number)), ParcelOpened
        )
    # When the relay runs with the packaged build's locale data
    with HttpContractConnector(shop.url, shop.token, timeout_s=10) as http:
        relay = Relay(
            demo_env.database,
            station_connector(
                demo_env.database,
                {None: http},
                MessagesSettings(grace_minutes=0),
                clock=service.clock,
            ),
            clock=service.clock,
        )
        stats = relay.drain()
    # Then each customer got their message, in English, and nothing waits or is parked
    assert stats.retried == stats.parked == 0
    with shop.locked() as state:
        got = {(n["rma_number"], n["kind"], n["language"]) for n in state.notices}
    assert got == {(rma, "parcel_received", "en") for rma in parcels}
    with demo_env.database.read() as session:
        statuses = session.exec(
            select(OutboxEvent.status).where(OutboxEvent.event_type == MESSAGE_EVENT)
        ).all()
    assert statuses == [OutboxStatus.DELIVERED] * len(parcels)


def test_a_locale_whose_parent_data_is_missing_is_formatted_as_its_language(
    packaged_babel: None,
) -> None:
    # Given a build that kept en_GB but not en_001, which it inherits from
    (Path(babel.localedata._dirname) / "en_001.dat").unlink()
    # When a British customer's refund is announced
    message = MessageRenderer(MessagesSettings()).render(payload("en-GB"), "key-3")
    # Then it is written, formatted as English is
    assert message.language == "en"
    assert "€12.50" in message.text and "December 1, 2026" in message.text
