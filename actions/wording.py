"""How the bot says things: statuses and moments in Dutch (or English), in Amsterdam time."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker

TIMEZONE = ZoneInfo("Europe/Amsterdam")

STATUS_WORDS = {
    "nl": {
        "new": "nieuw", "routed": "doorgezet", "forwarded": "doorgestuurd naar de leverancier",
        "in_progress": "in behandeling", "waiting": "wacht op reactie", "resolved": "opgelost",
        "closed": "gesloten", "reopened": "heropend", "withdrawn": "ingetrokken",
    },
    "en": {
        "new": "new", "routed": "routed", "forwarded": "forwarded to the supplier",
        "in_progress": "in progress", "waiting": "waiting for a reply", "resolved": "resolved",
        "closed": "closed", "reopened": "reopened", "withdrawn": "withdrawn",
    },
}  # fmt: skip
_DAYS = {
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
_MONTHS = {
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}  # fmt: skip


def language(tracker: Tracker) -> str:
    """ "en" when the employee writes English, else "nl"."""
    return "en" if tracker.get_slot("language") == "en" else "nl"


def status_word(status: str | None, lang: str = "nl") -> str:
    return STATUS_WORDS[lang].get(status or "", status or "?")


def moment(iso: str | None, lang: str = "nl", now: datetime | None = None) -> str:
    """ "dinsdag 14 januari om 12:00" (or "vandaag om 15:00") for an ISO timestamp."""
    if not iso:
        return "onbekend" if lang == "nl" else "unknown"
    at = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    local = at.astimezone(TIMEZONE)
    current = now or datetime.now(timezone.utc)
    today = current.astimezone(TIMEZONE).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"vandaag om {clock}" if lang == "nl" else f"today at {clock}"
    day = f"{_DAYS[lang][local.weekday()]} {local.day} {_MONTHS[lang][local.month - 1]}"
    return f"{day} om {clock}" if lang == "nl" else f"{day} at {clock}"
