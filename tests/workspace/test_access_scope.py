"""The scoped rows of router/access.py, walked by a coordinator of another municipality: on
both databases, since the scope is a query. A Veenhoven ticket is answered as missing (404)
to Dijkstede's coordinator, left out of every list, and no action reaches it."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from router.access import Caller
from router.domain.vocabulary import Role
from router.store import outbox
from router.store import tickets as store
from router.store.tables import utcnow
from tests.workspace.access_walk import concrete, form_for, routes, snapshot
from tests.workspace.conftest import csrf_token, sign_in

SCOPED = [row for row in routes(prefix="/staff/", callers={Caller.staff}) if row[2].scoped]
PER_TICKET = [row for row in SCOPED if "{reference}" in row[1]]
LISTS = [row for row in SCOPED if "{reference}" not in row[1] and row[0] == "GET"]


def test_every_ticket_page_and_action_is_scoped():
    per_ticket = [row for row in routes(prefix="/staff/") if "{reference}" in row[1]]
    # Those a coordinator may call are scoped; the others refuse coordinators by their role
    # (tests/workspace/test_access.py walks that).
    for_coordinators = [row for row in per_ticket if Role.coordinator in row[2].roles]
    assert for_coordinators == PER_TICKET and len(PER_TICKET) >= 10


async def _send(client, method: str, url: str, form: dict[str, str]):
    if method == "GET":
        return await client.get(url, allow_redirects=False)
    token = await csrf_token(client, "/staff/triage")
    return await client.post(url, data={**form, "csrf_token": token}, allow_redirects=False)


@pytest.mark.parametrize(("method", "path", "access"), PER_TICKET)
async def test_another_municipality_s_ticket_is_missing_to_a_coordinator(
    web, engine, tickets, method, path, access
):
    await sign_in(web, "dirk")  # coordinator of Dijkstede
    before = snapshot(engine)
    resp = await _send(web, method, concrete(path, tickets.vhn), form_for(path))
    assert resp.status == 404, await resp.text()
    assert "Veenhoven geheim" not in await resp.text()
    assert snapshot(engine) == before
    # The same request on a Dijkstede ticket gets past the scope: the 404 was the scope's.
    resp = await _send(web, method, concrete(path, tickets.dyk), form_for(path))
    assert resp.status not in (403, 404), await resp.text()


@pytest.mark.parametrize(("method", "path", "access"), LISTS)
async def test_lists_leave_another_municipality_out(web, tickets, method, path, access):
    await sign_in(web, "dirk")
    for query in ("", "?status=alle", "?gemeente=VHN&status=alle", "?q=Veenhoven&status=alle"):
        resp = await web.get(concrete(path, tickets.dyk) + query, allow_redirects=False)
        assert resp.status == 200, await resp.text()
        text = await resp.text()
        assert tickets.vhn not in text and "Veenhoven geheim" not in text
    await sign_in(web, "sanne")  # the servicedesk's queues do show it
    resp = await web.get("/staff/meldingen?status=alle")
    assert tickets.vhn in await resp.text()


async def test_bulk_actions_skip_another_municipality(web, engine, tickets):
    await sign_in(web, "dirk")
    before = snapshot(engine)
    for form in (
        {"ref": tickets.vhn, "actie": "sluiten"},
        {"ref": tickets.vhn, "actie": "doorsturen", "bestemming": "netwerk", "reden": "x"},
    ):
        resp = await _send(web, "POST", "/staff/meldingen/bulk", form)
        assert resp.status == 303
        assert "gedaan=0" in resp.headers["Location"]
    assert snapshot(engine) == before


async def test_undelivered_messages_of_another_municipality_are_left_out(web, engine, tickets):
    with Session(engine) as session:
        for reference in (tickets.dyk, tickets.vhn):
            ticket = store.get_ticket(session, reference)
            message = outbox.enqueue(session, channel="email", recipient="melder@example.org",
                                     body="Uw melding", idempotency_key=f"test/{reference}",
                                     ticket_id=ticket.id)  # fmt: skip
            message.status, message.flagged_at = outbox.FLAGGED, utcnow()
        session.commit()
    await sign_in(web, "dirk")
    text = await (await web.get("/staff/afleveringen")).text()
    assert tickets.dyk in text and tickets.vhn not in text
    await sign_in(web, "sanne")
    text = await (await web.get("/staff/afleveringen")).text()
    assert tickets.dyk in text and tickets.vhn in text
