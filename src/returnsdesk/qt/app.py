"""Starting the station GUI: application, error display, sign-in, main window."""

from __future__ import annotations

import gc
import logging
import os
import sys
import traceback
from datetime import timedelta
from types import TracebackType

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from returnsdesk import __version__, readahead
from returnsdesk.config import Settings
from returnsdesk.crash import write_crash_report
from returnsdesk.domain.clock import Clock, utc_now
from returnsdesk.domain.errors import OperatorError, ReturnsDeskError
from returnsdesk.paths import resources_dir
from returnsdesk.qt.dialogs import CrashDialog
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.qt.ops import Op, set_unhandled_failure_handler, wait_for_all
from returnsdesk.qt.plain import show_error_box
from returnsdesk.qt.sign_in import SignInDialog
from returnsdesk.qt.window_geometry import geometry_store
from returnsdesk.services.bootstrap import StationEnvironment, lockout_policy, open_environment
from returnsdesk.services.labels.printers import label_output
from returnsdesk.services.operators import authenticate, badge_alone_signs_in
from returnsdesk.services.station import StationService
from returnsdesk.services.sync.station_pull import client_key_inquiries, station_key_inquiry
from returnsdesk.services.views import StationContext
from returnsdesk.services.weighing import scale_from_settings

log = logging.getLogger(__name__)

# When the objects made at start-up are moved out of the garbage collector's reach: once the
# window is up and the background work it starts has done its imports (sync, GS1 parser).
FREEZE_AFTER_MS = 10_000


def application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setApplicationName("returnsdesk")
    app.setOrganizationName("returnsdesk")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "returnsdesk.svg")))
    return app


def install_error_display(settings: Settings | None = None) -> None:
    """Bugs go to the log and a crash dialog; operator errors are shown by the station itself."""

    def show_bug(exc: BaseException) -> None:
        if isinstance(exc, OperatorError):
            log.warning("Unhandled operator error: %s", exc)
            return
        details = "".join(traceback.format_exception(exc))
        log.error("Unexpected error\n%s", details)
        if settings is not None:
            try:
                report = write_crash_report(exc, settings=settings)
            except OSError:
                log.exception("Could not write the crash report")
            else:
                details += f"\n\nCrash report: {report}"
        CrashDialog(f"{type(exc).__name__}: {exc}", details).exec()

    def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        show_bug(exc.with_traceback(tb))

    sys.excepthook = excepthook
    set_unhandled_failure_handler(show_bug)


def build_context(
    env: StationEnvironment,
    settings: Settings,
    operator_code: str,
    *,
    pin: str | None = None,
    clock: Clock = utc_now,
) -> StationContext:
    return authenticate(
        env.database,
        operator_code=operator_code,
        pin=pin,
        station_code=settings.station.code,
        now=clock(),
        lockout=lockout_policy(settings),
    )


def build_main_window(
    env: StationEnvironment,
    settings: Settings,
    *,
    operator_code: str | None = None,
    pin: str | None = None,
    context: StationContext | None = None,
    clock: Clock = utc_now,
) -> MainWindow:
    """The window for a signed-in operator (``context``), or sign ``operator_code`` in first
    (used by ``run`` and by the GUI tests)."""
    if context is None:
        assert operator_code is not None, "give the operator's badge or their context"
        context = build_context(env, settings, operator_code, pin=pin, clock=clock)
    camera = settings.camera
    service = StationService(
        database=env.database,
        policies=env.policies,
        context=context,
        scan_rules=env.scan_rules,
        clock=clock,
        lockout=lockout_policy(settings),
        require_photos=camera.source is not None and camera.require_photos,
        label_output=label_output(settings.labels),
        scale=scale_from_settings(settings.scale),
        key_inquiry=station_key_inquiry(settings.order_system),
        receipt_grace=timedelta(minutes=settings.messages.grace_minutes),
        clients=env.clients,
        client_key_inquiries=client_key_inquiries(settings.clients),
    )
    return MainWindow(
        service=service,
        settings=settings,
        database_label=env.database_label,
        demo=env.demo,
        demo_sheet=str(env.demo_sheet) if env.demo_sheet else None,
    )


def _remember_touched_files(window: MainWindow) -> None:
    """Once the window is up, what it has touched is what the next start reads ahead."""
    list_file = readahead.default_list_file()
    pool = QThreadPool.globalInstance()
    # A failure costs only a later start's speed: a warning, not the crash dialog.
    Op(lambda: readahead.remember_touched_files(list_file), owner=window, pool=pool).on_failure(
        lambda exc: log.warning("Read-ahead list not written: %r", exc)
    ).start()


def _freeze_start_up_objects() -> None:
    """Keep the objects made at start-up out of every later full garbage collection.

    A full collection walks every tracked object holding the GIL, so the window stands still
    meanwhile: about 200,000 objects after start-up, 70-500 ms on this project's machine. Nearly
    all of them (modules, classes, the window, the policies) live as long as the process, so
    walking them again finds nothing; frozen, a full collection walks only what came later.
    bench/bench_gc.py measures it (README, "Garbage-collection pauses").
    """
    gc.freeze()
    log.debug("%d start-up objects frozen for the garbage collector", gc.get_freeze_count())


def _report_ready(app: QApplication) -> None:
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    app.quit()


def run(settings: Settings, *, demo: bool, operator_code: str | None) -> int:
    app = application()
    install_error_display(settings)
    try:
        env = open_environment(settings, demo=demo)
    except (ReturnsDeskError, OSError) as exc:
        log.error("Cannot start: %s", exc)
        show_error_box(None, "returnsdesk cannot start", str(exc))
        return 2
    if operator_code is None and demo:
        operator_code = "OP-0001"  # demo: sign the demo inspector in, to try the flow at once
    context: StationContext | None = None
    # --operator (and the demo) skip the dialog only for a badge that needs no PIN.
    if operator_code is not None and badge_alone_signs_in(env.database, operator_code):
        context = build_context(env, settings, operator_code)
    if context is None:
        dialog = SignInDialog(
            env.database,
            station_code=settings.station.code,
            clock=utc_now,
            lockout=lockout_policy(settings),
            font_scale=settings.ui.font_scale,
        )
        if not dialog.exec() or dialog.context is None:
            return 0
        context = dialog.context
    window = build_main_window(env, settings, context=context)
    if window.remember_geometry(geometry_store()):
        window.showMaximized()
    else:
        window.show()
    # With no window manager (a kiosk X display) no one gives the window the focus: typed keys
    # still arrive, but its shortcuts (Esc, F8, Ctrl+1..6) fire only in the active window.
    window.activateWindow()
    QTimer.singleShot(0, window, lambda: _remember_touched_files(window))
    QTimer.singleShot(FREEZE_AFTER_MS, window, _freeze_start_up_objects)
    if os.environ.get("RETURNSDESK_EXIT_WHEN_READY") == "1":
        # For start-up benchmarks: the station is ready to scan once the first event loop turn
        # has shown the window.
        QTimer.singleShot(0, lambda: _report_ready(app))
    code = app.exec()
    wait_for_all()  # work still running on a pool must not outlive the application
    env.database.dispose()
    return code
