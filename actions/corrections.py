"""Corrections in free words at the summary ("nee, het is kamer 3.41", "het is Polderwaard,
niet Dijkstede", "en graag ook een docking erbij", "het is spoed"): the slots they change."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.breach_answers import breach_corrections
from actions.incident_text import parse_affected, parse_urgency
from actions.request_text import addition, request_when, request_where

_FIELD_WORDS = {
    "municipality": re.compile(r"\b(gemeente|municipality)\b", re.I),
    "description": re.compile(r"\b(omschrijving|beschrijving|description|tekst)\b", re.I),
    "application": re.compile(r"\b(applicatie|programma|pakket|application)\b", re.I),
    "affected": re.compile(r"\b(hoeveel|mensen|last|affected|people)\b", re.I),
    "urgency": re.compile(r"\b(urgentie|dringend|spoed|urgent|urgency|prioriteit)\b", re.I),
}
WHAT_TO_CHANGE = {
    "request": "utter_ask_what_to_change_request",
    "breach": "utter_ask_what_to_change_breach",
}
_NOT_BEFORE = re.compile(r"\b(niet|geen|not)\s+(bij\s+|in\s+|de gemeente\s+|gemeente\s+)?$", re.I)


def corrected_municipality(text: str, tracker: Tracker) -> str | None:
    """The municipality a correction names: "het is Polderwaard, niet Dijkstede" names
    both, and means the one not after "niet"."""
    named = [e for e in _entities(tracker) if e.get("entity") == "municipality"]
    wanted = [e for e in named
              if not (isinstance(e.get("start"), int) and _NOT_BEFORE.search(text[: e["start"]]))]
    chosen = wanted or named
    return str(chosen[0]["value"]) if chosen else None


def _request_corrections(text: str, tracker: Tracker, retell: bool) -> dict[str, Any]:
    """At a request's summary: another place ("nee, het is kamer 3.41"), another moment
    ("pas volgende week"), or something more ("en graag ook een docking erbij")."""
    changes: dict[str, Any] = {}
    where, when = request_where(text), request_when(text)
    if where:
        changes["request_where"] = where
    if when:
        changes["request_when"] = when
    more = None if (where or when or retell) else addition(text)
    if more:
        description = " ".join(str(tracker.get_slot("description") or "").split())
        changes["description"] = f"{description}; ook: {more}" if description else more
    return changes


def _entities(tracker: Tracker) -> list[dict[str, Any]]:
    return [e for e in (tracker.latest_message or {}).get("entities") or [] if e.get("value")]


def corrections(text: str, tracker: Tracker) -> dict[str, Any]:
    """The slots a correction at the summary changes (None: ask again)."""
    changes: dict[str, Any] = {}
    municipality = corrected_municipality(text, tracker)
    if municipality:
        changes["municipality"] = municipality
    elif _FIELD_WORDS["municipality"].search(text):
        changes["municipality"] = None
    applications = [str(e["value"]) for e in _entities(tracker) if e.get("entity") == "application"]
    if applications:
        changes["application"] = applications[0]
    elif _FIELD_WORDS["application"].search(text):
        changes["application"] = None
    if _FIELD_WORDS["description"].search(text):
        changes["description"] = None
    kind = tracker.get_slot("ticket_kind")
    if kind == "request":
        return {**changes, **_request_corrections(text, tracker, "description" in changes)}
    if kind == "breach":
        return {**changes, **breach_corrections(text)}
    affected = parse_affected(text) if _FIELD_WORDS["affected"].search(text) else None
    if affected is None and re.search(r"\b(team|afdeling|iedereen|collega)", text, re.I):
        affected = parse_affected(text)
    if affected:
        changes["affected"] = affected
    elif _FIELD_WORDS["affected"].search(text):
        changes["affected"] = None
    urgency = parse_urgency(text)
    if urgency and (_FIELD_WORDS["urgency"].search(text) or "affected" not in changes):
        changes["urgency"] = urgency
    elif _FIELD_WORDS["urgency"].search(text):
        changes["urgency"] = None
    return changes
