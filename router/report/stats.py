"""Interpolated percentiles per group, computed where the rows are.

PostgreSQL: percentile_cont in the GROUP BY. SQLite has no percentile function, so the
durations come sorted by group and value, and one pass computes each group's percentiles
as numpy's default (linear interpolation) does. Only the column of durations travels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, FromClause, func, select
from sqlmodel import Session

QUANTILES = (0.5, 0.75, 0.9)
Group = tuple[Any, ...]


def interpolated(ordered: Sequence[float], q: float) -> float:
    """The q-quantile of sorted values, linear interpolation (numpy's and percentile_cont's)."""
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def percentiles(
    session: Session,
    source: FromClause,
    groups: Sequence[ColumnElement[Any]],
    value: ColumnElement[Any],
    where: Sequence[ColumnElement[bool]] = (),
    quantiles: Sequence[float] = QUANTILES,
) -> dict[Group, tuple[int, list[float]]]:
    """Per group: the number of values and their quantiles (NULL values are left out)."""
    if session.get_bind().dialect.name == "postgresql":
        # count(value) and percentile_cont skip NULLs themselves; a condition on the value
        # would make the planner judge a join by that value's cost (a whole-table hash join).
        rows = session.execute(
            select(
                *groups,
                func.count(value),
                *(func.percentile_cont(q).within_group(value) for q in quantiles),
            )
            .select_from(source)
            .where(*where)
            .group_by(*groups)
        ).all()
        width = len(groups)
        return {
            tuple(row[:width]): (int(row[width]), [float(v) for v in row[width + 1 :]])
            for row in rows
            if row[width]  # no groups and no values: one row of NULLs, like no row at all
        }
    result: dict[Group, tuple[int, list[float]]] = {}
    current: Group | None = None
    values: list[float] = []

    def flush() -> None:
        if current is not None and values:
            result[current] = (len(values), [interpolated(values, q) for q in quantiles])

    conditions = [*where, value.is_not(None)]
    query = select(*groups, value).select_from(source).where(*conditions).order_by(*groups, value)
    for row in session.execute(query):
        key = tuple(row[:-1])
        if key != current:
            flush()
            current, values = key, []
        values.append(float(row[-1]))
    flush()
    return result
