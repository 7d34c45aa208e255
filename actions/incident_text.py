"""What the employee's own words tell about an incident: a description, a title, the impact.

Pure functions over text, so they are easy to test and to replace by a model later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TITLE_MAX_CHARS = 120
DESCRIPTION_MAX_CHARS = 10_000

# Words that say *that* something is wrong, not *what*: "Key2Burgerzaken is kapot" or
# "ik heb een storing" still needs a description.
_VAGUE_WORDS = frozenset(
    (
        # Dutch function words
        "ik", "je", "jij", "we", "wij", "mijn", "onze", "het", "de", "een", "en", "of", "bij",
        "van", "voor", "met", "in", "op", "aan", "te", "om", "er", "is", "zijn", "was", "heb",
        "heeft", "hebben", "wil", "wilt", "kan", "kun", "kunnen", "doet", "doen", "werkt",
        "werken", "gaat", "niet", "geen", "nog", "al", "ook", "wel", "meer", "iets", "alles",
        "dat", "die", "dit", "wat", "als", "want", "omdat", "hoi", "hallo",
        # "something is wrong", without saying what
        "kapot", "stuk", "storing", "storingen", "probleem", "problemen", "fout", "fouten",
        "error", "mis", "raar", "vreemd", "melding", "melden", "maken", "systeem",
        "applicatie", "programma", "app", "pakket",
        # "I want to request something", without saying what
        "aanvragen", "aanvraag", "verzoek", "serviceverzoek", "bestellen", "nodig", "graag",
        "hebben", "krijgen", "willen",
        # the same in English
        "the", "and", "not", "it", "broken", "working", "work", "does", "doesn't", "issue",
        "problem", "request", "need", "something", "would", "like", "want", "get",
    )
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)


def _phrases(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b")


_HIGH_IMPACT = _phrases(
    "iedereen", "niemand", "alle collega's", "hele afdeling", "hele team", "hele gemeente",
    "alle medewerkers",
)  # fmt: skip
_MEDIUM_IMPACT = _phrases("afdeling", "team", "collega's", "meerdere collega's")


def describes_problem(text: str, names: Iterable[str] = ()) -> bool:
    """True when `text` says what goes wrong, beyond naming the application."""
    lowered = text.lower()
    for name in names:
        if name:
            lowered = lowered.replace(name.lower(), " ")
    words = _WORD.findall(lowered)
    return any(len(w) >= 3 and w not in _VAGUE_WORDS for w in words)


def make_title(description: str) -> str:
    """A short title: the first sentence of the description, in the employee's own words.

    Never prefixed with the application the assistant recognised: the router reads the title
    as evidence, and a guess from an everyday word ("word" for "wordt") must not become it.
    """
    first = re.split(r"(?<=[.!?])\s|\n", description.strip(), maxsplit=1)[0]
    title = " ".join(first.split())
    if len(title) > TITLE_MAX_CHARS:
        title = title[: TITLE_MAX_CHARS - 1].rstrip() + "…"
    return title or "Melding via Loket"


def estimate_impact(text: str) -> str:
    """ "high" when many people are hindered, "medium" for a team, else "low"."""
    lowered = text.lower().replace("’", "'")
    if _HIGH_IMPACT.search(lowered):
        return "high"
    if _MEDIUM_IMPACT.search(lowered):
        return "medium"
    return "low"



# Answers to "how many people are hindered?" and "how urgent is it?", in plain words.
_AFFECTED_HIGH = _phrases(
    "iedereen", "hele gemeente", "meerdere afdelingen", "meerdere teams", "alle afdelingen",
    "heel de gemeente", "hele organisatie", "alle medewerkers", "everyone", "everybody",
    "several departments", "whole organisation", "whole organization", "all departments",
    "niemand", "nobody",
)  # fmt: skip
_AFFECTED_MEDIUM = _phrases(
    "team", "afdeling", "collega's", "collegas", "paar", "meerdere", "wij", "we", "ons",
    "z'n allen", "zn allen", "department", "colleagues", "my team", "our team",
)  # fmt: skip
_AFFECTED_LOW = _phrases(
    "alleen ik", "ik alleen", "alleen mij", "mezelf", "mijzelf", "alleen", "ik", "only me",
    "just me", "me",
)  # fmt: skip
# What a message that answers another question (or the report itself) tells about the
# choices, read more carefully than an answer to the question: "ik" or "wachten" alone says
# nothing here. `infer_affected` / `infer_urgency` fill the slot without asking.
_INFER_AFFECTED_LOW = re.compile(
    r"\b(alleen (ik|mij|bij mij|ikzelf|mijn (pc|laptop|computer|account|telefoon))|"
    r"ik alleen|bij mij alleen|niemand anders|only me|just me)\b"
)
_INFER_AFFECTED_HIGH = _phrases(
    "iedereen", "niemand", "hele gemeente", "heel de gemeente", "hele organisatie",
    "alle medewerkers", "alle collega's", "alle afdelingen", "meerdere afdelingen",
    "meerdere teams", "hele gemeentehuis", "everyone", "nobody", "whole organisation",
)  # fmt: skip
_INFER_AFFECTED_MEDIUM = _phrases(
    "hele team", "hele afdeling", "heel het team", "heel de afdeling", "mijn team", "ons team",
    "onze afdeling", "mijn afdeling", "de afdeling", "het team", "collega's", "collegas",
    "wij allemaal", "we allemaal", "my team", "our team", "whole team", "whole department",
    "hele balie", "heel de balie", "hele loket", "alle baliemedewerkers", "hele frontoffice",
    "hele klantcontactcentrum", "hele kcc",
)  # fmt: skip
_INFER_URGENCY_LOW = _phrases(
    "kan wachten", "kan wel wachten", "mag wachten", "geen haast", "niet dringend",
    "niet zo dringend", "niet urgent", "heeft geen haast", "geen spoed", "can wait", "no rush",
    "not urgent",
)  # fmt: skip
# "kan wel ff wachten", "mag best even wachten", "het heeft echt geen haast": low, with filler
# words in between; read before the high words, of which a bare "wachten" is one. A
# negation among the filler words ("kunnen niet langer wachten") is not low.
_URGENCY_LOW_LOOSE = re.compile(
    r"\b((kan|mag|kunnen|mogen)( (?!niet\b|nie\b|geen\b|nooit\b)\S+){0,3} wachten|"
    r"(heeft|hebben)( \S+){0,2} geen haast)\b"
)
_INFER_URGENCY_HIGH = re.compile(
    r"\b(niemand kan|kan (helemaal |echt |dus )?(niet|niks|niets) (meer )?(werken|verder)|"
    r"kunnen (helemaal |echt |dus )?(niet|niks|niets) (meer )?(werken|verder)|"
    r"(ligt|liggen|staat|staan) (helemaal )?(plat|stil)|ligt eruit|"
    r"staan te wachten|burgers wachten|klanten wachten|spoed|dringend|urgent|asap|"
    r"zo snel mogelijk|vandaag nog|can't work|cannot work)\b"
)


def infer_affected(text: str) -> str | None:
    """How many are hindered, when the words say so clearly; else None (the form asks)."""
    lowered = text.lower().replace("’", "'")
    for pattern, level in (
        (_INFER_AFFECTED_LOW, "low"), (_INFER_AFFECTED_HIGH, "high"),
        (_INFER_AFFECTED_MEDIUM, "medium"),
    ):  # fmt: skip
        if pattern.search(lowered):
            return level
    return None


def infer_urgency(text: str) -> str | None:
    """How urgent, when the words say so clearly ("niet dringend" before "dringend")."""
    lowered = text.lower().replace("’", "'")
    if _INFER_URGENCY_LOW.search(lowered) or _URGENCY_LOW_LOOSE.search(lowered):
        return "low"
    if _INFER_URGENCY_HIGH.search(lowered):
        return "high"
    return None


_URGENCY_LOW = _phrases(
    "kan wachten", "kan wel wachten", "even wachten", "mag wachten", "geen haast", "niet dringend",
    "niet zo dringend", "niet urgent", "heeft geen haast", "can wait", "no rush", "not urgent",
    "maakt niet uit", "geen spoed", "later", "volgende week", "wanneer het uitkomt",
)  # fmt: skip
_URGENCY_HIGH = _phrases(
    "niet werken", "niet verder", "kan niks", "kan niets", "kunnen niks", "kunnen niets",
    "staan te wachten", "wachten",
    "spoed", "dringend", "urgent", "asap", "zo snel mogelijk", "stil", "can't work",
    "cannot work", "can not work", "waiting", "vandaag nog", "vandaag", "nu meteen", "meteen",
    "plat", "zsm", "today",
)  # fmt: skip
_URGENCY_MEDIUM = _phrases(
    "lastig", "vervelend", "kan nog", "kan wel", "om heen", "omheen", "gaat nog", "gaat wel",
    "annoying", "carry on", "workaround", "niet zo erg", "deze week", "morgen", "binnenkort",
    "this week", "tomorrow",
)  # fmt: skip
_CHOICE = re.compile(r"^\s*([123])\s*[.)]?\s*$")
_LEVELS_BY_CHOICE = {"1": "low", "2": "medium", "3": "high"}


def parse_affected(text: str) -> str | None:
    """ "low" (only me), "medium" (a team) or "high" (more teams, everyone); None if unclear.

    The menu offers 1 = only me, 2 = my team, 3 = several departments or everyone.
    """
    lowered = text.lower().replace("’", "'")
    choice = _CHOICE.match(lowered)
    if choice:
        return _LEVELS_BY_CHOICE[choice.group(1)]
    if _INFER_AFFECTED_LOW.search(lowered):  # "niemand anders", before "niemand"
        return "low"
    for pattern, level in (
        (_AFFECTED_HIGH, "high"), (_AFFECTED_MEDIUM, "medium"), (_AFFECTED_LOW, "low")
    ):  # fmt: skip
        if pattern.search(lowered):
            return level
    if re.search(r"\b\d+\s*(collega|mensen|personen|medewerkers)", lowered):
        return "medium"
    return None


def parse_urgency(text: str) -> str | None:
    """ "high" (work stands still), "medium" (annoying) or "low" (can wait); None if unclear.

    The menu offers 1 = cannot work, 2 = annoying but workable, 3 = it can wait.
    """
    lowered = text.lower().replace("’", "'")
    choice = _CHOICE.match(lowered)
    if choice:
        return {"1": "high", "2": "medium", "3": "low"}[choice.group(1)]
    for pattern, level in (
        (_URGENCY_LOW, "low"), (_URGENCY_LOW_LOOSE, "low"), (_URGENCY_HIGH, "high"),
        (_URGENCY_MEDIUM, "medium"),
    ):  # fmt: skip
        if pattern.search(lowered):
            return level
    return None


# Words that say something does not work, in the way employees write it (typos included).
_SYMPTOM = re.compile(
    r"\b(niet|geen|niks|niets|nergens|kan ?niet|lukt|mislukt|fout\w*|error\w*|storing\w*|"
    r"kapot|stuk|vast|vastgelopen|loopt vast|hangt|blijft hangen|traag|langzaam|crash\w*|weigert|"
    r"verdwenen|kwijt|leeg|geblokkeerd|blokkeert|gaat mis|zwart|bevroren|"
    r"broken|not working|doesn't work|does not work|fails?|failed|stuck)\b"
)
# ...unless it says that it works again ("laat maar, het doet het weer").
_SOLVED = re.compile(
    r"\b((doet|werkt) het (nu |al |gewoon )?(weer|alweer)|werkt (nu |al |gewoon )?(weer|alweer)|"
    r"opgelost|laat maar|gelukt|works again|solved|never ?mind)\b"
)
_REPORT_MIN_WORDS = 4


def sounds_like_problem(text: str) -> bool:
    """True for a sentence that tells what goes wrong ("mijn wmo beschikking word niet
    aangemaakt"), also when the assistant took it for a greeting or a loose detail."""
    lowered = text.lower().replace("’", "'")
    return (
        len(_WORD.findall(lowered)) >= _REPORT_MIN_WORDS
        and _SYMPTOM.search(lowered) is not None
        and _SOLVED.search(lowered) is None
        and describes_problem(lowered)
    )


# A Dutch phone number as employees type it: 0612345678, 06-12345678, 070 123 4567, +31 6 ...
_PHONE = re.compile(r"(?<![\d+])(?:\+31|0031|0)[\s-]?(?:\d[\s-]?){8}\d(?!\d)")


def callback_details(text: str) -> str | None:
    """The number and what follows it ("0612345678, liefst na 2en") when a request for a call
    gives them at once, so that the form does not ask for them again; else None."""
    found = _PHONE.search(text)
    if not found:
        return None
    return text[found.start() :].strip(" ,.;") or None
