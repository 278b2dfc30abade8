"""Guards against Qt binding releases that corrupt reference counts (seen in PySide6 6.12.0)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal()


def test_emitting_signals_keeps_reference_counts(qapp: object) -> None:
    # Given a signal with a receiver
    emitter = _Emitter()
    emitter.ping.connect(lambda: None)
    before_true, before_false = sys.getrefcount(True), sys.getrefcount(False)
    # When it is emitted many times (a station emits thousands per shift)
    for _ in range(2_000):
        emitter.ping.emit()
    # Then the binding has not released references it does not own
    assert sys.getrefcount(True) >= before_true - 10
    assert sys.getrefcount(False) >= before_false - 10
