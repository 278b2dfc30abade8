"""Medians and percentiles picked in SQL with window functions, on a real SQLite database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, create_engine, literal

from returnsdesk.data.report_queries import median_by, percentiles


def test_medians_per_group_and_the_90th_percentile(tmp_path: Path) -> None:
    metadata = MetaData()
    samples = Table(
        "samples",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("g", String),
        Column("v", Float),
    )
    engine = create_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    metadata.create_all(engine)
    values = {"even": [10.0, 1.0, 3.0, 2.0], "odd": [7.0, 5.0, 6.0], "one": [4.0]}
    with engine.begin() as connection:
        connection.execute(
            samples.insert(), [{"g": g, "v": v} for g, vs in values.items() for v in vs]
        )
        connection.execute(samples.insert(), [{"g": "none", "v": None}])

        medians = median_by(connection, samples.c.g, samples.c.v, literal(True))
        ten = percentiles(connection, samples.c.v, samples.c.g.in_(["even", "odd", "one"]))

    assert medians == {"even": (2.5, 4), "odd": (6.0, 3), "one": (4.0, 1)}  # NULL: no sample
    # 1 2 3 4 5 6 7 10: median (4 + 5) / 2, nearest-rank p90 = the 8th of 8 values.
    assert ten == (4.5, 10.0, 8)
    engine.dispose()
