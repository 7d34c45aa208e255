"""Labelled ticket texts for the router's text model: imported history and staff corrections."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from router.store.tables import RouteCorrection, Ticket, TrainingExample, flushed_id


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


def _kept_corrections() -> SelectOfScalar[RouteCorrection]:
    """Staff reassignments whose text is still there: an anonymised ticket's is a placeholder
    (router/store/retention.py), nothing to learn from."""
    return (
        select(RouteCorrection)
        .join(Ticket, col(Ticket.id) == col(RouteCorrection.ticket_id))
        .where(col(Ticket.anonymised_at).is_(None))
    )


def corrections(session: Session) -> list[Labelled]:
    """Every staff reassignment, labelled with where the ticket should have gone."""
    rows = session.exec(_kept_corrections()).all()
    return [Labelled(r.text, r.municipality, r.to_destination, r.at) for r in rows]


class RealExample(NamedTuple):
    """A labelled text written by a person about real work: imported history or a correction."""

    source: str  # "import" or "correction"
    id: int
    text: str
    municipality: str | None
    destination: str
    at: datetime | None


def real_examples(session: Session) -> list[RealExample]:
    """Imported history and staff corrections, each with its row id (newer rows: higher ids)."""
    imports = session.exec(select(TrainingExample).order_by(col(TrainingExample.id))).all()
    fixes = session.exec(_kept_corrections().order_by(col(RouteCorrection.id))).all()
    return [
        *(
            RealExample("import", flushed_id(r.id), r.text, r.municipality, r.destination, r.at)
            for r in imports
        ),
        *(
            RealExample(
                "correction", flushed_id(r.id), r.text, r.municipality, r.to_destination, r.at
            )
            for r in fixes
        ),
    ]


def newest_ids(session: Session) -> dict[str, int]:
    """The highest row id per source (0 when none): what a model version has seen."""
    imports = session.exec(select(func.max(TrainingExample.id))).one()
    fixes = session.exec(select(func.max(RouteCorrection.id))).one()
    return {"import": imports or 0, "correction": fixes or 0}


def count_since(session: Session, seen: dict[str, int]) -> dict[str, int]:
    """How many imported rows and corrections arrived after the ids in `seen`."""
    imports = session.exec(
        select(func.count()).where(col(TrainingExample.id) > seen.get("import", 0))
    ).one()
    fixes = session.exec(
        select(func.count()).where(col(RouteCorrection.id) > seen.get("correction", 0))
    ).one()
    return {"import": imports, "correction": fixes}
