"""The report's figures on the hand-built history of tests/report/history.py, each worked
out by hand (hours in business hours unless named calendar hours), on SQLite and PostgreSQL.

Net business hours of the tickets resolved in 2026-W18 (waiting for the reporter left out):
T1 3 (across the weekend and King's Day), T2 15 - 9 waiting = 6, T3 13, T4 1.5, T5 5, T6 9,
T9 4, T11 11. Calendar hours: T1 90, T2 30, T3 28, T4 1.5, T5 20, T6 24, T9 27, T11 26.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

from router.report.hours import business_seconds
from router.report.period import date_range, iso_week
from router.report.queries import build_report
from router.store.engine import make_engine
from router.store.migrate import upgrade
from tests.fixtures import POSTGRES_URL
from tests.report import history
from tests.report.conftest import NOW
from tests.report.history import at


def test_business_hours_skip_the_weekend_and_kings_day(org):
    # Friday 16:00 to Tuesday 10:00: Friday 1 h, Saturday, Sunday, King's Day (Monday) 0 h,
    # Tuesday 2 h
    assert business_seconds(at(24, 16), at(28, 10), org.sla) == 3 * 3600
    # Christmas 2026: Wednesday 23 December 16:00 to Monday 28 December 10:00: 1 + 9 (24th)
    # + 0 (25th, 26th: holidays; weekend) + 2
    christmas = datetime(2026, 12, 23, 15, 0, tzinfo=UTC), datetime(2026, 12, 28, 9, tzinfo=UTC)
    assert business_seconds(*christmas, org.sla) == 12 * 3600


def test_iso_week_is_monday_to_sunday_in_amsterdam(org):
    week = iso_week("2026-W18", org.sla.timezone)
    assert week.start == datetime(2026, 4, 26, 22, 0, tzinfo=UTC)  # Monday 00:00 CEST
    assert week.end == datetime(2026, 5, 3, 22, 0, tzinfo=UTC)
    assert week.back(1).week == "2026-W17"
    assert [p.week for p in week.trend()][:2] == ["2026-W11", "2026-W12"]


def test_volume_and_backlog(make_report):
    volume = make_report().table("volume")
    assert volume.row("Totaal") == {
        "Soort": "Totaal", "Aangemeld": 10, "Opgelost": 8, "Gesloten": 0, "Ingetrokken": 0,
        "Werkvoorraad einde": 3,  # T7, T8, T12
    }  # fmt: skip
    assert volume.row("Storing")["Aangemeld"] == 6
    assert volume.row("Storing")["Opgelost"] == 5  # T1, T2, T3, T5, T11 (resolved twice: once)
    assert volume.row("Datalek")["Opgelost"] == 1


def test_resolution_times_per_destination(make_report):
    werkplek = make_report().table("doorlooptijd_bestemming").row("Werkplekbeheer")
    # T2 6, T6 9, T3 13: median 9; p75 at 1.5 -> 9 + 0.5 x 4 = 11; p90 at 1.8 -> 12.2
    # calendar 24, 28, 30: 28, 29, 29.6; the week before T10: 9; eight weeks 6, 9, 9, 13: 9
    assert werkplek == {
        "Bestemming": "Werkplekbeheer", "Opgelost": 3,
        "Mediaan werkuren": 9.0, "P75 werkuren": 11.0, "P90 werkuren": 12.2,
        "Mediaan kalenderuren": 28.0, "P75 kalenderuren": 29.0, "P90 kalenderuren": 29.6,
        "Mediaan werkuren vorige periode": 9.0, "Mediaan werkuren 8 perioden": 9.0,
    }  # fmt: skip
    pink = make_report().table("doorlooptijd_bestemming").row("PinkRoccade Local Government")
    # T5 5 and T11 11 (its last resolution, counted from creation): 8, 9.5, 10.4
    assert [pink[k] for k in ("Mediaan werkuren", "P75 werkuren", "P90 werkuren")] == [
        8.0, 9.5, 10.4,
    ]  # fmt: skip
    # T1: one business... three business hours, but 90 calendar hours over the long weekend
    centric = make_report().table("doorlooptijd_bestemming").row("Centric")
    assert (centric["Mediaan werkuren"], centric["Mediaan kalenderuren"]) == (3.0, 90.0)


def test_resolution_times_per_municipality_and_priority(make_report):
    report = make_report()
    dyk = report.table("doorlooptijd_gemeente").row("Gemeente Dijkstede")
    # T1 3, T6 9, T3 13; calendar 24, 28, 90: p75 28 + 0.5 x 62 = 59, p90 28 + 0.8 x 62
    assert (dyk["Mediaan werkuren"], dyk["P90 werkuren"]) == (9.0, 12.2)
    assert (dyk["Mediaan kalenderuren"], dyk["P75 kalenderuren"], dyk["P90 kalenderuren"]) == (
        28.0, 59.0, 77.6,
    )  # fmt: skip
    p2 = report.table("doorlooptijd_prioriteit").row("P2")  # T9 4, T2 6, T3 13
    assert (p2["Opgelost"], p2["Mediaan werkuren"], p2["P75 werkuren"]) == (3, 6.0, 9.5)


def test_sla_shares(make_report):
    report = make_report()
    priority = report.table("sla_prioriteit")
    assert priority.row("P1")["Binnen norm (%)"] == 0.0  # T5: 5 h against 4
    assert priority.row("P2")["Binnen norm"] == 2  # T2 (6: waiting left out) and T9; not T3
    assert priority.row("P2")["Binnen norm (%)"] == 66.7
    assert priority.row("P3")["Binnen norm (%)"] == 100.0
    trend = report.table("trend")
    assert trend.row("2026-W18") == {
        "Periode": "2026-W18", "Aangemeld": 10, "Opgelost": 8,
        "Mediaan werkuren": 5.5,  # 1.5 3 4 5 | 6 9 11 13
        "P90 werkuren": 11.6, "Binnen norm (%)": 75.0,  # 6 of 8
    }  # fmt: skip
    assert trend.row("2026-W17")["Opgelost"] == 1 and len(trend.rows) == 8
    per_supplier = report.table("sla_bestemming").row("PinkRoccade Local Government")
    assert (per_supplier["Soort"], per_supplier["Binnen norm (%)"]) == ("leverancier", 50.0)


def test_breaches_open_and_data_breaches(make_report, seeded):
    report = make_report()
    late = report.table("sla_open_te_laat").as_dicts()
    assert [(r["Prioriteit"], r["Deadline"], r["Te laat (werkuren)"]) for r in late] == [
        ("P1", "01-05-2026 14:00", 3.0)  # T8: due Friday 14:00, open at the week's end
    ]
    breach = report.table("datalekken").as_dicts()
    assert [(b["Gemeld"], b["Deadline AP"], b["Binnen 72 uur"]) for b in breach] == [
        ("27-04-2026 09:00", "30-04-2026 09:00", "ja")
    ]


def test_routing_quality(make_report):
    report = make_report()
    summary = {r["Kengetal"]: r["Waarde"] for r in report.table("routering").as_dicts()}
    assert summary["Automatisch gerouteerd (%)"] == 90.0  # all but T6
    assert summary["Naar triage"] == 1
    assert summary["Mediaan tijd in triage (kalenderuren)"] == 3.0  # T6: 11:00 -> 14:00
    errs = report.table("routering_bestemming")
    assert errs.row("Netwerk & Infra") == {  # T7: the model said netwerk; staff moved it
        "Bestemming volgens de router": "Netwerk & Infra", "Automatisch gerouteerd": 1,
        "Later omgeleid": 1, "Omgeleid (%)": 100.0,
    }  # fmt: skip
    assert errs.row("Werkplekbeheer")["Later omgeleid"] == 0


def test_bot_figures_and_what_the_store_cannot_know(make_report):
    bot = {r["Kengetal"]: r["Waarde"] for r in make_report().table("assistent").as_dicts()}
    assert bot["Vragen beantwoord zonder melding (antwoord hielp)"] == 3
    assert bot["Meldingen via de assistent"] == 9  # all tickets of the week but T4 (phone)
    assert bot["Overdrachten aan een mens (terugbelverzoeken)"] == 1
    assert bot["Containment (%): geholpen / (geholpen + meldingen via de assistent)"] == 25.0
    assert bot["Gesprekken"] == "onbekend"


def test_regie_per_supplier(make_report):
    regie = make_report().table("regie")
    assert regie.row("PinkRoccade Local Government") == {
        "Leverancier": "PinkRoccade Local Government",
        "Doorgezet": 1,  # T5
        "Mediaan tot eerste reactie (werkuren)": 0.8,  # 50 minutes
        "Opgelost": 2,
        "Mediaan na doorzetten (werkuren)": 4.8,  # T5: 3 h 50 + 1 h
        "Mediaan doorlooptijd (werkuren)": 8.0,
        "Binnen norm (%)": 50.0,
        "Heropend": 1, "Heropend (%)": 50.0,  # T11
    }  # fmt: skip
    # T1 was forwarded the week before: no forward this week, but resolved 2.5 h after it
    centric = regie.row("Centric")
    assert (centric["Doorgezet"], centric["Mediaan na doorzetten (werkuren)"]) == (0, 2.5)


def test_satisfaction_portfolio_and_cost_split(make_report):
    report = make_report()
    assert (
        report.table("tevredenheid_bestemming").row("Werkplekbeheer")["Gemiddelde (1-5)"] == 3.5
    )  # T3 2, T2 5
    assert (
        report.table("tevredenheid_gemeente").row("Gemeente Dijkstede")["Tevreden, 4-5 (%)"] == 50.0
    )  # T1 4, T3 2
    laptop = report.table("portfolio").row("Laptop")
    assert (laptop["Gemeente Dijkstede"], laptop["Gemeente Veenhoven"], laptop["Totaal"]) == (
        1, 1, 2,
    )  # fmt: skip
    assert report.table("aanvragen").row("Account")["Gemeente Polderwaard"] == 1
    # units = priority weight x (1 + 0.25 x net business hours):
    # DYK T1 1 x 1.75 + T3 2 x 4.25 + T6 0.5 x 3.25 = 11.875; VHN T2 2 x 2.5 = 5;
    # PLW T4 0.5 x 1.375 + T9 2 x 2 = 4.6875; HRD T5 4 x 2.25 + T11 1 x 3.75 = 12.75;
    # total 34.3125
    cost = {r["Gemeente"]: (r["Werkeenheden"], r["Aandeel (%)"])
            for r in report.table("kostenverdeling").as_dicts()}  # fmt: skip
    assert cost == {
        "Gemeente Dijkstede": (11.88, 34.6), "Gemeente Veenhoven": (5.0, 14.6),
        "Gemeente Polderwaard": (4.69, 13.7), "Gemeente Heuvelrade": (12.75, 37.2),
    }  # fmt: skip


def test_a_municipality_version_holds_only_its_figures(make_report):
    dyk = make_report("DYK")
    assert dyk.table("volume").row("Totaal")["Opgelost"] == 3  # T1, T3, T6
    assert [r[0] for r in dyk.table("doorlooptijd_gemeente").rows] == ["Gemeente Dijkstede"]
    assert dyk.table("portfolio").columns == ["Applicatie", "Gemeente Dijkstede", "Totaal"]
    # its share of the whole collaboration's work, and no other municipality's row
    assert dyk.table("kostenverdeling").as_dicts() == [
        {"Gemeente": "Gemeente Dijkstede", "Opgeloste meldingen": 3, "Werkeenheden": 11.88,
         "Aandeel (%)": 34.6}
    ]  # fmt: skip
    assert [r[1] for r in dyk.table("sla_open_te_laat").rows] == ["DYK"]
    assert dyk.table("datalekken").rows == []  # the breach was Polderwaard's
    bot = {r["Kengetal"]: r["Waarde"] for r in dyk.table("assistent").as_dicts()}
    assert bot["Vragen beantwoord zonder melding (antwoord hielp)"] == 2


def test_a_date_range_report(engine, org, seeded):
    period = date_range(
        datetime(2026, 4, 28).date(), datetime(2026, 4, 28).date(), org.sla.timezone
    )
    with Session(engine) as session:
        report = build_report(session, org, period, now=NOW)
    # resolved on Tuesday 28 April: T1 and T9 (T11's first resolution was undone later that
    # week, but on that day it was resolved, so it counts)
    assert report.table("volume").row("Totaal")["Opgelost"] == 3
    assert report.period.label == "28-04-2026 t/m 28-04-2026"


def _report_on(url: str, org, municipality=None):
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            history.load(session, org)
        with Session(engine) as session:
            week = iso_week("2026-W18", org.sla.timezone)
            return build_report(session, org, week, municipality=municipality, now=NOW)
    finally:
        engine.dispose()


@pytest.mark.parametrize("municipality", [None, "HRD"])
def test_sqlite_and_postgresql_give_identical_figures(org, tmp_path, municipality):
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        on_postgres = _report_on(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}", org,
                                 municipality)  # fmt: skip
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    on_sqlite = _report_on(f"sqlite:///{tmp_path / 'loket.db'}", org, municipality)
    assert len(on_sqlite.tables) == len(on_postgres.tables) == 19
    for mine, theirs in zip(on_sqlite.tables, on_postgres.tables, strict=True):
        assert (mine.key, mine.columns, mine.rows) == (theirs.key, theirs.columns, theirs.rows)
    assert on_sqlite.headline == on_postgres.headline
