"""What an employee's words say about a service request: for whom and where, by when, and
what is added at the summary ("en graag ook een docking erbij").

Pure functions over text, like actions/incident_text.py. They find the parts of a message
that answer a request's questions, so that nothing said already is asked again; an answer
to the question itself is kept as said (validate_ticket_form).
"""

from __future__ import annotations

import re

_DAYS = r"(maan|dins|woens|donder|vrij|zater|zon)dag"
_MONTHS = (r"(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
           r"december|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec)")  # fmt: skip
# By when: "morgen", "volgende week", "voor 1 december", "uiterlijk vrijdag", "maakt niet uit".
_WHEN = re.compile(
    r"\b(((v[oó][oó]r|uiterlijk|per|op|vanaf|rond|tegen|eind|begin|half|medio|by|before)\s+)?"
    r"(\d{1,2}[-/ ]\d{1,2}([-/]\d{2,4})?|\d{1,2}\s+" + _MONTHS + r"|" + _DAYS + r"|"
    r"(de |het )?(volgende|komende|deze|eind van de|begin van de) (week|maand)|"
    r"morgen|overmorgen|vandaag|maandag|" + _MONTHS + r")|"
    r"(het )?maakt (me |mij )?niet (zo(veel)? )?uit|geen haast|z\.?s\.?m\.?|zo snel mogelijk|asap|"
    r"wanneer het (uit)?komt|over (een|twee|drie|\d+) (dag|dagen|week|weken)|"
    r"(next|this) (week|month)|tomorrow|today|no rush|whenever|"
    r"(doesn'?t|does not) matter)\b",
    re.I,
)
# For whom and where: "voor mij", "voor de nieuwe collega", "gemeentehuis, kamer 2.07".
_PERSON = (r"(collega|collega's|stagiair|stagiaire|stagiairs|medewerker|medewerkers|inhuurkracht|"
           r"leidinggevende|manager|team|afdeling|teamleider|directeur|wethouder|burgemeester|"
           r"raadslid|griffie|griffier|student|trainee|secretaresse|vrijwilliger|boa|"
           r"baliemedewerker|consulent|collega\w*|team\w*|afdeling\w*)")
_WHERE = re.compile(
    r"(?i:\b(kamer|lokaal|ruimte|verdieping|etage|room)\s*[\w.-]*\d[\w.-]*)|"
    r"(?i:\b(gemeentehuis|stadhuis|raadhuis|stadskantoor|thuiswerkplek|thuis|servicepunt|"
    r"milieustraat|gemeentewerf|werf|balie|publiekshal|vestiging|home office)\b)"
    r"([ ,]+(in |te )?[A-Z][\w-]+)?|"
    r"(?i:\bvoor ((mij|mezelf|mijzelf|ons|iedereen)\b|"
    r"(mijn|onze|ons|de|een|het|alle|twee|drie|\d+) (nieuwe |hele |andere )?" + _PERSON + r"\b"
    r"( van( de| het)? (team |afdeling )?[\w-]+)?))|\bvoor [A-Z][a-z]+( [A-Z][a-z]+)?|"
    r"(?i:\bfor (me|myself|my (new )?colleague|the new \w+|a new \w+)\b)",
)
# Words of a "voor ..." phrase that say when, not for whom ("voor morgen", "voor 1 december").
_FOR_WHEN = re.compile(r"^voor (" + _DAYS + r"|morgen|overmorgen|vandaag|\d|volgende|komende|"
                       r"deze|eind|begin|" + _MONTHS + r"\b)", re.I)  # fmt: skip
_ADDITION = re.compile(
    r"^\W*(nee\W+|o ja\W+|oja\W+|oh\W+|en\W+)*(graag\s+)?(ook\s+(nog\s+)?(graag\s+)?|erbij\s+)"
    r"(?P<what>.+?)\W*(erbij|bij|toevoegen|graag|alsjeblieft|aub|please)?\W*$|"
    r"^\W*(and|also)\s+(also\s+)?(?P<en>.+?)\W*$",
    re.I,
)
_CLAUSE = re.compile(r"[,;!?]|\.(?:\s|$)")


def request_when(text: str) -> str | None:
    """The words that say by when ("voor 1 december", "maakt niet uit"), else None."""
    found = _WHEN.search(text)
    return " ".join(found.group(0).split()) if found else None


def request_where(text: str) -> str | None:
    """The words that say for whom or where ("voor mij", "kamer 2.07"), else None."""
    parts: list[str] = []
    for found in _WHERE.finditer(text):
        part = " ".join(found.group(0).split()).rstrip(".,")
        if _FOR_WHEN.match(part) or part.lower() in ("voor de", "voor een"):
            continue
        if not any(part.lower() in p.lower() for p in parts):
            parts.append(part)
    return ", ".join(parts) or None


def addition(text: str) -> str | None:
    """What is added at the summary: "en graag ook een docking erbij" gives "een docking"."""
    found = _ADDITION.match(" ".join(text.split()))
    if not found:
        return None
    what = (found.group("what") or found.group("en") or "").strip(" ,.")
    return what or None


def only_where_or_when(text: str) -> bool:
    """True when every part of `text` says for whom, where or by when (nothing else is said):
    such a message is no description of what is needed."""
    clauses = [c.strip() for c in _CLAUSE.split(text) if c and c.strip()]
    return bool(clauses) and all(request_where(c) or request_when(c) for c in clauses)
