"""Issue 11 on the assistant side: nothing lost, nothing twice, nobody in.

Against the real router service; `tap` passes every request on to it and records it (or,
`down`, answers 503 as the router does without its database)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import employee_email, identified
from actions.router_client import RouterClient, RouterError, strip_controls
from actions.status import ActionTicketStatus
from actions.ticket_form import ActionStartTicket, ActionStop, ValidateTicketForm
from actions.tickets import ActionCreateTicket, idempotency_key
from actions.withdraw import ActionWithdrawTicket, ValidateWithdrawForm
from tests.actions.conftest import ROOT, make_tracker, responses

DOMAIN = {"forms": {"ticket_form": {"required_slots": [
    "municipality", "description", "affected", "urgency", "confirm",
    "breach_data", "breach_people", "breach_discovered"]}}}
REPORT = {"ticket_kind": "incident", "municipality": "Gemeente Dijkstede",
          "application": "Key2Burgerzaken", "description": "Key2Burgerzaken loopt vast bij opslaan",
          "affected": "low", "urgency": "medium", "confirm": "yes"}


def _slots(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def _own(router, email: str) -> list[dict]:
    return router.call("GET", f"/api/my/tickets?email={email}")["tickets"]


# -- 5 and 6: a failed ticket is kept, the retry carries the same Idempotency-Key ----------

async def test_router_down_keeps_the_report_and_the_retry_files_it_once(router, tap):
    email, sender = "retry@dijkstede.nl", "retry-conversation"
    confirm = make_tracker("ja", intent="affirm", email=email, sender=sender, slots=REPORT,
                           message_id="turn-confirm")
    tap.down = True
    dispatcher = CollectingDispatcher()
    events = await ActionCreateTicket().run(dispatcher, confirm, {})
    assert responses(dispatcher) == ["utter_ticket_not_filed_yet"]
    key = idempotency_key(confirm)
    [kept] = events  # every other slot stays
    assert kept["name"] == "ticket_retry" and kept["value"]["key"] == key
    assert _own(router, email) == []

    tap.down = False
    retry = make_tracker("opnieuw proberen", intent="retry_ticket", email=email, sender=sender,
                         slots={**REPORT, "ticket_retry": kept["value"]}, message_id="turn-retry",
                         history=[("user", "ja"), ("bot", "Het lukt me nu niet")])
    dispatcher = CollectingDispatcher()
    events = await ActionCreateTicket().run(dispatcher, retry, {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_ticket_created"
    assert _slots(events)["ticket_retry"] is None and _slots(events)["ticket_kind"] is None
    sent = tap.posts("/api/tickets")
    assert [headers["Idempotency-Key"] for headers, _ in sent] == [key, key]
    assert sent[0][1] == sent[1][1]  # the same ticket body both times
    assert [t["reference"] for t in _own(router, email)] == [message["reference"]]


async def test_router_unreachable_keeps_the_report(monkeypatch):
    monkeypatch.setenv("LOKET_ROUTER_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LOKET_ASSISTANT_TOKEN", "x" * 32)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ja", slots={"ticket_kind": "incident", "municipality": "DYK",
                                        "description": "iets stuk"})
    events = await ActionCreateTicket().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_ticket_not_filed_yet"]
    assert list(_slots(events)) == ["ticket_retry"]


def test_the_key_belongs_to_the_conversation_and_the_turn():
    def key(sender: str, turn: str) -> str:
        return idempotency_key(make_tracker("ja", sender=sender, message_id=turn))
    assert key("anna", "t1") == key("anna", "t1")
    assert len({key("anna", "t1"), key("anna", "t2"), key("bram", "t1")}) == 3
    kept = make_tracker("opnieuw proberen", sender="anna", message_id="t9",
                        slots={"ticket_retry": {"key": key("anna", "t1"), "ticket": {}}})
    assert idempotency_key(kept) == key("anna", "t1")


async def test_a_refusal_a_retry_cannot_fix_gets_its_own_message_and_a_clean_log(router, tap, caplog):
    secret = "Pietje Puk BSN 123456782 woont op de Dorpsstraat"
    tracker = make_tracker("ja", intent="affirm", email="refused@dijkstede.nl", sender="refused",
                           slots={**REPORT, "municipality": "Gemeente Nergenshuizen",
                                  "description": secret}, history=[("user", secret)])
    dispatcher = CollectingDispatcher()
    with caplog.at_level(logging.INFO):
        events = await ActionCreateTicket().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_ticket_rejected"]
    assert _slots(events)["ticket_kind"] is None  # a retry would not help: nothing kept
    [line] = [r.getMessage() for r in caplog.records if "actions.ticket.rejected" in r.getMessage()]
    assert "status=4" in line and "Pietje" not in caplog.text and "123456782" not in caplog.text


async def test_retry_without_a_waiting_report_and_laat_maar_after_a_failure():
    nothing = CollectingDispatcher()
    await ActionCreateTicket().run(nothing, make_tracker("opnieuw proberen", intent="retry_ticket"), {})
    assert responses(nothing) == ["utter_nothing_to_retry"]
    stop = CollectingDispatcher()
    kept = make_tracker("laat maar", intent="stop", slots={**REPORT, "ticket_retry": {"key": "loket-k", "ticket": {}}})
    events = await ActionStop().run(stop, kept, {})
    assert responses(stop) == ["utter_incident_cancelled"]
    assert _slots(events)["ticket_retry"] is None and _slots(events)["description"] is None
    plain = CollectingDispatcher()
    assert await ActionStop().run(plain, make_tracker("laat maar", intent="stop"), {}) == []
    assert responses(plain) == ["utter_okay"]


def test_the_client_uses_the_assistants_token_and_a_named_timeout():
    with pytest.raises(RouterError, match="LOKET_ASSISTANT_TOKEN is not set"):
        RouterClient.from_env({"LOKET_SERVICE_TOKEN": "s" * 32})  # never the admin token
    client = RouterClient.from_env({"LOKET_ASSISTANT_TOKEN": "a" * 32})
    assert (client.token, client.timeout_seconds) == ("a" * 32, 10.0)
    slower = RouterClient.from_env({"LOKET_ASSISTANT_TOKEN": "a" * 32,
                                    "LOKET_ROUTER_TIMEOUT_SECONDS": "4.5"})
    assert slower.timeout_seconds == 4.5


# -- 7: control characters ----------------------------------------------------------------

def test_strip_controls_keeps_tab_cr_lf_and_format_characters():
    typed = "a\x00b\x07c\x1bd\x7fe\tf\r\ng\u200fh\u200di\u202ej"
    assert strip_controls(typed) == "abcd\x7fe\tf\r\ng\u200fh\u200di\u202ej"
    assert strip_controls({"x": ["\x01y", 3, None], "z": ("\x02",)}) == {"x": ["y", 3, None], "z": [""]}


async def test_control_characters_never_reach_the_router(router, tap):
    typed = "Scherm\x00 blijft\x07 hangen\x1b[2J bij\topslaan\r\nin \u200fKey2Burgerzaken\u200d"
    tracker = make_tracker("ja", intent="affirm", email="controls@dijkstede.nl", sender="controls",
                           slots={**REPORT, "description": typed}, history=[("user", typed)])
    dispatcher = CollectingDispatcher()
    await ActionCreateTicket().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_ticket_created"
    [(_, body)] = tap.posts("/api/tickets")
    sent = repr(body)
    assert not any(chr(c) in str(body) for c in range(32) if chr(c) not in "\t\r\n"), sent
    [(description, conversation)] = router.rows(
        "SELECT description, conversation FROM ticket WHERE reference = ?", message["reference"])
    assert "\x00" not in description + conversation and "\x07" not in conversation
    assert "Scherm blijft hangen[2J bij\topslaan\r\nin \u200fKey2Burgerzaken\u200d" in conversation


# -- 8: free text in the data-breach form -------------------------------------------------

async def test_absurd_breach_answers_are_asked_again_and_never_crash_the_ticket(router):
    form = ValidateTicketForm()
    dispatcher = CollectingDispatcher()
    asked = make_tracker("x", slots={"ticket_kind": "breach", "requested_slot": "breach_people"})
    huge = "9" * 5000
    assert await form.validate_breach_people(huge, dispatcher, asked, DOMAIN) == {"breach_people": None}
    assert await form.validate_breach_people("ongeveer 250", dispatcher, asked, DOMAIN) == {
        "breach_people": "ongeveer 250"}
    for answer in ("100000000 uur geleden", "9999999999999 kwartier geleden", "400 dagen"):
        result = await form.validate_breach_discovered(answer, dispatcher, asked, DOMAIN)
        if answer == "400 dagen":  # unreadable: kept, the deadline counts from the report
            assert result == {"breach_discovered": answer}
        else:
            assert result == {"breach_discovered": None}
    assert responses(dispatcher) == ["utter_breach_people_implausible",
                                     "utter_breach_discovered_implausible",
                                     "utter_breach_discovered_implausible"]
    # Should such answers reach action_create_ticket anyway, the ticket is still made.
    tracker = make_tracker(huge, email="breach-absurd@polderwaard.nl", sender="absurd", slots={
        "ticket_kind": "breach", "description": "brief naar verkeerd adres",
        "breach_data": "naam", "breach_people": huge, "breach_discovered": "100000000 uur geleden"})
    created = CollectingDispatcher()
    await ActionCreateTicket().run(created, tracker, {})
    assert responses(created) == ["utter_breach_ticket_created"]


# -- 4: the REST channel's metadata e-mail is trusted only in development ------------------

async def test_untrusted_rest_caller_gets_no_tickets_and_no_status(router, tap, monkeypatch):
    monkeypatch.setenv("LOKET_TRUST_REST_EMAIL", "false")
    email = "mallory@dijkstede.nl"
    report = make_tracker("Key2Burgerzaken loopt vast", intent="report_incident", email=email)
    assert employee_email(report) is None and not identified(report)
    # Teams: identified when its channel vouched for the address (bot/channels/teams.py)
    assert not identified(make_tracker("hoi", channel="msteams", email=email))
    teams = make_tracker("hoi", channel="msteams")
    teams.latest_message["metadata"] = {"email": email, "identity": "teams-aad"}
    assert identified(teams)

    started = CollectingDispatcher()
    await ActionStartTicket().run(started, report, {})
    assert responses(started) == []  # no "Ik maak een melding voor je"
    advice = CollectingDispatcher()
    await ActionStartTicket().run(
        advice, make_tracker("phishing", intent="report_security_incident"), {})
    assert responses(advice) == ["utter_security_advice"]  # advice is for everyone
    assert await ValidateTicketForm().required_slots([], CollectingDispatcher(), report, DOMAIN) == []

    filed = CollectingDispatcher()
    confirmed = make_tracker("ja", intent="affirm", email=email, slots=REPORT)
    events = await ActionCreateTicket().run(filed, confirmed, {})
    assert responses(filed) == ["utter_ticket_needs_identity"]
    assert _slots(events)["ticket_kind"] is None

    status = CollectingDispatcher()
    await ActionTicketStatus().run(status, make_tracker("mijn meldingen", email=email), {})
    withdraw = CollectingDispatcher()
    await ActionWithdrawTicket().run(withdraw, make_tracker(
        "ja", email=email, slots={"ticket_number": "M-2026-000001", "withdraw_confirm": "yes"}), {})
    assert responses(status) == responses(withdraw) == ["utter_unknown_employee"]
    assert await ValidateWithdrawForm().required_slots(
        ["ticket_number", "withdraw_confirm"], CollectingDispatcher(), report, {}) == []
    assert tap.seen == []  # nothing reached the router
    assert _own(router, email) == []


def test_the_no_identity_answers_promise_nothing_that_does_not_exist():
    responses_ = yaml.safe_load(Path(ROOT / "bot" / "domain.yml").read_text())["responses"]
    for name in ("utter_ticket_needs_identity", "utter_unknown_employee"):
        texts = [variant["text"] for variant in responses_[name]]
        assert all("servicedesk" in t or "service desk" in t for t in texts)
        assert not any("Teams" in t for t in texts)

