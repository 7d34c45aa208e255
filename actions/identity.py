"""Who is asking: the employee behind a conversation, as the router service knows them.

Telegram and Teams: the address comes in the metadata from the channel itself (see
LINKED_CHANNELS). The REST channel (for
development and tests only) passes the employee's e-mail address in the message metadata,
`{"sender": ..., "message": ..., "metadata": {"email": "anna@dijkstede.nl"}}`; Rasa 3.6 keeps
it in the user event (and the session_started event), so the latest message that carried
one names the employee. The e-mail domain gives the municipality.

Anyone who can reach the REST channel chooses their own sender id and metadata, so neither
is trusted unless the development setting `LOKET_TRUST_REST_EMAIL=true` says so (on in
`make run`, `make chat` and the tests; off by default; the action server warns at start
when it is on). With it off, a REST user has no identity: faq and outage answers, but no
tickets, status or withdrawing (`identified` is False).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker

DEFAULT_CHANNEL = "rest"
TRUST_REST_EMAIL = "LOKET_TRUST_REST_EMAIL"
# Channels where the caller picks its own sender id and metadata: no identity of their own.
SELF_DECLARED_CHANNELS = frozenset(("rest", "callback", "socketio", "cmdline"))
# Channels whose own code vouches for the address in the metadata: the Telegram channel
# (bot/channels/telegram.py) puts there the address the account was linked to by a mailed
# code, marked {"identity": "telegram-link"}; a Telegram user cannot send metadata.
# Teams (bot/channels/teams.py) puts there the address the Bot Framework's connector gives for
# the verified sender's Azure AD account, marked {"identity": "teams-aad"}: no linking step.
LINKED_CHANNELS = {"telegram": "telegram-link", "msteams": "teams-aad"}
# Set by the linking form (actions/linking.py) when the router confirmed the mailed code: the
# address it linked, proof for the rest of that turn only (the next message carries it).
LINK_CONFIRMED = "link_confirmed"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_TRUE = frozenset(("1", "true", "yes", "on"))


def trust_rest_email(environ: Mapping[str, str] = os.environ) -> bool:
    """The development setting: trust the REST channel's metadata e-mail (default: no)."""
    return environ.get(TRUST_REST_EMAIL, "").strip().lower() in _TRUE


def identified(tracker: Tracker) -> bool:
    """True when the conversation's channel tells who the employee is (or, in development,
    when the REST channel is trusted); False for an anonymous REST caller in production and
    for a Telegram account that is not linked yet (actions/linking.py)."""
    if channel(tracker) in LINKED_CHANNELS:
        return employee_email(tracker) is not None
    return channel(tracker) not in SELF_DECLARED_CHANNELS or trust_rest_email()


def employee_email(tracker: Tracker) -> str | None:
    """The e-mail address from the newest message (or session start) metadata that has one,
    when that metadata is trusted (see `trust_rest_email`); else None. On a linked channel
    only the newest message counts: the channel looked the link up for it."""
    marker = LINKED_CHANNELS.get(channel(tracker))
    if marker is not None:
        metadata = (tracker.latest_message or {}).get("metadata") or {}
        email = metadata.get("email") if isinstance(metadata, Mapping) else None
        linked = isinstance(metadata, Mapping) and metadata.get("identity") == marker
        if linked and isinstance(email, str):
            return email.strip().lower()
        return linked_this_turn(tracker)
    if not trust_rest_email():
        return None
    candidates = [(tracker.latest_message or {}).get("metadata")]
    candidates += [
        event.get("metadata")
        for event in reversed(tracker.events)
        if event.get("event") in ("user", "session_started")
    ]
    for metadata in candidates:
        email = (metadata or {}).get("email") if isinstance(metadata, Mapping) else None
        if isinstance(email, str) and _EMAIL.match(email.strip()):
            return email.strip().lower()
    return None


def linked_this_turn(tracker: Tracker) -> str | None:
    """The address a mailed code linked since the employee's newest message, else None.

    Only an action sets that slot (its mapping is custom), after the router confirmed the
    code for this very sender; its events are read, not the slot, which is cleared at once.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return None
        if event.get("event") == "slot" and event.get("name") == LINK_CONFIRMED:
            value = event.get("value")
            if isinstance(value, str) and _EMAIL.match(value.strip()):
                return value.strip().lower()
    return None


def channel(tracker: Tracker) -> str:
    """The channel of the conversation ("rest", later "msteams", "telegram")."""
    return tracker.get_latest_input_channel() or DEFAULT_CHANNEL


def reporter(tracker: Tracker) -> dict[str, Any]:
    """The `reporter` of `POST /api/tickets`; on Teams with the address its notifications go
    to (the conversation's service URL and id, put in the metadata by the channel)."""
    found = {
        "channel": channel(tracker),
        "sender_id": tracker.sender_id,
        "email": employee_email(tracker),
        "name": None,
    }
    if found["channel"] == "msteams" and found["email"]:
        metadata = (tracker.latest_message or {}).get("metadata") or {}
        address = metadata.get("teams_address") if isinstance(metadata, Mapping) else None
        if isinstance(address, str) and address:
            found["address"] = address
    return found


def who(tracker: Tracker) -> dict[str, str]:
    """How the self-service API finds the employee: e-mail when known, else the channel id."""
    email = employee_email(tracker)
    if email:
        return {"email": email}
    return {"channel": channel(tracker), "sender_id": tracker.sender_id}


def municipality_of(tracker: Tracker, catalogue: Mapping[str, Any]) -> str | None:
    """The canonical name of the employee's municipality: on Teams the one whose Azure AD
    tenant the channel verified (its key in the metadata), elsewhere the e-mail's domain."""
    if channel(tracker) == "msteams" and employee_email(tracker):
        metadata = (tracker.latest_message or {}).get("metadata") or {}
        key = metadata.get("municipality") if isinstance(metadata, Mapping) else None
        for municipality in catalogue.get("municipalities", []):
            if key and municipality.get("key") == key:
                return str(municipality["name"])
    return municipality_of_email(employee_email(tracker), catalogue)


def municipality_of_email(email: str | None, catalogue: Mapping[str, Any]) -> str | None:
    """The canonical name of the municipality whose e-mail domain `email` has."""
    domain = (email or "").rpartition("@")[2].lower()
    for municipality in catalogue.get("municipalities", []):
        if domain and municipality.get("email_domain", "").lower() == domain:
            return str(municipality["name"])
    return None
