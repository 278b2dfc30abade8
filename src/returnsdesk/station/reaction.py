"""What an input causes: the screen to show, sounds, a question to ask and the jobs to run.

A ``Job`` is a service call to run off the GUI thread; whoever runs it hands its result back to
the workflow (``StationWorkflow.finished``, or ``failed`` with its exception). A job that found
the database unreachable waits: the reaction's ``RetryAfter`` asks for a timer, and whoever runs
the jobs calls ``StationWorkflow.retry`` when it fires; the workflow hands the same jobs out
again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from returnsdesk.domain.errors import OperatorError
from returnsdesk.domain.vocabulary import Disposition
from returnsdesk.station.changes import NOTHING, Changes
from returnsdesk.station.screen import Focus, Screen, Sound

log = logging.getLogger(__name__)


class Pool(Enum):
    STATION = "station"  # one thread, in the order the inspector caused them
    GENERAL = "general"  # slow work that must never hold up the next scan (photos)


@dataclass(frozen=True)
class Job:
    """A service call to run off the GUI thread; its result goes back to ``finished``."""

    what: str  # for the log
    run: Callable[[], Any]
    then: Callable[[Any], None] = field(repr=False)
    refused: Callable[[OperatorError], None] | None = field(default=None, repr=False)
    blocking: bool = True  # the station takes no scan until it is done
    pool: Pool = Pool.STATION
    changes: Changes = NOTHING  # what it changed once it succeeded, for the other screens
    # The inspector stopped waiting for the database (Esc) before it ran: put the station
    # back as the step needs (None: the step simply did not happen).
    abandoned: Callable[[], None] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class RetryAfter:
    """Jobs wait for the database: hand ``round`` back to ``retry`` after ``seconds``."""

    seconds: float
    round: int


@dataclass(frozen=True)
class AskOverride:
    suggested: Disposition


@dataclass(frozen=True)
class AskUnexpectedNote:
    prompt: str


@dataclass(frozen=True)
class Reaction:
    screen: Screen
    jobs: tuple[Job, ...] = ()
    sounds: tuple[Sound, ...] = ()
    ask: AskOverride | AskUnexpectedNote | None = None
    focus: Focus | None = None  # None: leave the focus where it is
    retry: RetryAfter | None = None  # schedule a retry (a timer: the database is outside)


__all__ = ["AskOverride", "AskUnexpectedNote", "Job", "Pool", "Reaction", "RetryAfter"]
