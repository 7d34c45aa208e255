"""Roles and scope: a coordinator of Dijkstede cannot reach a Veenhoven ticket by any route."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from router.domain.vocabulary import Role
from router.store import queues
from router.store import tickets as store
from router.store.outages import open_outage
from router.store.queues import QueueFilter, Scope
from router.store.tables import Comment, RouteCorrection, StaffAccount, TicketEvent
from router.workspace import operations
from tests.workspace.conftest import post_form, sign_in

DIJKSTEDE = Scope("dirk", Role.coordinator, "DYK")
SERVICEDESK = Scope("sanne", Role.servicedesk)
NOW = datetime(2100, 1, 1, tzinfo=UTC)


def _state(engine, reference: str) -> tuple:
    """Everything an action could change on a ticket."""
    with Session(engine) as session:
        ticket = store.get_ticket(session, reference)
        return (
            ticket.model_dump(),
            len(session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()),
            len(session.exec(select(Comment).where(Comment.ticket_id == ticket.id)).all()),
            len(
                session.exec(
                    select(RouteCorrection).where(RouteCorrection.ticket_id == ticket.id)
                ).all()
            ),
        )


# --- unit level: the scoped queries and actions, on both databases ---------------------


def test_scoped_queries_hide_other_municipalities(session, tickets):
    assert queues.ticket_in_scope(session, DIJKSTEDE, tickets.dyk).municipality == "DYK"
    with pytest.raises(store.TicketNotFound):
        queues.ticket_in_scope(session, DIJKSTEDE, tickets.vhn)
    assert queues.ticket_in_scope(session, SERVICEDESK, tickets.vhn).municipality == "VHN"

    everything = QueueFilter(status="alle")
    rows, total = queues.queue(session, DIJKSTEDE, everything, NOW)
    assert total == 2 and {t.municipality for t in rows} == {"DYK"}
    _, total = queues.queue(session, SERVICEDESK, everything, NOW)
    assert total == 3
    # asking for Veenhoven explicitly, or searching for its reference or its words
    for f in (
        QueueFilter(status="alle", municipality="VHN"),
        QueueFilter(status="alle", search=tickets.vhn),
        QueueFilter(status="alle", search="Veenhoven geheim"),
    ):
        rows, _ = queues.queue(session, DIJKSTEDE, f, NOW)
        assert tickets.vhn not in {t.reference for t in rows}
        assert tickets.vhn not in {t.reference for t in queues.export(session, DIJKSTEDE, f, NOW)}
    triage, total = queues.triage_queue(session, DIJKSTEDE)
    assert [t.reference for t in triage] == [tickets.dyk] and total == 1
    assert queues.tickets_in_scope(session, DIJKSTEDE, [tickets.vhn, tickets.dyk]) == [
        store.get_ticket(session, tickets.dyk)
    ]


def test_scoped_actions_refuse_other_municipalities(session, org, tickets):
    calls = [
        lambda: operations.accept_suggestion(
            session, scope=DIJKSTEDE, reference=tickets.vhn, destination="werkplek", org=org
        ),
        lambda: operations.reassign(
            session,
            scope=DIJKSTEDE,
            reference=tickets.vhn,
            destination="netwerk",
            reason="x",
            org=org,
        ),
        lambda: operations.set_status(
            session,
            scope=DIJKSTEDE,
            reference=tickets.vhn,
            status="in_progress",
            note=None,
            org=org,
        ),
        lambda: operations.mark_forwarded(
            session,
            scope=DIJKSTEDE,
            reference=tickets.vhn,
            supplier_reference="C-1",
            note=None,
            org=org,
        ),
        lambda: operations.comment(
            session, scope=DIJKSTEDE, reference=tickets.vhn, text="hoi", to_reporter=True
        ),
        lambda: operations.resolve(
            session, scope=DIJKSTEDE, reference=tickets.vhn, note="klaar", to_reporter=True
        ),
        lambda: operations.reopen(session, scope=DIJKSTEDE, reference=tickets.vhn, note="weer"),
    ]
    for call in calls:
        with pytest.raises(store.TicketNotFound):
            call()
    bulk = operations.bulk_reassign(
        session,
        scope=DIJKSTEDE,
        references=[tickets.vhn],
        destination="netwerk",
        reason="x",
        org=org,
    )
    assert bulk.done == [] and bulk.skipped == []
    assert operations.bulk_close(session, scope=DIJKSTEDE, references=[tickets.vhn]).done == []
    assert store.get_ticket(session, tickets.vhn).destination == "servicedesk"


def test_a_coordinator_needs_a_municipality():
    with pytest.raises(ValueError):
        Scope.of(StaffAccount(username="x", password_hash="-", role="coordinator"))
    assert (
        Scope.of(StaffAccount(username="a", password_hash="-", role="admin")).municipality is None
    )


def test_outages_a_coordinator_sees_are_those_that_hit_them(session):
    open_outage(session, title="Overal", application=None, municipalities=[])
    open_outage(session, title="Veenhoven", application="Youforce", municipalities=["VHN"])
    open_outage(session, title="Dijkstede", application="Youforce", municipalities=["DYK"])
    session.commit()
    seen = {o.title for o in queues.outages_in_scope(session, DIJKSTEDE)}
    assert seen == {"Overal", "Dijkstede"}
    assert len(queues.outages_in_scope(session, SERVICEDESK)) == 3


# --- over HTTP: every route a coordinator could try ------------------------------------


async def test_coordinator_cannot_read_list_search_or_export_another_municipality(web, tickets):
    await sign_in(web, "dirk")
    page = await web.get(f"/staff/meldingen/{tickets.vhn}")
    assert page.status == 404
    assert "Veenhoven geheim" not in await page.text()
    own = await web.get(f"/staff/meldingen/{tickets.dyk}")
    assert own.status == 200 and "Printer Dijkstede" in await own.text()
    for query in (
        "",
        "?status=alle",
        "?gemeente=VHN&status=alle",
        f"?q={tickets.vhn}&status=alle",
        "?q=Veenhoven&status=alle",
    ):
        listing = await web.get(f"/staff/meldingen{query}")
        assert listing.status == 200
        text = await listing.text()  # the search box may echo the reference; no row links it
        assert f'href="/staff/meldingen/{tickets.vhn}"' not in text
        assert "Veenhoven geheim" not in text
        export = await web.get(f"/staff/meldingen.csv{query}")
        assert export.status == 200 and tickets.vhn not in await export.text()
    assert tickets.dyk in await (await web.get("/staff/meldingen.csv?status=alle")).text()
    triage = await (await web.get("/staff/triage")).text()
    assert tickets.dyk in triage and tickets.vhn not in triage


async def test_coordinator_cannot_change_another_municipality(web, engine, tickets):
    await sign_in(web, "dirk")
    before = _state(engine, tickets.vhn)
    base = f"/staff/meldingen/{tickets.vhn}"
    for path, data in [
        (f"{base}/accepteren", {"bestemming": "werkplek"}),
        (f"{base}/doorsturen", {"bestemming": "netwerk", "reden": "test"}),
        (f"{base}/status", {"status": "in_progress"}),
        (f"{base}/leverancier", {"leveranciersreferentie": "C-1"}),
        (f"{base}/opmerking", {"tekst": "hallo", "aan_melder": "1"}),
        (f"{base}/oplossen", {"oplossing": "klaar"}),
        (f"{base}/heropenen", {"reden": "weer"}),
    ]:
        resp = await post_form(web, path, data)
        assert resp.status == 404, path
    for data in (
        {"actie": "doorsturen", "bestemming": "netwerk", "reden": "opruimen"},
        {"actie": "sluiten"},
    ):
        resp = await post_form(web, "/staff/meldingen/bulk", {**data, "ref": tickets.vhn})
        assert resp.status == 303 and "gedaan=0" in resp.headers["Location"]
    assert _state(engine, tickets.vhn) == before


async def test_unknown_and_malformed_references_are_404(web):
    await sign_in(web, "sanne")
    assert (await web.get("/staff/meldingen/M-2099-999999")).status == 404
    assert (await web.get("/staff/meldingen/not-a-reference")).status == 404


async def test_servicedesk_sees_every_municipality(web, tickets):
    await sign_in(web, "sanne")
    assert (await web.get(f"/staff/meldingen/{tickets.vhn}")).status == 200
    text = await (await web.get("/staff/meldingen?status=alle")).text()
    assert tickets.vhn in text and tickets.dyk in text


async def test_only_admins_manage_accounts(web, engine):
    await sign_in(web, "dirk")
    assert (await web.get("/staff/accounts")).status == 403
    new = {"gebruikersnaam": "mallory", "rol": "admin", "wachtwoord": "long enough password"}
    assert (await post_form(web, "/staff/accounts", new)).status == 403
    await sign_in(web, "sanne")
    assert (await post_form(web, "/staff/accounts", new)).status == 403
    await sign_in(web, "ada")
    assert (await web.get("/staff/accounts")).status == 200
    assert (await post_form(web, "/staff/accounts", new)).status == 303
    with Session(engine) as session:
        assert session.exec(select(StaffAccount).where(StaffAccount.username == "mallory")).one()


async def test_coordinators_only_read_outages(web):
    await sign_in(web, "dirk")
    form = {"titel": "Alles plat", "applicatie": "Youforce"}
    assert (await post_form(web, "/staff/storingen", form, page="/staff/storingen")).status == 403
    assert (await web.get("/staff/storingen")).status == 200
