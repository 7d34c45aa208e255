"""Retention (AVG): how long a finished ticket keeps its personal data, and what replaces it.

A ticket closed or withdrawn longer ago than the retention period (LOKET_RETENTION_MONTHS,
24 by default) is anonymised by `loket worker` (router/store/retention.py).
"""

from __future__ import annotations

import calendar
from datetime import datetime

from router.domain.vocabulary import EventKind

# What the workspace, the API and the store show instead of an anonymised text or person.
PLACEHOLDER = "[geanonimiseerd]"
# Audit events whose old and new values are structured (a status, a destination, a reference,
# a time): kept. The values of any other kind (a comment's text) are replaced.
STRUCTURED_EVENT_KINDS = frozenset(EventKind) - {EventKind.comment}


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier; the last day of that month
    when it is shorter (31 March minus one month is 28 or 29 February)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)
