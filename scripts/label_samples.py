"""Render sample routing labels into docs/screenshots/labels/ (PDF and PNG, for the README).

``.venv/bin/python scripts/label_samples.py``: one refurbish and one restock label at 4x6 in
and 2x1 in, drawn by the same code the printers use, rasterised at 300 dpi with pypdfium2.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2

from returnsdesk.domain.labels import RoutingLabel, license_plate, parse_label_size
from returnsdesk.domain.vocabulary import Disposition
from returnsdesk.services.labels.render import render_pdf, render_zpl

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots" / "labels"
SAMPLE = RoutingLabel(
    license_plate=license_plate(uuid.UUID("0d9f1c2e-7b3a-4e5f-8a61-9c2b3d4e5f60")),
    disposition=Disposition.REFURBISH,
    location="REFURB-B12",
    grade="C",
    rma_number="RMA-2026-00042",
    sku="SHOE-RUN-42-BLK",
    title="Trail running shoe, black, EU 42",
    station_code="BENCH-03",
    inspected_at=datetime(2026, 11, 23, 1, 5, tzinfo=UTC),
)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in ("4x6in", "2x1in"):
        pdf = render_pdf([SAMPLE], parse_label_size(size))
        (OUT / f"routing-{size}.pdf").write_bytes(pdf)
        document = pypdfium2.PdfDocument(pdf)
        try:
            document[0].render(scale=300 / 72).to_pil().save(OUT / f"routing-{size}.png")
        finally:
            document.close()
        (OUT / f"routing-{size}-203dpi.zpl").write_bytes(
            render_zpl(SAMPLE, parse_label_size(size), 203)
        )
        print(f"wrote {OUT}/routing-{size}.*")  # noqa: T201 - script output


if __name__ == "__main__":
    main()
