"""Data breaches: the 72-hour clock of AVG art. 33 and the privacy officer's reminders.

The 72 hours run in calendar hours from the breach's discovery. The privacy officer (FG) is
told at once, reminded at 24 and 48 hours while no decision is recorded, and at 60 hours the
escalation address is told as well. Once the FG has decided, the reminders stop; the clock is
shown until the AP has been notified (or the FG decided not to report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

NOTIFY_WITHIN = timedelta(hours=72)


@dataclass(frozen=True)
class Stage:
    key: str  # in the outbox's idempotency key: {reference}/fg/{key}
    after: timedelta  # since discovery
    escalate: bool = False


STAGES = (
    Stage("notify", timedelta(0)),
    Stage("24h", timedelta(hours=24)),
    Stage("48h", timedelta(hours=48)),
    Stage("60h", timedelta(hours=60), escalate=True),
)


def discovered_at(deadline: datetime) -> datetime:
    return deadline - NOTIFY_WITHIN


def due_stages(deadline: datetime, now: datetime) -> list[Stage]:
    """The reminders whose time has come (the first notification included)."""
    start = discovered_at(deadline)
    return [stage for stage in STAGES if now >= start + stage.after]


def hours_left(deadline: datetime, now: datetime) -> float:
    """Calendar hours until the AP must be notified; negative once the deadline has passed."""
    return (deadline - now).total_seconds() / 3600


def clock_text(deadline: datetime, now: datetime) -> str:
    """The 72-hour clock in words staff read at a glance."""
    left = hours_left(deadline, now)
    if left <= 0:
        return f"AP-termijn {_hours(-left)} verstreken"
    return f"nog {_hours(left)} om te melden bij de AP"


def _hours(value: float) -> str:
    whole = int(value)
    if whole >= 1:
        return f"{whole} uur"
    return f"{max(int(value * 60), 1)} min"


def subject(stage: Stage, reference: str) -> str:
    if stage.key == "notify":
        return f"Datalek gemeld: {reference}"
    if stage.escalate:
        return f"Escalatie datalek {reference}: nog geen besluit na 60 uur"
    return f"Herinnering datalek {reference}: nog geen besluit na {stage.key[:-1]} uur"


def body(stage: Stage, *, reference: str, title: str, deadline: str) -> str:
    """The mail to the FG (Dutch): what, how long still, and where to record the decision."""
    opening = {
        "notify": "Er is een mogelijk datalek gemeld.",
        "24h": "Herinnering: over dit mogelijke datalek is na 24 uur nog geen besluit vastgelegd.",
        "48h": "Herinnering: over dit mogelijke datalek is na 48 uur nog geen besluit vastgelegd.",
        "60h": (
            "Escalatie: over dit mogelijke datalek is na 60 uur nog geen besluit vastgelegd. "
            "Over 12 uur verloopt de meldtermijn van de Autoriteit Persoonsgegevens."
        ),
    }[stage.key]
    return (
        f"{opening}\n\n"
        f"Melding: {reference}\n"
        f"Onderwerp: {title}\n"
        f"Melden bij de AP uiterlijk: {deadline} (72 uur na ontdekking)\n\n"
        "Leg het besluit (wel of niet melden, met de reden) vast op de pagina van de melding "
        f"in de werkplek: /staff/meldingen/{reference}\n"
    )


def clock_running(
    deadline: datetime | None, decision: str | None, ap_notified: datetime | None
) -> bool:
    """The 72-hour clock is shown until the AP was notified or the FG decided not to report."""
    return deadline is not None and ap_notified is None and decision != "no_report"
