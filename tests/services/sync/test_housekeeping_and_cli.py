"""``returnsdesk sync --once`` pulls before it relays and prunes after; outbox pruning."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fake_shop import write_synthetic_returns
from sqlalchemy import update
from sqlmodel import col, select

from returnsdesk.cli import sync as cli_sync
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.models import OutboxEvent, Return
from returnsdesk.domain.vocabulary import OutboxStatus
from returnsdesk.services.sync.housekeeping import prune_delivered
from sync_feed import ReturnFeedServer, remote_return

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'station.sqlite3'}"
    database = Database(make_engine(url))
    ensure_schema(database.engine)
    database.dispose()
    return url


def test_delivered_events_older_than_the_setting_are_pruned_and_nothing_else(
    database_url: str,
) -> None:
    database = Database(make_engine(database_url))
    try:
        write_synthetic_returns(database, returns=4, rng=random.Random(3))
        with database.session() as session:
            sequences = sorted(s for s in session.exec(select(OutboxEvent.sequence)) if s)
            old, recent, parked = sequences[:-3], sequences[-3:-1], sequences[-1]
            for chosen, age in ((old, 31), (recent + [parked], 29)):
                session.execute(
                    update(OutboxEvent)
                    .where(col(OutboxEvent.sequence).in_(chosen))
                    .values(status=OutboxStatus.DELIVERED, delivered_at=NOW - timedelta(days=age))
                )
            # The newest is delivered long ago too, but keeps the sequence counter going.
            session.execute(
                update(OutboxEvent)
                .where(col(OutboxEvent.sequence) == parked)
                .values(delivered_at=NOW - timedelta(days=90))
            )

        assert prune_delivered(database, keep_days=30, now=NOW) == len(old)

        with database.session() as session:
            left = sorted(s for s in session.exec(select(OutboxEvent.sequence)) if s)
        assert left == recent + [parked]
    finally:
        database.dispose()


def test_sync_once_pulls_then_relays_and_says_what_it_pulled(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with ReturnFeedServer() as feed:
        feed.publish(remote_return("RMA-1"), remote_return("RMA-2", order="W-2", tracking=()))
        monkeypatch.setenv(cli_sync.DEFAULT_TOKEN_ENV, feed.token)
        code = cli_sync.main(["--once", "--database", database_url, "--url", feed.url])
    out = capsys.readouterr().out
    assert code == 0
    assert "pulled 2 returns read in 1 pages: 2 new" in out
    assert "delivered 0, to retry 0, parked 0" in out
    database = Database(make_engine(database_url))
    with database.session() as session:
        assert sorted(session.exec(select(Return.rma_number))) == ["RMA-1", "RMA-2"]
    database.dispose()


def test_sync_once_with_a_broken_shop_exits_1_and_says_why(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with ReturnFeedServer() as feed:
        feed.publish(remote_return("RMA-1"))
        feed.break_next(503, b'{"error": "unavailable", "message": "maintenance"}')
        monkeypatch.setenv(cli_sync.DEFAULT_TOKEN_ENV, feed.token)
        code = cli_sync.main(["--once", "--database", database_url, "--url", feed.url])
    captured = capsys.readouterr()
    assert code == 1
    assert (
        "pull failed, nothing changed: GET /returns/changes: HTTP 503 unavailable: maintenance"
        in captured.err
    )
    assert "delivered 0" in captured.out  # the relay still ran
    database = Database(make_engine(database_url))
    with database.session() as session:
        assert session.exec(select(Return)).all() == []
    database.dispose()
