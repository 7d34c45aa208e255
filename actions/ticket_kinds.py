"""The kinds of ticket the assistant makes, and what each one asks and is called."""

from __future__ import annotations

# Slots ticket_form asks, per kind (validate_ticket_form.required_slots).
FORM_SLOTS = {
    "incident": ["municipality", "description", "affected", "urgency", "confirm"],
    # What is needed, for whom and where, by when: no "how many are hindered" for a request.
    "request": ["municipality", "description", "request_where", "request_when", "confirm"],
    "question": ["municipality", "description", "affected", "urgency", "confirm"],
    "security": ["municipality", "description"],
    "breach": ["municipality", "description", "breach_data", "breach_people", "breach_discovered",
               "confirm"],  # the 72 hours are said first (START_RESPONSE); filed after a yes
    "callback": ["municipality", "callback_phone", "confirm"],  # never without a yes
}
# The intent that starts a ticket, and the kind it makes.
KIND_OF_INTENT = {
    "report_incident": "incident",
    "request_service": "request",
    "report_security_incident": "security",
    "report_data_breach": "breach",
    "human_handoff": "callback",
    "affirm": "question",  # "ja" to "shall I make a ticket?" after a faq answer that did not help
}
START_RESPONSE = {
    "incident": "utter_incident_start",
    "request": "utter_request_start",
    "question": "utter_question_start",
    "security": "utter_security_advice",
    "breach": "utter_breach_start",
    "callback": "utter_handoff_start",
}
# The `type` of POST /api/tickets.
API_TYPE = {
    "incident": "incident",
    "request": "request",
    "question": "question",
    "security": "security_incident",
    "breach": "data_breach",
    "callback": "callback",
}
# Everything one ticket collects; reset when it is made or abandoned. The municipality stays.
TICKET_SLOTS = (
    "ticket_kind", "application", "description", "affected", "urgency", "confirm",
    "breach_data", "breach_people", "breach_discovered", "faq_topic", "faq_question",
    "ticket_retry", "ticket_stopped", "form_misses", "callback_phone", "request_where",
    "request_when",
)  # fmt: skip

KIND_WORDS = {
    "nl": {"incident": "Storing", "request": "Aanvraag", "question": "Vraag", "breach": "Datalek"},
    "en": {"incident": "Incident", "request": "Request", "question": "Question",
           "breach": "Data breach"},
}
AFFECTED_WORDS = {
    "nl": {"low": "alleen jij", "medium": "je team of afdeling",
           "high": "meerdere afdelingen of iedereen"},
    "en": {"low": "only you", "medium": "your team or department",
           "high": "several departments or everyone"},
}  # fmt: skip
URGENCY_WORDS = {
    "nl": {"high": "je kunt niet verder werken", "medium": "lastig, maar je kunt verder",
           "low": "het kan wachten"},
    "en": {"high": "you cannot work", "medium": "annoying, but you can carry on",
           "low": "it can wait"},
}  # fmt: skip
