"""`rasa run`, with the HTTP API's token taken from the environment instead of the command line.

    LOKET_RASA_TOKEN=... bot/.venv/bin/python -m bot.rasa_server run --enable-api --interface ...

`rasa run --enable-api --auth-token TOKEN` would show the token to every local user in the
process list (/proc/PID/cmdline is world-readable). This entry point adds `--auth-token`
from `LOKET_RASA_TOKEN` inside the process (sys.argv, not the command line the kernel shows)
and refuses to open the API without a token of 16+ characters. It also lets Rasa check the
action server's answers with a validator built once (bot/action_results.py: the largest part
of a turn's time). Everything else is `rasa`.
"""

from __future__ import annotations

import os
import sys

TOKEN_VARIABLE = "LOKET_RASA_TOKEN"  # noqa: S105 - a variable name, not a secret
TOKEN_MIN_CHARS = 16


def rasa_arguments(argv: list[str], environ: dict[str, str] | os._Environ[str]) -> list[str]:
    """`argv` with `--auth-token` added when the API is enabled; ValueError without a token."""
    if "--enable-api" not in argv:
        return list(argv)
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in argv):
        raise ValueError(f"pass the token in {TOKEN_VARIABLE}, not on the command line")
    token = environ.get(TOKEN_VARIABLE, "").strip()
    if len(token) < TOKEN_MIN_CHARS:
        raise ValueError(
            f"{TOKEN_VARIABLE} is not set (or shorter than {TOKEN_MIN_CHARS} characters): "
            "Rasa's HTTP API (--enable-api) never runs without a token"
        )
    return [*argv, "--auth-token", token]


def main() -> int:
    try:
        arguments = rasa_arguments(sys.argv[1:], os.environ)
    except ValueError as exc:
        print(f"bot.rasa_server: {exc}", file=sys.stderr)
        return 2
    sys.argv = ["rasa", *arguments]
    from rasa.__main__ import main as rasa_main

    from bot.action_results import install

    install()
    rasa_main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
