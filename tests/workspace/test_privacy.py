"""The access log and the employee data export in the workspace (issue 17): opening a ticket
is logged with why (queue, search, link), only admins read the log, and an export of one
employee's data holds their tickets only, escaped, with a required reason that is logged."""

from __future__ import annotations

import io
import json
import re
import zipfile

from sqlmodel import Session, col, select

from router.domain.route import Route
from router.domain.vocabulary import RoutedHow, TicketType
from router.store import tickets as store
from router.store.tables import TicketAccess
from tests.workspace.conftest import csrf_token, post_form, sign_in

LOG = "/staff/toegangslog"


def _entries(engine) -> list[TicketAccess]:
    with Session(engine) as session:
        return list(session.exec(select(TicketAccess).order_by(col(TicketAccess.id))).all())


def _ticket_of(session, org, email: str, title: str, municipality: str = "DYK") -> str:
    """A ticket reported by the employee with this address, with a conversation."""
    ticket = store.create_ticket(
        session,
        data=store.NewTicket(
            municipality=municipality,
            reporter=store.Reporter("rest", f"s-{email}", email=email),
            type=TicketType.incident,
            title=title,
            description=f"{title}: sinds vanochtend, BSN 123456782",
            impact="medium",
            urgency="medium",
            conversation="medewerker: het werkt niet\nassistent: ik maak een melding",
        ),
        route=Route("servicedesk", RoutedHow.triage, 0.4, needs_review=True),
        org=org,
        actor="assistant",
    )
    return ticket.reference


def _links_to(html: str, reference: str) -> list[str]:
    return re.findall(rf'href="(/staff/meldingen/{reference}[^"]*)"', html)


# --- the access log -----------------------------------------------------------------------


async def test_a_ticket_opened_from_the_triage_queue_is_logged_as_queue(web, engine, tickets):
    await sign_in(web, "sanne")
    (link,) = _links_to(await (await web.get("/staff/triage")).text(), tickets.dyk)
    assert link.endswith("?via=queue")
    assert (await web.get(link)).status == 200
    (entry,) = _entries(engine)
    assert (entry.staff, entry.reference, entry.why, entry.reason) == (
        "sanne", tickets.dyk, "queue", None
    )


async def test_from_the_list_it_is_queue_and_from_search_results_search(web, engine, tickets):
    await sign_in(web, "sanne")
    (listed,) = _links_to(await (await web.get("/staff/meldingen")).text(), tickets.dyk_routed)
    (found,) = _links_to(
        await (await web.get("/staff/meldingen?q=Key2Burgerzaken")).text(), tickets.dyk_routed
    )
    await web.get(listed)
    await web.get(found)
    assert [e.why for e in _entries(engine)] == ["queue", "search"]


async def test_any_other_way_in_is_a_link(web, engine, tickets):
    await sign_in(web, "sanne")
    for via in ("", "?via=export", "?via=<script>", "?via=queue&via=search"):
        assert (await web.get(f"/staff/meldingen/{tickets.dyk}{via}")).status == 200
    whys = [e.why for e in _entries(engine)]
    assert whys[:3] == ["link", "link", "link"]
    assert whys[3] == "queue"  # the first value counts, and it is one of the fixed list


async def test_after_an_action_the_page_keeps_why_it_was_opened(web, engine, tickets):
    await sign_in(web, "sanne")
    page = f"/staff/meldingen/{tickets.dyk}?via=queue"
    await web.get(page)
    resp = await post_form(
        web, f"/staff/meldingen/{tickets.dyk}/opmerking",
        {"tekst": "Gezien", "terug": page}, page=page,
    )  # fmt: skip
    assert resp.headers["Location"] == f"{page}&ok=opmerking"
    html = await (await web.get(resp.headers["Location"])).text()
    assert f'name="terug" value="/staff/meldingen/{tickets.dyk}?via=queue"' in html
    assert {e.why for e in _entries(engine)} == {"queue"}


async def test_a_refused_ticket_is_not_logged(web, engine, tickets):
    await sign_in(web, "dirk")  # coordinator of Dijkstede
    assert (await web.get(f"/staff/meldingen/{tickets.vhn}?via=queue")).status == 404
    assert _entries(engine) == []


async def test_the_satisfaction_page_is_logged_too(web, engine, tickets):
    await sign_in(web, "sanne")
    assert (await web.get(f"/staff/meldingen/{tickets.dyk}/tevredenheid")).status == 200
    assert [(e.reference, e.why) for e in _entries(engine)] == [(tickets.dyk, "link")]


async def test_the_admin_reads_the_log_without_any_ticket_text(web, engine, tickets):
    await sign_in(web, "sanne")
    await web.get(f"/staff/meldingen/{tickets.dyk}?via=queue")
    await web.get(f"/staff/meldingen/{tickets.vhn}?via=search")
    await sign_in(web, "ada")
    html = await (await web.get(LOG)).text()
    assert tickets.dyk in html and tickets.vhn in html and "sanne" in html
    assert "wachtrij" in html and "zoekresultaat" in html
    for text in ("Printer Dijkstede", "Printer Veenhoven", "het lukt niet", "assistent:"):
        assert text not in html


async def test_the_log_filters_by_ticket_and_by_staff_member(web, engine, tickets):
    for username, reference in (("sanne", tickets.dyk), ("ada", tickets.vhn)):
        await sign_in(web, username)
        await web.get(f"/staff/meldingen/{reference}")
    await sign_in(web, "ada")
    table = re.compile(r'<table class="tickets" data-testid="access-log">.*?</table>', re.S)

    async def shown(query: str) -> str:
        return table.search(await (await web.get(LOG + query)).text()).group(0)

    by_ticket = await shown(f"?melding={tickets.dyk.lower()}")
    assert tickets.dyk in by_ticket and tickets.vhn not in by_ticket
    by_staff = await shown("?medewerker=ADA")
    assert tickets.vhn in by_staff and tickets.dyk not in by_staff
    assert "Geen vermeldingen met deze filters" in await shown("?medewerker=niemand")


async def test_the_log_is_paged(web, engine, tickets):
    await sign_in(web, "sanne")
    for _ in range(51):
        await web.get(f"/staff/meldingen/{tickets.dyk}")
    await sign_in(web, "ada")
    first = await (await web.get(LOG)).text()
    assert "Pagina 1 van 2" in first and 'href="/staff/toegangslog?pagina=2"' in first
    second = await (await web.get(LOG + "?pagina=2")).text()
    assert second.count(f">{tickets.dyk}</a>") == 1


async def test_only_an_admin_reads_the_log_or_exports(web, engine, tickets):
    await sign_in(web, "sanne")
    await web.get(f"/staff/meldingen/{tickets.dyk}")
    for username in ("sanne", "dirk"):  # servicedesk; coordinator
        await sign_in(web, username)
        resp = await web.get(LOG)
        assert resp.status == 403 and tickets.dyk not in await resp.text()
        token = await csrf_token(web, "/staff/triage")
        form = {"email": "piet@dijkstede.nl", "reden": "inzage", "csrf_token": token}
        resp = await web.post("/staff/inzage", data=form, allow_redirects=False)
        assert resp.status == 403 and resp.content_type == "text/html"
    assert len(_entries(engine)) == 1
    await sign_in(web, "ada")
    assert "Toegangslog" in await (await web.get("/staff/triage")).text()  # in the admin's menu


# --- the employee data export ------------------------------------------------------------


async def _export(web, email: str, reason: str):
    return await post_form(web, "/staff/inzage", {"email": email, "reden": reason}, page=LOG)


def _unzipped(body: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


async def test_the_export_holds_the_employee_s_tickets_and_no_one_else_s(web, engine, org):
    with Session(engine) as session:
        own = _ticket_of(session, org, "anna@dijkstede.nl", "Scanner Anna")
        other = _ticket_of(session, org, "bert@dijkstede.nl", "Scanner Bert")
        store.add_comment(session, reference=own, author="sanne", text="Wij komen langs",
                          to_reporter=True)  # fmt: skip
        store.add_comment(session, reference=own, author="sanne", text="Intern: lastig type",
                          to_reporter=False)  # fmt: skip
        session.commit()
    await sign_in(web, "ada")
    resp = await _export(web, "Anna@Dijkstede.nl", "inzageverzoek AVG 3 december")
    assert resp.status == 200 and resp.content_type == "application/zip"
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="inzage-')
    files = _unzipped(await resp.read())
    assert set(files) == {"persoonsgegevens.json", "persoonsgegevens.html"}
    document = json.loads(files["persoonsgegevens.json"])
    assert document["medewerker"]["e-mailadres"] == "anna@dijkstede.nl"
    (ticket,) = document["meldingen"]
    assert ticket["referentie"] == own and ticket["titel"] == "Scanner Anna"
    assert "assistent: ik maak een melding" in ticket["gesprek"]
    assert [c["tekst"] for c in ticket["opmerkingen"]] == ["Wij komen langs"]
    assert ticket["opmerkingen"][0]["van"] == "Servicedesk"  # no staff member's name
    html = files["persoonsgegevens.html"]
    assert own in html and "Uw meldingen" in html and "Wij komen langs" in html
    for text in (other, "Scanner Bert", "Intern: lastig type", "sanne"):
        assert text not in files["persoonsgegevens.json"] and text not in html
    # Masked text stays masked.
    assert "123456782" not in html and "[BSN]" in html


async def test_the_export_is_escaped_html(web, engine, org):
    attack = '<script>alert("x")</script>'
    with Session(engine) as session:
        _ticket_of(session, org, "anna@dijkstede.nl", attack)
        session.commit()
    await sign_in(web, "ada")
    html = _unzipped(await (await _export(web, "anna@dijkstede.nl", "inzage")).read())[
        "persoonsgegevens.html"
    ]
    assert "<script" not in html and "&lt;script&gt;alert(" in html


async def test_each_exported_ticket_is_logged_with_the_reason(web, engine, org):
    with Session(engine) as session:
        first = _ticket_of(session, org, "anna@dijkstede.nl", "Scanner")
        second = _ticket_of(session, org, "anna@dijkstede.nl", "Printer")
        _ticket_of(session, org, "bert@dijkstede.nl", "Muis")
        session.commit()
    await sign_in(web, "ada")
    assert (await _export(web, "anna@dijkstede.nl", "AVG-verzoek 2026-17")).status == 200
    entries = _entries(engine)
    assert [(e.reference, e.staff, e.why, e.reason) for e in entries] == [
        (first, "ada", "export", "AVG-verzoek 2026-17"),
        (second, "ada", "export", "AVG-verzoek 2026-17"),
    ]
    html = await (await web.get(LOG)).text()
    assert "export persoonsgegevens" in html and "AVG-verzoek 2026-17" in html
    assert "Scanner" not in html.split("<table", 1)[1]


async def test_an_export_without_a_reason_is_refused_in_dutch(web, engine, org):
    with Session(engine) as session:
        _ticket_of(session, org, "anna@dijkstede.nl", "Scanner")
        session.commit()
    await sign_in(web, "ada")
    for reason in ("", "   "):
        resp = await _export(web, "anna@dijkstede.nl", reason)
        assert resp.status == 422 and resp.content_type == "text/html"
        assert "Geef een reden op voor de export van persoonsgegevens" in await resp.text()
    assert _entries(engine) == []


async def test_an_unknown_address_is_said_in_dutch(web, engine, tickets):
    await sign_in(web, "ada")
    resp = await _export(web, "niemand@dijkstede.nl", "inzage")
    assert resp.status == 422
    assert "Het loket kent geen medewerker met dat e-mailadres." in await resp.text()
    assert _entries(engine) == []


async def test_the_export_form_needs_its_csrf_token(web, engine, tickets):
    await sign_in(web, "ada")
    form = {"email": "piet@dijkstede.nl", "reden": "inzage"}
    resp = await web.post("/staff/inzage", data=form, allow_redirects=False)
    assert resp.status == 403 and "Het formulier is verlopen" in await resp.text()
    assert _entries(engine) == []
