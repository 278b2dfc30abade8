"""The shift report's grader consistency section, after real second gradings."""

from __future__ import annotations

from datetime import date

from report_floor import Floor, flat
from sqlmodel import select

from returnsdesk.data.models import Inspection, Regrade
from returnsdesk.services import regrades
from returnsdesk.services.reports import Period, ReportKind, ReportRequest, generate_report

DAY = date(2026, 11, 22)


def regrade_all(floor: Floor, first: str, second: str, grades: list[str]) -> None:
    """``second``'s station grades again, in order, every unit ``first``'s station graded."""
    by, other = floor.stations[second], floor.stations[first]
    with floor.database.session() as session:
        plates = session.exec(
            select(Inspection.license_plate)
            .join(Regrade, Regrade.inspection_id == Inspection.id)  # type: ignore[arg-type]
            .where(Regrade.first_operator_id == other.context.operator_id)
            .order_by(Inspection.finished_at)  # type: ignore[arg-type]
        ).all()
    assert len(plates) == len(grades)
    for plate, grade in zip(plates, grades, strict=True):
        assert plate is not None
        with floor.database.session() as session:
            regrades.record_regrade(
                session,
                license_plate=plate,
                grade_key_or_code=grade,
                grading=by.policies.grading,
                ctx=by.context,
                now=floor.clock(),
            )


def test_agreement_matrix_and_kappa_in_the_pdf_and_csv(floor: Floor) -> None:
    # Given every unit is picked, and single-unit parcels graded B at station 1 (OP-0001)
    # and A at station 2 (OP-0002)
    for service in floor.stations.values():
        service.regrade_draw = lambda: 0.0
    singles = [
        p
        for p in floor.summary.parcels
        if sum(i.quantity for i in p.items) == 1 and p.tracking_number
    ]
    for parcel in singles[:4]:
        floor.work(parcel, grade="2")
    for parcel in singles[4:6]:
        floor.work(parcel, station="STATION-02", grade="1")
    # When each inspector grades the other's units again: B B C B and A B
    regrade_all(floor, "STATION-01", "STATION-02", ["B", "B", "C", "B"])
    regrade_all(floor, "STATION-02", "STATION-01", ["A", "B"])
    # Then the report says 4 of 6 agree and kappa is 1/3 (p_o 2/3, p_e 1/2: worked by hand
    # in tests/domain/test_agreement.py)
    report = generate_report(
        floor.database,
        ReportRequest(ReportKind.SHIFT, Period.day(DAY, floor.setup().zone)),
        setup=floor.setup(),
    )
    text = flat(report.pdf)
    assert "Grader consistency" in text
    assert "Units graded twice 6 Same grade both times 4 Agreement 66.7% Cohen's kappa 0.33" in text
    names = {s.context.operator_code: s.context.operator_name for s in floor.stations.values()}
    assert f"{names['OP-0001']} (OP-0001) 4 3 75.0%" in text
    assert f"{names['OP-0002']} (OP-0002) 2 1 50.0%" in text
    assert report.csv_tables["grade-confusion"].splitlines() == [
        "First \\ second,A,B,C,Total",
        "A,1,1,0,2",
        "B,0,3,1,4",
        "C,0,0,0,0",
    ]
    # And a station filter counts units first graded there only
    only_two = generate_report(
        floor.database,
        ReportRequest(ReportKind.SHIFT, Period.day(DAY, floor.setup().zone), "STATION-02"),
        setup=floor.setup(),
    )
    assert "Units graded twice 2 Same grade both times 1 Agreement 50.0%" in flat(only_two.pdf)
