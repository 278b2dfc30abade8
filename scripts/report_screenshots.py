"""Render the first page of each report into docs/screenshots/reports/*.png (for the README).

Works a demo floor through the real services (two stations, damage, an empty box, a wrong
item, a hostile customer name, photos), generates the four reports and rasterises page 1
with pypdfium2: ``.venv/bin/python scripts/report_screenshots.py [--all-pages DIR]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

_TEMP = Path(tempfile.mkdtemp(prefix="returnsdesk-report-shots-"))
os.environ["XDG_DATA_HOME"] = str(_TEMP / "data")
os.environ["RETURNSDESK_SYSTEM_CONFIG"] = ""
os.environ["RETURNSDESK_USER_CONFIG"] = ""
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "services" / "reports"))

import pypdfium2  # noqa: E402
from report_floor import HOSTILE_NOTE, open_floor  # noqa: E402
from sqlmodel import select  # noqa: E402

from returnsdesk.data.models import Return  # noqa: E402
from returnsdesk.services.reports import (  # noqa: E402
    Period,
    ReportKind,
    ReportRequest,
    generate_report,
)

OUT = ROOT / "docs" / "screenshots" / "reports"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all-pages", type=Path, help="also render every page into DIR")
    args = parser.parse_args()
    floor = open_floor(f"sqlite:///{_TEMP / 'floor.sqlite3'}", _TEMP / "photos")
    parcels = floor.summary.parcels
    with floor.database.session() as session:
        customer = session.exec(select(Return).where(Return.rma_number == parcels[3].rma_number))
        return_ = customer.one()
        return_.customer_name = '<font color="red">Mallory</font> محمد עברית 😀'
        session.add(return_)
    floor.work(parcels[0], note=HOSTILE_NOTE, photo=True)
    floor.work(parcels[1], grade="4", answer=False, note="Seam split at the left shoulder")
    floor.work(parcels[2], station="STATION-02", grade="5", answer=False, photo=True)
    floor.work(parcels[3])
    for parcel in parcels[4:6]:
        floor.work(parcel, grade="3")
    floor.work(parcels[6], empty_box=True)
    floor.work(parcels[7], wrong_gtin=parcels[8].items[0].gtin, photo=True)
    for parcel in parcels[9:30]:
        floor.work(parcel, station="STATION-02" if len(floor.completed) % 3 else "STATION-01")
    setup = floor.setup()
    month = Period.last_days(30, floor.clock.now, setup.zone)
    requests = {
        "shift": ReportRequest(ReportKind.SHIFT, Period.day(date(2026, 11, 22), setup.zone)),
        "insights": ReportRequest(ReportKind.INSIGHTS, month),
        "recovery": ReportRequest(ReportKind.RECOVERY, month),
        "evidence": ReportRequest(ReportKind.EVIDENCE, rma_number=parcels[0].rma_number),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for name, request in requests.items():
        report = generate_report(floor.database, request, setup=setup)
        document = pypdfium2.PdfDocument(report.pdf)
        pages = range(len(document)) if args.all_pages else range(1)
        for index in pages:
            image = document[index].render(scale=1.5).to_pil()
            if index == 0:
                image.save(OUT / f"{name}.png")
            if args.all_pages:
                args.all_pages.mkdir(parents=True, exist_ok=True)
                image.save(args.all_pages / f"{name}-{index + 1}.png")
        print(f"{name}: {len(document)} pages")  # noqa: T201
    floor.database.dispose()


if __name__ == "__main__":
    main()
