"""bot/rasa_server.py: Rasa's HTTP API gets its token from LOKET_RASA_TOKEN, never argv."""

from __future__ import annotations

import pytest

from bot.rasa_server import rasa_arguments

TOKEN = "rasa-api-token-0123456789"


def test_the_api_gets_the_token_from_the_environment():
    argv = ["run", "--enable-api", "--port", "5005"]
    assert rasa_arguments(argv, {"LOKET_RASA_TOKEN": TOKEN}) == [*argv, "--auth-token", TOKEN]


def test_without_the_api_nothing_is_added():
    assert rasa_arguments(["run", "--port", "5005"], {}) == ["run", "--port", "5005"]


@pytest.mark.parametrize("environ", [{}, {"LOKET_RASA_TOKEN": "short"}])
def test_the_api_never_runs_without_a_token(environ):
    with pytest.raises(ValueError, match="LOKET_RASA_TOKEN is not set"):
        rasa_arguments(["run", "--enable-api"], environ)


def test_a_token_on_the_command_line_is_refused():
    with pytest.raises(ValueError, match="not on the command line"):
        rasa_arguments(["run", "--enable-api", "--auth-token", TOKEN], {"LOKET_RASA_TOKEN": TOKEN})
