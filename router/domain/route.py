"""A routing decision: where a ticket goes, how that was decided, how sure, and why."""

from __future__ import annotations

from dataclasses import dataclass, field

from router.domain.vocabulary import RoutedHow


@dataclass(frozen=True)
class Route:
    destination: str
    how: RoutedHow
    confidence: float
    alternatives: list[dict] = field(default_factory=list)
    needs_review: bool = False
    reasons: list[str] = field(default_factory=list)
    application: str | None = None  # recognised in the text when not given
