"""Known outages, and the questions the assistant answered on its own (store functions)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from router.domain.errors import NotFound
from router.domain.vocabulary import OutageStatus
from router.store.tables import BotResolution, Outage, utcnow


class OutageNotFound(NotFound):
    def __init__(self, outage_id: int) -> None:
        super().__init__(f"no outage {outage_id}")

    def dutch(self) -> str:
        return "Deze storing bestaat niet."


def open_outage(
    session: Session,
    *,
    title: str,
    application: str | None,
    municipalities: list[str],
    description: str = "",
) -> Outage:
    outage = Outage(
        title=title,
        application=application,
        municipalities=sorted(municipalities),
        description=description,
    )
    session.add(outage)
    session.flush()
    return outage


# Outage ids are 32-bit integers on PostgreSQL; a larger one cannot exist (and would make
# the database refuse the query instead of finding nothing).
MAX_ID = 2**31 - 1


def _find(session: Session, outage_id: int) -> Outage | None:
    return session.get(Outage, outage_id) if 0 < outage_id <= MAX_ID else None


def get_outage(session: Session, outage_id: int) -> Outage:
    outage = _find(session, outage_id)
    if outage is None:
        raise OutageNotFound(outage_id)
    return outage


def update_outage(
    session: Session, *, outage_id: int, description: str | None = None, close: bool = False
) -> Outage:
    outage = _find(session, outage_id)
    if outage is None:
        raise OutageNotFound(outage_id)
    now = utcnow()
    if description is not None:
        outage.description = description
    if close and outage.status != OutageStatus.closed:
        outage.status, outage.closed_at = OutageStatus.closed, now
    outage.updated_at = now
    session.add(outage)
    return outage


def current_outages(
    session: Session, *, application: str | None = None, municipality: str | None = None
) -> list[Outage]:
    """Open outages, for one application (or all) that hit the municipality (or any)."""
    query = select(Outage).where(Outage.status == OutageStatus.open)
    if application:
        query = query.where(col(Outage.application) == application)
    rows = session.exec(query.order_by(col(Outage.started_at).desc())).all()
    return [
        o
        for o in rows
        if not municipality or not o.municipalities or municipality in o.municipalities
    ]


def record_bot_resolution(
    session: Session, *, topic: str, channel: str, municipality: str | None, helped: bool
) -> BotResolution:
    resolution = BotResolution(
        topic=topic, channel=channel, municipality=municipality, helped=helped
    )
    session.add(resolution)
    return resolution
