"""The Telegram channel's pure parts: message splitting, button data, typed commands."""

from __future__ import annotations

from bot.channels.telegram import callback_data, split_text, typed_text


def test_long_answers_are_split_within_4096_characters_at_a_line():
    text = "\n".join(f"regel {i} " + "x" * 90 for i in range(100))
    parts = split_text(text)
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)
    assert all(p.startswith("regel") for p in parts)


def test_button_data_is_the_payload_or_the_title_within_64_bytes():
    assert callback_data({"title": "ja", "payload": "/affirm"}) == "/affirm"
    long = {"title": "Gemeente Veenhoven", "payload": '/inform{"municipality": "' + "x" * 80 + '"}'}
    assert callback_data(long) == "Gemeente Veenhoven"


def test_typed_commands_become_words_and_cannot_name_intents():
    assert typed_text("/start") == "hoi"
    assert typed_text("/start@loket_bot") == "hoi"
    assert typed_text('/inform{"municipality": "x"}') == 'inform{"municipality": "x"}'
    assert typed_text("  mijn printer  ") == "mijn printer"
