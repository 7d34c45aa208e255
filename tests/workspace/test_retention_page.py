"""An anonymised ticket's page and API answer: "[geanonimiseerd]" where its texts and its
reporter were, and a notice that says why; the structured fields as before."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlmodel import Session

from router.domain.retention import PLACEHOLDER
from router.domain.vocabulary import Status
from router.store import tickets as store
from router.worker.retention_job import anonymise_expired
from tests.fixtures import TEST_TOKEN
from tests.workspace.conftest import new_ticket, sign_in

AUTH = {"Authorization": f"Bearer {TEST_TOKEN}"}
LATER = datetime(2030, 1, 1, tzinfo=UTC)


def _anonymised_ticket(engine, org) -> str:
    with Session(engine) as session:
        reference = new_ticket(session, org, "DYK", "Printer van Anna de Vries", triage=False)
        store.add_comment(session, reference=reference, author="sanne", to_reporter=True,
                          text="Anna, we komen morgen langs")  # fmt: skip
        for status in (Status.resolved, Status.closed):
            store.change_status(session, reference=reference, status=status, actor="sanne",
                                note="Anna gebeld", org=org)  # fmt: skip
        session.commit()
    anonymise_expired(engine, months=24, now=LATER)
    return reference


def _testid(html: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}"[^>]*>(.*?)</', html, re.S)
    assert found, name
    return found.group(1).strip()


async def test_the_page_shows_the_placeholder_and_why(web, engine, org):
    reference = _anonymised_ticket(engine, org)
    await sign_in(web, "sanne")
    html = await (await web.get(f"/staff/meldingen/{reference}")).text()
    assert "Anna" not in html and "piet@" not in html
    assert _testid(html, "description") == PLACEHOLDER
    assert _testid(html, "conversation") == PLACEHOLDER
    assert f"{reference}</span> {PLACEHOLDER}</h1>" in html
    assert "Geanonimiseerd op 01-01-2030" in _testid(html, "anonymised")
    assert _testid(html, "destination") == "Centric"


async def test_the_api_answers_the_placeholder_and_when(web, engine, org):
    reference = _anonymised_ticket(engine, org)
    resp = await web.get(f"/api/tickets/{reference}", headers=AUTH)
    assert resp.status == 200
    body = await resp.json()
    assert (body["title"], body["description"]) == (PLACEHOLDER, PLACEHOLDER)
    assert body["reporter_email"] is None and body["anonymised_at"].startswith("2030-01-01")
    assert (body["status"], body["destination"], body["municipality"]) == ("closed", "centric",
                                                                          "DYK")  # fmt: skip
    assert {c["text"] for c in body["comments"]} == {PLACEHOLDER}
    assert "Anna" not in await resp.text()
