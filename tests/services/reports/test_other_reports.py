"""Insights, recovery and the evidence pack, checked against what the services wrote."""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pypdf
import pytest
from report_floor import Floor, flat
from sqlmodel import col, select

from returnsdesk.data.models import DispositionDecision, Inspection, Photo, Product
from returnsdesk.domain.money import Money
from returnsdesk.domain.vocabulary import Disposition
from returnsdesk.services.reports import (
    Period,
    ReportKind,
    ReportRequest,
    ReportRequestError,
    generate_report,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def worked(floor: Floor) -> Floor:
    parcels = floor.summary.parcels
    floor.work(parcels[0], photo=True, note="Seam split at the left shoulder")
    floor.work(parcels[1], grade="4", answer=False, note="SEAM SPLIT AT THE LEFT SHOULDER ")
    floor.work(parcels[2], grade="5", answer=False)
    floor.work(parcels[4], grade="3")
    floor.work(parcels[5])
    return floor


def report(floor: Floor, kind: ReportKind, **kwargs: object) -> bytes:
    if kind is not ReportKind.EVIDENCE:
        kwargs["period"] = Period.last_days(30, NOW, floor.setup().zone)
    return generate_report(
        floor.database,
        ReportRequest(kind, **kwargs),
        setup=floor.setup(),  # type: ignore[arg-type]
    ).pdf


def test_recovery_value_per_channel_is_resale_value_times_the_rate(worked: Floor) -> None:
    rates = worked.setup().recovery_rates
    with worked.database.session() as session:
        rows = session.exec(
            select(DispositionDecision.disposition, Product.unit_value)
            .join(Inspection, col(Inspection.id) == col(DispositionDecision.inspection_id))
            .join(Product, col(Product.id) == col(Inspection.product_id))
        ).all()
    value: dict[Disposition, Decimal] = {}
    units: Counter[Disposition] = Counter()
    for disposition, unit_value in rows:
        value[disposition] = value.get(disposition, Decimal(0)) + unit_value
        units[disposition] += 1
    assert len(units) >= 2

    text = flat(report(worked, ReportKind.RECOVERY))

    for disposition, resale in value.items():
        recovered = Money(resale * rates[disposition], "EUR").format()
        assert (
            f"{disposition.label} {units[disposition]} {units[disposition] / len(rows):.1%} "
            f"{Money(resale, 'EUR').format()} {rates[disposition]:.0%} {recovered}"
        ) in text
    assert f"Units dispositioned {len(rows)}" in text
    assert "Refunds in the period 5 Median" in text


def test_insights_show_rates_reasons_defects_and_notes(worked: Floor) -> None:
    with worked.database.session() as session:
        notes = session.exec(select(Inspection.notes)).all()
    seams = sum(1 for note in notes if note.lower().startswith("seam split"))
    assert seams >= 2

    text = flat(report(worked, ReportKind.INSIGHTS))

    assert "Return rate" in text and "By category" in text and "By size" in text
    assert "Stated reason against grade found" in text
    assert "Checklist questions answered No" in text
    assert f"seam split at the left shoulder {seams} " in text  # grouped case-insensitively


def test_evidence_pack_embeds_the_photo_and_lists_its_hash(worked: Floor) -> None:
    rma = worked.summary.parcels[0].rma_number
    with worked.database.session() as session:
        photo = session.exec(select(Photo)).first()
    assert photo is not None
    on_disk = (worked.photo_root / photo.relative_path).read_bytes()
    assert hashlib.sha256(on_disk).hexdigest() == photo.sha256

    data = report(worked, ReportKind.EVIDENCE, rma_number=rma.lower())
    text = flat(data)

    assert f"Evidence pack {rma.lower()}" in text or f"Evidence pack {rma}" in text
    assert photo.sha256[:40] in text.replace(" ", "")
    assert "hash verified" in text
    assert "Parcel received" in text and "return.completed" in text
    images = [img for page in pypdf.PdfReader(io.BytesIO(data)).pages for img in page.images]
    assert len(images) == 1


def test_an_altered_photo_is_reported_not_embedded(worked: Floor) -> None:
    rma = worked.summary.parcels[0].rma_number
    with worked.database.session() as session:
        photo = session.exec(select(Photo)).one()
    (worked.photo_root / photo.relative_path).write_bytes(b"not the photo")

    data = report(worked, ReportKind.EVIDENCE, rma_number=rma)

    assert "ALTERED: hash differs" in flat(data)
    assert not [img for page in pypdf.PdfReader(io.BytesIO(data)).pages for img in page.images]


def test_an_unknown_rma_is_a_clear_error(floor: Floor) -> None:
    with pytest.raises(ReportRequestError, match="No return 'RMA-999999'"):
        report(floor, ReportKind.EVIDENCE, rma_number="RMA-999999")
