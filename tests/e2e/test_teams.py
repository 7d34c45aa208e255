"""Microsoft Teams end to end, without internet: a local fake of the Bot Framework (OpenID
metadata and keys, token endpoint, connector service) with a signing key made in the test, and
the real Rasa server, action server and router service (one stack start for this module).

An employee of a municipality's tenant files a ticket without any linking step (a card button
answers a question) and hears in the same conversation when it is resolved; a request signed
with another key, or not at all, gets 401; a tenant of no municipality a polite refusal."""

from __future__ import annotations

import itertools
import json
import re
import urllib.error
import urllib.request

import pytest
from sqlmodel import Session, select

from router.channels.msteams import TeamsSender
from router.store import outbox
from router.store.engine import make_engine
from router.store.migrate import upgrade
from router.store.tables import Employee, Ticket
from router.worker.outbox_job import send_due
from tests.e2e.stack import Stack
from tests.fakes.botframework import FakeBotFramework, TestKey, claims_for

pytestmark = pytest.mark.e2e
DYK_TENANT = "0d1e2f30-4a5b-4c6d-8e7f-0123456789ab"  # org/de-delta.yaml: Gemeente Dijkstede
OTHER_TENANT = "99999999-8888-4777-8666-555555555555"
ANNA = "29:anna-teams"
REFERENCE = re.compile(r"M-\d{4}-\d{6}")
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def teams_stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("teams")
    database_url = f"sqlite:///{workdir / 'loket.db'}"
    upgrade(database_url)
    fake = FakeBotFramework().start()
    fake.add_member(ANNA, "anna.jansen@dijkstede.nl", "aad-anna-0001", DYK_TENANT)
    fake.add_member("29:eve", "eve@elders.example", "aad-eve-0001", OTHER_TENANT)
    stack = Stack(workdir=workdir, database_url=database_url, trust_rest_email=False)
    stack.extra_env = {
        "rasa": {"LOKET_TEAMS_APP_ID": fake.app_id, "LOKET_TEAMS_APP_PASSWORD": fake.app_password,
                 "LOKET_TEAMS_OPENID_URL": fake.openid_url,
                 "LOKET_TEAMS_TOKEN_URL": fake.token_url},
    }  # fmt: skip
    try:
        stack.start()
        yield stack, fake
    except RuntimeError:
        for name in ("router", "actions", "rasa"):
            print(f"--- {name} ---\n{stack.log(name)}")
        raise
    finally:
        stack.stop()
        fake.stop()


def _post(stack, activity: dict, authorization: str | None) -> int:
    url = f"http://127.0.0.1:{stack.ports['rasa']}/webhooks/msteams/webhook"
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    request = urllib.request.Request(url, data=json.dumps(activity).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def _say(stack, fake, user: str, text: str, tenant: str = DYK_TENANT, value=None) -> str:
    conversation = f"a:conv-{user}"
    before = len(fake.texts_to(conversation))
    activity = fake.activity(user, text, tenant, value=value)
    assert _post(stack, activity, fake.authorization(activity)) == 200
    return "\n".join(fake.texts_to(conversation)[before:])


def _tickets(stack) -> list[Ticket]:
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(Ticket)).all())
    finally:
        engine.dispose()


def test_an_unsigned_or_wrongly_signed_request_gets_401(teams_stack):
    stack, fake = teams_stack
    before = len(fake.activities)
    activity = fake.activity(ANNA, "hoi", DYK_TENANT)
    assert _post(stack, activity, None) == 401
    forged = TestKey(kid=fake.key.kid).sign(claims_for(activity["serviceUrl"], fake.app_id))
    assert _post(stack, activity, f"Bearer {forged}") == 401
    assert _post(stack, activity, fake.authorization(activity, aud="someone-else")) == 401
    assert len(fake.activities) == before  # nothing was answered


def test_a_tenant_of_no_municipality_is_refused_politely(teams_stack):
    stack, fake = teams_stack
    refused = _say(stack, fake, "29:eve", "mijn laptop doet het niet", tenant=OTHER_TENANT)
    assert "jouw organisatie hoort daar niet bij" in refused, refused
    assert _tickets(stack) == []


def test_file_a_ticket_without_linking_and_hear_it_is_resolved(teams_stack):
    stack, fake = teams_stack
    first = _say(stack, fake, ANNA, "de printer op de tweede verdieping doet het niet")
    assert "hoeveel mensen" in first.lower(), first
    cards = [a for _, a in fake.activities if a.get("attachments")]
    assert cards and cards[-1]["attachments"][0]["contentType"].endswith("card.hero")
    payload = cards[-1]["attachments"][0]["content"]["buttons"][0]["value"]
    urgent = _say(stack, fake, ANNA, "alleen ik", value=payload)  # the card's first button
    assert "dringend" in urgent.lower(), urgent
    summary = _say(stack, fake, ANNA, "het kan wachten")
    assert "Klopt dit?" in summary, summary
    answer = _say(stack, fake, ANNA, "ja")
    reference = REFERENCE.search(answer).group()
    [ticket] = _tickets(stack)
    assert (ticket.reference, ticket.reporter_channel) == (reference, "msteams")
    assert json.loads(ticket.reporter_address) == {
        "service_url": fake.service_url, "conversation": f"a:conv-{ANNA}"}  # fmt: skip
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as session:
            employee = session.get_one(Employee, ticket.reporter_id)
            assert (employee.email, employee.municipality) == ("anna.jansen@dijkstede.nl", "DYK")
    finally:
        engine.dispose()

    resolve = urllib.request.Request(
        f"http://127.0.0.1:{stack.ports['router']}/api/tickets/{reference}/status",
        data=json.dumps({"status": "resolved", "actor": "sd.jan"}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {stack.token}"},
    )
    with urllib.request.urlopen(resolve, timeout=30) as response:  # noqa: S310 - loopback
        assert response.status == 200
    engine = make_engine(stack.database_url)
    sender = TeamsSender(app_id=fake.app_id, app_password=fake.app_password,
                         token_url=fake.token_url)  # fmt: skip
    try:
        counts = send_due(engine, {"msteams": sender}, backoff=outbox.Backoff())
        assert counts["sent"] == 1
        send_due(engine, {"msteams": sender}, backoff=outbox.Backoff())
    finally:
        engine.dispose()
    news = [t for t in fake.texts_to(f"a:conv-{ANNA}") if "is opgelost" in t]
    assert len(news) == 1 and reference in news[0]


def test_the_same_activity_twice_makes_one_ticket(teams_stack):
    stack, fake = teams_stack
    before = len(_tickets(stack))
    for text in ("Youforce doet het niet", "alleen ik", "het kan wachten"):
        _say(stack, fake, ANNA, text)
    activity = fake.activity(ANNA, "ja", DYK_TENANT)
    assert _post(stack, activity, fake.authorization(activity)) == 200
    assert _post(stack, activity, fake.authorization(activity)) == 200  # the retry
    assert len(_tickets(stack)) == before + 1
