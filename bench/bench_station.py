"""How much time the station software adds per inspected unit.

Works every open demo return with one grade per unit, twice:
  * services: classify + resolve parcel + resolve item + grade + complete (one transaction),
    against a bare ``BEGIN IMMEDIATE; INSERT; COMMIT`` on the same database in the same run
    (the floor any durable write pays with WAL and synchronous=FULL);
  * gui: the offscreen station window driven by keystrokes, from each Enter to the screen
    showing the result (includes the background thread hop and the lone-key hold that tells a
    grade key from a scanner burst).

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_station.py``
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_TEMP = Path(tempfile.mkdtemp(prefix="returnsdesk-bench-"))
os.environ["XDG_DATA_HOME"] = str(_TEMP / "data")
os.environ["XDG_CONFIG_HOME"] = str(_TEMP / "config")  # the audit key: not the user's
os.environ["RETURNSDESK_SYSTEM_CONFIG"] = ""
os.environ["RETURNSDESK_USER_CONFIG"] = ""

from sqlalchemy import text  # noqa: E402

from returnsdesk.config import Settings, load_settings  # noqa: E402
from returnsdesk.domain.clock import utc_now  # noqa: E402
from returnsdesk.services.bootstrap import StationEnvironment, open_environment  # noqa: E402
from returnsdesk.services.operators import sign_in  # noqa: E402
from returnsdesk.services.station import ParcelOpened, StationService  # noqa: E402


def _settings(name: str) -> Settings:
    url = f"sqlite:///{_TEMP / name}"
    return load_settings(environ={}, overrides={"database.url": url, "ui.sounds": False})


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:7.2f} ms, p95 {p95 * 1000:7.2f} ms"


def bench_services() -> None:
    settings = _settings("services.sqlite3")
    env = open_environment(settings, demo=True)
    assert env.demo is not None
    with env.database.session() as session:
        ctx = sign_in(session, operator_code="OP-0001", station_code="BENCH")
    service = StationService(
        database=env.database,
        policies=env.policies,
        context=ctx,
        scan_rules=env.scan_rules,
        clock=utc_now,
    )
    per_unit: list[float] = []
    completes: list[float] = []
    for parcel in env.demo.parcels:
        started = time.perf_counter()
        opened = service.open_parcel(service.classify(parcel.tracking_number))
        assert isinstance(opened, ParcelOpened)
        work = service.new_inspection(opened.parcel.view)
        units = 0
        for item in parcel.items:
            for unit in range(item.quantity):
                product = service.resolve_item(service.classify(item.gtin), opened.parcel.view)
                work.begin_unit(product, now=service.clock())
                if work.current is not None and work.current.step.value == "serial":
                    work.scan_serial(item.serial_numbers[unit])
                work.grade("2")
                while work.current is not None and work.current.step.value == "checklist":
                    work.answer(True)
                work.accept(now=service.clock())
                units += 1
        before_complete = time.perf_counter()
        service.complete(opened.parcel.parcel_id, work)
        done = time.perf_counter()
        completes.append(done - before_complete)
        per_unit.append((done - started) / units)
    floor = _bare_commits(env)
    print(f"services, {len(per_unit)} returns:")  # noqa: T201
    print(f"  software time per unit      {_ms(per_unit)}")  # noqa: T201
    print(f"  complete() transaction      {_ms(completes)}")  # noqa: T201
    print(f"  bare durable commit (floor) {_ms(floor)}")  # noqa: T201
    ratio = statistics.median(completes) / statistics.median(floor)
    print(f"  complete() / bare commit    {ratio:.1f}x")  # noqa: T201
    env.database.dispose()


def _bare_commits(env: StationEnvironment, count: int = 50) -> list[float]:
    samples = []
    with env.database.engine.connect() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS bench_floor (x INTEGER)"))
        connection.commit()
        for i in range(count):
            started = time.perf_counter()
            with connection.begin():
                connection.execute(text("INSERT INTO bench_floor VALUES (:x)"), {"x": i})
            samples.append(time.perf_counter() - started)
    return samples


def bench_gui() -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget

    from returnsdesk.qt import ops
    from returnsdesk.qt.app import application, build_main_window
    from returnsdesk.qt.station_controller import State

    app = application()
    settings = _settings("gui.sqlite3")
    env = open_environment(settings, demo=True)
    assert env.demo is not None
    window = build_main_window(env, settings, operator_code="OP-0001")
    window.resize(1366, 800)
    window.show()
    controller = window.station

    def focus() -> QWidget:
        return QApplication.focusWidget() or window.station_view

    def wait_for(done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 10
        while not done() and time.monotonic() < deadline:
            app.processEvents()
        assert done(), "station did not respond"

    def timed(send: Callable[[], None], done: Callable[[], bool]) -> float:
        """From the input to the station showing its result; then, not timed, until every
        background read it set off (the status bar's, after a change notice) is done, so the
        next input starts from a quiet station."""
        started = time.perf_counter()
        send()
        wait_for(lambda: done() and not controller.busy)
        shown = time.perf_counter() - started
        wait_for(lambda: not ops.busy())
        return shown

    def scan(value: str) -> Callable[[], None]:
        def send() -> None:
            QTest.keyClicks(focus(), value)
            QTest.keyClick(focus(), Qt.Key.Key_Return)

        return send

    def key(value: str) -> Callable[[], None]:
        return lambda: QTest.keyClick(focus(), value)

    def enter() -> None:
        QTest.keyClick(focus(), Qt.Key.Key_Return)

    def draft_step() -> str | None:
        draft = controller.work.current if controller.work is not None else None
        return draft.step.value if draft is not None else None

    def deciding() -> bool:
        return draft_step() == "disposition"

    per_unit: list[float] = []
    grade_keys: list[float] = []
    parcel_scans: list[float] = []
    item_scans: list[float] = []
    confirms: list[float] = []
    one_item = [p for p in env.demo.parcels if sum(i.quantity for i in p.items) == 1]
    one_item = [p for p in one_item if not p.items[0].serial_numbers][:20]
    cpu_per_unit: list[float] = []
    for parcel in one_item:
        cpu_started = time.process_time()
        parcel_scans.append(
            timed(scan(parcel.tracking_number), lambda: controller.state is State.RETURN)
        )
        item_scans.append(timed(scan(parcel.items[0].gtin), lambda: controller.state is State.UNIT))
        total = parcel_scans[-1] + item_scans[-1]
        grade = timed(key("2"), lambda: draft_step() in ("checklist", "disposition"))
        while draft_step() == "checklist":
            answered = len(controller.work.current.answers) if controller.work else 0
            total += timed(
                key("Y"),
                lambda answered=answered: (
                    deciding()
                    or (
                        controller.work is not None
                        and controller.work.current is not None
                        and len(controller.work.current.answers) > answered
                    )
                ),
            )
        total += grade
        grade_keys.append(grade)
        confirms.append(timed(enter, lambda: controller.state is State.OUTCOME))
        per_unit.append(total + confirms[-1])
        cpu_per_unit.append(time.process_time() - cpu_started)
    print(f"gui (offscreen), {len(per_unit)} one-item returns, 4 inputs each:")  # noqa: T201
    print(f"  software time per unit      {_ms(per_unit)}")  # noqa: T201
    print(f"  parcel scan to return shown {_ms(parcel_scans)}")  # noqa: T201
    print(f"  item scan to unit shown     {_ms(item_scans)}")  # noqa: T201
    print(f"  grade key to disposition    {_ms(grade_keys)} (lone-key hold: 70 ms)")  # noqa: T201
    print(f"  Enter to refund confirmed   {_ms(confirms)}")  # noqa: T201
    # CPU time of every thread, waits excluded: steadier than wall time on a busy machine.
    print(f"  CPU per unit (all threads)  {_ms(cpu_per_unit)}")  # noqa: T201
    window.close()
    env.database.dispose()


if __name__ == "__main__":
    bench_services()
    if "--no-gui" not in sys.argv:
        bench_gui()
