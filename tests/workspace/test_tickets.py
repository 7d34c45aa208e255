"""Triage, ticket page and the actions on tickets, through the workspace's forms."""

from __future__ import annotations

from sqlmodel import Session, col, select

from router.domain.route import Route
from router.domain.vocabulary import RoutedHow, TicketType
from router.store import self_service
from router.store import tickets as store
from router.store.outages import current_outages
from router.store.tables import RouteCorrection, Ticket
from tests.workspace.conftest import new_ticket, post_form, sign_in


def _ticket(engine, reference: str) -> Ticket:
    with Session(engine) as session:
        return store.get_ticket(session, reference)


def _corrections(engine, reference: str) -> list[RouteCorrection]:
    with Session(engine) as session:
        ticket = store.get_ticket(session, reference)
        return list(
            session.exec(
                select(RouteCorrection)
                .where(RouteCorrection.ticket_id == ticket.id)
                .order_by(col(RouteCorrection.id))
            ).all()
        )


async def test_triage_shows_suggestions_and_why(web, tickets):
    await sign_in(web, "sanne")
    text = await (await web.get("/staff/triage")).text()
    assert tickets.dyk in text and tickets.vhn in text and tickets.dyk_routed not in text
    assert "Werkplekbeheer" in text and "41%" in text
    assert "Waarom deze route?" in text and "wijst op werkplek" in text


async def test_one_click_accepts_a_suggestion_as_a_correction(web, engine, tickets):
    await sign_in(web, "sanne")
    resp = await post_form(
        web,
        f"/staff/meldingen/{tickets.dyk}/accepteren",
        {"bestemming": "werkplek", "terug": "/staff/triage"},
    )
    assert resp.status == 303 and resp.headers["Location"] == "/staff/triage?ok=overgenomen"
    ticket = _ticket(engine, tickets.dyk)
    assert ticket.destination == "werkplek" and not ticket.needs_review
    (correction,) = _corrections(engine, tickets.dyk)
    assert (correction.from_destination, correction.to_destination) == ("servicedesk", "werkplek")
    assert correction.actor == "sanne" and correction.reason
    assert tickets.dyk not in await (await web.get("/staff/triage")).text()


async def test_accepting_the_current_destination_confirms_without_a_correction(
    web, engine, tickets
):
    await sign_in(web, "sanne")
    resp = await post_form(
        web, f"/staff/meldingen/{tickets.dyk}/accepteren", {"bestemming": "servicedesk"}
    )
    assert resp.status == 303 and resp.headers["Location"].endswith("ok=bevestigd")
    assert not _ticket(engine, tickets.dyk).needs_review and _corrections(engine, tickets.dyk) == []
    page = await (await web.get(f"/staff/meldingen/{tickets.dyk}")).text()
    assert "Route bevestigd" in page


async def test_only_suggestions_are_accepted_with_one_click(web, engine, tickets):
    await sign_in(web, "sanne")
    resp = await post_form(web, f"/staff/meldingen/{tickets.dyk}/accepteren", {"bestemming": "kpn"})
    assert resp.status == 422
    assert _ticket(engine, tickets.dyk).destination == "servicedesk"


async def test_another_destination_needs_a_reason(web, engine, tickets):
    await sign_in(web, "sanne")
    path = f"/staff/meldingen/{tickets.dyk}/doorsturen"
    resp = await post_form(web, path, {"bestemming": "kpn", "reden": "  "})
    assert resp.status == 422 and "korte reden" in await resp.text()
    resp = await post_form(web, path, {"bestemming": "bestaat-niet", "reden": "x"})
    assert resp.status == 422
    resp = await post_form(web, path, {"bestemming": "kpn", "reden": "Gaat over telefonie"})
    assert resp.status == 303
    (correction,) = _corrections(engine, tickets.dyk)
    assert correction.to_destination == "kpn" and correction.reason == "Gaat over telefonie"
    page = await (await web.get(f"/staff/meldingen/{tickets.dyk}")).text()
    assert "Doorgestuurd (correctie)" in page and "Gaat over telefonie" in page


async def test_status_forward_comment_resolve_reopen(web, engine, tickets):
    await sign_in(web, "sanne")
    base = f"/staff/meldingen/{tickets.dyk_routed}"
    assert (await post_form(web, f"{base}/status", {"status": "in_progress"})).status == 303
    assert (await post_form(web, f"{base}/status", {"status": "closed"})).status == 409
    assert (await post_form(web, f"{base}/status", {"status": "resolved"})).status == 422
    resp = await post_form(web, f"{base}/leverancier", {"leveranciersreferentie": "CEN-4711"})
    assert resp.status == 303
    ticket = _ticket(engine, tickets.dyk_routed)
    assert ticket.status == "forwarded" and ticket.supplier_reference == "CEN-4711"
    await post_form(web, f"{base}/opmerking", {"tekst": "Intern: bellen met Centric"})
    await post_form(web, f"{base}/opmerking", {"tekst": "We kijken ernaar", "aan_melder": "1"})
    assert (await post_form(web, f"{base}/oplossen", {"oplossing": ""})).status == 422
    resp = await post_form(
        web, f"{base}/oplossen", {"oplossing": "Patch geïnstalleerd", "aan_melder": "1"}
    )
    assert resp.status == 303 and _ticket(engine, tickets.dyk_routed).status == "resolved"
    with Session(engine) as session:
        ticket = store.get_ticket(session, tickets.dyk_routed)
        to_reporter = [c.text for c in self_service.comments_to_reporter(session, ticket)]
    assert to_reporter == ["We kijken ernaar", "Opgelost: Patch geïnstalleerd"]
    assert (await post_form(web, f"{base}/heropenen", {"reden": "Toch niet"})).status == 303
    assert _ticket(engine, tickets.dyk_routed).status == "reopened"
    page = await (await web.get(base)).text()
    for shown in (
        "CEN-4711",
        "Intern: bellen met Centric",
        "Patch geïnstalleerd",
        "Toch niet",
        "Heropend",
        "Doorgezet naar leverancier",
        "assistent: ik maak een melding",
    ):
        assert shown in page, shown


async def test_bulk_reassign_and_close(web, engine, tickets):
    await sign_in(web, "sanne")
    refs = [tickets.dyk, tickets.vhn, tickets.dyk_routed]
    resp = await post_form(
        web,
        "/staff/meldingen/bulk",
        {"actie": "doorsturen", "bestemming": "werkplek", "reden": "opschonen", "ref": refs},
    )
    assert resp.status == 303 and "gedaan=3" in resp.headers["Location"]
    assert {_ticket(engine, r).destination for r in refs} == {"werkplek"}
    await post_form(web, f"/staff/meldingen/{tickets.dyk}/oplossen", {"oplossing": "klaar"})
    resp = await post_form(web, "/staff/meldingen/bulk", {"actie": "sluiten", "ref": refs})
    assert "gedaan=1&overgeslagen=2" in resp.headers["Location"]
    assert _ticket(engine, tickets.dyk).status == "closed"
    resp = await post_form(web, "/staff/meldingen/bulk", {"actie": "doorsturen", "ref": refs})
    assert resp.status == 422


async def test_queue_filters_sorts_and_pages(web, engine, org, tickets):
    with Session(engine) as session:
        for i in range(60):
            new_ticket(session, org, "PLW", f"Polderwaard vraag {i:02d}", triage=False)
        session.commit()
    await sign_in(web, "sanne")
    first = await (await web.get("/staff/meldingen?gemeente=PLW")).text()
    assert "Pagina 1 van 2" in first and "Polderwaard vraag 59" in first
    second = await (await web.get("/staff/meldingen?gemeente=PLW&pagina=2")).text()
    assert "Polderwaard vraag 00" in second and "Polderwaard vraag 59" not in second
    oldest = await (await web.get("/staff/meldingen?sorteer=leeftijd&richting=op")).text()
    oldest = oldest[oldest.index("<tbody>") :]  # the rows (a major-incident prompt names refs)
    assert oldest.index(tickets.dyk) < oldest.index(tickets.dyk_routed)
    found = await (await web.get("/staff/meldingen?q=vraag 07")).text()
    assert "Polderwaard vraag 07" in found and "Polderwaard vraag 08" not in found
    by_dest = await (await web.get("/staff/meldingen?bestemming=centric&gemeente=DYK")).text()
    assert tickets.dyk_routed in by_dest and tickets.dyk not in by_dest
    assert "Polderwaard vraag" not in await (await web.get("/staff/meldingen?ouder_dan=30")).text()
    weird = await web.get("/staff/meldingen?sorteer=drop&pagina=x&status=<script>&q=%25_")
    assert weird.status == 200


async def test_csv_export_neutralises_formulas(web, engine, org):
    with Session(engine) as session:
        new_ticket(session, org, "HRD", '=HYPERLINK("http://x")', triage=False)
        session.commit()
    await sign_in(web, "sanne")
    body = await (await web.get("/staff/meldingen.csv")).text()
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body


async def test_script_in_ticket_text_is_shown_as_text(web, engine, org):
    attack = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
    with Session(engine) as session:
        reference = new_ticket(session, org, "DYK", attack, triage=True)
        session.commit()
    await sign_in(web, "sanne")
    for path in (f"/staff/meldingen/{reference}", "/staff/triage", "/staff/meldingen"):
        html = await (await web.get(path)).text()
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(" in html, path


async def test_outages_open_update_close_and_link_new_tickets(web, engine, org):
    await sign_in(web, "sanne")
    page = "/staff/storingen"
    form = {
        "titel": "Youforce niet bereikbaar",
        "applicatie": "Youforce",
        "gemeente": ["DYK", "VHN"],
        "beschrijving": "Visma onderzoekt het",
    }
    assert (await post_form(web, page, form, page=page)).status == 303
    text = await (await web.get(page)).text()
    assert "Youforce niet bereikbaar" in text and "Gemeente Veenhoven" in text
    with Session(engine, expire_on_commit=False) as session:
        (outage,) = current_outages(session)
        ticket = store.create_ticket(
            session,
            data=store.NewTicket(
                municipality="DYK",
                reporter=store.Reporter("rest", "u-yf", email="an@dijkstede.nl"),
                type=TicketType.incident,
                title="Youforce",
                description="Youforce laadt niet",
                impact="low",
                urgency="low",
                application="Youforce",
            ),
            route=Route("visma-raet", RoutedHow.catalogue, 1.0),
            org=org,
            actor="assistant",
        )
        session.commit()
    assert ticket.outage_id == outage.id
    ticket_page = await (await web.get(f"/staff/meldingen/{ticket.reference}")).text()
    assert "Youforce niet bereikbaar" in ticket_page
    update = {"beschrijving": "Opgelost door Visma", "sluiten": "1"}
    assert (await post_form(web, f"{page}/{outage.id}", update, page=page)).status == 303
    with Session(engine) as session:
        assert current_outages(session) == []
    assert "Opgelost door Visma" in await (await web.get(page)).text()
    assert (await post_form(web, f"{page}/999999", update, page=page)).status == 404


async def test_ticket_page_speaks_dutch_about_type_and_route(web, engine, org):
    with Session(engine) as session:
        routed = new_ticket(session, org, "DYK", "K2B hangt bij opslaan", triage=False)
        in_triage = new_ticket(session, org, "DYK", "iets met de printer", triage=True)
        session.commit()
    await sign_in(web, "sanne")
    html = await (await web.get(f"/staff/meldingen/{routed}")).text()
    assert "<dd>Storing</dd>" in html and "applicatiecatalogus (100%)" in html
    assert "via applicatiecatalogus, zekerheid 100%" in html  # the audit trail too
    assert "(impact middel, urgentie middel)" in html
    assert ">incident<" not in html and "catalogue" not in html
    html = await (await web.get(f"/staff/meldingen/{in_triage}")).text()
    assert "triage (te beoordelen)" in html
