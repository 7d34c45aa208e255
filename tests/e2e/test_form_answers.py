"""Issue 12 end to end, in natural phrasing: stopping anywhere in a report, who and how
urgent read from the words, choices by words, two misses offer buttons and ways out, and
a data breach hears about the 72 hours first. Real Rasa, action server and router."""

from __future__ import annotations

import pytest

from tests.e2e.stack import say, stored
from tests.e2e.test_flows import REFERENCE, new_ticket, reference_in, ticket_count

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("sender", "stop_at", "words"), [
    ("forms-stop-1", 1, "laat maar, hij doet het alweer"),
    ("forms-stop-2", 2, "doei"),
    ("forms-stop-3", 1, "laat maar zitten, opgelost"),
    ("forms-stop-4", 3, "nee laat maar"),
])
def test_stopping_anywhere_in_a_report_makes_no_ticket(stack, sender, stop_at, words):
    email = f"{sender}@veenhoven.nl"
    before = ticket_count(stack)
    answers = ["Youforce geeft een foutmelding bij het openen van mijn loonstrook", "alleen ik",
               "lastig, maar ik kan verder"]  # fmt: skip
    for answer in answers[:stop_at]:
        say(stack, sender, answer, email)
    stopped = say(stack, sender, words, email)
    assert "Oké, ik heb geen melding gemaakt." in stopped, stopped
    assert ticket_count(stack) == before
    assert "Klopt dit" not in say(stack, sender, "ja", email)  # nothing asked any more


def test_who_and_how_urgent_from_the_report_are_not_asked(stack):
    sender, email = "forms-infer", "gert@dijkstede.nl"
    summary = say(stack, sender,
                  "Key2Burgerzaken werkt niet, niemand kan nu paspoorten uitgeven", email)
    assert "Hoeveel mensen hebben" not in summary and "Hoe dringend is het" not in summary, summary
    assert "meerdere afdelingen of iedereen" in summary and "Klopt dit?" in summary, summary
    ticket, _ = stored(stack, reference_in(say(stack, sender, "ja", email)))
    assert (ticket.impact, ticket.urgency, ticket.priority) == ("high", "high", "P1")


def test_choices_in_words_and_the_hele_afdeling_ligt_plat(stack):
    sender, email = "forms-words", "hanna@dijkstede.nl"
    asked = say(stack, sender, "Outlook start niet op", email)
    assert "Hoeveel mensen" in asked, asked
    assert "Hoe dringend" in say(stack, sender, "het hele team", email)
    summary = say(stack, sender, "vandaag nog", email)
    assert "je team of afdeling" in summary and "je kunt niet verder werken" in summary, summary
    say(stack, "forms-plat", "Suite4Sociaal Domein geeft een foutmelding", email)
    summary = say(stack, "forms-plat", "de hele afdeling ligt plat", email)
    assert "Klopt dit?" in summary and "je kunt niet verder werken" in summary, summary


def test_ja_where_a_choice_was_expected_does_not_loop(stack):
    sender, email = "forms-ja", "ivo@polderwaard.nl"
    say(stack, sender, "Outlook start niet op", email)
    assert "Hoe dringend" in say(stack, sender, "alleen ik", email)
    assert "Antwoord met 1" in say(stack, sender, "ja", email)
    choose = say(stack, sender, "klopt", email)
    assert "Kies hieronder" in choose and "servicedesk" in choose, choose
    summary = say(stack, sender, "maak de melding met wat je weet", email)
    assert "Klopt dit?" in summary, summary
    ticket, _ = stored(stack, reference_in(say(stack, sender, "ja", email)))
    assert (ticket.impact, ticket.urgency) == ("low", "medium")


def test_a_data_breach_hears_about_the_72_hours_first(stack):
    first = say(stack, "forms-breach", "ik heb een brief met BSN naar het verkeerde adres gestuurd",
                "jan@veenhoven.nl")
    assert "72 uur" in first and "Autoriteit Persoonsgegevens" in first, first
    assert first.index("72 uur") < first.index("Om welke gegevens"), first


def test_one_breach_answer_fills_every_question_it_answers(stack):
    sender = "forms-breach-all"
    say(stack, sender, "ik heb een mail met gegevens van inwoners naar de verkeerde persoon gestuurd",
        "kees@veenhoven.nl")
    answer = say(stack, sender,
                 "gisteravond ontdekt, het gaat om 3 inwoners: naam en BSN, ik werk in Veenhoven",
                 "kees@veenhoven.nl")
    assert "Klopt dit?" in answer and not REFERENCE.search(answer), answer  # nothing asked again
    reference = reference_in(say(stack, sender, "ja", "kees@veenhoven.nl"))
    ticket, _ = stored(stack, reference)
    assert "Welke gegevens: naam en BSN" in ticket.description
    assert "Aantal betrokkenen: 3 inwoners" in ticket.description
    assert "Ontdekt: gisteravond ontdekt" in ticket.description


def test_a_protest_after_not_your_ticket_files_nothing_without_a_yes(stack):
    sender, email = "forms-protest", "lotte@dijkstede.nl"
    colleague = new_ticket(stack, "piet@dijkstede.nl", "Youforce toont geen rooster")
    not_found = say(stack, sender, f"hoe staat het met {colleague}?", email)
    assert "Ik vind geen melding" in not_found, not_found
    before = ticket_count(stack)
    protest = say(stack, sender, "maar het is echt van mijn collega hoor", email)
    assert not REFERENCE.search(protest.replace(colleague, "")), protest
    assert ticket_count(stack) == before
    person = say(stack, sender, "dan wil ik een medewerker spreken", email)
    assert not REFERENCE.search(person) and ticket_count(stack) == before, person
    if "telefoonnummer" in person:
        say(stack, sender, "06-87654321", email)
    stopped = say(stack, sender, "nee", email)
    assert "geen melding" in stopped and ticket_count(stack) == before, stopped


def test_a_symptom_sentence_answers_what_goes_wrong_and_starts_nothing_new(stack):
    sender, email = "forms-symptom", "joost@polderwaard.nl"
    assert "Wat gaat er precies mis" in say(stack, sender, "ik heb een storing", email)
    answer = say(stack, sender, "als ik een zaak opsla in join krijg ik een rode foutmelding", email)
    assert "Hoeveel mensen" in answer and "Vervelend" not in answer, answer
    summary = say(stack, sender, "alleen ik, maar ik kan niet verder", email)
    assert "rode foutmelding" in summary and "Klopt dit?" in summary, summary


def test_a_report_typed_in_a_hurry_is_taken_as_a_report_and_reaches_the_work(stack):
    sender, email = "forms-hurry", "kees@dijkstede.nl"
    summary = say(stack, sender, "hoi, mijn wmo beschikking word niet aangemaakt in suite, hele "
                                 "team kan niet verder", email)
    assert "Waar kan ik je mee helpen" not in summary and "Klopt dit?" in summary, summary
    ticket, _ = stored(stack, reference_in(say(stack, sender, "ja", email)))
    # "word" is a typo of "wordt" here, not Microsoft Word: the Wmo work decides the route.
    assert (ticket.destination, ticket.application) == ("centric", "Suite4Sociaal Domein")
