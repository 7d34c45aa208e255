"""Regie in the workspace: SLA badges and counts in the queues and on the ticket page; a data
breach's 72-hour clock and the FG's decision form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from router.domain.route import Route
from router.domain.vocabulary import RoutedHow, TicketType
from router.store import tickets as store
from router.store.tables import OutboxMessage, TicketEvent
from router.worker.sla_job import check_sla
from tests.workspace.conftest import post_form, sign_in


def _breach(engine, org, municipality: str = "DYK") -> str:
    with Session(engine) as session:
        ticket = store.create_ticket(
            session,
            data=store.NewTicket(
                municipality=municipality,
                reporter=store.Reporter("rest", "emp-3", email="emp-3@dijkstede.nl"),
                type=TicketType.data_breach,
                title="Lijst met <b>adressen</b> gemaild",
                description="een lijst met adressen naar de verkeerde ontvanger gemaild",
                impact="medium",
                urgency="high",
            ),  # fmt: skip
            route=Route("privacy", RoutedHow.rule, 1.0),
            org=org,
            actor="assistant",
        )
        session.commit()
        return ticket.reference


async def test_breached_and_at_risk_tickets_are_badged_and_counted(web, engine, org, tickets):
    # Long after creation every clock of the three tickets has run out.
    assert check_sla(engine, org, datetime.now(UTC) + timedelta(days=30))["breached"] == 3
    await sign_in(web, "sanne")
    page = await (await web.get("/staff/meldingen")).text()
    assert page.count("SLA verlopen") == 4  # three rows and the count
    assert "3 SLA verlopen" in page
    filtered = await (await web.get("/staff/meldingen?sla=verlopen")).text()
    assert tickets.dyk_routed in filtered
    assert "Geen meldingen" in await (await web.get("/staff/meldingen?sla=dreigt")).text()
    ticket_page = await (await web.get(f"/staff/meldingen/{tickets.dyk_routed}")).text()
    assert 'data-testid="sla">' in ticket_page and "SLA verlopen" in ticket_page
    assert (
        "Oplostermijn overschreden" in ticket_page or "Reactietermijn overschreden" in ticket_page
    )
    triage = await (await web.get("/staff/triage")).text()
    assert "SLA verlopen" in triage
    exported = (await (await web.get("/staff/meldingen.csv?sla=verlopen")).text()).splitlines()
    header = exported[0].split(";")
    assert "sla_state" in header and "response_due_at" in header and len(exported) == 4
    assert all(row.split(";")[header.index("sla_state")] == "breached" for row in exported[1:])


async def test_a_coordinator_counts_only_their_municipality(web, engine, org, tickets):
    check_sla(engine, org, datetime.now(UTC) + timedelta(days=30))
    await sign_in(web, "dirk")  # Dijkstede: two of the three tickets
    page = await (await web.get("/staff/meldingen")).text()
    assert "2 SLA verlopen" in page and tickets.vhn not in page


async def test_a_waiting_ticket_shows_its_clock_paused(web, engine, org, tickets):
    await sign_in(web, "sanne")
    resp = await post_form(
        web, f"/staff/meldingen/{tickets.dyk_routed}/status", {"status": "waiting"}
    )
    assert resp.status == 303
    page = await (await web.get("/staff/meldingen")).text()
    assert "SLA gepauzeerd" in page
    resp = await post_form(
        web, f"/staff/meldingen/{tickets.dyk_routed}/status", {"status": "in_progress"}
    )
    assert resp.status == 303  # the clock restarts: the workspace passes the organisation


async def test_the_72_hour_clock_shows_until_the_ap_is_notified(web, engine, org):
    ref = _breach(engine, org)
    await sign_in(web, "sanne")
    listing = await (await web.get("/staff/meldingen")).text()
    assert "nog 71 uur om te melden bij de AP" in listing
    page_path = f"/staff/meldingen/{ref}"
    page = await (await web.get(page_path)).text()
    assert 'data-testid="ap-clock">nog 71 uur om te melden bij de AP' in page
    assert "Lijst met &lt;b&gt;adressen&lt;/b&gt; gemaild" in page  # escaped
    assert "Nog geen besluit" in page

    no_reason = await post_form(
        web, f"{page_path}/datalek-besluit", {"besluit": "report", "reden": " "}, page=page_path
    )
    assert no_reason.status == 422 and "Geef de reden" in await no_reason.text()
    resp = await post_form(
        web,
        f"{page_path}/datalek-besluit",
        {"besluit": "report", "reden": "adressen van burgers, risico"},
        page=page_path,
    )
    assert resp.status == 303 and resp.headers["Location"].endswith("ok=besluit")
    page = await (await web.get(page_path)).text()
    assert "Besluit: <strong>Melden bij de AP</strong>, vastgelegd door sanne" in page
    assert "nog 71 uur" in page  # still running until the AP is notified
    again = await post_form(
        web, f"{page_path}/datalek-besluit", {"besluit": "no_report", "reden": "x"}, page=page_path
    )
    assert again.status == 409

    resp = await post_form(
        web, f"{page_path}/datalek-ap", {"ap_referentie": "AP-2026-4711"}, page=page_path
    )
    assert resp.status == 303 and resp.headers["Location"].endswith("ok=ap-gemeld")
    page = await (await web.get(page_path)).text()
    assert "referentie <strong>AP-2026-4711</strong>" in page
    assert "om te melden bij de AP" not in page
    assert "om te melden bij de AP" not in await (await web.get("/staff/meldingen")).text()
    with Session(engine) as session:
        ticket = store.get_ticket(session, ref)
        notes = session.exec(
            select(TicketEvent.note)
            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "privacy")
            .order_by(col(TicketEvent.id))
        ).all()
        keys = session.exec(select(OutboxMessage.idempotency_key)).all()
    assert ticket.breach_decision == "report" and ticket.breach_decided_by == "sanne"
    assert notes[1:] == ["adressen van burgers, risico", "gemeld bij de AP"]
    assert keys == [f"{ref}/fg/notify"]


async def test_a_coordinator_decides_only_on_their_own_municipalitys_breach(web, engine, org):
    other = _breach(engine, org, "VHN")
    own = _breach(engine, org, "DYK")
    await sign_in(web, "dirk")  # Dijkstede
    form = {"besluit": "no_report", "reden": "versleuteld, geen risico"}
    resp = await post_form(web, f"/staff/meldingen/{other}/datalek-besluit", form)
    assert resp.status == 404
    resp = await post_form(web, f"/staff/meldingen/{own}/datalek-besluit", form)
    assert resp.status == 303
    page = await (await web.get(f"/staff/meldingen/{own}")).text()
    assert "Niet melden bij de AP" in page and "om te melden bij de AP" not in page
    with Session(engine) as session:
        assert store.get_ticket(session, other).breach_decision is None
