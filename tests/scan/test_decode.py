"""Camera decoding: what plain zxing-cpp misses is found, and nothing false is ever accepted."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import numpy.typing as npt
import pytest
import zxingcpp

from returnsdesk.domain.barcodes import gtin_check_digit, ups_check_digit
from returnsdesk.domain.scanning import Carrier, ScanKind
from returnsdesk.scan.decode import (
    DEFAULT_FORMATS,
    AcceptedScan,
    FrameDecoder,
    FrameResult,
    decode_image_file,
)

Frame = npt.NDArray[np.uint8]
SIZE = (960, 540)
UPS_BODY = "A1B2C3031234567"
UPS = "1Z" + UPS_BODY + ups_check_digit(UPS_BODY)
EAN13 = "400638133393" + gtin_check_digit("400638133393")
ITF14 = "1061414100041" + gtin_check_digit("1061414100041")


class Clock:
    """A camera at 30 frames per second."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float = 1 / 30) -> None:
        self.now += seconds


def render(
    content: str,
    barcode_format: str,
    *,
    gs1: bool = False,
    module: float = 3.0,
    angle: float = 0.0,
    blur: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
) -> Frame:
    """A symbol on a white label, turned ``angle`` degrees, on a grey desk, as a camera sees it."""
    barcode = zxingcpp.create_barcode(
        content, zxingcpp.BarcodeFormat.__members__[barcode_format], gs1=gs1
    )
    symbol = np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=1), np.uint8)
    label = np.pad(symbol, 4, constant_values=255)
    h, w = label.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, module)
    turn[:, 2] += (SIZE[0] / 2 - w / 2, SIZE[1] / 2 - h / 2)
    frame = cv2.warpAffine(label, turn, SIZE, flags=cv2.INTER_LINEAR, borderValue=140)
    image = np.asarray(frame, np.float32)
    if blur:
        image = np.asarray(cv2.GaussianBlur(image, (0, 0), blur), np.float32)
    if noise:
        image += np.random.default_rng(seed).normal(0.0, noise, image.shape).astype(np.float32)
    return np.clip(image, 0, 255).astype(np.uint8)


def plain_texts(frame: Frame) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(frame)]


def values(result: FrameResult) -> list[str]:
    return [accepted.scan.value for accepted in result.accepted]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def decoder(clock: Clock) -> FrameDecoder:
    # No time budget: what is read must not depend on how busy the test machine is.
    return FrameDecoder(clock=clock, search_budget_s=None)


def test_a_tilted_ups_label_is_accepted_where_plain_zxing_reads_nothing(
    decoder: FrameDecoder,
) -> None:
    # Given a UPS label turned 30 degrees: zxing-cpp's 1D reader scans rows and columns only
    frame = render(UPS, "Code128", module=2.5, angle=30, blur=0.5, noise=4)
    assert UPS not in plain_texts(frame)

    result = decoder.decode(frame)

    # Then the straightened crop reads it, and its check digit lets one frame suffice
    [accepted] = result.accepted
    assert (accepted.scan.kind, accepted.scan.carrier) == (ScanKind.TRACKING, Carrier.UPS)
    assert accepted.scan.value == UPS
    assert (accepted.detection.format, accepted.detection.symbology) == ("Code128", "]C0")


def test_corners_are_mapped_back_onto_the_symbol_in_the_frame(decoder: FrameDecoder) -> None:
    frame = render(UPS, "Code128", module=2.5, angle=30, blur=0.5, noise=4)

    [accepted] = decoder.decode(frame).accepted

    corners = np.array(accepted.detection.corners)
    assert corners.shape == (4, 2)
    assert (corners >= 0).all()
    assert (corners[:, 0] < SIZE[0]).all() and (corners[:, 1] < SIZE[1]).all()
    # The symbol was drawn around the frame's centre, its long side turned 30 degrees.
    assert np.allclose(corners.mean(axis=0), (SIZE[0] / 2, SIZE[1] / 2), atol=25)
    long_side = corners[1] - corners[0]
    assert abs(np.degrees(np.arctan2(-long_side[1], long_side[0])) % 180 - 30) < 5


def test_a_tiny_module_ean13_is_accepted_after_upscaling(decoder: FrameDecoder) -> None:
    # Given an upright EAN-13 with 1.5-pixel modules: too fine for zxing-cpp as it is
    frame = render(EAN13, "EAN13", module=1.5, blur=0.4, noise=3)
    assert plain_texts(frame) == []

    result = decoder.decode(frame)

    # Then enlarged crops read it twice, which a single mod-10 digit needs
    assert values(result) == [EAN13.zfill(14)]
    assert result.accepted[0].scan.kind is ScanKind.GTIN


def test_a_qr_rma_is_accepted_only_on_the_second_frame(decoder: FrameDecoder, clock: Clock) -> None:
    frame = render("RMA-100234", "QRCode", module=4)

    first = decoder.decode(frame)
    clock.tick()
    second = decoder.decode(frame)

    assert first.accepted == () and [d.text for d in first.pending] == ["RMA-100234"]
    assert [(a.scan.kind, a.scan.value) for a in second.accepted] == [(ScanKind.RMA, "RMA-100234")]
    assert second.pending == ()


def test_reads_too_far_apart_do_not_confirm_each_other(decoder: FrameDecoder, clock: Clock) -> None:
    frame = render("RMA-100234", "QRCode", module=4)

    decoder.decode(frame)
    clock.tick(2.0)  # longer than confirm_window_s

    assert decoder.decode(frame).accepted == ()


def test_an_item_held_in_view_is_accepted_once(decoder: FrameDecoder, clock: Clock) -> None:
    frame = render("RMA-100234", "QRCode", module=4)

    accepts: list[AcceptedScan] = []
    for _ in range(45):  # a second and a half under the camera
        accepts += decoder.decode(frame).accepted
        clock.tick()
    assert [a.scan.value for a in accepts] == ["RMA-100234"]

    # Taken away for longer than the window, then shown again: a new scan
    decoder.decode(np.full((SIZE[1], SIZE[0]), 140, np.uint8))
    clock.tick(2.0)
    decoder.decode(frame)
    clock.tick()
    assert values(decoder.decode(frame)) == ["RMA-100234"]


def test_partial_itf_reads_are_rejected_even_when_they_pass_a_gtin_check(
    decoder: FrameDecoder, clock: Clock
) -> None:
    # A 14-digit ITF read in part gives 10 or 12 digits; 12 can pass as a UPC-A by chance.
    upc_a = "03600029145" + gtin_check_digit("03600029145")
    for partial in (upc_a, "1234567895"):
        frame = render(partial, "ITF", module=3)
        for _ in range(3):
            result = decoder.decode(frame)
            clock.tick()
            assert result.accepted == ()
            assert [r.detection.text for r in result.rejected] == [partial]
            assert "not 14" in result.rejected[0].reason


def test_a_damaged_itf14_never_gives_another_value(decoder: FrameDecoder, clock: Clock) -> None:
    frame = render(ITF14, "ITF14", module=3)
    frame[:, 430:470] = 255  # a torn strip across the bars

    for _ in range(3):
        assert set(values(decoder.decode(frame))) <= {ITF14}
        clock.tick()


def test_a_wrong_check_digit_is_rejected_in_every_frame(
    decoder: FrameDecoder, clock: Clock
) -> None:
    wrong = UPS[:-1] + str((int(UPS[-1]) + 1) % 10)
    frame = render(wrong, "Code128", module=3)

    for _ in range(3):
        result = decoder.decode(frame)
        clock.tick()
        assert result.accepted == () and result.pending == ()
        assert "check digit" in result.rejected[0].reason


@pytest.mark.parametrize(
    "content",
    [
        "RMA-10\x0023",  # a NUL character
        "X" * 120,  # longer than any barcode the station uses
        "4006381333932",  # a 13-digit number whose check digit fails
    ],
)
def test_garbage_in_a_symbol_is_never_accepted(
    decoder: FrameDecoder, clock: Clock, content: str
) -> None:
    frame = render(content, "QRCode", module=3)

    for _ in range(3):
        result = decoder.decode(frame)
        clock.tick()
        assert result.accepted == ()
        assert result.rejected


def fake_barcode(text: str, x: int) -> SimpleNamespace:
    """A zxing-cpp Code128 read along the scan lines x..x+4, as no real image gives on demand."""

    def point(px: int, py: int) -> SimpleNamespace:
        return SimpleNamespace(x=px, y=py)

    position = SimpleNamespace(
        top_left=point(x, 100),
        top_right=point(x, 400),
        bottom_right=point(x + 4, 400),
        bottom_left=point(x + 4, 100),
    )
    return SimpleNamespace(
        text=text,
        format=zxingcpp.BarcodeFormat.Code128,
        symbology_identifier="]C0",
        position=position,
    )


def test_two_values_read_on_one_spot_count_only_when_one_read_settles_them(
    decoder: FrameDecoder, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given zxing-cpp reading one Code128 symbol two ways from scan lines 12 px apart, as it
    # did on a benchmark frame: the UPS number, and a misread that passed Code128's own check
    misread = UPS[:4] + ";y" + UPS[6:]
    reads = [fake_barcode(misread, 516), fake_barcode(UPS, 528)]
    monkeypatch.setattr(
        "returnsdesk.scan.decode.zxingcpp.read_barcodes", lambda *args, **kwargs: reads
    )
    frame = np.full((SIZE[1], SIZE[0]), 255, np.uint8)

    accepted: list[str] = []
    for _ in range(3):
        result = decoder.decode(frame)
        clock.tick()
        accepted += values(result)
        assert [(r.detection.text, r.reason) for r in result.rejected] == [
            (misread, "Barcode read as two different values — hold it still and scan again.")
        ]
    # Then the UPS number (check digit + mod 103) stands, once; the misread never counts
    assert accepted == [UPS]
    # And two values neither of which one read settles cancel each other out
    reads[:] = [fake_barcode("RMA-100234", 516), fake_barcode("RMA-100284", 528)]
    decoder.reset()
    for _ in range(3):
        assert decoder.decode(frame).accepted == ()
        clock.tick()


def test_noise_and_clutter_give_nothing(decoder: FrameDecoder, clock: Clock) -> None:
    rng = np.random.default_rng(7)
    frame = rng.integers(0, 256, (540, 960), dtype=np.uint8)
    cv2.putText(frame, "FRAGILE 1Z THIS WAY UP", (40, 300), cv2.FONT_HERSHEY_SIMPLEX, 2, 0, 5)
    for x in range(600, 900, 9):  # a grille of bars that is no barcode
        frame[50:200, x : x + 4] = 0

    for _ in range(3):
        assert decoder.decode(frame).accepted == ()
        clock.tick()


def test_bgr_and_grayscale_frames_read_alike(clock: Clock) -> None:
    gray = render(UPS, "Code128", module=3)
    bgr = np.asarray(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), np.uint8)

    assert values(FrameDecoder(clock=clock, search_budget_s=None).decode(gray)) == [UPS]
    assert values(FrameDecoder(clock=clock, search_budget_s=None).decode(bgr)) == [UPS]
    with pytest.raises(ValueError, match="uint8"):
        FrameDecoder(clock=clock, search_budget_s=None).decode(gray.astype(np.float32))


def test_gs1_datamatrix_gives_gtin_and_serial_at_once(decoder: FrameDecoder) -> None:
    frame = render("(01)04006381333931(21)SN42", "DataMatrix", gs1=True, module=4, angle=20)

    [accepted] = decoder.decode(frame).accepted

    assert (accepted.scan.gtin, accepted.scan.serial) == ("04006381333931", "SN42")
    assert accepted.detection.symbology == "]d2"


def test_a_light_on_dark_datamatrix_is_read(decoder: FrameDecoder) -> None:
    # Marked on dark plastic: light modules on a dark ground
    frame = 255 - render("(01)04006381333931(21)SN42", "DataMatrix", gs1=True, module=3, angle=20)

    assert values(decoder.decode(frame)) == ["04006381333931"]


def test_formats_are_checked_by_name() -> None:
    assert FrameDecoder(formats=["Code128", "EAN-13"]).formats == ("Code128", "EAN13")
    with pytest.raises(ValueError, match="'Code12'"):
        FrameDecoder(formats=["Code128", "Code12"])
    with pytest.raises(ValueError, match="GS1-128.*Code128"):
        FrameDecoder(formats=["GS1-128"])
    with pytest.raises(ValueError, match="confirm_frames"):
        FrameDecoder(confirm_frames=0)
    assert "Code128" in DEFAULT_FORMATS


def test_only_the_configured_formats_are_read(clock: Clock) -> None:
    frame = render("RMA-100234", "QRCode", module=4)
    decoder = FrameDecoder(formats=["Code128", "EAN13"], clock=clock)

    assert decoder.decode(frame) == FrameResult((), (), ())


def test_a_still_image_counts_two_independent_reads_as_confirmation(tmp_path: Path) -> None:
    path = tmp_path / "rma.png"
    cv2.imwrite(str(path), render("RMA-100234", "QRCode", module=4))

    result = decode_image_file(path, decoder=FrameDecoder())

    assert values(result) == ["RMA-100234"]


def test_a_still_image_read_once_needs_a_second_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a still where only the whole-image pass can read the symbol
    monkeypatch.setattr("returnsdesk.scan.decode._find_regions", lambda *a, **k: [])
    path = tmp_path / "rma.png"
    cv2.imwrite(str(path), render("RMA-100234", "QRCode", module=4))

    result = decode_image_file(path, decoder=FrameDecoder())

    assert result.accepted == ()
    assert [(r.detection.text, r.reason) for r in result.rejected] == [
        ("RMA-100234", "seen once: needs a second frame")
    ]


def test_an_unreadable_image_file_raises_oserror(tmp_path: Path) -> None:
    path = tmp_path / "not-an-image.png"
    path.write_text("hello")

    with pytest.raises(OSError, match="not an image"):
        decode_image_file(path, decoder=FrameDecoder())
    with pytest.raises(OSError):
        decode_image_file(tmp_path / "missing.png", decoder=FrameDecoder())
