"""One station process for tests/services/test_many_stations.py: a signed-in station that works
its share of returns through ``StationService``, as a station's GUI would, with no Qt.

``python many_stations_worker.py DATABASE_URL PLAN.json RESULT.json`` reads its plan (station
code, operator badge, GTIN per SKU, and the returns to work, each with a mode), waits for the
file named ``start`` in the plan to appear (so all stations start together), works the returns
in order and writes what happened to each as JSON:

- ``complete``: scan the parcel's RMA, inspect every unit still to do, complete;
- ``draft``: scan the parcel, inspect its first unit and finish it as a draft (labelled and
  stored, the parcel left open), as an inspector called away mid-parcel;
- a return another station completed first answers ``already``; one completed under this
  station's hands (``AlreadyCompleted``) answers ``lost_race``.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from returnsdesk.data.db import Database, make_engine
from returnsdesk.domain.clock import fixed_clock
from returnsdesk.domain.errors import AlreadyCompleted
from returnsdesk.domain.policy import load_policies
from returnsdesk.domain.scanning import ScanRules
from returnsdesk.paths import default_policy_dir
from returnsdesk.services.operators import sign_in
from returnsdesk.services.station import ParcelAlreadyCompleted, ParcelOpened, StationService

# The stations' clock: returns are delivered two days before (tests/services/test_many_stations).
NOW = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


def work(service: StationService, rma: str, mode: str, gtins: dict[str, str]) -> dict[str, Any]:
    opened = service.open_parcel(service.classify(rma))
    if isinstance(opened, ParcelAlreadyCompleted):
        return {"rma": rma, "outcome": "already"}
    assert isinstance(opened, ParcelOpened), (rma, opened)
    parcel = opened.parcel
    inspection = service.resume_inspection(parcel)
    resumed = [str(unit.unit_id) for unit in inspection.units]
    finished: list[str] = []
    for line in parcel.view.lines:
        for _unit in range(inspection.remaining(line)):
            product = service.resolve_item(service.classify(gtins[line.sku]), parcel.view)
            inspection.begin_unit(product, now=service.clock())
            inspection.grade("2")
            while inspection.current is not None and inspection.current.step.value == "checklist":
                inspection.answer(True)
            unit = inspection.accept(now=service.clock())
            if mode == "draft":
                service.finish_unit(parcel.parcel_id, rma, unit)
                return {"rma": rma, "outcome": "drafted", "units": [str(unit.unit_id)]}
            finished.append(str(unit.unit_id))
    try:
        result = service.complete(parcel.parcel_id, inspection)
    except AlreadyCompleted:
        return {"rma": rma, "outcome": "lost_race"}
    return {
        "rma": rma,
        "outcome": "completed",
        "refund_id": str(result.refund_id),
        "resumed": resumed,
        "units": resumed + finished,
    }


def main(url: str, plan_path: str, result_path: str) -> None:
    plan = json.loads(Path(plan_path).read_text())
    database = Database(make_engine(url))
    with database.session() as session:
        context = sign_in(session, operator_code=plan["operator"], station_code=plan["station"])
    service = StationService(
        database=database,
        policies=load_policies(default_policy_dir()),
        context=context,
        scan_rules=ScanRules(),
        clock=fixed_clock(NOW),
    )
    start = Path(plan["start"])
    while not start.exists():  # every station signed in and ready: go together
        time.sleep(0.01)
    began = time.perf_counter()
    results = [work(service, rma, mode, plan["gtins"]) for rma, mode in plan["returns"]]
    elapsed = time.perf_counter() - began
    database.dispose()
    Path(result_path).write_text(json.dumps({"seconds": elapsed, "returns": results}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
