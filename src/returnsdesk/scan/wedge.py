"""Tell a keyboard-wedge scanner's burst of keys from a person typing. Pure Python, no Qt.

A USB scanner types its value a few milliseconds per key and ends it with Enter; people leave
100 ms or more between keys. The Qt event filter feeds every printable key and every Enter here,
with the time it was typed (``KeyTimes``: the event's own timestamp, not the time the station
got round to handling it), and gets the scanned text back from ``feed_enter``.

The rules:

* A burst is a run of keys each at most ``max_gap_ms`` after the one before. A key arriving
  later starts a new run and the keys before it are dropped: they were typed by a person (a
  filter that held them back reads ``pending`` before feeding that key, to pass them on).
* Enter is the burst's last key and obeys the same gap: an Enter pressed by hand after a scanner
  that sends no suffix is not a scan. Scanners must be set to send Enter as their suffix.
* A burst shorter than ``min_length`` characters is not a scan (fast rollover of two keys).
* A timestamp earlier than the previous key's breaks the run: with no trustworthy gap, typing
  must not pass for a scan.
* A key that types no character (Esc, Tab, an arrow, a function key) inside a run stands in it
  as ``UNEXPECTED_KEY``, and the classifier refuses a scan holding one: dropping the key would
  read ``RMA-10<Esc>0113`` as RMA-100113, another customer's return.
"""

from __future__ import annotations

# ASCII SUB ("substitute"), made for standing in for a character that cannot be represented.
UNEXPECTED_KEY = "\x1a"


class KeyTimes:
    """When each key was typed, from the key event's own timestamp.

    A station that pauses inside a burst (a full garbage collection, a loaded machine) handles
    the keys queued meanwhile together: their handling times would make a person's keys a
    burst, and a burst's late keys a person's. The window system stamps each key when it is
    typed (the X server's time in ms, Windows' tick count), on a clock base of its own; the
    burst detector needs only the gaps between keys, so the timestamps are used as they are.

    A timestamp of 0 means none (events made by Qt's test library or by the application): the
    handling time stands in, put on the window system's clock by the smallest offset
    (handling time - timestamp) seen so far, that of the key handled soonest after it was
    typed. Mapping the stamped keys onto our clock instead would not keep their gaps: each key
    of a queue handled late would lower that offset again, the first burst after start-up most.
    An offset more than ``rebase_after_ms`` above the smallest means the window system's clock
    started again or wrapped (32-bit ms wrap after 49.7 days): it is taken afresh.
    """

    def __init__(self, *, rebase_after_ms: float = 600_000.0) -> None:
        self._rebase_after_ms = rebase_after_ms
        self._offset_ms: float | None = None

    def typed_at(self, event_ms: int, handled_ms: float) -> float:
        """The time a key stamped ``event_ms`` was typed, handled at ``handled_ms`` (monotonic)."""
        if event_ms == 0:
            return handled_ms if self._offset_ms is None else handled_ms - self._offset_ms
        offset = handled_ms - event_ms
        if (
            self._offset_ms is None
            or offset < self._offset_ms
            or offset - self._offset_ms > self._rebase_after_ms
        ):
            self._offset_ms = offset
        return float(event_ms)


class BurstDetector:
    def __init__(self, *, min_length: int = 4, max_gap_ms: float = 50.0) -> None:
        if min_length < 1:
            raise ValueError("min_length must be at least 1")
        if not max_gap_ms > 0:  # also refuses NaN
            raise ValueError("max_gap_ms must be positive")
        self._min_length = min_length
        self._max_gap_ms = max_gap_ms
        self._chars: list[str] = []
        self._last_ms: float | None = None

    @property
    def pending(self) -> str:
        """The keys of the current run, not yet ended by Enter."""
        return "".join(self._chars)

    def reset(self) -> None:
        self._chars.clear()
        self._last_ms = None

    def is_burst_in_progress(self, t_ms: float) -> bool:
        """True while a run is open: keys are pending and the last came within the gap of t_ms."""
        return bool(self._chars) and self._within_gap(t_ms)

    def feed_char(self, ch: str, t_ms: float) -> None:
        if not ch:
            return
        if not self._within_gap(t_ms):
            self._chars.clear()
        self._chars.append(ch)
        self._last_ms = t_ms

    def feed_other_key(self, t_ms: float) -> bool:
        """A key that types no character and is not Enter; True if it fell inside a run.

        Inside a run it is part of a scan, marked with ``UNEXPECTED_KEY`` so that the scan is
        refused whole, and the caller keeps it from the window's shortcuts (an Esc there must
        not step back). Outside a run it is a person's key and the caller lets it through.
        """
        if not self.is_burst_in_progress(t_ms):
            return False
        self._chars.append(UNEXPECTED_KEY)
        self._last_ms = t_ms
        return True

    def feed_enter(self, t_ms: float) -> str | None:
        """The scanned text if the pending keys and this Enter form a burst, else None.

        Either way the run ends here.
        """
        text = self.pending
        is_scan = len(text) >= self._min_length and self._within_gap(t_ms)
        self.reset()
        return text if is_scan else None

    def _within_gap(self, t_ms: float) -> bool:
        if self._last_ms is None:
            return False
        return 0 <= t_ms - self._last_ms <= self._max_gap_ms
