"""Telegram end to end, without internet: a local fake of the Bot API, a real aiosmtpd
server for the linking code, and the real Rasa server, action server and router service.

An unknown Telegram user links their account with the code mailed to them, files a ticket
(a button press answers a question), and hears in the chat when it is resolved; a call
without the secret token gets 403; the same update twice makes one ticket."""

from __future__ import annotations

import itertools
import json
import re
import time
import urllib.error
import urllib.request

import pytest
from sqlmodel import Session, select

from router.channels.telegram import TelegramSender
from router.store import outbox
from router.store.engine import make_engine
from router.store.migrate import upgrade
from router.store.tables import Ticket
from router.worker.outbox_job import send_due
from tests.e2e.stack import Stack, stored
from tests.fakes.smtp import SmtpServer
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e
SECRET = "e2e-telegram-webhook-secret-0123456789"
ANNA = 7_000_001
REFERENCE = re.compile(r"M-\d{4}-\d{6}")
_updates = itertools.count(500_000)


@pytest.fixture(scope="module")
def telegram_stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("telegram")
    database_url = f"sqlite:///{workdir / 'loket.db'}"
    upgrade(database_url)
    fake = FakeTelegram().start()
    with SmtpServer() as smtp:
        stack = Stack(workdir=workdir, database_url=database_url, trust_rest_email=False)
        stack.extra_env = {
            "router": {"LOKET_SMTP_HOST": "127.0.0.1", "LOKET_SMTP_PORT": str(smtp.port),
                       "LOKET_SMTP_FROM": "loket@delta.example"},
            "rasa": {"LOKET_TELEGRAM_TOKEN": fake.token, "LOKET_TELEGRAM_SECRET": SECRET,
                     "LOKET_TELEGRAM_MODE": "webhook", "LOKET_TELEGRAM_API_URL": fake.base_url},
        }  # fmt: skip
        try:
            stack.start()
            yield stack, fake, smtp
        except RuntimeError:
            for name in ("router", "actions", "rasa"):
                print(f"--- {name} ---\n{stack.log(name)}")
            raise
        finally:
            stack.stop()
            fake.stop()


def _post(stack, update: dict, secret: str | None = SECRET) -> int:
    url = f"http://127.0.0.1:{stack.ports['rasa']}/webhooks/telegram/webhook"
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=json.dumps(update).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def _user(user_id: int) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": "Anna"}


def _text_update(user_id: int, text: str, update_id: int | None = None) -> dict:
    chat = {"id": user_id, "type": "private", "first_name": "Anna"}
    return {"update_id": update_id or next(_updates), "message": {
        "message_id": next(_updates), "date": int(time.time()), "chat": chat,
        "from": _user(user_id), "text": text}}  # fmt: skip


def _press(user_id: int, data: str) -> dict:
    chat = {"id": user_id, "type": "private", "first_name": "Anna"}
    message = {"message_id": next(_updates), "date": int(time.time()), "chat": chat, "text": "?"}
    return {"update_id": next(_updates), "callback_query": {
        "id": str(next(_updates)), "from": _user(user_id), "chat_instance": "1",
        "message": message, "data": data}}  # fmt: skip


def _say(stack, fake, user_id: int, text: str) -> str:
    before = len(fake.texts_to(user_id))
    assert _post(stack, _text_update(user_id, text)) == 200
    return "\n".join(fake.texts_to(user_id)[before:])


def _tickets(stack) -> list[Ticket]:
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(Ticket)).all())
    finally:
        engine.dispose()


def test_without_the_development_setting_the_rest_channel_is_not_there(telegram_stack):
    stack, _, _ = telegram_stack
    body = json.dumps({"sender": "x", "message": "hoi", "metadata": {"email": "a@dijkstede.nl"}})
    request = urllib.request.Request(stack.webhook, data=body.encode(),
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310 - loopback
    refused.value.close()
    assert refused.value.code == 404
    assert "bot.rest_channel state=off" in stack.log("rasa")


def test_a_request_without_the_secret_token_reaches_no_conversation(telegram_stack):
    stack, fake, _ = telegram_stack
    before = len(fake.calls)
    assert _post(stack, _text_update(7_000_099, "hoi"), secret=None) == 403
    assert _post(stack, _text_update(7_000_099, "hoi"), secret="wrong-secret-0123456789") == 403
    assert [m for m, _ in fake.calls[before:] if m != "getMe"] == []  # nothing was answered
    assert fake.texts_to(7_000_099) == []


def test_link_file_a_ticket_and_hear_it_is_resolved(telegram_stack):
    stack, fake, smtp = telegram_stack
    already = len(_tickets(stack))
    asked = _say(stack, fake, ANNA, "de printer op mijn afdeling doet het niet")
    assert "e-mailadres" in asked and "code" in asked, asked
    assert len(_tickets(stack)) == already  # not linked: no ticket
    refused = _say(stack, fake, ANNA, "anna@gmail.com")
    assert "hoort niet bij een van de gemeenten" in refused, refused
    again = _say(stack, fake, ANNA, "ik wil een storing melden: de printer doet het niet")
    assert "e-mailadres" in again, again
    sent = _say(stack, fake, ANNA, "anna.jansen@dijkstede.nl")
    assert "code" in sent and "Gemeente Dijkstede" in sent, sent
    code = smtp.inbox.last_code("anna.jansen@dijkstede.nl")
    linked = _say(stack, fake, ANNA, code)
    # The report she began before the link goes on where it was: nothing is asked again.
    assert "gekoppeld" in linked and "verder waar we waren" in linked, linked
    assert "hoeveel mensen" in linked.lower(), linked
    keyboards = [c for m, c in fake.calls if m == "sendMessage" and c.get("reply_markup")]
    assert keyboards, "the question came with an inline keyboard"
    before = len(fake.texts_to(ANNA))
    assert _post(stack, _press(ANNA, "1")) == 200  # "alleen ik", as a button
    assert "dringend" in "\n".join(fake.texts_to(ANNA)[before:]).lower()
    assert any(m == "answerCallbackQuery" for m, _ in fake.calls)
    summary = _say(stack, fake, ANNA, "het kan wachten")
    assert "Klopt dit?" in summary, summary
    answer = _say(stack, fake, ANNA, "ja")
    reference = REFERENCE.search(answer).group()
    [ticket] = [t for t in _tickets(stack) if t.reference == reference]
    assert (ticket.reference, ticket.reporter_channel, ticket.reporter_address) == (
        reference,
        "telegram",
        str(ANNA),
    )
    status = _say(stack, fake, ANNA, f"hoe staat het met {reference}?")
    assert reference in status, status

    resolve = urllib.request.Request(
        f"http://127.0.0.1:{stack.ports['router']}/api/tickets/{reference}/status",
        data=json.dumps({"status": "resolved", "actor": "sd.jan"}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {stack.token}"},
    )
    with urllib.request.urlopen(resolve, timeout=30) as response:
        assert response.status == 200
    engine = make_engine(stack.database_url)
    sender = TelegramSender(token=fake.token, api_url=fake.base_url)
    try:
        fake.down = True  # Telegram away for a moment: the message waits
        assert send_due(engine, {"telegram": sender}, backoff=outbox.Backoff())["retry"] == 1
        fake.down = False
        counts = send_due(engine, {"telegram": sender}, backoff=outbox.Backoff(),
                          clock=lambda: outbox.utcnow() + outbox.Backoff().first)  # fmt: skip
        assert counts["sent"] == 1
        send_due(engine, {"telegram": sender}, backoff=outbox.Backoff())
    finally:
        engine.dispose()
    news = [t for t in fake.texts_to(ANNA) if "is opgelost" in t]
    assert len(news) == 1 and reference in news[0] and '"nee"' in news[0]
    reopened = _say(stack, fake, ANNA, "nee")  # it is not solved after all
    assert "weer geopend" in reopened and reference in reopened, reopened
    assert stored(stack, reference)[0].status == "reopened"


def _link(stack, fake, smtp, user_id: int, email: str) -> None:
    """Link a Telegram account by the mailed code (each test its own: with pytest -n the
    module's tests need not run in a row on one stack)."""
    asked = _say(stack, fake, user_id, "hoe staat het met mijn meldingen?")
    assert "e-mailadres" in asked, asked
    _say(stack, fake, user_id, email)
    linked = _say(stack, fake, user_id, smtp.inbox.last_code(email))
    assert "gekoppeld" in linked, linked  # and the question it began with is answered
    assert "geen open meldingen" in linked, linked


def test_the_same_update_twice_makes_one_ticket(telegram_stack):
    stack, fake, smtp = telegram_stack
    kees = 7_000_002
    _link(stack, fake, smtp, kees, "kees.bakker@veenhoven.nl")
    before = len(_tickets(stack))
    for text in ("Youforce doet het niet", "alleen ik", "het kan wachten"):
        _say(stack, fake, kees, text)
    update = _text_update(kees, "ja")
    assert _post(stack, update) == 200
    assert _post(stack, update) == 200  # Telegram's retry
    assert len(_tickets(stack)) == before + 1
