"""The ticket status state machine."""

from __future__ import annotations

from router.domain.errors import Conflict
from router.domain.vocabulary import Status

_OPEN_WORK = {
    Status.forwarded,
    Status.in_progress,
    Status.waiting,
    Status.resolved,
    Status.withdrawn,
}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.new: frozenset({Status.routed, Status.withdrawn}),
    Status.routed: frozenset(_OPEN_WORK),
    Status.forwarded: frozenset(_OPEN_WORK - {Status.forwarded}),
    Status.in_progress: frozenset(_OPEN_WORK - {Status.in_progress}),
    Status.waiting: frozenset(_OPEN_WORK - {Status.waiting}),
    Status.resolved: frozenset({Status.closed, Status.reopened}),
    Status.reopened: frozenset(_OPEN_WORK),
    Status.closed: frozenset(),
    Status.withdrawn: frozenset(),
}

OPEN_STATUSES = frozenset(
    s for s in Status if s not in {Status.resolved, Status.closed, Status.withdrawn}
)


class InvalidTransition(Conflict):
    def __init__(self, reference: str, current: Status, wanted: Status) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final status)"
        super().__init__(
            f"{reference}: cannot go from '{current}' to '{wanted}'; allowed: {allowed}"
        )

    def dutch(self) -> str:
        return f"Deze statuswijziging kan niet: {self}"


def check_transition(reference: str, current: str, wanted: Status) -> None:
    if wanted not in TRANSITIONS[Status(current)]:
        raise InvalidTransition(reference, Status(current), wanted)
