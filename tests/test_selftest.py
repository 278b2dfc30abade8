"""``returnsdesk --self-test``: one line per check, exit 0 only when all pass."""

from __future__ import annotations

import io
import sys

import pytest
from pytestqt.qtbot import QtBot

from returnsdesk import selftest
from returnsdesk.selftest import run_self_test

CHECKS = ("database", "barcode", "report", "qt", "labels", "preview", "policies")


def test_every_check_passes_from_a_checkout(qtbot: QtBot) -> None:
    # Given a working installation (this checkout) with Qt offscreen (conftest)
    out = io.StringIO()
    # When the self-test runs, then every check reports ok and the status is 0
    assert run_self_test(out=out) == 0
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines[:-1]] == list(CHECKS)
    assert all(line.split()[1] == "ok" for line in lines[:-1]), lines
    assert lines[-1] == "self-test passed"
    assert f"{selftest.SELFTEST_TRACKING} read" in out.getvalue()


def test_a_failing_check_is_reported_and_the_others_still_run(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a bundled label that no longer decodes to what the self-test expects
    monkeypatch.setattr(selftest, "SELFTEST_TRACKING", "1Z999AA10123456784")
    out = io.StringIO()
    assert run_self_test(out=out) == 1
    lines = dict(line.split(maxsplit=1) for line in out.getvalue().splitlines()[:-1])
    assert lines["barcode"].startswith("FAILED: RuntimeError: read ['1Z8ARVS59060133026']")
    assert all(lines[name].startswith("ok") for name in CHECKS if name != "barcode")
    assert out.getvalue().splitlines()[-1] == "self-test FAILED: 1 check(s)"


def test_without_a_display_the_qt_check_is_skipped_not_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(selftest.sys, "platform", "linux")
    for variable in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(variable, raising=False)
    out = io.StringIO()
    assert run_self_test(out=out) == 0
    assert "qt        skipped: no display" in out.getvalue()


def test_a_qt_that_cannot_be_imported_fails_the_qt_checks_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given an installation whose PySide6 cannot be imported (hidden from this process)
    for name in [n for n in sys.modules if n.partition(".")[0] in ("PySide6", "shiboken6")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "PySide6", None)  # also when no test imported it yet
    monkeypatch.delitem(sys.modules, "returnsdesk.qt.selftest", raising=False)
    out = io.StringIO()
    # When the self-test runs, then the two Qt checks fail saying why, and the others pass
    assert run_self_test(out=out) == 1
    lines = dict(line.split(maxsplit=1) for line in out.getvalue().splitlines()[:-1])
    for name in ("qt", "preview"):
        assert lines[name].startswith("FAILED: ModuleNotFoundError: import of PySide6")
    assert all(lines[name].startswith("ok") for name in CHECKS if name not in ("qt", "preview"))
    assert out.getvalue().splitlines()[-1] == "self-test FAILED: 2 check(s)"
