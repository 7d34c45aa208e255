"""Personal data out of free text before it is stored: BSN masked, IBAN all but its last four.

One copy for both environments: the router service's store and the assistant's tracker store.

Numbers arrive as people paste them: grouped with spaces (also the no-break spaces of Word,
Outlook and Teams), dots, hyphens, slashes, tabs or line breaks, and glued to words.
"""

from __future__ import annotations

import re
from functools import cache

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from schwifty.registry import get_countries, get_iban_spec

BSN_MASK = "[BSN]"

_SEPARATORS = " \u00a0\u2007\u202f\t\r\n./-"
# Digits in groups: a BSN is the whole run, or one unbroken group of nine in a list of them.
_DIGIT_RUN = re.compile(rf"(?<!\d)\d+(?:[{re.escape(_SEPARATORS)}]{{1,2}}\d+)*(?!\d)")
_DIGIT_GROUP = re.compile(r"\d+")
# Older BSNs are written with eight digits (the leading zero dropped). Eight digits are also a
# phone number or a case number, so they count as a BSN only with a cue word just before them.
_CUE = re.compile(r"(?:bsn|burgerservicenummer|sofi-?nummer|sofinr)[^\d\n]{0,30}$", re.I)
_IBAN_START = re.compile(r"[A-Za-z]{2}\d{2}")


def is_bsn(digits: str) -> bool:
    """The 11-test (elfproef) for a burgerservicenummer."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def mask_personal_data(text: str | None) -> str | None:
    """Return the text with every valid BSN and IBAN masked; other numbers stay as they are."""
    if not text:
        return text
    return _mask_bsns(_mask_ibans(text))


def _mask_bsns(text: str) -> str:
    parts: list[str] = []
    end = 0
    for run in _DIGIT_RUN.finditer(text):
        for start, stop in _bsn_spans(text, run):
            parts += [text[end:start], BSN_MASK]
            end = stop
    return "".join(parts) + text[end:]


def _bsn_spans(text: str, run: re.Match[str]) -> list[tuple[int, int]]:
    digits = re.sub(r"\D", "", run.group())
    if is_bsn(digits) or (len(digits) == 8 and is_bsn("0" + digits) and _cued(text, run)):
        return [run.span()]
    return [
        (run.start() + g.start(), run.start() + g.end())
        for g in _DIGIT_GROUP.finditer(run.group())
        if is_bsn(g.group())
    ]


def _cued(text: str, run: re.Match[str]) -> bool:
    return _CUE.search(text[max(0, run.start() - 60) : run.start()]) is not None


@cache
def _iban_lengths() -> dict[str, int]:
    return {country: get_iban_spec(country).iban_length for country in get_countries()}


def _mask_ibans(text: str) -> str:
    position = 0
    while found := _IBAN_START.search(text, position):
        span = _iban_span(text, found.start())
        if span is None:
            position = found.start() + 1
            continue
        start, stop = span
        text = text[:start] + _starred(text[start:stop]) + text[stop:]
        position = stop
    return text


def _iban_span(text: str, start: int) -> tuple[int, int] | None:
    """Where the IBAN starting here ends (separators allowed between its characters)."""
    length = _iban_lengths().get(text[start : start + 2].upper())
    if length is None:
        return None
    seen, gap, i = 0, 0, start
    while i < len(text) and seen < length:
        if text[i].isascii() and text[i].isalnum():
            seen, gap = seen + 1, 0
        elif text[i] in _SEPARATORS and gap < 2 and seen:
            gap += 1
        else:
            return None
        i += 1
    if seen < length:
        return None
    compact = "".join(ch for ch in text[start:i] if ch.isalnum())
    return (start, i) if _is_iban(compact) else None


def _is_iban(compact: str) -> bool:
    try:
        IBAN(compact)
    except SchwiftyException:
        return False
    return True


def _starred(iban: str, keep: int = 4) -> str:
    total = sum(ch.isalnum() for ch in iban)
    seen = 0
    out = []
    for ch in iban:
        if ch.isalnum():
            seen += 1
            out.append(ch if seen > total - keep else "*")
        else:
            out.append(ch)
    return "".join(out)
