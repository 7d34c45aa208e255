"""What an employee's answers say to a data breach's questions: which data, how many people,
when discovered. One answer often answers several ("gisteravond ontdekt, het gaat om 3
inwoners: naam en BSN"): each clause goes to the question it answers."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.discovery_time import (
    ImplausibleCount,
    ImplausibleMoment,
    discovered_at,
    people_count,
)

BREACH_SLOTS = ("breach_data", "breach_people", "breach_discovered")
_CLAUSE = re.compile(r"[,;:!?]|\.(?:\s|$)")
_BREACH_DATA_WORDS = re.compile(
    r"\b(naam|namen|adres|adressen|bsn|burgerservicenummer|geboortedatum|geboortedata|medisch\w*|"
    r"financi\w*|iban|rekeningnummer|telefoonnummer\w*|e-?mailadres\w*|gezondheid\w*|"
    r"dossier\w*|paspoort\w*|kopie id|inkomen\w*|gegevens)\b", re.I)
_PEOPLE_WORDS = re.compile(
    r"\b(mensen|inwoners|personen|persoon|burgers|cli[eë]nten|klanten|betrokkenen|aanvragers|"
    r"medewerkers|collega's|kinderen|leerlingen|huishoudens|gezinnen|people|persons)\b", re.I)
_DISCOVERY_WORDS = re.compile(
    r"\b(ontdekt|gemerkt|gezien|erachter|zag|merkte|geleden|vandaag|gister\w*|eergisteren|"
    r"van(ochtend|morgen|middag|avond|nacht)|(maan|dins|woens|donder|vrij|zater|zon)dag\w*)\b",
    re.I)


# "12 inwoners", "ongeveer 250 klanten": the count within a longer clause.
_COUNT_PHRASE = re.compile(
    r"\b((?:ongeveer|circa|ca\.?|zo'?n|bijna|ruim|meer dan|minder dan)\s+)?"
    r"(\d[\d.]*|een paar|enkele|[a-zë]+tig|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|"
    r"twaalf|honderd\w*|duizend\w*|tientallen)\s+(\w+\s+)?" + _PEOPLE_WORDS.pattern[2:-2] + r"\b",
    re.I)


def part_of_clause(slot: str, clause: str) -> str:
    """Within a clause that says more ("een excel met namen en bsn van 12 inwoners
    gemaild"), the words that answer `slot`: "namen en bsn", "12 inwoners"."""
    if slot == "breach_people" and (count := _COUNT_PHRASE.search(clause)):
        return count.group(0)
    if slot == "breach_data" and _PEOPLE_WORDS.search(clause):
        found = list(_BREACH_DATA_WORDS.finditer(clause))
        if found:
            return clause[found[0].start() : found[-1].end()]
    return clause


def breach_part(slot: str, tracker: Tracker) -> dict[str, Any]:
    """The part of an answer to another breach question that answers `slot` too: which
    data, how many people, when discovered. The question's own answer is validated as a
    whole; the report itself is the description, so it fills none of them."""
    asked = tracker.get_slot("requested_slot")
    if tracker.get_slot("ticket_kind") != "breach" or not asked or asked == slot:
        return {}
    if tracker.get_slot(slot):
        return {}
    text = str((tracker.latest_message or {}).get("text") or "")
    clauses = [" ".join(c.split()) for c in _CLAUSE.split(text) if c and c.strip()]
    if len(clauses) < 2 and asked.startswith("breach_"):
        return {}  # one plain answer: it answers the question that was asked
    for clause in clauses:
        if clause_answers(slot, clause):
            return {slot: part_of_clause(slot, clause)}
    return {}


def breach_parts(text: str) -> dict[str, str]:
    """The parts of a message of several clauses that answer the breach questions, the
    shortest clause per question ("naam en BSN" rather than "brief met BSN verstuurd");
    a message of one clause answers none (it is the report, or one question's answer)."""
    clauses = [" ".join(c.split()) for c in _CLAUSE.split(text) if c and c.strip()]
    if len(clauses) < 2:
        return {}
    found: dict[str, str] = {}
    for slot in BREACH_SLOTS:
        answering = [c for c in clauses if clause_answers(slot, c)]
        if slot == "breach_data":  # a clause about the data alone says it best
            answering = [c for c in answering if not _PEOPLE_WORDS.search(c)] or answering
        parts = [part_of_clause(slot, c) for c in answering]
        if parts:
            found[slot] = min(parts, key=len)
    return found


def own_part(slot: str, answer: str) -> str:
    """The answer to `slot`'s own question; of an answer that says more ("gisteravond
    ontdekt, 3 inwoners: naam en BSN") the part that answers it, else all of it."""
    text = " ".join(answer.split())
    clauses = [" ".join(c.split()) for c in _CLAUSE.split(text) if c and c.strip()]
    answering = [c for c in clauses if clause_answers(slot, c)]
    others = [c for c in clauses if any(clause_answers(other, c) for other in BREACH_SLOTS
                                        if other != slot)]  # fmt: skip
    return answering[0] if len(answering) == 1 and others else text


def clause_answers(slot: str, clause: str) -> bool:
    people = bool(_PEOPLE_WORDS.search(clause))
    if slot == "breach_data":
        # "namen en bsn van 12 inwoners" says both; "12 inwoners" alone is no data.
        data = _BREACH_DATA_WORDS.search(clause)
        if data is None:
            return False
        return not people or data.group(0).lower() != "gegevens"
    if slot == "breach_people":
        try:
            return people and people_count(clause) is not None
        except ImplausibleCount:
            return False
    try:
        return not people and bool(_DISCOVERY_WORDS.search(clause)) and (
            discovered_at(clause) is not None)
    except ImplausibleMoment:
        return False


def breach_corrections(text: str) -> dict[str, Any]:
    """At a breach's summary: "het waren 5 inwoners", "ontdekt vanochtend", "ook adressen"."""
    clauses = [" ".join(c.split()) for c in _CLAUSE.split(text) if c and c.strip()]
    changes: dict[str, Any] = {}
    for slot in BREACH_SLOTS:
        answering = [c for c in clauses if clause_answers(slot, c)]
        if answering:
            changes[slot] = re.sub(r"^(nee|no)\W+", "", min(answering, key=len), flags=re.I)
    return changes
