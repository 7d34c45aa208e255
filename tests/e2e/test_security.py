"""End to end, issue 11 on the assistant side: Rasa's API and the action server want their
tokens, a report the router could not take is kept and filed once on "opnieuw proberen",
and a REST caller is nobody unless the development setting trusts its metadata."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlmodel import Session, select

from router.store.engine import make_engine
from router.store.tables import Ticket
from tests.e2e.stack import Stack, say, stored

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"M-\d{4}-\d{6}")


def ticket_count(stack: Stack) -> int:
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as session:
            return len(session.exec(select(Ticket)).all())
    finally:
        engine.dispose()


def post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def test_rasa_http_api_needs_its_token(stack):
    parse = f"http://127.0.0.1:{stack.ports['rasa']}/model/parse"
    assert post(parse, {"text": "Youforce doet het niet"})[0] == 401
    assert post(parse + "?token=wrong", {"text": "Youforce doet het niet"})[0] == 401
    status, parsed = post(f"{parse}?token={stack.rasa_token}", {"text": "Youforce doet het niet"})
    assert status == 200 and parsed["intent"]["name"] == "report_incident"
    # The token is no command-line argument: /proc/PID/cmdline is readable by every user.
    for name in ("rasa", "actions"):
        cmdline = Path(f"/proc/{stack.processes[name].pid}/cmdline").read_bytes()
        assert stack.rasa_token.encode() not in cmdline
        assert stack.action_token.encode() not in cmdline


def test_action_server_runs_nothing_for_a_caller_without_the_token(stack):
    before = ticket_count(stack)
    body = {"next_action": "action_create_ticket", "sender_id": "intruder", "domain": {},
            "tracker": {"sender_id": "intruder", "slots": {"ticket_kind": "callback"},
                        "latest_message": {}, "events": [], "paused": False,
                        "followup_action": None, "active_loop": {}, "latest_action_name": None}}
    status, _ = post(f"http://127.0.0.1:{stack.ports['actions']}/webhook", body)
    assert status == 401
    assert ticket_count(stack) == before


def test_router_down_the_report_is_kept_and_opnieuw_proberen_files_it_once(stack):
    sender, email = "flow-retry", "retry@dijkstede.nl"
    say(stack, sender, "Key2Burgerzaken loopt vast bij het opslaan", email)
    say(stack, sender, "alleen ik", email)
    assert "Klopt dit?" in say(stack, sender, "het kan wachten", email)
    before = ticket_count(stack)
    stack.stop_one("router")
    try:
        honest = say(stack, sender, "ja", email)
        assert "nog NIET aangemaakt" in honest and "opnieuw proberen" in honest, honest
        assert not REFERENCE.search(honest)
        assert ticket_count(stack) == before
    finally:
        stack.start_one("router")
    answer = say(stack, sender, "opnieuw proberen", email)
    reference = REFERENCE.search(answer)
    assert reference, answer
    assert "doorgezet naar Centric" in answer
    assert ticket_count(stack) == before + 1  # exactly one ticket
    ticket, reporter = stored(stack, reference.group(0))
    assert reporter.email == email and "opslaan" in ticket.description
    again = say(stack, sender, "opnieuw proberen", email)
    assert "geen melding klaar" in again and ticket_count(stack) == before + 1


def test_laat_maar_forgets_a_report_that_was_not_filed(stack):
    sender, email = "flow-giveup", "giveup@veenhoven.nl"
    say(stack, sender, "Youforce laat mijn rooster niet zien", email)
    say(stack, sender, "alleen ik", email)
    say(stack, sender, "het kan wachten", email)
    before = ticket_count(stack)
    stack.stop_one("router")
    try:
        assert "nog NIET aangemaakt" in say(stack, sender, "ja", email)
        assert "geen melding gemaakt" in say(stack, sender, "laat maar", email)
    finally:
        stack.start_one("router")
    assert "geen melding klaar" in say(stack, sender, "opnieuw proberen", email)
    assert ticket_count(stack) == before


def test_without_the_development_setting_a_rest_caller_has_no_identity(stack):
    stack.trust_rest_email = False
    stack.stop_one("actions")
    stack.start_one("actions")
    try:
        before = ticket_count(stack)
        sender, email = "flow-mallory", "anna@dijkstede.nl"
        answer = say(stack, sender, "Key2Burgerzaken loopt vast bij het opslaan", email)
        assert "niet controleren wie je bent" in answer and "servicedesk" in answer, answer
        assert not REFERENCE.search(answer) and "Teams" not in answer
        status = say(stack, sender, "welke meldingen heb ik open staan?", email)
        assert "geen meldingen voor je opzoeken" in status, status
        faq = say(stack, sender, "hoe stel ik een afwezigheidsbericht in?", email)
        assert "Automatische antwoorden" in faq  # answers still work
        assert ticket_count(stack) == before
    finally:
        stack.trust_rest_email = True
        stack.stop_one("actions")
        stack.start_one("actions")
    assert "LOKET_TRUST_REST_EMAIL is on" in stack.log("actions")
    assert "bot.rest_channel state=on" in stack.log("rasa")  # and Rasa said so at start
