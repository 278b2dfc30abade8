"""The evidence pack of an RMA two shops use (each numbers its own): the pack of one shop's
return holds its own audit entries and customer only, never the other shop's; a pack asked
for without saying whose is refused, at the service and at the command line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from report_floor import flat
from sqlmodel import col, select

from completing import (
    complete_parcel,
    demo_parcel,
    rename_customer,
    same_numbers_for_shop,
    station_service,
    ups_tracking,
)
from returnsdesk.__main__ import main
from returnsdesk.data.models import AuditEntry, Parcel, Return
from returnsdesk.data.repositories import append_audit
from returnsdesk.domain.errors import NumberOfSeveralShops
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.reports import (
    ReportKind,
    ReportRequest,
    ReportRequestError,
    ReportSetup,
    generate_report,
)
from returnsdesk.services.views import ClientProfile

RMA = "RMA-100001"
ACME_CUSTOMER = "Zelda Quartermain"  # Acme's customer; the demo's is someone else


@dataclass(frozen=True)
class Shared:
    own_customer: str
    own_hashes: frozenset[str]  # the audit entries about each shop's return, as written
    acme_hashes: frozenset[str]


def entry_hashes(env: StationEnvironment, subject: str) -> frozenset[str]:
    with env.database.read() as session:
        return frozenset(
            session.exec(select(AuditEntry.entry_hash).where(AuditEntry.subject == subject))
        )


@pytest.fixture
def shared(demo_env: StationEnvironment) -> Shared:
    """RMA-100001 of the station's own shop and Acme's RMA-100001 (another customer), each
    received and completed at one station."""
    own = demo_parcel(demo_env, RMA)
    acme = same_numbers_for_shop(demo_env, own, "ACME", ups_tracking("ACME01", 1))
    rename_customer(demo_env, "ACME", ACME_CUSTOMER)
    service = station_service(demo_env)
    service.clients = {"ACME": ClientProfile("Acme Outdoor", demo_env.policies, "ACME")}
    complete_parcel(service, own)
    complete_parcel(service, acme)
    own_hashes = entry_hashes(demo_env, RMA)
    acme_hashes = entry_hashes(demo_env, f"{RMA} (client ACME)")
    # each return was received and completed: two entries each, under its own subject
    assert len(own_hashes) == len(acme_hashes) == 2
    return Shared(own.customer_name, own_hashes, acme_hashes)


def pack(env: StationEnvironment, **shop: object) -> str:
    request = ReportRequest(ReportKind.EVIDENCE, rma_number=RMA, **shop)  # type: ignore[arg-type]
    return flat(generate_report(env.database, request, setup=ReportSetup.from_settings()).pdf)


def shown(text: str, hashes: frozenset[str]) -> frozenset[str]:
    """Those of the entry ``hashes`` the PDF shows (a table cell may wrap one: spaces dropped)."""
    flat_text = text.replace(" ", "")
    return frozenset(h for h in hashes if h in flat_text)


def test_each_shop_s_pack_lists_its_own_audit_entries_and_customer_only(
    demo_env: StationEnvironment, shared: Shared
) -> None:
    # When the lead makes the pack of Acme's RMA-100001, then of the station's own
    acme = pack(demo_env, client_code="ACME")
    own = pack(demo_env, own_shop=True)

    # Then each lists exactly its own return's audit entries, and its own customer
    assert shown(acme, shared.acme_hashes) == shared.acme_hashes
    assert shown(own, shared.own_hashes) == shared.own_hashes
    assert not shown(acme, shared.own_hashes) and not shown(own, shared.acme_hashes)
    assert ACME_CUSTOMER in acme and shared.own_customer not in acme
    assert shared.own_customer in own and ACME_CUSTOMER not in own
    # and Acme's entries name the shop they are about
    assert f"{RMA} (client ACME)" in acme and "(client ACME)" not in own
    # and each page's header says whose return it is
    assert f"Return {RMA} · client ACME" in acme
    assert f"Return {RMA} · the station's own shop" in own


def test_a_pack_of_a_shared_rma_without_a_shop_is_refused_naming_the_shops(
    demo_env: StationEnvironment, shared: Shared
) -> None:
    with pytest.raises(NumberOfSeveralShops) as refused:
        pack(demo_env)
    assert refused.value.shops == (None, "ACME") and refused.value.number == RMA
    assert "several shops (the station's own, ACME)" in str(refused.value)
    # and a shop without that RMA has no pack of it
    with pytest.raises(ReportRequestError, match="of client BOLT"):
        pack(demo_env, client_code="BOLT")


def test_entries_written_before_shops_were_named_go_to_the_return_whose_rows_they_name(
    demo_env: StationEnvironment, shared: Shared
) -> None:
    # Given entries with the bare number, as every entry about a return was written before:
    # one naming Acme's parcel, one naming nothing of either return
    with demo_env.database.read() as session:
        acme_parcel = session.exec(
            select(Parcel.id)
            .join(Return, col(Return.id) == col(Parcel.return_id))
            .where(Return.client_code == "ACME")
        ).one()
    with demo_env.database.session() as session:
        for action, details in (
            ("parcel.legacy_acme", {"parcel_id": acme_parcel}),
            ("parcel.legacy_unnamed", {"note": "no row named"}),
        ):
            append_audit(
                session,
                action=action,
                subject=RMA,
                details=details,
                operator_id=None,
                station_id=None,
            )

    acme = pack(demo_env, client_code="ACME")
    own = pack(demo_env, own_shop=True)

    # Then the one naming Acme's parcel is in Acme's pack only; the other, as the bare number
    # always meant, in the station's own shop's
    assert "parcel.legacy_acme" in acme and "parcel.legacy_acme" not in own
    assert "parcel.legacy_unnamed" in own and "parcel.legacy_unnamed" not in acme
    assert not shown(acme, shared.own_hashes)


def acme_settings(tmp_path: Path) -> Path:
    path = tmp_path / "clients.toml"
    path.write_text(
        '[clients.ACME]\nname = "Acme Outdoor"\n'
        '[clients.ACME.order_system]\nkind = "oscar"\nurl = "http://127.0.0.1:9"\n',
        encoding="utf-8",
    )
    return path


def test_the_command_refuses_a_shared_rma_and_takes_whose_with_client(
    demo_env: StationEnvironment,
    shared: Shared,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("RETURNSDESK_SYSTEM_CONFIG", str(acme_settings(tmp_path)))
    url = demo_env.database.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "pack.pdf"

    def report(*client: str) -> int:
        return main(["report", "evidence", RMA, "--database", url, "--out", str(out), *client])

    # Without --client: refused as every command taking an RMA refuses it, nothing written
    assert report() == 1
    err = capsys.readouterr().err
    assert (
        f"{RMA} is an RMA number of several shops (- (the station's own), ACME): say whose"
        " with --client CODE (- for the station's own shop)." in err
    )
    assert not out.exists()

    # --client -: the station's own shop's return
    assert report("--client", "-") == 0
    own = flat(out.read_bytes())
    assert shared.own_customer in own and ACME_CUSTOMER not in own
    assert not shown(own, shared.acme_hashes)

    # --client ACME: Acme's
    assert report("--client", "ACME") == 0
    acme = flat(out.read_bytes())
    assert ACME_CUSTOMER in acme and shared.own_customer not in acme
    assert shown(acme, shared.acme_hashes) == shared.acme_hashes

    # and "-" is for an evidence pack only
    assert main(["report", "kpis", "--client", "-", "--database", url, "--out", str(out)]) == 2
    assert "is for an evidence pack" in capsys.readouterr().err
