"""The report counts business hours in each destination's calendar and measures a supplier's
tickets against its own contract."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from router.domain.route import Route
from router.domain.vocabulary import RoutedHow, Status, TicketType
from router.report.hours import calendars, destination_calendar, target_hours
from router.report.period import iso_week
from router.report.queries import build_report
from router.store import tickets as store

AMS = ZoneInfo("Europe/Amsterdam")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def _resolved(session, org, destination: str, created: datetime, resolved: datetime) -> None:
    ticket = store.create_ticket(
        session,
        data=store.NewTicket(
            municipality="PLW",
            reporter=store.Reporter("rest", f"emp-{destination}", email="jan@polderwaard.nl"),
            type=TicketType.incident,
            title="Vergunning blijft hangen",
            description="de vergunningaanvraag blijft hangen",
            impact="low",
            urgency="medium",
        ),  # fmt: skip
        route=Route(destination, RoutedHow.rule, 1.0),
        org=org,
        actor="assistant",
        now=created,
    )
    store.change_status(
        session, reference=ticket.reference, status=Status.resolved, actor="sanne", org=org,
        now=resolved,
    )  # fmt: skip


def test_the_calendars_of_the_sample_organisation(org):
    assert set(calendars(org)) == {"org", "roxit"}  # Roxit keeps its own business hours
    assert destination_calendar(org, "roxit") == "roxit"
    assert destination_calendar(org, "centric") == destination_calendar(org, "werkplek") == "org"
    assert target_hours(org, "centric", "P3") == 40 and target_hours(org, "werkplek", "P3") == 27


def test_supplier_hours_and_contract_targets_in_the_report(engine, org):
    with Session(engine) as session:
        # Roxit opens at 08:30: Tuesday 08:00-12:00 is 3.5 of its business hours (ours: 4).
        _resolved(session, org, "roxit", local(2026, 4, 28, 8, 0), local(2026, 4, 28, 12, 0))
        # 31 business hours: over our 27 h target, within Centric's contract of 40 h.
        _resolved(session, org, "centric", local(2026, 4, 28, 8, 0), local(2026, 5, 1, 12, 0))
        _resolved(session, org, "werkplek", local(2026, 4, 28, 8, 0), local(2026, 5, 1, 12, 0))
        session.commit()
    week = iso_week("2026-W18", org.sla.timezone)
    with Session(engine) as session:
        report = build_report(session, org, week, now=local(2026, 5, 4, 7, 0))
    times = report.table("doorlooptijd_bestemming")
    assert times.row("Roxit")["Mediaan werkuren"] == 3.5
    assert times.row("Centric")["Mediaan werkuren"] == 31.0
    sla = report.table("sla_bestemming")
    assert sla.row("Centric")["Binnen norm (%)"] == 100.0
    assert sla.row("Werkplekbeheer")["Binnen norm (%)"] == 0.0
