"""The organisation's municipalities, as the router service knows them, and name matching.

The organisation file is the single source of truth; the actions read it through the
router's `GET /api/catalogue` and keep it for a few minutes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

from rapidfuzz import fuzz, process

from actions.router_client import RouterClient

CATALOGUE_TTL_SECONDS = 300.0
# "Dijkstee" still means Dijkstede; "Veenhoven" must not be taken for "Heuvelrade".
FUZZY_CUTOFF = 85.0

_WORD = re.compile(r"[\w-]+", re.UNICODE)


class CatalogueCache:
    """Keeps the router's catalogue for `ttl_seconds`, so every turn does not fetch it."""

    def __init__(self, ttl_seconds: float = CATALOGUE_TTL_SECONDS) -> None:
        self._ttl_seconds = ttl_seconds
        self._catalogue: dict[str, Any] | None = None
        self._fetched_at = 0.0

    async def get(self, client: RouterClient) -> dict[str, Any]:
        """The catalogue, fetched again when older than the TTL. Raises RouterError."""
        now = time.monotonic()
        if self._catalogue is None or now - self._fetched_at > self._ttl_seconds:
            self._catalogue = await client.catalogue()
            self._fetched_at = now
        return self._catalogue


def municipality_names(catalogue: Mapping[str, Any]) -> list[str]:
    """Canonical names ("Gemeente Dijkstede", ...) in catalogue order."""
    return [m["name"] for m in catalogue.get("municipalities", [])]


def dutch_list(items: list[str]) -> str:
    """["a", "b", "c"] -> "a, b en c"."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


def short_name(name: str) -> str:
    """ "Gemeente Dijkstede" -> "Dijkstede", how people say it."""
    return re.sub(r"^gemeente\s+", "", name.strip(), flags=re.IGNORECASE)


def match_municipality(text: str, municipalities: Iterable[Mapping[str, Any]]) -> str | None:
    """The canonical name of the municipality `text` names, or None.

    Exact matches on key, name or short name first; then a typo-tolerant match of the
    words (and word pairs, for "polder waard") of `text` against the short names.
    """
    exact: dict[str, str] = {}
    fuzzy: dict[str, str] = {}
    for municipality in municipalities:
        name = municipality["name"]
        for alias in (municipality.get("key", ""), name, short_name(name)):
            if alias:
                exact[alias.lower()] = name
        fuzzy[short_name(name).lower()] = name

    cleaned = text.strip().strip(".!?").lower()
    if cleaned in exact:
        return exact[cleaned]
    words = _WORD.findall(cleaned)
    candidates = words + [a + b for a, b in zip(words, words[1:], strict=False)]
    for candidate in candidates:
        if candidate in exact:
            return exact[candidate]
    best: tuple[str, float] | None = None
    for candidate in candidates:
        if len(candidate) < 4:  # keys like "dyk" only match exactly
            continue
        found = process.extractOne(
            candidate, list(fuzzy), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        if found and (best is None or found[1] > best[1]):
            best = (found[0], found[1])
    return fuzzy[best[0]] if best else None
