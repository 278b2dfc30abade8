"""The station's main window: station, shift history, lead, reports, help and KPI tabs, and
the status bar."""

from __future__ import annotations

import logging

from PySide6.QtCore import QRect, QSettings, Qt, QThreadPool, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QWidget

from returnsdesk.config import Settings
from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.labels import is_license_plate
from returnsdesk.qt.camera import CameraBridge, CameraPanel
from returnsdesk.qt.changes import ChangeHub
from returnsdesk.qt.forms.ui_main_window import Ui_MainWindow
from returnsdesk.qt.help_view import HelpView
from returnsdesk.qt.history_view import HistoryView
from returnsdesk.qt.kpi_view import KpiView
from returnsdesk.qt.lead_view import LeadView
from returnsdesk.qt.ops import Op, wait_for_all
from returnsdesk.qt.plain import ElidedLabel, plain_label
from returnsdesk.qt.printing import LabelPrinting, PrintersDialog
from returnsdesk.qt.reports_view import ReportsView
from returnsdesk.qt.scanner import ScanInputFilter
from returnsdesk.qt.sign_in import SignInDialog
from returnsdesk.qt.sound import SoundPlayer
from returnsdesk.qt.station_controller import StationController
from returnsdesk.qt.station_view import StationView
from returnsdesk.qt.sync_status import SyncMonitor, sync_trouble
from returnsdesk.qt.window_geometry import restore_geometry, save_geometry
from returnsdesk.scan.classify import load_gs1_parser
from returnsdesk.services.demo import DemoSummary
from returnsdesk.services.photos import PhotoProblem
from returnsdesk.services.reports import ReportSetup
from returnsdesk.services.station import StationService
from returnsdesk.services.sync.inbound import PullStats
from returnsdesk.services.sync.relay import SyncHealth
from returnsdesk.services.sync.station_pull import station_pull, station_relay
from returnsdesk.station.changes import ELSEWHERE, pulled, relayed

log = logging.getLogger(__name__)

# Several stations may share one database: what the others write reaches no notice here, so
# the screens that show shared data are told "maybe changed" this often (hidden ones re-read
# only when shown). Everything this process does is shown at once by its change notices.
OTHER_STATIONS_S = 45


class MainWindow(QMainWindow):
    def __init__(
        self,
        *,
        service: StationService,
        settings: Settings,
        database_label: str,
        demo: DemoSummary | None = None,
        demo_sheet: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ui = Ui_MainWindow()
        self._ui.setupUi(self)  # type: ignore[no-untyped-call]
        ctx = service.context
        self.setWindowTitle(
            f"returnsdesk — {ctx.station_name} ({ctx.station_code})" + (" — DEMO" if demo else "")
        )
        self.scanner = ScanInputFilter(
            self, max_gap_ms=settings.scanner.max_gap_ms, min_length=settings.scanner.min_length
        )
        self.sounds = SoundPlayer(enabled=settings.ui.sounds)
        self.station_view = StationView(font_scale=settings.ui.font_scale)
        scale = settings.ui.font_scale  # every tab at the station's type size
        self.history_view = HistoryView(service, font_scale=scale)
        # Change notices: operations post what they changed, the screens showing it re-read.
        self.changes = ChangeHub(self)
        # One reading of the outbox for the status bar and the shift lead's tab.
        self.sync = SyncMonitor(
            service, configured=settings.order_system.kind != "none", parent=self
        )
        self.lead_view = LeadView(service, sync=self.sync, font_scale=scale)
        report_setup = ReportSetup.from_settings(
            settings.reports, photo_root=service.photos.root, generated_by=ctx.station_code
        )
        self.reports_view = ReportsView(service, report_setup, font_scale=scale)
        self.kpi_view = KpiView(service, report_setup, font_scale=scale)
        self.help_view = HelpView(
            demo, demo_sheet, service.policies.grading.grades, font_scale=scale
        )
        self.camera = CameraBridge(settings.camera, service.scan_rules)
        self.camera_panel = CameraPanel(self.camera)
        self.station_view.add_return_panel(self.camera_panel)
        self._ui.tabs.addTab(self.station_view, "Station (Ctrl+1)")
        self._ui.tabs.addTab(self.history_view, "Shift history (Ctrl+2)")
        self._ui.tabs.addTab(self.lead_view, "Shift lead (Ctrl+3)")
        self._ui.tabs.addTab(self.reports_view, "Reports (Ctrl+4)")
        self._ui.tabs.addTab(self.help_view, "Help (F1)")
        self._ui.tabs.addTab(self.kpi_view, "KPIs (Ctrl+6)")
        self.station = StationController(
            view=self.station_view,
            service=service,
            sounds=self.sounds,
            scanner=self.scanner,
            camera=self.camera,
        )
        self._status_labels(database_label, service)
        self._connect_signals()
        self.scanner.attach()
        self.station_view.setFocus()
        self._service = service
        self._others_timer = QTimer(self)
        self._others_timer.setInterval(OTHER_STATIONS_S * 1000)
        self._others_timer.timeout.connect(lambda: self.changes.post(ELSEWHERE))
        self._pull = station_pull(settings.order_system, service.database, clients=settings.clients)
        self._pulling = False
        self._pull_timer = QTimer(self)  # the shop is outside the process: asked on a timer
        self._relay = station_relay(
            settings.order_system,
            service.database,
            messages=settings.messages,
            on_change=lambda stats: self.changes.post_from_thread(relayed(stats)),
            clients=settings.clients,
        )
        self._labels_settings = settings.labels
        self.printing = LabelPrinting(service, parent=self)
        self._ui.statusBar.addPermanentWidget(self.printing.status, 2)
        self.printing.status.setContentsMargins(8, 2, 8, 2)
        printers = QShortcut(QKeySequence("Ctrl+Shift+P"), self)  # Ctrl+P prints reports
        printers.activated.connect(self.show_printers)
        self._connect_changes()
        self._closed = False
        self._geometry_store: QSettings | None = None
        self._settings = settings
        # PCI DSS 8.2.8: an idle station asks for a badge and PIN again (lock_station).
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setInterval(settings.security.idle_lock_minutes * 60_000)
        self._idle_timer.timeout.connect(self.lock_station)
        self.scanner.activity.connect(self._idle_timer.start)
        self._idle_timer.start()
        self.locked = False
        # Threads that would compete with showing the window for the GIL start once it is up.
        QTimer.singleShot(0, self, self._start_background_work)

    def _start_background_work(self) -> None:
        if self._closed:
            return
        self.camera.start()
        Op(self._service.verify_photos, owner=self).on_success(self._report_photo_problems).start()
        # Not on the station pool: the first scan must not queue behind it (it waits for the
        # import only if it is a GS1 scan arriving within the first moments).
        Op(load_gs1_parser, owner=self, pool=QThreadPool.globalInstance()).start()
        self._others_timer.start()
        self.sync.refresh()
        if self._pull is not None:
            self._pull_timer.setInterval(int(self._pull.interval_s * 1000))
            self._pull_timer.timeout.connect(self._pull_now)
            self._pull_timer.start()
            self._pull_now()
        if self._relay is not None:
            self._relay.start()
        self.printing.start()

    def _status_labels(self, database_label: str, service: StationService) -> None:
        ctx = service.context
        bar = self._ui.statusBar
        # Elided: a long database path or operator name must not widen the window.
        operator = f"Operator: {ctx.operator_name} ({ctx.operator_code})"
        self._operator_label = ElidedLabel(operator, min_chars=24)
        self._station_label = ElidedLabel(f"Station: {ctx.station_code}", min_chars=22)
        self._database_text = f"Database: {database_label}"
        self._database_label = ElidedLabel(self._database_text)
        self._sync_label = ElidedLabel("Sync: checking…")
        # Stretch: the sync line, which says most, gets the most room before it is cut.
        for label, stretch in (
            (self._operator_label, 2),
            (self._station_label, 1),
            (self._database_label, 2),
            (self._sync_label, 4),
        ):
            label.setContentsMargins(8, 2, 8, 2)
            bar.addPermanentWidget(label, stretch)

    def _connect_signals(self) -> None:
        self.scanner.scanned.connect(self._on_scan)
        self.station.database_unreachable.connect(self._show_database)
        self.sync.changed.connect(self._show_sync)
        self.scanner.command.connect(self.lead_view.on_command)
        self.scanner.command.connect(self.reports_view.on_command)
        tabs = (
            ("Ctrl+1", 0),
            ("Ctrl+2", 1),
            ("Ctrl+3", 2),
            ("Ctrl+4", 3),
            ("Ctrl+5", 4),
            ("F1", 4),
            ("Ctrl+6", 5),
        )
        for key, index in tabs:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda index=index: self._show_tab(index))

    def _connect_changes(self) -> None:
        """Who says what changed, and who shows it (GUIDE convention 14)."""
        hub = self.changes
        self.station.changed.connect(hub.post)
        self.lead_view.changed.connect(hub.post)
        self.history_view.changed.connect(hub.post)
        self.printing.changed.connect(hub.post)
        hub.changed.connect(self.sync.on_changes)
        hub.changed.connect(self.lead_view.on_changes)
        hub.changed.connect(self.history_view.on_changes)
        hub.changed.connect(self.printing.on_changes)
        hub.changed.connect(self.kpi_view.on_changes)

    @property
    def pull_error(self) -> str | None:
        """The last pull's failure (None: fine or no pull)."""
        return self.sync.pull_error

    # What a person sees, for tests and screenshot scripts: the window's widgets are its own.

    def current_tab(self) -> QWidget | None:
        """The tab on screen; None while the station is locked (the work is hidden)."""
        tabs = self._ui.tabs
        return tabs.currentWidget() if tabs.isVisibleTo(self) else None

    def operator_line(self) -> str:
        """The status bar's signed-in operator."""
        return self._operator_label.text()

    def database_line(self) -> str:
        """The status bar's word on the database."""
        return self._database_label.text()

    def sync_line(self) -> str:
        """The status bar's word on the order system (the outbox and the last pull)."""
        return self._sync_label.text()

    def _pull_now(self) -> None:
        if self._pull is None or self._pulling:
            return  # one pull at a time: a slow shop must not pile up requests
        self._pulling = True
        Op(self._pull.pull, owner=self, pool=QThreadPool.globalInstance()).on_success(
            self._pulled
        ).on_failure(self._pull_failed).start()

    def _pulled(self, stats: PullStats) -> None:
        self._pulling = False
        self.sync.set_pull_error(None)
        log.debug("Pulled: %s", stats.summary())
        self.changes.post(pulled(stats))

    def _pull_failed(self, exc: BaseException) -> None:
        self._pulling = False
        # The station works on offline; the next pull tries again.
        self.sync.set_pull_error(str(exc) if isinstance(exc, OperatorError) else repr(exc))
        if isinstance(exc, OperatorError):
            log.warning("Pull from the order system failed: %s", exc)
        else:  # a bug, logged with its traceback, not a dialog every pull_interval_s
            log.error("Pull from the order system failed", exc_info=exc)

    def _show_sync(self, health: SyncHealth) -> None:
        self._sync_label.setText(self.sync.line())
        trouble = sync_trouble(health, pull_failed=self.pull_error is not None)
        self._sync_label.setStyleSheet("color:#842029; font-weight:bold;" if trouble else "")
        problem = self.pull_error or health.last_error
        self._sync_label.set_hint(f"{problem}\nDetails: Shift lead (Ctrl+3)" if problem else "")

    @Slot(bool)
    def _show_database(self, unreachable: bool) -> None:
        # First words first: the label is elided at the end on a narrow screen.
        label = self._database_text.removeprefix("Database: ")
        text = f"Database UNREACHABLE, retrying — {label}" if unreachable else self._database_text
        self._database_label.setText(text)
        # "Database UNREACHABLE, retrying" whole, in bold, even on a 1366-pixel screen.
        self._database_label.set_min_chars(36 if unreachable else 10)
        alarm = "color:#842029; font-weight:bold;"
        self._database_label.setStyleSheet(alarm if unreachable else "")

    def _report_photo_problems(self, problems: list[PhotoProblem]) -> None:
        """Evidence whose file went missing or changed is a shift lead's business: say so."""
        for problem in problems:
            log.warning("Photo %s: %s (%s)", problem.photo_id, problem.detail, problem.path)
        if problems:
            label = plain_label(f"⚠ {len(problems)} photo files missing or altered (see log)")
            label.setStyleSheet("color:#842029; font-weight:bold;")
            self._ui.statusBar.addWidget(label)

    @Slot(str)
    def _on_scan(self, raw: str) -> None:
        # A unit's license plate, scanned between parcels or in the history, finds the unit
        # there; anything else is for the station (StationController leaves plates alone then).
        if is_license_plate(raw) and self.station.takes_lookups():
            self._show_tab(1)
            self.history_view.look_up(raw.strip().upper())
            return
        self._show_tab(0)

    @Slot()
    def lock_station(self) -> None:
        """Hide the work and ask for a badge and PIN; the open parcel stays as it was and the
        station resumes it after sign-in (whoever signs in carries on with it)."""
        if self.locked or self._closed:
            return
        self.locked = True
        self._idle_timer.stop()
        self._ui.tabs.setVisible(False)
        self.camera.blockSignals(True)  # no camera scan acts while nobody is signed in
        minutes = self._settings.security.idle_lock_minutes
        idle = "1 idle minute" if minutes == 1 else f"{minutes} idle minutes"
        dialog = SignInDialog(
            self._service.database,
            station_code=self._service.context.station_code,
            clock=self._service.clock,
            lockout=self._service.lockout,
            font_scale=self._settings.ui.font_scale,
            locked_message=(
                f"This station locked itself after {idle}. Scan your badge and"
                " enter your PIN to carry on; the open parcel is kept as it was."
            ),
            parent=self,
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: self._unlocked(dialog))
        dialog.open()
        log.info("Station locked after %s", idle)

    def _unlocked(self, dialog: SignInDialog) -> None:
        context = dialog.context
        assert context is not None
        dialog.deleteLater()
        if context.operator_id != self._service.context.operator_id:
            self._service.context = context
            self._operator_label.setText(
                f"Operator: {context.operator_name} ({context.operator_code})"
            )
        self.camera.blockSignals(False)
        self._ui.tabs.setVisible(True)
        self.locked = False
        self._show_tab(self._ui.tabs.currentIndex())
        self._idle_timer.start()
        log.info("Station unlocked by %s", context.operator_code)

    def remember_geometry(self, store: QSettings, available: QRect | None = None) -> bool:
        """Restore the geometry saved in ``store`` (clamped to the available screen) and save
        it there on close; returns whether the window should be shown maximized."""
        self._geometry_store = store
        return restore_geometry(self, store, available)

    def show_printers(self) -> None:
        PrintersDialog(
            self._service,
            self._labels_settings,
            font_scale=self._settings.ui.font_scale,
            parent=self,
        ).exec()

    def _show_tab(self, index: int) -> None:
        self._ui.tabs.setCurrentIndex(index)
        if index == 0:
            self.station_view.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._geometry_store is not None and not self._closed:
            save_geometry(self, self._geometry_store)
        self._closed = True
        self.changes.close()
        self.scanner.detach()
        self._others_timer.stop()
        self._pull_timer.stop()
        if self._pull is not None:
            self._pull.close()
        if self._relay is not None:
            self._relay.close()
        self.printing.stop()
        self.camera.stop()
        wait_for_all()  # let a completion that is being written finish
        super().closeEvent(event)
