"""What an input causes: the screen to show, sounds, a question to ask and the jobs to run.

A ``Job`` is a service call to run off the GUI thread; whoever runs it hands its result back to
the workflow (``StationWorkflow.finished``, or ``failed`` with its exception).
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


__all__ = ["AskOverride", "AskUnexpectedNote", "Job", "Pool", "Reaction"]
