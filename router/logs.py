"""Structured logs: one JSON line per event, configured once per entry point."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import sys

import structlog


class _CurrentStderr:
    """Writes each line to the sys.stderr of the moment of writing, not of configuring: a
    command run in-process (typer's CliRunner, tests) swaps stderr and closes its stand-in."""

    def __init__(self, *_args: object) -> None:
        pass

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(format="%(message)s", stream=sys.stderr, level=level)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_CurrentStderr,
        cache_logger_on_first_use=True,
    )


_PSEUDONYM_KEY: bytes | None = None


def set_pseudonym_key(key: str) -> None:
    """Key the pseudonyms of this process (LOKET_LOG_KEY, else the workspace's secret key).

    Processes that share the key write the same pseudonym for the same person, so their
    logs can be followed together; without the key a pseudonym cannot be traced back by
    hashing guessed names.
    """
    global _PSEUDONYM_KEY
    if not key:
        raise ValueError("the pseudonym key is empty")
    _PSEUDONYM_KEY = hashlib.sha256(f"loket.log-pseudonym|{key}".encode()).digest()


def pseudonym(name: str) -> str:
    """A stable, keyed stand-in for a person's name in logs (logs carry no personal data)."""
    global _PSEUDONYM_KEY
    if _PSEUDONYM_KEY is None:  # never a plain hash: a random key, stable in this process only
        _PSEUDONYM_KEY = secrets.token_bytes(32)
        structlog.get_logger().warning("router.logs.pseudonym_key_missing")
    digest = hmac.new(_PSEUDONYM_KEY, name.strip().lower().encode(), hashlib.sha256)
    return "u-" + digest.hexdigest()[:12]
