"""What the reporter hears in their chat when their ticket moves: short Dutch messages.

Only these status changes are news for the reporter; the rest (in behandeling, gesloten...)
they can ask for. A channel without push (the REST channel of development) gets nothing.
"""

from __future__ import annotations

from router.domain.vocabulary import Status

# Channels the outbox can reach the reporter on (a sender exists for each in router/channels).
PUSH_CHANNELS = frozenset({"telegram", "msteams"})
TITLE_CHARS = 60


def _short(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


def status_message(
    status: Status, *, reference: str, title: str, destination_name: str | None
) -> str | None:
    """The message for the reporter when their ticket reaches `status`; None: no news."""
    about = f"Je melding {reference} ({_short(title)})"
    if status == Status.forwarded:
        to = destination_name or "de leverancier"
        return f"{about} is doorgezet naar {to}. Je hoort het hier als er nieuws is."
    if status == Status.waiting:
        return (
            f"{about}: we hebben meer informatie van je nodig. Vraag hier naar de status van "
            f"{reference} om te zien wat we vragen, of neem contact op met de servicedesk."
        )
    if status == Status.resolved:
        return (
            f"{about} is opgelost. Werkt het toch nog niet? Antwoord dan hier met \"nee\", "
            f"dan gaat je melding weer open."
        )
    return None
