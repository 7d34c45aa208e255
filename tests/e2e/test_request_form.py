"""Issue 12 end to end, in natural phrasing: a service request has a form of its own, every
answer is read for every open question, a correction in free words at the summary changes
that field, and nothing is filed without a yes. Real Rasa, action server and router."""

from __future__ import annotations

import pytest

from tests.e2e.stack import say, stored
from tests.e2e.test_flows import REFERENCE, reference_in, ticket_count

pytestmark = pytest.mark.e2e


def test_a_request_asks_for_whom_where_and_when_and_takes_corrections(stack):
    sender, email = "request-keyboard", "ria@dijkstede.nl"
    first = say(stack, sender, "ik heb een extra toetsenbord nodig", email)
    assert "Vervelend" not in first and "Hoeveel mensen" not in first, first
    assert "Voor wie is het" in first, first
    assert "Wanneer heb je het nodig" in say(stack, sender, "gemeentehuis, kamer 2.07", email)
    summary = say(stack, sender, "voor 1 december", email)
    assert "Dit is je aanvraag" in summary and "kamer 2.07" in summary, summary
    assert "voor 1 december" in summary and "last van" not in summary, summary
    moved = say(stack, sender, "nee, het is kamer 3.41", email)
    assert "kamer 3.41" in moved and "kamer 2.07" not in moved and "Klopt dit?" in moved, moved
    more = say(stack, sender, "en graag ook een docking erbij", email)
    assert "docking" in more and "Klopt dit?" in more, more
    before = ticket_count(stack)
    assert not REFERENCE.search(more) and ticket_count(stack) == before  # no yes yet
    ticket, _ = stored(stack, reference_in(say(stack, sender, "ja", email)))
    assert ticket.type == "request" and ticket.municipality == "DYK"
    assert "toetsenbord" in ticket.description and "docking" in ticket.description
    assert "Voor wie en waar: kamer 3.41" in ticket.description
    assert "Gewenst: voor 1 december" in ticket.description


def test_what_the_request_already_says_is_not_asked_and_the_municipality_is_corrected(stack):
    sender, email = "request-docking", "sem@dijkstede.nl"
    summary = say(stack, sender, "graag een docking station voor mijn thuiswerkplek, "
                                 "maakt niet uit wanneer", email)
    assert "Voor wie is het" not in summary and "Wanneer heb je" not in summary, summary
    assert "Dit is je aanvraag" in summary and "Dijkstede" in summary, summary
    moved = say(stack, sender, "het is Polderwaard, niet Dijkstede", email)
    assert "Gemeente: Polderwaard" in moved and "Klopt dit?" in moved, moved
    ticket, _ = stored(stack, reference_in(say(stack, sender, "ja hoor", email)))
    assert (ticket.type, ticket.municipality, ticket.urgency) == ("request", "PLW", "low")


def test_a_breach_report_that_says_it_all_is_summarised_and_filed_after_the_yes(stack):
    sender, email = "breach-all-first", "kees@veenhoven.nl"
    summary = say(stack, sender,
                  "ik heb een mail met gegevens naar de verkeerde persoon gestuurd, gisteravond "
                  "ontdekt, het gaat om 3 inwoners: naam en BSN, ik werk in Veenhoven", email)
    assert summary.index("72 uur") < summary.index("Klopt dit?"), summary
    for question in ("Om welke gegevens", "hoeveel mensen", "Wanneer heb je het ontdekt"):
        assert question not in summary, summary
    before = ticket_count(stack)
    assert not REFERENCE.search(summary) and ticket_count(stack) == before
    ticket, _ = stored(stack, reference_in(say(stack, sender, "ja", email)))
    assert (ticket.type, ticket.municipality) == ("data_breach", "VHN")
    assert "Welke gegevens: naam en BSN" in ticket.description
    assert "Aantal betrokkenen: 3 inwoners" in ticket.description
