"""Tickets that read alike: the threshold keeps one fault in other words and drops the rest."""

from __future__ import annotations

from router.routing.similarity import SIMILAR_AT, similar

REPORT = "Key2Burgerzaken loopt vast\nKey2Burgerzaken loopt vast bij opslaan"


def test_the_same_fault_in_other_words_is_proposed_and_unrelated_reports_are_not():
    candidates = [
        "Printer doet het niet\nDe printer op de tweede verdieping geeft een papierstoring",
        "key2burgerzaken blijft hangen\nkey2burgerzaken blijft hangen bij het opslaan van een "
        "aanvraag",
        "Wachtwoord vergeten\nIk ben mijn wachtwoord vergeten en kan niet inloggen",
        "K2B loopt vast\nk2b loopt vast bij het opslaan van een paspoortaanvraag",
    ]
    found = similar(REPORT, candidates)
    assert [i for i, _ in found] == [1, 3]  # most alike first
    assert all(score >= SIMILAR_AT for _, score in found)


def test_nothing_to_compare_proposes_nothing():
    assert similar(REPORT, []) == []
    assert similar("", ["iets"]) == []
    assert similar("?!", ["..."]) == []
