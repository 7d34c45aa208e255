"""Personal data out of free text before it is stored: BSN masked, IBAN all but its last four."""

from __future__ import annotations

import re

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

BSN_MASK = "[BSN]"

# Nine digits, optionally grouped with dots or spaces (123456782, 1234.56.782, 123 456 782),
# not part of a longer number.
_BSN = re.compile(r"(?<![\d.])\d(?:[ .]?\d){8}(?![\d]|\.\d)")
# Older BSNs are written with eight digits (the leading zero dropped). Eight digits are also a
# phone number or a case number, so they count as a BSN only with a cue word just before them.
_SHORT_BSN = re.compile(
    r"(?P<cue>\b(?:bsn|burgerservicenummer|sofi-?nummer|sofinr)\b[^\d\n]{0,30})"
    r"(?P<number>(?<![\d.])\d(?:[ .]?\d){7}(?![\d]|\.\d))",
    re.IGNORECASE,
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b", re.IGNORECASE)


def is_bsn(digits: str) -> bool:
    """The 11-test (elfproef) for a burgerservicenummer."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def _is_iban(text: str) -> bool:
    try:
        IBAN(text)
    except SchwiftyException:
        return False
    return True


def _mask_iban(match: re.Match[str]) -> str:
    text = match.group(0)
    candidate = text
    # The pattern is greedy; a trailing word glued on by a space must not spoil the checksum.
    while not _is_iban(candidate):
        if " " not in candidate.strip():
            return text
        candidate = candidate.rsplit(" ", 1)[0]
    keep = 4
    masked, seen = [], 0
    alnum_total = sum(ch.isalnum() for ch in candidate)
    for ch in candidate:
        if ch.isalnum():
            seen += 1
            masked.append(ch if seen > alnum_total - keep else "*")
        else:
            masked.append(ch)
    return "".join(masked) + text[len(candidate) :]


def _mask_bsn(match: re.Match[str]) -> str:
    digits = re.sub(r"[ .]", "", match.group(0))
    return BSN_MASK if is_bsn(digits) else match.group(0)


def _mask_short_bsn(match: re.Match[str]) -> str:
    digits = "0" + re.sub(r"[ .]", "", match.group("number"))
    return match.group("cue") + (BSN_MASK if is_bsn(digits) else match.group("number"))


def mask_personal_data(text: str | None) -> str | None:
    """Return the text with every valid BSN and IBAN masked; other numbers stay as they are."""
    if not text:
        return text
    text = _IBAN.sub(_mask_iban, text)
    text = _BSN.sub(_mask_bsn, text)
    return _SHORT_BSN.sub(_mask_short_bsn, text)
