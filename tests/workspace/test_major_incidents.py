"""Major incidents in the workspace: the prompt when tickets about one application pile up,
opening the incident with them, linking a ticket, and closing it for every linked ticket."""

from __future__ import annotations

import re

from sqlmodel import Session

from router.store import major_incidents, outages
from router.store import tickets as store
from tests.workspace.conftest import new_ticket, post_form, sign_in

BANNER = "3 meldingen over Key2Burgerzaken in 30 minuten</strong>: open een grote storing"


def _two_more(engine, org) -> list[str]:
    with Session(engine) as session:
        refs = [
            new_ticket(session, org, "VHN", "Key2Burgerzaken geeft foutmelding", triage=False),
            new_ticket(session, org, "DYK", "Key2Burgerzaken reageert niet", triage=False),
        ]
        session.commit()
    return refs


async def test_three_reports_in_half_an_hour_prompt_a_major_incident_that_staff_open(
    web, engine, org, tickets
):
    await sign_in(web, "sanne")
    assert "grote storing" not in await (await web.get("/staff/meldingen")).text()
    refs = [tickets.dyk_routed, *_two_more(engine, org)]
    html = await (await web.get("/staff/meldingen")).text()
    assert BANNER in html
    assert BANNER in await (await web.get(f"/staff/meldingen/{refs[1]}")).text()
    assert BANNER not in await (await web.get(f"/staff/meldingen/{tickets.dyk}")).text()
    # The banner's form carries the tickets; staff press its button.
    form = html[html.index('action="/staff/storingen/groot"') :]
    form = form[: form.index("</form>")]
    assert re.findall(r'name="ref" value="([^"]+)"', form) == refs
    resp = await post_form(
        web, "/staff/storingen/groot", {"ref": refs, "titel": "Storing Key2Burgerzaken"},
        page="/staff/meldingen",
    )  # fmt: skip
    assert resp.status == 303 and "ok=grote-storing" in resp.headers["Location"]
    assert BANNER not in await (await web.get("/staff/meldingen")).text()
    with Session(engine) as session:
        [outage] = outages.current_outages(session, application="Key2Burgerzaken")
        linked = major_incidents.linked_tickets(session, outage_id=outage.id)
    assert [t.reference for t in linked] == refs and outage.lead_reference == refs[0]
    page = await (await web.get("/staff/storingen")).text()
    assert "3 gekoppelde melding(en); naar de leverancier via hoofdmelding" in page
    # The other linked tickets go to Centric through the lead only.
    lead = await (await web.get(f"/staff/meldingen/{refs[0]}")).text()
    assert "Doorzetten naar Centric (TOPdesk)" in lead and "hoofdmelding: deze melding" in lead
    other = await (await web.get(f"/staff/meldingen/{refs[1]}")).text()
    assert "Doorzetten naar Centric" not in other
    assert f'gaat naar de leverancier via <a href="/staff/meldingen/{refs[0]}">' in other
    resp = await post_form(
        web, f"/staff/meldingen/{refs[1]}/doorzetten", {}, page="/staff/meldingen"
    )
    assert resp.status == 422 and f"via melding {refs[0]}" in await resp.text()
    # Closing it resolves every linked ticket, by the staff member, naming the outage.
    resp = await post_form(
        web, f"/staff/storingen/{outage.id}", {"sluiten": "1", "oplossing": "Patch geplaatst"},
        page="/staff/storingen",
    )  # fmt: skip
    assert resp.status == 303
    with Session(engine) as session:
        for reference in refs:
            ticket = store.get_ticket(session, reference)
            last = store.ticket_events(session, ticket)[-1]
            assert ticket.status == "resolved"
            assert (last.actor, last.new_value) == ("sanne", "resolved")
            assert "Storing Key2Burgerzaken" in last.note and "Patch geplaatst" in last.note
        assert store.get_ticket(session, tickets.dyk).status == "routed"


async def test_a_coordinator_gets_no_prompt_and_cannot_open_or_link(web, engine, org, tickets):
    refs = [tickets.dyk_routed, *_two_more(engine, org)]
    await sign_in(web, "dirk")
    assert "grote storing" not in await (await web.get("/staff/meldingen")).text()
    page = f"/staff/meldingen/{tickets.dyk_routed}"
    assert "/koppelen" not in await (await web.get(page)).text()
    resp = await post_form(web, "/staff/storingen/groot", {"ref": refs, "titel": "Plat"})
    assert resp.status == 403
    resp = await post_form(web, f"{page}/koppelen", {"storing": "1"})
    assert resp.status == 403


async def test_staff_link_a_ticket_to_an_open_outage_from_its_page(web, engine, tickets):
    with Session(engine, expire_on_commit=False) as session:
        outage = outages.open_outage(
            session, title="Printers Dijkstede", application="Printer", municipalities=["DYK"]
        )
        closed = outages.open_outage(session, title="Oud", application=None, municipalities=[])
        outages.update_outage(session, outage_id=closed.id, close=True)
        session.commit()
    await sign_in(web, "sanne")
    page = f"/staff/meldingen/{tickets.dyk}"
    html = await (await web.get(page)).text()
    assert "Koppelen aan storing" in html and "Printers Dijkstede (Printer)" in html
    resp = await post_form(web, f"{page}/koppelen", {"storing": str(outage.id)}, page=page)
    assert resp.status == 303 and "ok=gekoppeld" in resp.headers["Location"]
    html = await (await web.get(page)).text()
    assert "Gekoppeld aan storing" in html  # the audit trail
    assert "hoofdmelding: deze melding" in html
    resp = await post_form(web, f"{page}/koppelen", {"storing": str(closed.id)}, page=page)
    assert resp.status == 409 and "gesloten" in await resp.text()


async def test_a_ticket_page_proposes_reports_that_read_alike_and_links_them(
    web, engine, org, tickets
):
    with Session(engine) as session:
        alike = new_ticket(
            session, org, "VHN", "Key2Burgerzaken loopt vast bij opslaan", triage=False
        )
        third = new_ticket(session, org, "DYK", "Key2Burgerzaken blijft vastlopen", triage=False)
        session.commit()
    await sign_in(web, "sanne")
    page = f"/staff/meldingen/{tickets.dyk_routed}"  # "Key2Burgerzaken loopt vast"
    html = await (await web.get(page)).text()
    similar = html[html.index('data-testid="similar"') :]
    similar = similar[: similar.index("</section>")]
    assert alike in similar and third in similar
    assert tickets.dyk not in similar  # a printer in triage reads otherwise
    assert "Samen als grote storing openen" in similar
    resp = await post_form(
        web, "/staff/storingen/groot",
        {"ref": [tickets.dyk_routed, alike], "titel": "Storing Key2Burgerzaken"}, page=page,
    )  # fmt: skip
    assert resp.status == 303
    html = await (await web.get(page)).text()
    similar = html[html.index('data-testid="similar"') :]
    similar = similar[: similar.index("</section>")]
    assert alike not in similar and third in similar  # linked ones are no proposal any more
    assert "Koppelen aan Storing Key2Burgerzaken" in similar
    with Session(engine) as session:
        outage_id = store.get_ticket(session, alike).outage_id
    resp = await post_form(
        web, f"/staff/meldingen/{third}/koppelen", {"storing": str(outage_id), "terug": page},
        page=page,
    )  # fmt: skip
    assert resp.status == 303 and resp.headers["Location"].startswith(page)
    with Session(engine) as session:
        assert store.get_ticket(session, third).outage_id == outage_id
    await sign_in(web, "dirk")
    assert 'data-testid="similar"' not in await (await web.get(page)).text()
