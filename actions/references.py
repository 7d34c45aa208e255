"""Ticket references as employees type them: M-2026-000123, m-2026-123, "melding 123"."""

from __future__ import annotations

import re
from datetime import date

_FULL = re.compile(r"\b[mM][- ]?(\d{4})[- ](\d{1,6})\b")
_NUMBER_ONLY = re.compile(r"^\s*#?(\d{1,6})\s*$")
_AFTER_WORD = re.compile(
    r"\b(?:melding|meldingnummer|ticket|nummer|nr\.?|aanvraag)\s*#?(\d{1,6})\b", re.IGNORECASE
)


def normalise_reference(text: str | None, today: date | None = None) -> str | None:
    """The canonical reference ("M-2026-000123") in `text`, or None.

    A bare number ("123", "melding 123") means a ticket of this year.
    """
    if not text:
        return None
    found = _FULL.search(text)
    if found:
        return f"M-{found.group(1)}-{int(found.group(2)):06d}"
    found = _NUMBER_ONLY.match(text) or _AFTER_WORD.search(text)
    if found:
        year = (today or date.today()).year
        return f"M-{year}-{int(found.group(1)):06d}"
    return None
