"""Blind second grades at the station (the shift lead tab's "Grader consistency"): whoever is
signed in fetches the unit shown (plate, SKU, title: never the first grade or grader) and
presses its grade; the agreement per inspector over the last 30 days follows."""

from __future__ import annotations

import uuid

from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from PySide6.QtCore import Qt

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.config import Settings
from returnsdesk.data.models import AuditEntry, Inspection, Operator, Regrade
from returnsdesk.qt import ops
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.services import regrades
from returnsdesk.services.bootstrap import StationEnvironment
from station_driver import open_station_window, press


def queue_for_regrade(env: StationEnvironment, *rmas: str) -> None:
    """Alex (OP-0001) completes the returns, grade B each unit; every unit is picked."""
    alex = station_service(env)
    alex.regrade_draw = lambda: 0.0
    for rma in rmas:
        complete_parcel(alex, demo_parcel(env, rma), grade="2")


def regrade_rows(env: StationEnvironment) -> list[Regrade]:
    with env.database.session() as session:
        query = select(Regrade).order_by(col(Regrade.queued_at), col(Regrade.id))
        return list(session.exec(query).all())


def operator_id(env: StationEnvironment, code: str) -> uuid.UUID:
    with env.database.session() as session:
        return session.exec(select(Operator).where(Operator.code == code)).one().id


def show_lead_tab(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.lead_view.isVisible)
    qtbot.waitUntil(lambda: not ops.busy(), timeout=10_000)


def test_the_first_grader_gets_no_unit_of_their_own_to_grade_again(
    qtbot: QtBot, demo_env: StationEnvironment, settings: Settings
) -> None:
    queue_for_regrade(demo_env, "RMA-100001")
    # Given Alex, who graded the unit first, at the station
    window = open_station_window(qtbot, demo_env, settings, "OP-0001")
    lead = window.lead_view
    show_lead_tab(qtbot, window)
    qtbot.waitUntil(lambda: "No unit is waiting for you" in lead.regrade_task(), timeout=10_000)
    # When he presses a grade key anyway, he is told why, and nothing is recorded
    press(qtbot, window, "2")
    qtbot.waitUntil(lambda: "goes to another inspector" in lead.message(), timeout=10_000)
    assert [r.grade for r in regrade_rows(demo_env)] == [None]
    ops.wait_for_all()
    window.close()


def test_another_inspector_grades_blind_by_key_and_the_agreement_follows(
    qtbot: QtBot, demo_env: StationEnvironment, settings: Settings
) -> None:
    queue_for_regrade(demo_env, "RMA-100001", "RMA-100004")
    first, second = regrade_rows(demo_env)
    with demo_env.database.session() as session:
        plates = [
            session.exec(
                select(Inspection.license_plate).where(Inspection.id == row.inspection_id)
            ).one()
            for row in (first, second)
        ]

    # Given Sam (OP-0002) signed in: the tab shows the oldest unit by plate, SKU and title
    window = open_station_window(qtbot, demo_env, settings, "OP-0002")
    lead = window.lead_view
    show_lead_tab(qtbot, window)
    qtbot.waitUntil(lambda: plates[0] in lead.regrade_task(), timeout=10_000)
    shown = lead.regrade_task()
    assert "1 more after it" in shown
    # ...blind: neither who graded it first nor the first grade
    assert "Alex" not in shown and "OP-0001" not in shown and "Like new" not in shown
    summary, rows = lead.agreement()
    assert summary == "Last 30 days: no unit graded a second time." and rows == []

    # When Sam presses D (4) for it
    press(qtbot, window, "4")
    qtbot.waitUntil(lambda: f"Unit {plates[0]} graded D" in lead.message(), timeout=10_000)

    # Then his grade is stored in his name, audited, and the first grade is untouched
    row = regrade_rows(demo_env)[0]
    assert (row.first_grade, row.grade) == ("B", "D")
    assert row.operator_id == operator_id(demo_env, "OP-0002")
    with demo_env.database.session() as session:
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "unit.regraded")).one()
        assert audit.subject == plates[0] and audit.details["grade"] == "D"
    # And the next unit and the agreement are on screen
    qtbot.waitUntil(lambda: plates[1] in lead.regrade_task(), timeout=10_000)
    qtbot.waitUntil(lambda: lead.agreement()[1] != [], timeout=10_000)
    summary, rows = lead.agreement()
    assert summary.startswith("Last 30 days: 1 unit graded twice, 0 the same (0 %)")
    assert rows == ["Alex Morgan (OP-0001) · 1 · 0 · 0 %"]

    # When another station grades the second unit while Sam's tab still shows it
    with demo_env.database.session() as session:
        maria = station_service(demo_env, operator_code="OP-0004", pin="1357").context
        regrades.record_regrade(
            session,
            license_plate=plates[1],
            grade_key_or_code="2",
            grading=demo_env.policies.grading,
            ctx=maria,
            now=row.regraded_at or row.queued_at,
        )
    press(qtbot, window, "2")
    # Then Sam is told, the other grade stands, and nothing is left for him
    qtbot.waitUntil(lambda: "graded a second time already" in lead.message(), timeout=10_000)
    assert [r.grade for r in regrade_rows(demo_env)] == ["D", "B"]
    qtbot.waitUntil(lambda: "No unit is waiting for you" in lead.regrade_task(), timeout=10_000)
    ops.wait_for_all()
    window.close()
