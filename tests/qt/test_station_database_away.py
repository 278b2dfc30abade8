"""The station window while the real PostgreSQL server is down (a server of the test's own,
tests/postgres.py): the banner and the status bar say so at once, the inspection stays on
screen, and the return completes by itself once the server is back."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import func, select

from PySide6.QtCore import Qt

from completing import three_unit_parcel
from postgres import PostgresCluster
from returnsdesk.data.models import Refund, Return
from returnsdesk.domain.vocabulary import ReturnStatus
from returnsdesk.qt.station_controller import State
from returnsdesk.qt.station_view import Tone
from returnsdesk.services.bootstrap import StationEnvironment
from station_driver import Inspector

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url(private_postgres_cluster: PostgresCluster) -> str:
    return private_postgres_cluster.url("postgres")


def test_the_window_shows_the_database_away_and_completes_once_it_is_back(
    qtbot: QtBot,
    inspector: Inspector,
    demo_env: StationEnvironment,
    private_postgres_cluster: PostgresCluster,
) -> None:
    parcel = three_unit_parcel(demo_env)
    view, window = inspector.window.station_view, inspector.window
    # Given every unit of a parcel is graded, the last one waiting for Enter
    inspector.scan(parcel.tracking_number)
    units = [item.gtin for item in parcel.items for _ in range(item.quantity)]
    for number, gtin in enumerate(units, start=1):
        inspector.scan(gtin)
        inspector.press("2")
        while inspector.controller.work is not None and "(Y / N)" in view.unit_prompt():
            inspector.press("Y")
        if number < len(units):
            inspector.press("Enter")
    assert "Database: " in window.database_line()

    # When the server stops and the inspector confirms the refund
    private_postgres_cluster.stop()
    try:
        qtbot.keyClick(view, Qt.Key.Key_Return)
        # Then the banner says so at once, in red, and so does the status bar
        qtbot.waitUntil(lambda: "Database unreachable" in inspector.message, timeout=10_000)
        assert inspector.message.startswith(
            "Database unreachable — your inspection is kept; retrying every 1 s."
        )
        assert view.message_tone() is Tone.ERROR
        assert "UNREACHABLE" in window.database_line()
        # And the inspection stays on screen, the refund to confirm, the parcel open
        assert parcel.rma_number in view.return_title()
        assert inspector.controller.state is State.RETURN and inspector.controller.busy
        assert view.guide_text().startswith(f"Waiting for the database: {parcel.rma_number}")
        assert view.keys_hint() == "Enter try the database now · Esc stop waiting"
        assert view.refund_title() == "Refund to confirm"
        # And a scan meanwhile is refused, saying why
        qtbot.keyClicks(view, parcel.items[0].gtin)
        qtbot.keyClick(view, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: inspector.message.startswith("Not taken: the database"))
    finally:
        private_postgres_cluster.start_server()

    # When the server is back, the station's own retry completes the return, once
    qtbot.waitUntil(lambda: inspector.controller.state is State.OUTCOME, timeout=20_000)
    assert inspector.message.startswith("Done:") and view.message_tone() is Tone.OK
    assert "UNREACHABLE" not in window.database_line()
    with demo_env.database.read() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == parcel.rma_number)).one()
        assert return_.status is ReturnStatus.COMPLETED
        refunds = select(func.count()).select_from(Refund).where(Refund.return_id == return_.id)
        assert session.exec(refunds).one() == 1
