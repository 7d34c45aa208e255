"""Percentiles per group in the database equal numpy's (linear interpolation), on both stores."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, insert
from sqlmodel import Session

from router.report.stats import percentiles

DURATIONS = Table(
    "test_durations",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("team", String(8)),
    Column("seconds", Float),
)


@pytest.fixture
def durations(engine):
    rng = np.random.default_rng(7)
    sizes = {"a": 1, "b": 2, "c": 7, "d": 501}  # one value, two, a few, many
    rows = [
        {"team": team, "seconds": float(v)}
        for team, size in sizes.items()
        for v in rng.integers(0, 100_000, size)
    ]
    rows += [{"team": "c", "seconds": None}, {"team": "e", "seconds": None}]  # left out
    DURATIONS.create(engine)
    with engine.begin() as connection:
        connection.execute(insert(DURATIONS), rows)
    by_team: dict[str, list[float]] = {}
    for row in rows:
        if row["seconds"] is not None:
            by_team.setdefault(row["team"], []).append(row["seconds"])
    return by_team


def test_percentiles_per_group_are_numpys(engine, durations):
    c = DURATIONS.c
    with Session(engine) as session:
        found = percentiles(session, DURATIONS, [c.team], c.seconds)
    assert set(found) == {(team,) for team in durations}  # no group of NULLs only
    for team, values in durations.items():
        count, quantiles = found[(team,)]
        assert count == len(values)
        assert quantiles == pytest.approx(np.percentile(values, [50, 75, 90]), rel=1e-12)


def test_percentiles_of_all_rows_and_of_none(engine, durations):
    c = DURATIONS.c
    everything = [v for values in durations.values() for v in values]
    with Session(engine) as session:
        count, (median, p90) = percentiles(session, DURATIONS, [], c.seconds, quantiles=[0.5, 0.9])[
            ()
        ]
        nothing = percentiles(session, DURATIONS, [], c.seconds, [c.team == "e"])
    assert count == len(everything)
    assert [median, p90] == pytest.approx(np.percentile(everything, [50, 90]), rel=1e-12)
    assert nothing == {}
