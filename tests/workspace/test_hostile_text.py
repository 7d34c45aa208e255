"""Issue 17, the service's side: hostile text (very long, only emoji, HTML and script tags,
SQL, right-to-left marks) is filed through the API, kept as text by the store on both
databases, read back unchanged and shown escaped in the workspace; NUL and the other C0
controls are refused with a 422 naming the field (DECISIONS: the action server strips them)."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlmodel import Session, select

from router.store.tables import Ticket
from tests.fixtures import TEST_TOKEN
from tests.workspace.conftest import post_form, sign_in

AUTH = {"Authorization": f"Bearer {TEST_TOKEN}"}
SENTENCE = "Key2Burgerzaken loopt vast bij het opslaan van een aanvraag. "
SCRIPT = '<script>alert("x")</script>'
HOSTILE = {
    "lang": (SENTENCE * 200)[:10_000],
    "emoji": "😡🖨️🔥💥🙏🏽👩‍💻",
    "html": f'{SCRIPT}<b>vet</b> <img src=x onerror=alert(1)> printer "stuk" & kapot',
    "sql": "'; DROP TABLE ticket; -- printer werkt niet\" OR 1=1 /*",
    "rtl": "\u202eten kapot printer\u202c \u200fשלום\u200f en \u200dverder niets",
}


def _body(title: str, description: str, conversation: str | None = None) -> dict:
    return {
        "municipality": "DYK",
        "reporter": {"channel": "rest", "sender_id": "u-hostile", "email": "piet@dijkstede.nl"},
        "type": "incident",
        "application": "Key2Burgerzaken",
        "title": title,
        "description": description,
        "impact": "low",
        "urgency": "medium",
        "conversation": conversation,
    }


@pytest.mark.parametrize("name", HOSTILE)
async def test_hostile_text_is_kept_as_text_and_shown_escaped(web, engine, name):
    text = HOSTILE[name]
    title = text[:200]
    conversation = f"medewerker: {text}\nassistent: Ik maak een melding."
    resp = await web.post("/api/tickets", json=_body(title, text, conversation), headers=AUTH)
    assert resp.status == 201, await resp.text()
    reference = (await resp.json())["reference"]

    resp = await web.get(f"/api/tickets/{reference}", headers=AUTH)
    read = await resp.json()
    assert (read["title"], read["description"]) == (title, text)
    with Session(engine) as session:  # the SQL is data, not a statement: the table is there
        stored = session.exec(select(Ticket).where(Ticket.reference == reference)).one()
        assert (stored.title, stored.description) == (title, text)
        assert stored.conversation == conversation

    await sign_in(web, "sanne")
    # The ticket's page shows the whole title; the queue its first 80 characters or so.
    for page, shown in (
        (f"/staff/meldingen/{reference}", title),
        ("/staff/meldingen?status=alle", title[:50]),
    ):
        resp = await web.get(page)
        assert resp.status == 200
        html = await resp.text()
        assert str(escape(shown)) in html, page
        assert SCRIPT not in html and "<b>vet</b>" not in html and "<img src=x" not in html
    resp = await web.get(f"/staff/meldingen/{reference}")
    html = await resp.text()
    assert str(escape(text)) in html and str(escape(conversation)) in html
    if name == "html":
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


async def test_a_staff_comment_with_markup_is_shown_escaped(web, tickets):
    await sign_in(web, "sanne")
    page = f"/staff/meldingen/{tickets.dyk}"
    resp = await post_form(web, f"{page}/opmerking", {"tekst": f"{SCRIPT} kijk hier"}, page=page)
    assert resp.status == 303
    html = await (await web.get(page)).text()
    assert SCRIPT not in html
    assert str(escape(f"{SCRIPT} kijk hier")) in html


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "printer\x00kapot"),
        ("description", "a\x00b"),
        ("description", "kleur\x1b[31mrood"),
        ("title", "bel\x07"),
    ],
)
async def test_nul_and_other_controls_are_refused_and_nothing_is_stored(web, engine, field, value):
    body = _body("Printer kapot", "De printer doet niets")
    body[field] = value
    resp = await web.post("/api/tickets", json=body, headers=AUTH)
    assert resp.status == 422
    assert (await resp.json())["error"].startswith(f"{field}: Value error, contains control")
    with Session(engine) as session:
        assert session.exec(select(Ticket)).all() == []


async def test_a_description_over_ten_thousand_characters_is_refused(web):
    resp = await web.post("/api/tickets", json=_body("Lang", "x" * 10_001), headers=AUTH)
    assert resp.status == 422
    assert (await resp.json())["error"].startswith("description: ")
