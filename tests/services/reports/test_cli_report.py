"""``returnsdesk report ...``: output files, messages and exit codes, on a worked demo database."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from report_floor import Floor, flat

from returnsdesk.__main__ import main


@pytest.fixture
def worked(floor: Floor) -> Floor:
    floor.work(floor.summary.parcels[0])
    floor.work(floor.summary.parcels[1], station="STATION-02")
    return floor


def url(floor: Floor) -> str:
    return floor.database.engine.url.render_as_string(hide_password=False)


def test_shift_report_writes_the_pdf_and_csv(
    worked: Floor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "shift.pdf"

    code = main(
        [
            "report",
            "shift",
            "--date",
            "2026-11-22",
            "--shift",
            "late",
            "--station",
            "STATION-02",
            "--database",
            url(worked),
            "--out",
            str(out),
            "--csv",
            str(tmp_path / "csv"),
        ]
    )

    assert code == 0
    assert f"wrote {out}" in capsys.readouterr().out
    text = flat(out.read_bytes())
    assert "late shift 14:00-22:00 on Sun 22 Nov 2026 (UTC) · station STATION-02" in text
    assert "Parcels received 1 " in text
    with (tmp_path / "csv" / "summary.csv").open(encoding="utf-8-sig", newline="") as stream:
        assert dict(csv.reader(stream))["Parcels received"] == "1"
    assert not list(tmp_path.glob("*.part"))


def test_time_range_insights_recovery_and_evidence(worked: Floor, tmp_path: Path) -> None:
    database = ["--database", url(worked)]
    rma = worked.summary.parcels[0].rma_number
    commands = {
        "range.pdf": ["shift", "--from", "2026-11-22T20:00+00:00", "--to", "2026-11-23T02:00Z"],
        "insights.pdf": ["insights", "--days", "30"],
        "recovery.pdf": ["recovery", "--from", "2026-11-01T00:00Z", "--to", "2026-12-01T00:00Z"],
        "pack.pdf": ["evidence", rma],
    }
    for name, command in commands.items():
        assert main(["report", *command, *database, "--out", str(tmp_path / name)]) == 0, name
    assert "Parcels received 2 " in flat((tmp_path / "range.pdf").read_bytes())
    assert f"Evidence pack {rma}" in flat((tmp_path / "pack.pdf").read_bytes())


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["evidence", "RMA-999999"], 1, "No return 'RMA-999999'"),
        (["shift", "--station", "NOPE"], 1, "No station 'NOPE'"),
        (["shift", "--date", "22/11/2026"], 2, "--date '22/11/2026' is not a date"),
        (["shift", "--shift", "brunch"], 2, "No shift named 'brunch' (known: early, late, night)"),
        (["shift", "--from", "2026-11-22T06:00"], 2, "give --from and --to together"),
        (["shift", "--from", "2026-11-22T06:00", "--to", "2026-11-22T08:00"], 2, "UTC offset"),
        (["shift", "--from", "2026-11-22T08:00Z", "--to", "2026-11-22T06:00Z"], 2, "ends"),
        (["insights", "--days", "0"], 2, "1 or more"),
    ],
)
def test_bad_requests_fail_with_a_message_and_write_nothing(
    worked: Floor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    code: int,
    message: str,
) -> None:
    out = tmp_path / "report.pdf"

    assert main(["report", *arguments, "--database", url(worked), "--out", str(out)]) == code

    assert message in capsys.readouterr().err
    assert not out.exists()


def test_an_unwritable_or_missing_output_folder_fails_before_any_work(
    worked: Floor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-folder" / "shift.pdf"
    assert main(["report", "shift", "--database", url(worked), "--out", str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err

    assert main(["report", "shift", "--database", url(worked), "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_a_missing_database_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "nothing-here.sqlite3"

    code = main(
        ["report", "shift", "--database", f"sqlite:///{database}", "--out", str(tmp_path / "a.pdf")]
    )

    assert code == 1
    assert "no database at" in capsys.readouterr().err
    assert not database.exists()


def test_the_installed_command_exits_non_zero_for_an_unknown_rma(
    worked: Floor, tmp_path: Path
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "returnsdesk",
            "report",
            "evidence",
            "RMA-000000",
            "--database",
            url(worked),
            "--out",
            str(tmp_path / "pack.pdf"),
        ],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )

    assert result.returncode == 1
    assert "returnsdesk report: No return 'RMA-000000' in this database." in result.stderr
