"""Structured logs: one JSON line per event, configured once per entry point."""

from __future__ import annotations

import hashlib
import logging
import sys

import structlog


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
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )


def pseudonym(name: str) -> str:
    """A stable stand-in for a person's name in logs (logs carry no personal data)."""
    return "u-" + hashlib.sha256(name.strip().lower().encode()).hexdigest()[:10]
