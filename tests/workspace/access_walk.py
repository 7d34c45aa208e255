"""Helpers for walking router/access.py's table: concrete URLs, forms, the whole store."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, SQLModel

from router.access import ROUTES, Access, Caller

# A value for each path parameter of the table's routes ({reference} is given per test).
PARAMETERS = {
    "{outage_id}": "1",
    "{channel}": "telegram",
    "{sender_id}": "4711",
    "{update_id}": "1",
    "{key}": "centric",
    "{username}": "sanne",
    "{version}": "v-bestaat-niet",
    "{kind}": "html",
}

# A form each ticket action would accept on a ticket in scope: refused out of scope, it
# must still change nothing.
FORMS = {
    "accepteren": {"bestemming": "werkplek"},
    "doorsturen": {"bestemming": "netwerk", "reden": "hoort bij netwerk"},
    "status": {"status": "in_progress", "toelichting": "we kijken ernaar"},
    "leverancier": {"leveranciersreferentie": "C-1", "toelichting": "bij Centric"},
    "doorzetten": {"toelichting": "graag oppakken"},
    "opmerking": {"tekst": "Gezien", "aan_melder": "on"},
    "oplossen": {"oplossing": "Opgelost", "aan_melder": "on"},
    "heropenen": {"reden": "Toch niet"},
    "tevredenheid": {"score": "4", "opmerking": "prima"},
    # An export an admin would be given: refused to anyone else, it must log nothing.
    "inzage": {"email": "piet@dijkstede.nl", "reden": "inzageverzoek AVG"},
}


def concrete(path: str, reference: str) -> str:
    """The route's path with real values in place of its parameters."""
    if path == "/staff/static":
        return "/staff/static/workspace.css"
    path = path.replace("{reference}", reference)
    for name, value in PARAMETERS.items():
        path = path.replace(name, value)
    return path


def form_for(path: str) -> dict[str, str]:
    return FORMS.get(path.rsplit("/", 1)[-1], {})


def routes(*, prefix: str, callers: set[Caller] | None = None) -> list[tuple[str, str, Access]]:
    """The table's rows under `prefix` (optionally of some callers), as pytest parameters."""
    return [
        (method, path, access)
        for (method, path), access in sorted(ROUTES.items(), key=lambda r: (r[0][1], r[0][0]))
        if path.startswith(prefix) and (callers is None or access.caller in callers)
    ]


def snapshot(engine) -> dict[str, list[str]]:
    """Every row of every table, so that a refused request provably changed nothing."""
    with Session(engine) as session:
        return {
            table.name: sorted(repr(tuple(row)) for row in session.execute(select(table)).all())
            for table in SQLModel.metadata.sorted_tables
        }
