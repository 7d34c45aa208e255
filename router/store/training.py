"""Labelled ticket texts for the router's text model: imported history and staff corrections."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session, select

from router.store.tables import RouteCorrection, TrainingExample


class Labelled(NamedTuple):
    text: str
    municipality: str | None
    destination: str
    at: datetime | None


def add_imported(session: Session, *, source: str, examples: Iterable[Labelled]) -> int:
    """Store imported history (e.g. a TOPdesk export); the caller commits."""
    count = 0
    for e in examples:
        session.add(
            TrainingExample(
                source=source,
                text=e.text,
                municipality=e.municipality,
                destination=e.destination,
                at=e.at,
            )
        )
        count += 1
    return count


def imported(session: Session) -> list[Labelled]:
    rows = session.exec(select(TrainingExample)).all()
    return [Labelled(r.text, r.municipality, r.destination, r.at) for r in rows]


def corrections(session: Session) -> list[Labelled]:
    """Every staff reassignment, labelled with where the ticket should have gone."""
    rows = session.exec(select(RouteCorrection)).all()
    return [Labelled(r.text, r.municipality, r.to_destination, r.at) for r in rows]
