"""Change notices: what an operation changed, so every screen showing it refreshes at once.

Anki's ``OpChanges`` in the warehouse's words. An operation (a completion, a shift lead's
decision, a delivery to the order system, a printed label, a pull) says which kinds of data it
changed; each screen re-reads only when a kind it shows is named, and nothing polls for what
this process does. Only what happens outside the process is watched on a timer (see
``ELSEWHERE``).

Every audited operation names the outbox too: the audit trail anchors itself there (an event
after each refund decision and every ``ANCHOR_EVERY`` entries), so any audit entry may add one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from returnsdesk.services.labels.queue import PrintRound
from returnsdesk.services.sync.inbound import PullStats
from returnsdesk.services.sync.relay import RelayStats


@dataclass(frozen=True, slots=True)
class Changes:
    """The kinds of data an operation changed (``Changes()`` is nothing)."""

    returns: bool = False  # returns and their orders: received, completed, pulled
    history: bool = False  # today's parcels as the shift history lists them
    refunds_waiting: bool = False  # refunds held for a shift lead's approval
    outbox: bool = False  # events for the order system: waiting, delivered, parked
    labels: bool = False  # this station's print jobs
    photos: bool = False  # evidence photos
    operators: bool = False  # badges: locked out, unlocked
    regrades: bool = False  # units waiting for a blind second grade, and those recorded
    recovery: bool = False  # recovery cases: opened at completion, closed by a shift lead

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            **{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)}
        )

    def __bool__(self) -> bool:
        return any(self.named())

    def named(self) -> tuple[str, ...]:
        """The kinds named, for logs and tests."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name))


NOTHING = Changes()

# --- the station ----------------------------------------------------------------------------
# A parcel scanned or chosen: the parcel, the return's status, the "received" event, an audit.
PARCEL_RECEIVED = Changes(returns=True, history=True, outbox=True)
UNEXPECTED_PARCEL = Changes(history=True, outbox=True)
# A receipt taken back: the parcel gone, the return open again, its event cancelled, an audit.
RECEIPT_UNDONE = Changes(returns=True, history=True, outbox=True)
# A unit of an open parcel stored as a draft (no screen lists drafts), its routing label queued.
UNIT_FINISHED = Changes(labels=True)
# One transaction: inspections, the refund (held or not), stock, events, labels, audit, and
# the units picked for a blind second grade.
PARCEL_COMPLETED = Changes(
    returns=True,
    history=True,
    refunds_waiting=True,
    outbox=True,
    labels=True,
    regrades=True,
    recovery=True,  # a refund paid on receipt that inspection found too high
)
PHOTO_SAVED = Changes(photos=True, history=True)  # the history counts a parcel's photos
LABELS_REPRINTED = Changes(labels=True, outbox=True)

# --- the shift lead -------------------------------------------------------------------------
REFUND_DECIDED = Changes(refunds_waiting=True, history=True, outbox=True)
RECOVERY_CLOSED = Changes(recovery=True, outbox=True)  # audited (the trail anchors in the outbox)
EVENT_RETRIED = Changes(outbox=True)
EVENT_RESENT = Changes(outbox=True)  # under a new key, the old one recorded against it
EVENT_RESOLVED = Changes(outbox=True)
BADGE_UNLOCKED = Changes(operators=True, outbox=True)
MESSAGE_RESENT = Changes(outbox=True)  # a customer message is one more outbox event
# --- anyone at the station --------------------------------------------------------------------
UNIT_REGRADED = Changes(regrades=True, outbox=True)  # the second grade, audited

# --- what this process does in the background ------------------------------------------------


def relayed(stats: RelayStats) -> Changes:
    """A relay round: events delivered, set to retry (with their error) or parked."""
    return Changes(outbox=stats.attempted > 0)


def printed(round_: PrintRound) -> Changes:
    """A print round: labels printed, failed, or the printer offline (the job keeps the error)."""
    return Changes(labels=bool(round_.printed or round_.failed or round_.offline))


def pulled(stats: PullStats) -> Changes:
    """A pull from the order system: returns created or updated."""
    return Changes(returns=bool(stats.created or stats.updated))


# --- outside the process --------------------------------------------------------------------
# Other stations on a shared database (and ``returnsdesk sync`` or ``print-labels`` beside
# the window) change all this without telling us: a slow timer says "maybe" for them.
ELSEWHERE = Changes(
    returns=True,
    history=True,
    refunds_waiting=True,
    outbox=True,
    labels=True,
    photos=True,
    regrades=True,
    recovery=True,
)
