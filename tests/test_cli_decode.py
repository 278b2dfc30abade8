"""``returnsdesk decode IMAGE...``: what it prints and the exit status it gives."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp

from returnsdesk.cli.decode import main
from returnsdesk.domain.barcodes import ups_check_digit

UPS = "1ZA1B2C3031234567" + ups_check_digit("A1B2C3031234567")


def write_symbol(path: Path, content: str, barcode_format: str, *, gs1: bool = False) -> Path:
    barcode = zxingcpp.create_barcode(
        content, zxingcpp.BarcodeFormat.__members__[barcode_format], gs1=gs1
    )
    image = np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=3), np.uint8)
    cv2.imwrite(str(path), np.pad(image, 30, constant_values=255))
    return path


@pytest.fixture
def ups_png(tmp_path: Path) -> Path:
    return write_symbol(tmp_path / "ups.png", UPS, "Code128")


@pytest.fixture
def rma_png(tmp_path: Path) -> Path:
    return write_symbol(tmp_path / "rma.png", "RMA-100234", "QRCode")


@pytest.fixture
def blank_png(tmp_path: Path) -> Path:
    path = tmp_path / "blank.png"
    cv2.imwrite(str(path), np.full((200, 300), 255, np.uint8))
    return path


def test_prints_what_each_image_holds(
    ups_png: Path, rma_png: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main([str(ups_png), str(rma_png)])

    out = capsys.readouterr().out
    assert status == 0
    assert f"{ups_png}:\n  accepted  tracking  {UPS}  carrier UPS  (Code128 ]C0)" in out
    assert f"{rma_png}:\n  accepted  rma  RMA-100234  (QRCode ]Q1)" in out


def test_exit_1_when_an_image_holds_nothing(
    ups_png: Path, blank_png: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main([str(ups_png), str(blank_png)])

    assert status == 1
    assert f"{blank_png}:\n  no barcode read" in capsys.readouterr().out


def test_rejected_reads_say_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrong = UPS[:-1] + str((int(UPS[-1]) + 1) % 10)
    path = write_symbol(tmp_path / "wrong.png", wrong, "Code128")

    status = main([str(path)])

    out = capsys.readouterr().out
    assert status == 1
    assert f"  rejected  {wrong}  (Code128 ]C0): UPS tracking number" in out
    assert "check digit does not match" in out


def test_json_lists_every_image(
    tmp_path: Path, rma_png: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gs1 = write_symbol(tmp_path / "gs1.png", "(01)04006381333931(21)SN42", "DataMatrix", gs1=True)

    status = main(["--json", str(rma_png), str(gs1)])

    records = json.loads(capsys.readouterr().out)
    assert status == 0
    assert [record["image"] for record in records] == [str(rma_png), str(gs1)]
    [rma] = records[0]["accepted"]
    assert (rma["kind"], rma["value"], rma["format"], rma["symbology"]) == (
        "rma",
        "RMA-100234",
        "QRCode",
        "]Q1",
    )
    assert len(rma["corners"]) == 4
    [item] = records[1]["accepted"]
    assert (item["kind"], item["gtin"], item["serial"]) == ("gtin", "04006381333931", "SN42")
    assert item["text"] == "010400638133393121SN42"
    assert records[1]["rejected"] == []


def test_formats_limit_what_is_read(rma_png: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--formats", "Code128,EAN13", str(rma_png)]) == 1
    assert "no barcode read" in capsys.readouterr().out


def test_an_unknown_format_is_named(rma_png: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--formats", "Code128,Kode39", str(rma_png)]) == 2
    assert "Unknown barcode format 'Kode39'" in capsys.readouterr().err


def test_a_missing_file_exits_2_without_a_traceback(
    tmp_path: Path, ups_png: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.png"
    not_image = tmp_path / "notes.png"
    not_image.write_text("not a picture")

    status = main([str(missing), str(ups_png), str(not_image)])

    captured = capsys.readouterr()
    assert status == 2
    assert f"returnsdesk decode: cannot read {missing}: No such file or directory" in captured.err
    assert f"cannot read {not_image}: not an image OpenCV can read" in captured.err
    assert "Traceback" not in captured.err
    assert f"accepted  tracking  {UPS}" in captured.out  # the readable image is still read


def test_a_missing_file_in_json_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.png"

    assert main(["--json", str(missing)]) == 2

    captured = capsys.readouterr()
    assert json.loads(captured.out) == [
        {"image": str(missing), "error": "No such file or directory"}
    ]
    assert "cannot read" in captured.err


def test_no_images_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: returnsdesk decode" in capsys.readouterr().err
