"""Recognise an application of the organisation in free ticket text.

Exact names and synonyms first (word boundaries, case-insensitive); then fuzzy matching of
single words against single-word names, for misspellings such as "youforse" or "zaaksyteem".
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from router.domain.org import Application, Organisation

FUZZY_THRESHOLD = 88  # rapidfuzz ratio; below this, false matches on ordinary Dutch words grow
FUZZY_MIN_LENGTH = 6  # short words ("join", "teams") only match exactly
# Synonyms that are also everyday Dutch words ("ik word gek van de printer", "een virus op
# mijn pc"): they never decide a route on their own; the text model weighs them instead.
WEAK_WORDS = frozenset(
    {
        "word",
        "teams",
        "office",
        "join",
        "scherm",
        "computer",
        "pc",
        "telefoon",
        "inloggen",
        "account",
        "wachtwoord",
        "printen",
    }
)


class ApplicationRecogniser:
    def __init__(self, org: Organisation) -> None:
        self._by_word: dict[str, Application] = {}
        for app in org.applications:
            for word in (app.name, *app.synonyms):
                self._by_word[word.casefold()] = app
        # Longest first, so "citrix workspace" wins over "citrix".
        words = sorted(self._by_word, key=len, reverse=True)
        self._exact = re.compile(
            r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])", re.IGNORECASE
        )
        self._fuzzy_words = [w for w in words if " " not in w and len(w) >= FUZZY_MIN_LENGTH]

    def find(self, text: str) -> Application | None:
        """The application the text is most likely about, or None."""
        found = [m.group(1).casefold() for m in self._exact.finditer(text)]
        strong = [w for w in found if w not in WEAK_WORDS]
        if strong:
            return self._by_word[strong[0]]
        for token in re.findall(rf"[\w.-]{{{FUZZY_MIN_LENGTH},}}", text.casefold()):
            best = process.extractOne(
                token, self._fuzzy_words, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD
            )
            if best:
                return self._by_word[best[0]]
        return None
