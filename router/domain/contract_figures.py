"""How a supplier does against its contract: median business hours to the first response and
to resolution per priority, and the share resolved within the target.

Business hours follow the supplier's calendar; resolution time leaves out the time the ticket
waited for the reporter (DECISIONS: SLA figures subtract it). Medians are interpolated.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from router.domain.org import Sla
from router.domain.sla import business_seconds

PRIORITIES = ("P1", "P2", "P3", "P4")


@dataclass(frozen=True)
class Resolved:
    priority: str
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime
    paused_seconds: int = 0


@dataclass(frozen=True)
class PriorityFigures:
    priority: str
    tickets: int
    median_response_hours: float | None
    response_target: float
    median_resolution_hours: float | None
    resolution_target: float
    within_target: float | None  # share of the tickets resolved within the resolution target


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def contract_figures(
    resolved: Iterable[Resolved],
    calendar: Sla,
    response_target: Callable[[str], float],
    resolution_target: Callable[[str], float],
) -> list[PriorityFigures]:
    """Per priority (all four, also without tickets), over the tickets resolved."""
    responses: dict[str, list[float]] = {p: [] for p in PRIORITIES}
    resolutions: dict[str, list[float]] = {p: [] for p in PRIORITIES}
    for ticket in resolved:
        if ticket.priority not in resolutions:
            continue
        worked = business_seconds(ticket.created_at, ticket.resolved_at, calendar)
        resolutions[ticket.priority].append(max(worked - ticket.paused_seconds, 0) / 3600)
        if ticket.first_response_at is not None:
            first = business_seconds(ticket.created_at, ticket.first_response_at, calendar)
            responses[ticket.priority].append(first / 3600)
    figures = []
    for p in PRIORITIES:
        target = resolution_target(p)
        hours = resolutions[p]
        within = sum(h <= target for h in hours) / len(hours) if hours else None
        figures.append(
            PriorityFigures(
                priority=p,
                tickets=len(hours),
                median_response_hours=_median(responses[p]),
                response_target=response_target(p),
                median_resolution_hours=_median(hours),
                resolution_target=target,
                within_target=within,
            )
        )
    return figures
