"""One base class for what goes wrong in the domain; each surface maps the kinds once
(the API to JSON status codes, the staff workspace to Dutch pages)."""

from __future__ import annotations


class LoketError(Exception):
    """A domain error; its message says what is wrong."""

    def dutch(self) -> str:
        """The message for staff in the workspace; Dutch where the error knows better."""
        return str(self)


class NotFound(LoketError):
    """The thing asked for does not exist, or lies outside what the asker may see."""


class Conflict(LoketError):
    """The request is understood but clashes with the current state (a status change)."""


class InvalidInput(LoketError, ValueError):
    """Input that cannot be used: an unknown name, a bad field, a wrong file."""


class NotAllowed(LoketError):
    """Known who asks, but they may not do this."""


class Unavailable(LoketError):
    """It cannot be done now (the database is busy or took too long); nothing was changed,
    and trying again may work."""
