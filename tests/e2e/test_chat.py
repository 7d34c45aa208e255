"""End to end: real Rasa server, action server and router service; a Dutch chat makes a ticket."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from router.store.engine import make_engine
from router.store.tables import Ticket
from tests.e2e.stack import say, stored

pytestmark = pytest.mark.e2e


REFERENCE = re.compile(r"M-\d{4}-\d{6}")


def test_report_a_broken_application_gets_a_routed_ticket(stack):
    first = say(stack, "e2e-anna", "Key2Burgerzaken loopt vast bij het opslaan")
    assert "gemeente" in first.lower(), first
    assert "hoeveel mensen" in say(stack, "e2e-anna", "Dijkstede").lower()
    say(stack, "e2e-anna", "alleen ik")
    assert "Klopt dit?" in say(stack, "e2e-anna", "lastig, maar ik kan verder")
    answer = say(stack, "e2e-anna", "ja")
    match = REFERENCE.search(answer)
    assert match, f"no ticket reference in the bot's answer: {answer!r}"
    assert f"Je melding {match.group(0)} is aangemaakt en doorgezet naar Centric" in answer
    ticket, reporter = stored(stack, match.group(0))
    assert (ticket.municipality, ticket.application, ticket.destination) == (
        "DYK",
        "Key2Burgerzaken",
        "centric",
    )
    assert ticket.routed_how == "catalogue" and ticket.status == "routed"
    assert "opslaan" in ticket.description
    assert "Key2Burgerzaken loopt vast" in (ticket.conversation or "")


def test_same_application_routes_by_the_municipality(stack):
    say(stack, "e2e-bram", "ibz geeft een foutmelding bij het opslaan van een verhuizing")
    say(stack, "e2e-bram", "Polderwaard")
    say(stack, "e2e-bram", "alleen ik")
    say(stack, "e2e-bram", "het kan wachten")
    answer = say(stack, "e2e-bram", "ja")
    reference = REFERENCE.search(answer).group(0)
    assert "PinkRoccade" in answer
    ticket, _ = stored(stack, reference)
    assert (ticket.municipality, ticket.application, ticket.destination) == (
        "PLW",
        "iBurgerzaken",
        "pinkroccade",
    )


def test_stopping_midway_makes_no_ticket(stack):
    engine = make_engine(stack.database_url)
    with Session(engine) as session:
        before = len(session.exec(select(Ticket)).all())
    say(stack, "e2e-carla", "Youforce doet het niet")
    answer = say(stack, "e2e-carla", "laat maar")
    assert "geen melding" in answer.lower(), answer
    with Session(engine) as session:
        assert len(session.exec(select(Ticket)).all()) == before
    engine.dispose()
