"""Which language a message is in: an employee who writes English is answered in English."""

from __future__ import annotations

import pytest

from bot.components.language import detect_language


@pytest.mark.parametrize(("text", "language"), [
    ("my laptop wont start, blue screen", "en"),
    ("i cant log in to citrix", "en"),
    ("Outlook start niet, blauw scherm", "nl"),
    ("mijn laptop doet het niet", "nl"),
    ("ok", None),
])
def test_english_typed_in_a_hurry_is_english(text, language):
    assert detect_language(text) == language
