"""The error tree. Operator errors are shown in the station's status area; anything else is a bug.

``OperatorError`` subclasses describe situations a person at the station can act on (scan again,
call a shift lead, check the printer). Their message is written for that person.
"""

from __future__ import annotations

from collections.abc import Iterable


class ReturnsDeskError(Exception):
    """Base of every error raised on purpose by returnsdesk."""


class OperatorError(ReturnsDeskError):
    """Something the operator can act on; ``str(error)`` is the message shown at the station."""


class RejectedScan(OperatorError):
    """A scan that is not a usable barcode value (garbage, bad check digit, too long)."""


class UnknownBarcode(OperatorError):
    """A well-formed scan that matches nothing the station knows."""


class RejectedText(OperatorError):
    """Typed or imported text that cannot be stored as it is (a NUL character)."""


class WrongStep(OperatorError):
    """An input that does not fit the current step (e.g. a grade key before any item scan)."""


class AlreadyCompleted(OperatorError):
    """The parcel or return was completed before; it can never be refunded twice."""


class ReturnCancelled(OperatorError):
    """The order system cancelled the return: its parcel is not received against it."""


class DatabaseUnavailable(OperatorError):
    """The database server cannot be reached (restarting, down, the network cut): the
    transaction was rolled back, nothing of it is stored; the same action can be tried again."""


class NumberOfSeveralShops(OperatorError):
    """An order or RMA number several client shops use (each numbers its own), given where the
    shop was not said: never guessed. ``shops``: their client codes (None: the station's own
    shop), so each screen or command can ask in its own words."""

    def __init__(self, message: str, *, number: str = "", shops: tuple[str | None, ...] = ()):
        super().__init__(message)
        self.number = number
        self.shops = shops

    @classmethod
    def of(cls, number: str, shops: Iterable[str | None]) -> NumberOfSeveralShops:
        """The refusal as a service gives it: the shops by code, the station's own first."""
        ordered = tuple(sorted(set(shops), key=lambda code: (code is not None, code or "")))
        names = ", ".join(code or "the station's own" for code in ordered)
        number = number[:40]
        return cls(
            f"{number} is an RMA number of several shops ({names}): say whose.",
            number=number,
            shops=ordered,
        )


class ReceiptStands(OperatorError):
    """A parcel's receipt that can no longer be undone (work done on it, or the shop told)."""


class PolicyError(ReturnsDeskError):
    """A policy file is missing, malformed or inconsistent. Names the file and the key."""


class ConfigError(ReturnsDeskError):
    """A settings file or variable is invalid. Names the source and the key."""


class PrinterUnavailable(OperatorError):
    """The label printer is offline, refused the job, or is not set up; the label stays queued."""


class ScaleProblem(OperatorError):
    """The bench scale is unplugged, does not settle, is overloaded or answers nonsense; the
    parcel is inspected without a weight."""
