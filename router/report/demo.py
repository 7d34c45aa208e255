"""`loket demo seed`: a synthetic history for the sample organisation, so that a newcomer sees
a meaningful report at once. Clearly marked: every title starts with [DEMO], the reporters
are demo.medewerker@<municipality>, the actor is "demo", and a DemoSeed row tells every
report that the store holds made-up data.

Resolution times differ per supplier and priority (a lognormal around a base per priority,
times a factor per destination), some tickets wait for the reporter, some are reopened,
some routes are corrected by staff, and one major incident (an Outage) brings a burst of
P1/P2 tickets. Holidays in the span are honoured: nobody files tickets then, and clocks
stop.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from router.domain.org import Organisation
from router.domain.sla import _is_business_day, due_at
from router.domain.vocabulary import OutageStatus, RoutedHow, Status, TicketType
from router.report.history import History, insert_histories
from router.store.tables import BotResolution, DemoSeed, Outage, SatisfactionScore

ACTOR = "demo"
PREFIX = "[DEMO] "
BASE_HOURS = {"P1": 2.5, "P2": 6.0, "P3": 14.0, "P4": 22.0}  # median business hours
SPEED = {  # > 1: slower than the base; suppliers differ, as the quarterly meeting shows
    "centric": 1.5, "pinkroccade": 1.9, "visma-raet": 1.0, "decos": 1.2, "mintlab": 0.8,
    "xential": 0.9, "roxit": 1.6, "kpn": 2.2, "servicedesk": 0.4, "werkplek": 0.7,
    "netwerk": 0.8, "fb-burgerzaken": 0.9, "fb-sociaal": 1.0, "informatiebeveiliging": 0.5,
    "privacy": 0.6, "geo-bi": 1.1,
}  # fmt: skip
SIZE = {"DYK": 1.3, "VHN": 1.0, "PLW": 0.8, "HRD": 0.6}  # relative number of employees
TICKETS_PER_DAY = 28
SYMPTOMS = ["geeft een foutmelding", "is traag", "start niet", "loopt vast bij opslaan",
            "kan niet inloggen", "toont verkeerde gegevens"]  # fmt: skip


@dataclass(frozen=True)
class Seeded:
    tickets: int
    first_day: date
    last_day: date
    holidays: list[date]


def _business_moment(rng: random.Random, day: date, tz: ZoneInfo) -> datetime:
    minutes = int(rng.triangular(8 * 60, 17 * 60, 10 * 60))
    return datetime.combine(day, time(minutes // 60, minutes % 60), tz)


def _later(org: Organisation, start: datetime, hours: float) -> datetime:
    return due_at(start, max(hours, 0.05), org.sla)


class _Maker:
    def __init__(self, org: Organisation, rng: random.Random, now: datetime) -> None:
        self.org, self.rng, self.now = org, rng, now
        self.suppliers = {s.key for s in org.suppliers}

    def pick_type(self) -> TicketType:
        kinds = [
            TicketType.incident,
            TicketType.request,
            TicketType.question,
            TicketType.callback,
            TicketType.security_incident,
            TicketType.data_breach,
        ]
        return self.rng.choices(kinds, weights=[60, 20, 12, 5, 2, 1])[0]  # fmt: skip

    def ticket(self, municipality: str, created: datetime) -> History:
        rng, org = self.rng, self.org
        kind = self.pick_type()
        priority = rng.choices(["P1", "P2", "P3", "P4"], weights=[2, 14, 56, 28])[0]
        application, destination, how = None, "servicedesk", RoutedHow.rule
        if kind == TicketType.security_incident:
            destination, priority = org.routing.security_incident, rng.choice(["P1", "P2"])
        elif kind == TicketType.data_breach:
            destination, priority = org.routing.data_breach, "P2"
        elif kind == TicketType.callback:
            priority = "P4"
        else:
            apps = [a for a in org.applications if municipality in a.routes]
            app = rng.choice(apps)
            application, destination = app.name, app.routes[municipality]
            how = rng.choices([RoutedHow.catalogue, RoutedHow.model, RoutedHow.triage],
                              weights=[60, 27, 13])[0]  # fmt: skip
            if kind == TicketType.request:
                priority = "P4"
        title = f"{PREFIX}{application or kind.value} {rng.choice(SYMPTOMS)}"
        h = History(municipality, kind, priority, destination, how, created, title,
                    application=application, created_by=rng.choice(["assistant"] * 4 + [ACTOR]),
                    confidence=0.42 if how == RoutedHow.triage else 0.93)  # fmt: skip
        self.lifecycle(h)
        return h

    def lifecycle(self, h: History) -> None:
        rng, org = self.rng, self.org
        moment, final = h.created_at, h.destination
        if h.routed_how == RoutedHow.triage:
            moment = _later(org, moment, rng.uniform(0.2, 5))
            if rng.random() < 0.6:
                final = self._wrong_neighbour(h.destination)
                h.reassign(moment, final, ACTOR)
            else:
                h.review(moment, ACTOR)
        elif h.routed_how == RoutedHow.model and rng.random() < 0.08:
            wrong = h.destination
            h.destination = self._wrong_neighbour(wrong)  # the router's mistake...
            moment = _later(org, moment, rng.uniform(0.3, 3))
            h.reassign(moment, wrong, ACTOR)  # ...which the servicedesk corrected
        hours = BASE_HOURS[h.priority] * SPEED.get(final, 1.0) * rng.lognormvariate(0, 0.6)
        if final in self.suppliers:
            moment = _later(org, moment, rng.uniform(0.1, 1.0))
            h.status(moment, Status.forwarded, ACTOR)
        first = _later(org, moment, min(hours * 0.3, rng.uniform(0.2, 4)))
        h.status(first, Status.in_progress, ACTOR)
        end = _later(org, h.created_at, hours)
        if rng.random() < 0.15 and end > first:
            waited = rng.uniform(2, 16)
            h.status(_later(org, first, 0.1), Status.waiting, ACTOR)
            back = _later(org, first, 0.1 + waited)
            h.status(back, Status.in_progress, "reporter")
            end = _later(org, max(end, back), waited)
        if end <= max(first, moment) or end > self.now:
            return self._trim(h)
        h.status(end, Status.resolved, ACTOR)
        if rng.random() < 0.05:
            again = _later(org, end, rng.uniform(2, 12))
            h.status(again, Status.reopened, "reporter")
            end = _later(org, again, rng.uniform(1, 8))
            h.status(end, Status.resolved, ACTOR)
        closing = _later(org, end, 27)
        h.status(closing, Status.closed, ACTOR)
        self._trim(h)

    def _trim(self, h: History) -> None:
        """Only what has happened by now; at most one step per moment order kept."""
        h.steps = [s for s in h.steps if s.at <= self.now]

    def _wrong_neighbour(self, destination: str) -> str:
        teams = ["servicedesk", "werkplek", "netwerk", "fb-burgerzaken", "fb-sociaal"]
        return self.rng.choice([t for t in teams if t != destination])


def demo_histories(
    org: Organisation, *, weeks: int, until: date, now: datetime, seed: int = 16
) -> tuple[list[History], list[date], tuple[date, date, datetime, datetime]]:
    """The histories for `weeks` weeks ending on `until` (a Sunday), the holidays in the
    span, and the major incident's span (first day, last day, start, end)."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, reproducible by its seed
    tz = ZoneInfo(org.sla.timezone)
    first = until - timedelta(days=7 * weeks - 1)
    maker, histories, holidays = _Maker(org, rng, now), [], []
    day = first
    while day <= until:
        if not _is_business_day(day, org.sla):
            if day.weekday() < 5:
                holidays.append(day)
            day += timedelta(days=1)
            continue
        for municipality, size in SIZE.items():
            for _ in range(max(0, round(rng.gauss(TICKETS_PER_DAY * size / 3.7, 2)))):
                histories.append(maker.ticket(municipality, _business_moment(rng, day, tz)))
        day += timedelta(days=1)
    incident_day = first + timedelta(days=7 * (weeks // 2) + 1)  # a Tuesday mid-span
    while not _is_business_day(incident_day, org.sla):
        incident_day += timedelta(days=1)
    start = datetime.combine(incident_day, time(9, 10), tz)
    end = datetime.combine(incident_day, time(15, 30), tz)
    for i in range(16):
        municipality = "DYK" if i % 3 else "VHN"
        created = start + timedelta(minutes=8 + 19 * i)
        h = History(municipality, TicketType.incident, "P1" if i < 4 else "P2", "centric",
                    RoutedHow.catalogue, created, f"{PREFIX}Key2Burgerzaken onbereikbaar",
                    application="Key2Burgerzaken")  # fmt: skip
        h.status(created + timedelta(minutes=5), Status.forwarded, ACTOR)
        h.status(end + timedelta(minutes=10 + i), Status.resolved, ACTOR)
        histories.append(h)
    return histories, holidays, (incident_day, incident_day, start, end)


def seed_demo(
    session: Session, org: Organisation, *, weeks: int, now: datetime, until: date | None = None
) -> Seeded:
    """Fill the store with the demo history (the caller commits)."""
    tz = ZoneInfo(org.sla.timezone)
    today = now.astimezone(tz).date()
    last_sunday = today - timedelta(days=today.weekday() + 1)
    until = until or last_sunday
    histories, holidays, (_, _, start, end) = demo_histories(org, weeks=weeks, until=until, now=now)
    outage = Outage(
        application="Key2Burgerzaken", title=f"{PREFIX}Key2Burgerzaken onbereikbaar",
        description="Grote storing bij Centric (demodata).", municipalities=["DYK", "VHN"],
        status=OutageStatus.closed, started_at=start, updated_at=end, closed_at=end,
    )  # fmt: skip
    session.add(outage)
    session.flush()
    for h in histories:
        if h.title.endswith("onbereikbaar"):
            h.outage_id = outage.id
    ids = insert_histories(session, org, histories, reporter="demo.medewerker")
    rng = random.Random(1)  # noqa: S311 - made-up data, reproducible by its seed
    for ticket_id, h in zip(ids, histories, strict=True):
        resolved = [s.at for s in h.steps if s.value == Status.resolved]
        if resolved and rng.random() < 0.2:
            slow = (resolved[-1] - h.created_at).total_seconds() / 3600 > 48
            score = rng.choices(
                [1, 2, 3, 4, 5], weights=[3, 4, 6, 8, 4] if slow else [1, 1, 3, 9, 8]
            )[0]
            given = resolved[-1] + timedelta(hours=2)
            session.add(SatisfactionScore(ticket_id=ticket_id, score=score, channel="telefoon",
                                          recorded_by=ACTOR, at=given))  # fmt: skip
    first_day = until - timedelta(days=7 * weeks - 1)
    day = first_day
    while day <= until:
        if _is_business_day(day, org.sla):
            for _ in range(rng.randint(8, 18)):
                helped = rng.random() < 0.75
                moment = _business_moment(rng, day, tz)
                session.add(BotResolution(at=moment.astimezone(UTC), topic="demo",
                                          municipality=rng.choice(list(SIZE)), channel="rest",
                                          helped=helped))  # fmt: skip
        day += timedelta(days=1)
    session.add(
        DemoSeed(weeks=weeks, tickets=len(ids), first_ticket_id=ids[0] if ids else None,
                 last_ticket_id=ids[-1] if ids else None)
    )  # fmt: skip
    session.flush()
    return Seeded(len(ids), first_day, until, holidays)
