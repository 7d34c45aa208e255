"""A small hand-built history around King's Day 2026 (Monday 27 April, a Dutch public
holiday), whose every figure in the report was worked out by hand in the tests.

Report week 2026-W18: Monday 27 April (King's Day) to Sunday 3 May. Amsterdam is UTC+2.
Business hours: Mon-Fri 08:00-17:00, holidays excluded.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from router.domain.vocabulary import RoutedHow, Status, TicketType
from router.report.history import History, insert_histories
from router.store.tables import BotResolution, SatisfactionScore

AMS = ZoneInfo("Europe/Amsterdam")


def at(day: int, hour: int, minute: int = 0, month: int = 4) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=AMS)


def may(day: int, hour: int, minute: int = 0) -> datetime:
    return at(day, hour, minute, month=5)


def histories() -> dict[str, History]:
    inc, how = TicketType.incident, RoutedHow
    h = {
        # created Fri 16:00, resolved Tue 10:00: business 1 + (Mon holiday) + 2 = 3 h,
        # calendar 90 h; forwarded Fri 16:30: 0.5 + 2 = 2.5 h after forwarding
        "T1": History("DYK", inc, "P3", "centric", how.catalogue, at(24, 16), "K2B storing",
                      application="Key2Burgerzaken")
        .status(at(24, 16, 30), Status.forwarded).status(at(28, 10), Status.resolved),
        # Tue 09:00 -> Wed 15:00 = 15 business h, of which waiting Tue 10:00-Wed 10:00 = 9 h
        "T2": History("VHN", inc, "P2", "werkplek", how.model, at(28, 9), "printer",
                      application="Printer")
        .status(at(28, 9, 30), Status.in_progress).status(at(28, 10), Status.waiting)
        .status(at(29, 10), Status.in_progress).status(at(29, 15), Status.resolved),
        # Wed 08:00 -> Thu 12:00 = 9 + 4 = 13 business h (P2 target 9: missed), calendar 28
        "T3": History("DYK", inc, "P2", "werkplek", how.model, at(29, 8), "laptop",
                      application="Laptop").status(at(30, 12), Status.resolved),
        # 1.5 h; filed by the servicedesk by phone, not the assistant
        "T4": History("PLW", TicketType.request, "P4", "servicedesk", how.catalogue, at(30, 9),
                      "nieuw account", application="Account", created_by="servicedesk")
        .status(at(30, 10, 30), Status.resolved),
        # Thu 13:00 -> Fri 09:00 = 4 + 1 = 5 business h (P1 target 4: missed), calendar 20;
        # forwarded 13:10, first reaction 14:00 (50 min), 4 h 50 min after forwarding
        "T5": History("HRD", inc, "P1", "pinkroccade", how.catalogue, at(30, 13), "ibz plat",
                      application="iBurgerzaken")
        .status(at(30, 13, 10), Status.forwarded).status(at(30, 14), Status.in_progress)
        .status(may(1, 9), Status.resolved),
        # triage 11:00 -> reassigned 14:00 (3 h in triage); Tue 11:00 -> Wed 11:00 = 9 h
        "T6": History("DYK", TicketType.question, "P4", "servicedesk", how.triage, at(28, 11),
                      "vraag", confidence=0.4)
        .reassign(at(28, 14), "werkplek").status(at(29, 11), Status.resolved),
        # routed by the model to netwerk, wrongly: reassigned; still open at the week's end
        "T7": History("VHN", inc, "P3", "netwerk", how.model, at(29, 10), "scherm zwart",
                      application="Laptop").reassign(at(29, 11), "werkplek"),
        # P1 due Fri 14:00, still open at the end: 3 business hours late (14:00-17:00)
        "T8": History("DYK", inc, "P1", "werkplek", how.model, may(1, 10), "niemand kan printen",
                      application="Printer").status(may(1, 10, 30), Status.in_progress),
        # data breach on King's Day 09:00, resolved Tue 12:00: within its 72 h; business 4 h
        "T9": History("PLW", TicketType.data_breach, "P2", "privacy", how.rule, at(27, 9),
                      "brief verkeerd verstuurd").status(at(28, 12), Status.resolved),
        # the week before: Mon 08:00 -> Tue 08:00 = 9 business h, calendar 24
        "T10": History("DYK", inc, "P3", "werkplek", how.model, at(20, 8), "outlook",
                       application="Microsoft 365").status(at(21, 8), Status.resolved),
        # resolved, reopened, resolved again: Tue 08:00 -> Wed 10:00 = 9 + 2 = 11 h, cal. 26
        "T11": History("HRD", inc, "P3", "pinkroccade", how.catalogue, at(28, 8), "ibz traag",
                       application="iBurgerzaken")
        .status(at(28, 12), Status.resolved).status(at(29, 9), Status.reopened)
        .status(at(29, 10), Status.resolved),
        # a callback request: the assistant handed the employee to a person; open
        "T12": History("DYK", TicketType.callback, "P4", "servicedesk", how.rule, at(30, 15),
                       "bel mij terug"),
    }  # fmt: skip
    return h


def load(session: Session, org) -> dict[str, int]:
    """Write the history; the ticket id of each name."""
    named = histories()
    ids = insert_histories(session, org, named.values(), reporter="test")
    by_name = dict(zip(named, ids, strict=True))
    for name, score in (("T1", 4), ("T3", 2), ("T2", 5)):
        session.add(SatisfactionScore(ticket_id=by_name[name], score=score, channel="telefoon",
                                      recorded_by="sanne", at=may(1, 12)))  # fmt: skip
    for municipality, helped in (("DYK", True), ("DYK", True), ("VHN", True), ("HRD", False)):
        session.add(BotResolution(at=at(29, 12), topic="wachtwoord", channel="rest",
                                  municipality=municipality, helped=helped))  # fmt: skip
    session.commit()
    return by_name
