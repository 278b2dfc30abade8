"""Labels are queued with the unit, printed by the worker, and never lost to an offline printer.

Real parts throughout: a demo database on SQLite, the station service completing parcels, a
TCP listener on 127.0.0.1 as the Zebra printer, and a fake ``lp`` on PATH for CUPS.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from fake_lp import install_fake_lp, lp_calls, path_with
from returnsdesk.config import load_settings
from returnsdesk.data.models import AuditEntry, Inspection, PrintJob
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.errors import PrinterUnavailable, WrongStep
from returnsdesk.domain.inspection import ParcelInspection, UnitStep
from returnsdesk.domain.labels import is_license_plate, parse_label_size
from returnsdesk.domain.vocabulary import PrintJobStatus
from returnsdesk.services.bootstrap import StationEnvironment, open_environment
from returnsdesk.services.demo import DemoParcel
from returnsdesk.services.labels.printers import (
    LabelOutput,
    PdfCupsPrinter,
    PdfFolderPrinter,
    ZplCupsPrinter,
    ZplTcpPrinter,
    label_output,
)
from returnsdesk.services.labels.queue import PrintRound, PrintWorker
from returnsdesk.services.operators import sign_in
from returnsdesk.services.station import ParcelOpened, StationService
from returnsdesk.services.views import ReceivedParcel
from zpl_listener import ZplListener, free_port


@pytest.fixture(autouse=True)
def _no_demo_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "returnsdesk.services.demo_sheet.write_demo_sheet", lambda _summary, path: path
    )


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo database for the module, copied for each test (seeding takes seconds)."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("returnsdesk.services.demo_sheet.write_demo_sheet", lambda _s, p: p)
        settings = load_settings(environ={}, overrides={"database.url": f"sqlite:///{path}"})
        open_environment(settings, demo=True).database.dispose()
    return path


@pytest.fixture
def env(demo_file: Path, tmp_path: Path) -> Iterator[StationEnvironment]:
    copy = tmp_path / "station.sqlite3"
    shutil.copyfile(demo_file, copy)
    settings = load_settings(environ={}, overrides={"database.url": f"sqlite:///{copy}"})
    environment = open_environment(settings, demo=True)
    yield environment
    environment.database.dispose()


def station(env: StationEnvironment, output: LabelOutput | None) -> StationService:
    with env.database.session() as session:
        context = sign_in(session, operator_code="OP-0001", station_code="BENCH-03")
    return StationService(
        database=env.database,
        policies=env.policies,
        context=context,
        scan_rules=env.scan_rules,
        clock=utc_now,  # the demo's dates are relative to the machine's clock
        label_output=output,
    )


def zpl_to(port: int) -> LabelOutput:
    return LabelOutput(ZplTcpPrinter("127.0.0.1", port, 2.0), parse_label_size("4x6in"), 203)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def demo_parcel(env: StationEnvironment, scenario: str) -> DemoParcel:
    assert env.demo is not None
    return next(p for p in env.demo.parcels if p.scenario.startswith(scenario))


def open_parcel(service: StationService, demo: DemoParcel) -> ReceivedParcel:
    opened = service.open_parcel(service.classify(demo.tracking_number))
    assert isinstance(opened, ParcelOpened)
    return opened.parcel


def inspect_unit(service: StationService, parcel: ReceivedParcel, work: ParcelInspection) -> None:
    product = service.resolve_item(service.classify(parcel.view.lines[0].sku), parcel.view)
    draft = work.begin_unit(product, now=service.clock())
    if draft.step is UnitStep.SERIAL:
        assert draft.line is not None
        work.scan_serial(draft.line.serial_numbers[draft.unit_index])
    work.grade("2")
    while work.current is not None and work.current.step is UnitStep.CHECKLIST:
        work.answer(True)
    work.accept(now=service.clock())


def complete_one_item_return(service: StationService, env: StationEnvironment) -> ReceivedParcel:
    parcel = open_parcel(service, demo_parcel(env, "One apparel item"))
    work = service.new_inspection(parcel.view)
    inspect_unit(service, parcel, work)
    service.complete(parcel.parcel_id, work)
    return parcel


def jobs(env: StationEnvironment) -> list[PrintJob]:
    with env.database.session() as session:
        return list(session.exec(select(PrintJob).order_by(col(PrintJob.created_at))).all())


def test_completing_a_unit_prints_its_routing_label_to_the_zebra(env: StationEnvironment) -> None:
    with ZplListener() as printer:
        service = station(env, zpl_to(printer.port))
        parcel = complete_one_item_return(service, env)

        assert service.print_worker is not None
        result = service.print_worker.drain()

        (zpl,) = printer.wait_for(1)
    assert result.printed == 1
    with env.database.session() as session:
        (unit,) = session.exec(
            select(Inspection).where(
                Inspection.parcel_id == parcel.parcel_id, Inspection.outcome == "inspected"
            )
        ).all()
    plate = unit.license_plate
    assert plate is not None and is_license_plate(plate)
    text = zpl.decode("utf-8")
    assert "^BCN," in text and f"^FD{plate}^FS" in text
    line = parcel.view.lines[0]
    assert f"^FDRMA {parcel.view.rma_number}^FS" in text
    assert f"^FDSKU {line.sku}^FS" in text
    assert f"^FD{unit.grade}^FS" in text
    (job,) = jobs(env)
    assert (job.status, job.attempts, job.license_plate) == (PrintJobStatus.PRINTED, 1, plate)
    assert job.payload["disposition"].upper() in text
    assert job.printer == f"printer 127.0.0.1:{printer.port}"


def test_an_offline_printer_keeps_the_label_queued_until_it_comes_back(
    env: StationEnvironment,
) -> None:
    # Given the station's Zebra is switched off (nothing listens on its port)
    port = free_port()
    service = station(env, zpl_to(port))
    complete_one_item_return(service, env)
    clock = Clock()
    assert service.print_worker is not None
    worker = PrintWorker(
        env.database, service.print_worker.output, service.context.station_id, clock=clock
    )

    # When the worker tries to print
    offline = worker.drain()

    # Then the label stays queued, and the station can say why
    assert offline.printed == 0
    assert offline.offline is not None and f"127.0.0.1:{port} offline" in offline.offline
    (job,) = jobs(env)
    assert (job.status, job.attempts) == (PrintJobStatus.QUEUED, 1)
    health = service.label_health()
    assert health is not None and health.waiting == 1
    assert health.last_error is not None and "offline" in health.last_error
    # ... and it is not tried again before its backoff is over
    with ZplListener(port) as printer:
        assert worker.drain().printed == 0
        assert printer.jobs == []

        # When the printer is back and the retry is due
        clock.now += timedelta(seconds=61)
        printed = worker.drain()

        # Then the label prints exactly once
        assert printed.printed == 1
        assert len(printer.wait_for(1)) == 1
        assert worker.drain().printed == 0
    (job,) = jobs(env)
    assert (job.status, job.attempts) == (PrintJobStatus.PRINTED, 2)
    health = service.label_health()
    assert health is not None and (health.waiting, health.last_error) == (0, None)


def test_a_running_worker_tells_its_listener_after_each_round_that_changed_the_queue(
    env: StationEnvironment,
) -> None:
    # Given a label queued for a printer that is off, and a listener whose first call fails
    port = free_port()
    service = station(env, zpl_to(port))
    complete_one_item_return(service, env)
    heard: list[tuple[str, PrintRound]] = []
    told = threading.Condition()

    def listener(round_: PrintRound) -> None:
        with told:
            heard.append((threading.current_thread().name, round_))
            told.notify_all()
        if len(heard) == 1:
            raise RuntimeError("a window's bug")

    clock = Clock()
    worker = PrintWorker(
        env.database, zpl_to(port), service.context.station_id, clock=clock, idle_poll_s=0.05
    )
    thread = threading.Thread(target=worker.run_forever, args=(listener,), name="printer-t")
    thread.start()
    try:
        # When the worker finds the printer off, then it says so, and goes on
        with told:
            assert told.wait_for(lambda: len(heard) >= 1, timeout=10)
        assert heard[0][1].offline is not None and heard[0][1].printed == 0
        # When the printer is back and the retry is due, then the print is told too
        with ZplListener(port) as printer:
            clock.now += timedelta(seconds=61)
            worker.wake()
            with told:
                assert told.wait_for(lambda: any(r.printed for _n, r in heard), timeout=10)
            assert len(printer.wait_for(1)) == 1
    finally:
        worker.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert {name for name, _round in heard} == {"printer-t"}
    (job,) = jobs(env)
    assert job.status is PrintJobStatus.PRINTED


def test_labels_print_in_the_order_the_units_were_finished(env: StationEnvironment) -> None:
    with ZplListener() as printer:
        service = station(env, zpl_to(printer.port))
        first = complete_one_item_return(service, env)
        second_demo = next(
            p for p in env.demo.parcels[5:] if len(p.items) == 1 and p.items[0].quantity == 1
        )  # type: ignore[union-attr]
        second = open_parcel(service, second_demo)
        work = service.new_inspection(second.view)
        inspect_unit(service, second, work)
        service.complete(second.parcel_id, work)

        assert service.print_worker is not None and service.print_worker.drain().printed == 2
        received = printer.wait_for(2)
    assert [
        first.view.rma_number in received[0].decode(),
        second.view.rma_number in received[1].decode(),
    ] == [True, True]


def test_a_unit_finished_before_the_parcel_gets_one_label_at_once_and_no_second(
    env: StationEnvironment,
) -> None:
    # Given a return of two units of one item
    service = station(env, zpl_to(free_port()))
    parcel = open_parcel(service, demo_parcel(env, "Two units of one item"))
    work = service.new_inspection(parcel.view)

    # When the first unit is finished, its label is queued at once
    inspect_unit(service, parcel, work)
    assert service.finish_unit(parcel.parcel_id, parcel.view.rma_number, work.units[0]) == 1
    assert len(jobs(env)) == 1

    # And when the second unit completes the parcel, only its label is added
    inspect_unit(service, parcel, work)
    service.complete(parcel.parcel_id, work)
    queued = jobs(env)
    assert [job.unit_id for job in queued] == [unit.unit_id for unit in work.units]
    with env.database.session() as session:
        plates = {
            row.id: row.license_plate
            for row in session.exec(
                select(Inspection).where(Inspection.parcel_id == parcel.parcel_id)
            )
        }
    assert [job.license_plate for job in queued] == [plates[job.unit_id] for job in queued]


def test_a_station_without_a_printer_queues_nothing(env: StationEnvironment) -> None:
    service = station(env, None)

    complete_one_item_return(service, env)

    assert jobs(env) == []
    assert service.label_health() is None
    with pytest.raises(PrinterUnavailable, match="no label printer"):
        service.reprint(uuid.uuid4())


def test_reprint_queues_the_parcels_labels_again_and_audits_it(env: StationEnvironment) -> None:
    with ZplListener() as printer:
        service = station(env, zpl_to(printer.port))
        parcel = complete_one_item_return(service, env)
        assert service.print_worker is not None
        service.print_worker.drain()

        plates = service.reprint(parcel.parcel_id)
        service.print_worker.drain()

        received = printer.wait_for(2)
    (original,) = [job.license_plate for job in jobs(env) if job.kind == "routing_label"]
    assert plates == [original]
    assert received[0] == received[1]  # the same label, byte for byte
    with env.database.session() as session:
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "label.reprinted")).one()
    assert audit.details["license_plates"] == plates


def test_reprint_of_a_parcel_with_no_inspected_unit_says_so(env: StationEnvironment) -> None:
    service = station(env, zpl_to(free_port()))
    parcel = open_parcel(service, demo_parcel(env, "One apparel item"))

    with pytest.raises(WrongStep, match="No inspected units"):
        service.reprint(parcel.parcel_id)


def test_the_shift_history_finds_a_unit_by_its_license_plate(env: StationEnvironment) -> None:
    service = station(env, zpl_to(free_port()))
    parcel = complete_one_item_return(service, env)
    (job,) = jobs(env)
    assert job.license_plate is not None

    found = service.history(text=job.license_plate.lower())

    assert [row.parcel_id for row in found] == [parcel.parcel_id]
    assert service.history(text="LP0000000000") == []


# --- the printers themselves -------------------------------------------------------------


def test_zpl_cups_sends_raw_bytes_to_the_queue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = install_fake_lp(tmp_path)
    monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))

    ZplCupsPrinter("zebra-dock3").send(b"^XA^FDhello^FS^XZ", name="LP0123456789")

    (call,) = lp_calls(record)
    assert call["argv"] == ["-d", "zebra-dock3", "-o", "raw", "-t", "LP0123456789"]
    assert call["stdin"] == b"^XA^FDhello^FS^XZ"


@pytest.mark.parametrize(
    ("queue", "destination"), [("office-laser", ["-d", "office-laser"]), (None, [])]
)
def test_pdf_cups_prints_a_pdf_file_on_the_queue_or_the_default_printer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, queue: str | None, destination: list[str]
) -> None:
    record = install_fake_lp(tmp_path)
    monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))

    PdfCupsPrinter(queue).send(b"%PDF-1.4 label", name="LP0123456789")

    (call,) = lp_calls(record)
    argv = call["argv"]
    assert isinstance(argv, list) and argv[:-1] == [*destination, "-t", "LP0123456789"]
    assert call["files"] == {argv[-1]: b"%PDF-1.4 label"}


def test_lp_refusing_is_reported_in_its_own_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_lp(tmp_path)
    monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))
    monkeypatch.setenv("FAKE_LP_FAIL", "lp: The printer or class does not exist.")

    with pytest.raises(PrinterUnavailable) as error:
        ZplCupsPrinter("nope").send(b"^XA^XZ", name="x")

    assert str(error.value) == "CUPS queue nope: lp: The printer or class does not exist."


def test_no_lp_installed_is_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(PrinterUnavailable, match="'lp' is not installed"):
        PdfCupsPrinter(None).send(b"%PDF", name="x")


def test_the_hot_folder_gets_whole_files_named_by_plate(tmp_path: Path) -> None:
    folder = tmp_path / "hot"

    PdfFolderPrinter(folder).send(b"%PDF-1.4 label", name="LP0123456789")

    assert [p.name for p in folder.iterdir()] == ["LP0123456789.pdf"]
    assert (folder / "LP0123456789.pdf").read_bytes() == b"%PDF-1.4 label"


def test_an_unwritable_hot_folder_is_a_printer_problem(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    with pytest.raises(PrinterUnavailable, match="cannot write"):
        PdfFolderPrinter(blocker / "labels").send(b"%PDF", name="LP0123456789")


def test_settings_choose_the_printer() -> None:
    def output(**values: object) -> LabelOutput | None:
        settings = load_settings(
            environ={}, overrides={f"labels.{k}": v for k, v in values.items()}
        )
        return label_output(settings.labels)

    assert output() is None
    tcp = output(printer="zpl-tcp", host="10.0.0.5", size="2x1in", dpi=300)
    assert tcp is not None and tcp.describe() == "printer 10.0.0.5:9100"
    assert (tcp.size.name, tcp.dpi) == ("2x1in", 300)
    cups = output(printer="zpl-cups", queue="zebra")
    assert cups is not None and cups.describe() == "CUPS queue zebra"
    pdf = output(printer="pdf-cups")
    assert pdf is not None and pdf.describe() == "the default printer"
    folder = output(printer="pdf-folder", folder="/srv/labels")
    assert folder is not None and folder.describe() == "folder /srv/labels"
