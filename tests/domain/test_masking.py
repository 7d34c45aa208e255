"""Every valid BSN and IBAN is masked however it was typed or pasted; other numbers stay."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from loket_masking import BSN_MASK, is_bsn, mask_personal_data
from schwifty import IBAN

# What sits between the digits as people paste them: spaces (also Word's, Outlook's and
# Teams' no-break ones), double spaces, tabs, line breaks, dots, hyphens and slashes.
SEPARATORS = ["", " ", "\u00a0", "\u202f", "  ", "\t", "\n", "\r\n", ".", "-", "/"]
WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)
# Words around the number: anything but digits and the separators that could glue it to more.
AROUND = st.text(
    alphabet=st.characters(
        blacklist_categories=("Nd", "Cs"), blacklist_characters="".join(SEPARATORS) + "*"
    ),
    max_size=20,
)


def _bsn_from(head: int) -> str:
    """The first BSN from this eight-digit head on (a head whose check digit would be 10 has
    none)."""
    while True:
        digits = f"{head:08d}"
        check = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11
        if check < 10 and digits + str(check) != "000000000":
            return digits + str(check)
        head += 1


def bsns(below: int = 10**8 - 100) -> st.SearchStrategy[str]:
    """Nine-digit numbers that pass the 11-test (`below` 10**7: with a leading zero)."""
    return st.integers(0, below).map(_bsn_from)


@st.composite
def spelled(draw: st.DrawFn, digits: str) -> str:
    """The digits in groups of 1-4 with one kind of separator, as one person would type it."""
    separator = draw(st.sampled_from(SEPARATORS))
    groups, rest = [], digits
    while rest:
        size = draw(st.integers(1, 4))
        groups.append(rest[:size])
        rest = rest[size:]
    return separator.join(groups)


def _pasted(draw: st.DrawFn, number: str) -> str:
    return f"{draw(AROUND)} {number} {draw(AROUND)}" if draw(st.booleans()) else number


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_bsn_spelling_is_masked(data: st.DataObject) -> None:
    digits = data.draw(bsns())
    text = _pasted(data.draw, data.draw(spelled(digits)))
    masked = mask_personal_data(text)
    assert BSN_MASK in masked
    assert digits not in re.sub(r"\D", "", masked)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_an_eight_digit_bsn_is_masked_after_a_cue_word(data: st.DataObject) -> None:
    digits = data.draw(bsns(below=10**7 - 100))[1:]
    cue = data.draw(st.sampled_from(["BSN", "bsn:", "burgerservicenummer", "sofinummer"]))
    number = data.draw(spelled(digits))
    assert BSN_MASK in mask_personal_data(f"{cue} {number}")
    assert mask_personal_data(f"telefoon {number}") == f"telefoon {number}"


@settings(max_examples=300, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=9, max_size=9), data=st.data())
def test_numbers_failing_the_11_test_stay(digits: str, data: st.DataObject) -> None:
    text = f"zaaknummer {data.draw(spelled(digits))} klopt"
    if not is_bsn(digits):
        assert mask_personal_data(text) == text


@st.composite
def ibans(draw: st.DrawFn) -> str:
    country, bank, account = draw(
        st.sampled_from([("NL", "ABNA", 10), ("NL", "RABO", 10), ("DE", "37040044", 10)])
    )
    number = draw(st.text(alphabet="0123456789", min_size=account, max_size=account))
    return str(IBAN.generate(country, bank_code=bank, account_code=number))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_iban_spelling_is_masked_but_its_last_four(data: st.DataObject) -> None:
    iban = data.draw(ibans())
    separator = data.draw(st.sampled_from(SEPARATORS))
    number = separator.join(iban[i : i + 4] for i in range(0, len(iban), 4))  # as printed
    glued = data.draw(st.sampled_from(["", "rekening", "IBAN:", "nr"]))
    after = data.draw(st.sampled_from(["", "graag", ".", " svp"]))
    text = _pasted(data.draw, f"{glued}{number}{after}")
    masked = mask_personal_data(text)
    kept = re.sub(r"[^0-9A-Za-z*]", "", masked)
    assert iban[:-4] not in kept and "*" * (len(iban) - 4) + iban[-4:] in kept


def test_the_spellings_the_review_found() -> None:
    for text in [
        "111-222-333", "111\u00a0222\u00a0333", "111\u202f222\u202f333", "111  222  333",
        "111\t222\t333", "111\n222\n333", "111/222/333", "bsn.111222333", "bsn 12345672",
    ]:  # fmt: skip
        assert mask_personal_data(text).count(BSN_MASK) == 1, text
    for text in [
        "NL91-ABNA-0417-1643-00", "NL91.ABNA.0417.1643.00", "NL91\u00a0ABNA\u00a00417 1643 00",
        "NL91\nABNA\n0417\n1643\n00", "xNL91ABNA0417164300x",
    ]:  # fmt: skip
        assert "ABNA" not in mask_personal_data(text), text


def test_phone_numbers_dates_and_references_stay() -> None:
    text = "bel 06 12345678 of +31 6 1234 5678, op 12-03-2024 10:15, over M-2026-000123"
    assert mask_personal_data(text) == text
