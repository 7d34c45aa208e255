"""Why a staff member opened a ticket's contents: the words of the access log (issue 17).

The reason is derived from where the view came from, never typed, except for an export of
personal data: there the staff member types it (a decision of the project).
"""

from __future__ import annotations

from enum import StrEnum

from router.domain.errors import InvalidInput


class AccessWhy(StrEnum):
    queue = "queue"  # from a queue: the triage queue or the ticket list without a search
    search = "search"  # from the ticket list's search results
    link = "link"  # a link from elsewhere, a bookmark, a typed address, a reload
    export = "export"  # an export of an employee's personal data (with a typed reason)


# What a link in the workspace may say in its `?via=` parameter; anything else is a link.
VIA_VALUES = frozenset({AccessWhy.queue, AccessWhy.search})

WHY_LABELS = {
    AccessWhy.queue: "wachtrij",
    AccessWhy.search: "zoekresultaat",
    AccessWhy.link: "link",
    AccessWhy.export: "export persoonsgegevens",
}

REASON_LIMIT = 500  # characters of a typed reason


def why_of_via(value: str | None) -> AccessWhy:
    """The reason a link's `via` parameter gives: only the fixed values count."""
    return AccessWhy(value) if value in VIA_VALUES else AccessWhy.link


def required_reason(given: str | None) -> str:
    """The typed reason of an export, trimmed; none (or only spaces) is refused."""
    reason = (given or "").strip()[:REASON_LIMIT]
    if not reason:
        raise ReasonRequired()
    return reason


class ReasonRequired(InvalidInput):
    """An export of personal data without a typed reason."""

    def __init__(self) -> None:
        super().__init__("an export of personal data needs a reason")

    def dutch(self) -> str:
        return "Geef een reden op voor de export van persoonsgegevens; die komt in het toegangslog."
