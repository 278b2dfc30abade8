"""Blind second gradings: which units are picked, who may grade them, what is recorded."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from completing import complete_parcel, demo_parcel, station_service, three_unit_parcel
from returnsdesk.cli.regrade import main as regrade_main
from returnsdesk.data.models import AuditEntry, Inspection, Regrade
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.errors import WrongStep
from returnsdesk.services import regrades
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.regrades import RegradeTask


def draws(*values: float) -> Iterator[float]:
    return iter(values)


def queued(env: StationEnvironment) -> list[tuple[Regrade, Inspection]]:
    with env.database.session() as session:
        return list(
            session.exec(
                select(Regrade, Inspection)
                .join(Inspection, Inspection.id == Regrade.inspection_id)  # type: ignore[arg-type]
                .order_by(Inspection.finished_at)  # type: ignore[arg-type]
            ).all()
        )


def test_units_are_picked_by_the_share_in_the_grading_policy(demo_env: StationEnvironment) -> None:
    # Given the bundled policy's 2 % and a draw per unit of 0.010, 0.500, 0.0199
    assert demo_env.policies.grading.regrade_percent == 2
    service = station_service(demo_env)
    picks = draws(0.010, 0.500, 0.0199)
    service.regrade_draw = lambda: next(picks)
    parcel = three_unit_parcel(demo_env)
    # When a three-unit parcel is completed, graded B
    complete_parcel(service, parcel)
    # Then the first and third units wait for a second grade, with their first grade kept
    rows = queued(demo_env)
    assert len(rows) == 2
    assert {r.first_grade for r, _ in rows} == {"B"} and all(r.grade is None for r, _ in rows)
    assert {r.first_operator_id for r, _ in rows} == {service.context.operator_id}


def test_a_second_inspector_grades_blind_and_the_first_may_not(
    demo_env: StationEnvironment,
) -> None:
    first = station_service(demo_env)  # OP-0001
    first.regrade_draw = lambda: 0.0  # every unit
    complete_parcel(first, demo_parcel(demo_env, "RMA-100001"), grade="2")
    second = station_service(demo_env, operator_code="OP-0002", station_code="STATION-02")
    with demo_env.database.session() as session:
        # The first grader gets nothing to grade again: the unit is theirs
        assert regrades.next_regrade(session, operator_id=first.context.operator_id) is None
        task = regrades.next_regrade(session, operator_id=second.context.operator_id)
    assert task is not None and task.waiting == 1
    # What the second inspector sees names the unit, never its first grade or grader
    assert [f.name for f in dataclasses.fields(RegradeTask)] == [
        "regrade_id",
        "license_plate",
        "sku",
        "title",
        "queued_at",
        "waiting",
    ]
    assert task.sku == demo_parcel(demo_env, "RMA-100001").items[0].sku
    grading = demo_env.policies.grading
    with (
        pytest.raises(WrongStep, match="You graded unit .* first"),
        demo_env.database.session() as s,
    ):
        regrades.record_regrade(
            s,
            license_plate=task.license_plate,
            grade_key_or_code="2",
            grading=grading,
            ctx=first.context,
            now=utc_now(),
        )
    with demo_env.database.session() as session:
        code = regrades.record_regrade(
            session,
            license_plate=task.license_plate.lower(),
            grade_key_or_code="3",
            grading=grading,
            ctx=second.context,
            now=utc_now(),
        )
    assert code == "C"
    with (
        pytest.raises(WrongStep, match="graded a second time already"),
        demo_env.database.session() as s,
    ):
        regrades.record_regrade(
            s,
            license_plate=task.license_plate,
            grade_key_or_code="C",
            grading=grading,
            ctx=second.context,
            now=utc_now(),
        )
    [(row, _inspection)] = queued(demo_env)
    assert (row.first_grade, row.grade, row.operator_id) == ("B", "C", second.context.operator_id)
    with demo_env.database.session() as session:
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "unit.regraded")).one()
    assert audit.subject == task.license_plate and audit.details["grade"] == "C"
    # And the lead's view counts it: one pair, no agreement
    now = utc_now()
    found = regrades.consistency(
        demo_env.database,
        start=now - timedelta(days=1),
        end=now + timedelta(days=1),
        grading=grading,
    )
    assert (found.agreement.pairs, found.agreement.agreed) == (1, 0)
    assert [(i.inspector, i.regraded, i.agreed) for i in found.by_inspector] == [
        (f"{first.context.operator_name} ({first.context.operator_code})", 1, 0)
    ]


def test_no_share_picks_nothing(demo_env: StationEnvironment) -> None:
    service = station_service(demo_env)
    service.regrade_draw = lambda: 0.0
    service.policies = dataclasses.replace(
        service.policies,
        grading=dataclasses.replace(service.policies.grading, regrade_percent=0),
    )
    complete_parcel(service, demo_parcel(demo_env, "RMA-100001"))
    assert queued(demo_env) == []


def test_the_regrade_command_finds_records_and_reports(
    demo_env: StationEnvironment,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = station_service(demo_env)
    first.regrade_draw = lambda: 0.0
    complete_parcel(first, demo_parcel(demo_env, "RMA-100001"), grade="2")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    base = ["--database", database_url]
    # The first grader is told nothing waits for them
    assert regrade_main([*base, "next", "--badge", "OP-0001"]) == 0
    assert capsys.readouterr().out == "No unit is waiting for you to grade it again.\n"
    # Another inspector is sent to the unit, by its label, without its grade
    assert regrade_main([*base, "next", "--badge", "OP-0002"]) == 0
    out = capsys.readouterr().out
    [(row, inspection)] = queued(demo_env)
    plate = inspection.license_plate
    assert plate is not None and out.startswith(f"Fetch unit {plate} (")
    assert "grade B" not in out and "OP-0001" not in out
    # A grade that is not on the scale is refused; a good one recorded
    assert regrade_main([*base, "record", plate, "9", "--badge", "OP-0002"]) == 1
    assert "No grade '9'" in capsys.readouterr().err
    assert regrade_main([*base, "record", plate, "2", "--badge", "OP-0002"]) == 0
    assert capsys.readouterr().out == f"returnsdesk regrade: {plate} graded B, thank you.\n"
    # And the agreement shows one unit, agreed
    assert regrade_main([*base, "agreement", "--days", "7"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ("Last 7 days: 1 units graded twice, 1 the same; Cohen's kappa –")
