"""Forwarding to a supplier from the workspace, and the list of what could not be delivered;
automatic forwarding of a new ticket through the API when the organisation file allows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from router.store import forwarding, outbox
from router.store import tickets as store
from router.store.tables import OutboxMessage
from tests.api.test_api import AUTH, ticket_body
from tests.fixtures import SAMPLE_ORG, TEST_TOKEN
from tests.store.test_forwarding import with_forwarding
from tests.workspace.conftest import post_form, sign_in


async def test_staff_forward_by_the_suppliers_method_once(web, engine, tickets):
    await sign_in(web, "sanne")
    page = f"/staff/meldingen/{tickets.dyk_routed}"
    html = await (await web.get(page)).text()
    assert "Doorzetten naar Centric (TOPdesk)" in html
    resp = await post_form(web, f"{page}/doorzetten", {"toelichting": "Graag snel"}, page=page)
    assert resp.status == 303 and "ok=doorgezet" in resp.headers["Location"]
    with Session(engine) as session:
        ticket = store.get_ticket(session, tickets.dyk_routed)
        [message] = session.exec(select(OutboxMessage)).all()
    assert ticket.status == "forwarded"
    assert (message.channel, message.recipient) == ("topdesk", "centric")
    again = await post_form(web, f"{page}/doorzetten", {}, page=page)
    assert again.status == 409 and "al doorgezet" in await again.text()


async def test_no_button_for_a_supplier_without_a_method_and_no_forward(web, engine, tickets):
    await sign_in(web, "sanne")
    page = f"/staff/meldingen/{tickets.dyk}"  # triage: the servicedesk, not a supplier
    assert "/doorzetten" not in await (await web.get(page)).text()
    resp = await post_form(web, f"{page}/doorzetten", {}, page=page)
    assert resp.status == 422 and "geen doorzetmethode" in await resp.text()


async def test_a_given_up_forward_is_shown_on_the_ticket_and_in_the_list(
    web, engine, org, tickets
):
    with Session(engine, expire_on_commit=False) as session:
        message = forwarding.forward(
            session, reference=tickets.dyk_routed, actor="sanne", org=org
        )
        session.commit()
        at = datetime.now(UTC)
        outbox.claim_due(
            session, channels=frozenset({"topdesk"}), now=at, lease=timedelta(minutes=5)
        )
        forwarding.record_failed(
            session, message_id=message.id, error="topdesk 401", now=at, permanent=True,
            backoff=outbox.Backoff(),
        )  # fmt: skip
        session.commit()
    await sign_in(web, "sanne")
    listing = await (await web.get("/staff/afleveringen")).text()
    assert tickets.dyk_routed in listing and "topdesk 401" in listing
    page = await (await web.get(f"/staff/meldingen/{tickets.dyk_routed}")).text()
    assert 'data-testid="undelivered"' in page and "mislukt na 1 pogingen" in page
    assert "Doorzetten naar Centric (TOPdesk)" in page  # staff can forward again
    await sign_in(web, "dirk")  # a coordinator sees only their own municipality's
    assert tickets.dyk_routed in await (await web.get("/staff/afleveringen")).text()


async def test_a_sure_route_to_an_auto_supplier_is_forwarded_at_creation(
    aiohttp_client, database_url, org, engine
):
    from router.app import create_app
    from router.settings import Settings

    auto = with_forwarding(org, "centric", auto=True)
    settings = Settings(service_token=TEST_TOKEN, database_url=database_url, org_file=SAMPLE_ORG)
    client = await aiohttp_client(create_app(settings, auto))
    resp = await client.post("/api/tickets", json=ticket_body(), headers=AUTH)
    created = await resp.json()
    assert resp.status == 201 and created["status"] == "forwarded"
    unsure = await client.post(
        "/api/tickets",
        json=ticket_body(application=None, title="Iets", description="Het werkt niet goed"),
        headers=AUTH,
    )
    assert (await unsure.json())["status"] == "routed"
    with Session(engine) as session:
        [message] = session.exec(select(OutboxMessage)).all()
    assert message.channel == "topdesk" and created["reference"] in message.idempotency_key
