"""The database goes away mid-shift, at the station without a window: the screen keeps the
inspection and says so at once, the same step runs again after a growing pause, and it carries
on once the database is back; a completion whose answer was lost refunds once.

The outage is injected where the station meets the database, the service call, with the error
the data layer raises for a lost PostgreSQL server (tests/services/test_database_goes_away.py
and tests/integration/test_station_pg_restart.py do it with a real server).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import col, func, select

from completing import three_unit_parcel
from returnsdesk.data.models import OutboxEvent, Refund, Return, StockMovement
from returnsdesk.domain.errors import DatabaseUnavailable
from returnsdesk.domain.vocabulary import ReturnStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.station.keys import WAITING_KEYS
from returnsdesk.station.screen import Page, Sound, State, Tone
from workflow_driver import Station, inspect_to_the_last_enter

UNREACHABLE = "Database unreachable — your inspection is kept; retrying every"


class Outage:
    """The station's calls to one service method fail while ``away`` (as a stopped server
    makes them); ``lose_answers`` lets the call through and loses its answer instead, as a
    connection cut after the commit was sent."""

    def __init__(self, station: Station, method: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.away = True
        self.lose_answers = False
        self.calls = 0
        real: Callable[..., Any] = getattr(station.service, method)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.lose_answers:
                real(*args, **kwargs)
            if self.away or self.lose_answers:
                raise DatabaseUnavailable("Database unavailable (connection refused).")
            return real(*args, **kwargs)

        monkeypatch.setattr(station.service, method, call)


def stored(env: StationEnvironment, rma: str) -> dict[str, Any]:
    with env.database.read() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
        refunds = session.exec(select(Refund).where(Refund.return_id == return_.id)).all()
        movements = session.exec(select(func.count()).select_from(StockMovement)).one()
        events = session.exec(
            select(func.count())
            .select_from(OutboxEvent)
            .where(col(OutboxEvent.aggregate_id) == return_.id)
        ).one()
        return {
            "status": return_.status,
            "refunds": [r.id for r in refunds],
            "movements": movements,
            "events": events,
        }


def test_a_completion_waits_for_the_database_and_completes_once_it_is_back(
    station: Station, demo_env: StationEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    parcel = three_unit_parcel(demo_env)
    inspect_to_the_last_enter(station, parcel)
    movements_before = stored(demo_env, parcel.rma_number)["movements"]
    outage = Outage(station, "complete", monkeypatch)

    # When the inspector confirms the refund while the database is away
    screen = station.press("Enter")

    # Then the screen says so at once and keeps the inspection: three units done, the refund
    assert screen.banner.tone is Tone.ERROR
    assert screen.banner.text.startswith(f"{UNREACHABLE} 1 s.")
    assert screen.database_unreachable and screen.busy
    assert screen.return_view is not None and screen.return_view.rma_number == parcel.rma_number
    assert [line.done for line in screen.lines] == [line.line.quantity for line in screen.lines]
    assert screen.refund is not None and screen.refund.confirming
    assert screen.keys == WAITING_KEYS
    assert station.sounds[-1] is Sound.SCAN_ERROR
    assert [r.seconds for r in station.retries] == [1.0]

    # And a scan meanwhile is refused, saying why; the inspection stays
    screen = station.scan(parcel.items[0].gtin)
    assert screen.banner.tone is Tone.ERROR
    assert screen.banner.text.startswith("Not taken: the database is unreachable")
    assert [line.done for line in screen.lines] == [line.line.quantity for line in screen.lines]
    assert station.state is State.RETURN and screen.busy

    # When the retries find it still away, the pause grows
    screen = station.retry()
    screen = station.retry()
    assert [r.seconds for r in station.retries] == [1.0, 2.0, 5.0]
    assert f"{UNREACHABLE} 5 s." in screen.banner.text
    assert stored(demo_env, parcel.rma_number)["status"] is ReturnStatus.RECEIVED

    # When it is back, the next retry completes the return as if nothing had happened: once
    outage.away = False
    screen = station.retry()
    assert screen.state is State.OUTCOME and screen.page is Page.OUTCOME
    assert screen.banner.tone is Tone.OK and screen.banner.text.startswith("Done:")
    assert not screen.database_unreachable and not screen.busy
    assert Sound.COMPLETE in station.sounds
    after = stored(demo_env, parcel.rma_number)
    assert after["status"] is ReturnStatus.COMPLETED and len(after["refunds"]) == 1
    assert after["movements"] == movements_before + 3
    assert outage.calls == 4


def test_a_completion_whose_answer_was_lost_is_shown_as_done_and_refunded_once(
    station: Station, demo_env: StationEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    parcel = three_unit_parcel(demo_env)
    inspect_to_the_last_enter(station, parcel)
    movements_before = stored(demo_env, parcel.rma_number)["movements"]
    # Given the connection is lost after the completion's commit reached the database
    outage = Outage(station, "complete", monkeypatch)
    outage.away, outage.lose_answers = False, True
    screen = station.press("Enter")
    assert UNREACHABLE in screen.banner.text
    first = stored(demo_env, parcel.rma_number)
    assert first["status"] is ReturnStatus.COMPLETED and len(first["refunds"]) == 1

    # When the station retries once the answers come back
    outage.lose_answers = False
    screen = station.retry()

    # Then it shows the completion it made, as done, and nothing was written twice
    assert screen.state is State.OUTCOME
    assert screen.banner.tone is Tone.OK and screen.banner.text.startswith("Done:")
    assert screen.outcome is not None and screen.outcome.just_completed
    assert stored(demo_env, parcel.rma_number) == first
    assert first["movements"] == movements_before + 3
    result = station.workflow.last_completion
    assert result is not None and result.replayed
    assert result.refund_id == first["refunds"][0] and result.stock_movements == 3
    assert result.outbox_events >= 3 * 2 + 2  # each unit's two, the refund, the closing


def test_esc_stops_waiting_keeps_the_inspection_and_enter_completes_later(
    station: Station, demo_env: StationEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    parcel = three_unit_parcel(demo_env)
    inspect_to_the_last_enter(station, parcel)
    outage = Outage(station, "complete", monkeypatch)
    station.press("Enter")

    # When the inspector gives up waiting
    screen = station.press("Esc")

    # Then the station is free, the refund still on screen to confirm, and no retry comes
    assert screen.state is State.CONFIRM_CLOSE and not screen.busy
    assert screen.banner.text.startswith("Not completed: the database is unreachable.")
    assert screen.refund is not None and screen.refund.confirming
    assert screen.database_unreachable  # nothing has reached it since
    station.retry()  # the timer asked for before Esc fires: void
    assert outage.calls == 1

    # When the database is back and they press Enter, the return completes once
    outage.away = False
    screen = station.press("Enter")
    assert screen.state is State.OUTCOME and not screen.database_unreachable
    assert len(stored(demo_env, parcel.rma_number)["refunds"]) == 1


def test_enter_tries_at_once_and_a_parcel_scan_waits_like_any_step(
    station: Station, demo_env: StationEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    parcel = three_unit_parcel(demo_env)
    outage = Outage(station, "open_parcel", monkeypatch)

    # When a parcel is scanned while the database is away, with nothing open
    screen = station.scan(parcel.tracking_number)
    assert screen.banner.text.startswith(
        "Database unreachable — nothing is lost; retrying every 1 s."
    )
    assert screen.state is State.IDLE and screen.actions.back

    # Then Enter tries again at once (still away: the pause grows), and once it is back
    station.press("Enter")
    assert outage.calls == 2 and [r.seconds for r in station.retries] == [1.0, 2.0]
    outage.away = False
    screen = station.press("Enter")
    assert screen.state is State.RETURN
    assert screen.banner.tone is Tone.OK and parcel.rma_number in screen.banner.text
    assert not screen.database_unreachable
    station.retry()  # the timer asked for by the last failure: void now
    assert outage.calls == 3
