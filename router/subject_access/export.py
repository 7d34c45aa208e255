"""An employee's data as two files: JSON (for a machine) and one self-contained HTML page (for
a person, Dutch, readable offline and printable). Both hold the same: the employee's record,
linked chat accounts, and per ticket its text, the conversation stored with it, the comments
to the employee and their own words. Every value in the page is escaped (autoescape).

The text is as the store holds it: a BSN or IBAN stays masked. Staff's names stay out: a
comment to the employee is signed "Servicedesk".
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from sqlmodel import Session

from router.domain.access_log import AccessWhy, required_reason
from router.domain.errors import InvalidInput
from router.domain.org import Organisation
from router.store.access_log import record_access
from router.store.personal_data import REPORTER, EmployeeData, TicketData, employee_data

TEMPLATES = Path(__file__).resolve().parent / "templates"
JSON_NAME, HTML_NAME = "persoonsgegevens.json", "persoonsgegevens.html"

STATUS_WORDS = {
    "new": "Nieuw",
    "routed": "Doorgestuurd naar de juiste afdeling",
    "forwarded": "Doorgezet naar de leverancier",
    "in_progress": "In behandeling",
    "waiting": "Wacht op uw reactie",
    "resolved": "Opgelost",
    "closed": "Gesloten",
    "reopened": "Heropend",
    "withdrawn": "Ingetrokken",
}
TYPE_WORDS = {
    "incident": "Storing",
    "request": "Aanvraag",
    "question": "Vraag",
    "security_incident": "Beveiligingsincident",
    "data_breach": "Datalek",
    "callback": "Terugbelverzoek",
}


@dataclass(frozen=True)
class Export:
    files: dict[str, bytes]  # by file name
    references: list[str]  # the tickets in it, each now in the access log


class UnknownEmployee(InvalidInput):
    """No employee with the address typed (a form's input to correct, not a missing page)."""

    def __init__(self) -> None:
        super().__init__("no employee with that e-mail address")

    def dutch(self) -> str:
        return "Het loket kent geen medewerker met dat e-mailadres."


def export_employee(
    session: Session,
    *,
    email: str,
    staff: str,
    reason: str | None,
    org: Organisation,
    now: datetime,
) -> Export:
    """The employee's data as files; every ticket in it is logged as exported by `staff`
    for the typed `reason` (required). An unknown address raises UnknownEmployee."""
    reason = required_reason(reason)
    data = employee_data(session, email=email)
    if data is None:
        raise UnknownEmployee()
    tickets = [t.ticket for t in data.tickets]
    record_access(
        session, staff=staff, tickets=tickets, why=AccessWhy.export, reason=reason, now=now
    )
    return Export(export_files(data, org, now), [t.reference for t in tickets])


def export_document(data: EmployeeData, org: Organisation, now: datetime) -> dict[str, Any]:
    """The export as one structure (datetimes still as datetimes); Dutch keys."""
    employee = data.employee
    return {
        "export": {"gemaakt_op": now, "organisatie": org.name},
        "medewerker": {
            "e-mailadres": employee.email,
            "naam": employee.name,
            "gemeente": _municipality_name(org, employee.municipality),
            "bekend_sinds": employee.created_at,
        },
        "chataccounts": [
            {"kanaal": i.channel, "id": i.sender_id, "bevestigd_op": i.verified_at}
            for i in data.identities
        ],
        "meldingen": [_ticket(org, t) for t in data.tickets],
    }


def _ticket(org: Organisation, data: TicketData) -> dict[str, Any]:
    t = data.ticket
    return {
        "referentie": t.reference,
        "aangemaakt_op": t.created_at,
        "soort": TYPE_WORDS.get(t.type, t.type),
        "status": STATUS_WORDS.get(t.status, t.status),
        "gemeente": _municipality_name(org, t.municipality),
        "applicatie": t.application,
        "prioriteit": t.priority,
        "titel": t.title,
        "omschrijving": t.description,
        "gesprek": t.conversation,
        "kanaal": t.reporter_channel,
        "opgelost_op": t.resolved_at,
        "gesloten_op": t.closed_at,
        "opmerkingen": [
            {"op": c.created_at, "van": "u" if c.author == REPORTER else "Servicedesk",
             "tekst": c.text}
            for c in data.comments
        ],  # fmt: skip
        "eigen_toelichtingen": [{"op": e.at, "tekst": e.note} for e in data.own_notes],
        "beoordelingen": [
            {"op": s.at, "score": s.score, "opmerking": s.remark} for s in data.scores
        ],
    }


def _municipality_name(org: Organisation, key: str | None) -> str | None:
    found = org.municipality(key) if key else None
    return found.name if found else key


def export_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, default=_iso)


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def export_html(document: dict[str, Any], org: Organisation) -> str:
    env = _environment(ZoneInfo(org.sla.timezone))
    return env.get_template("export.html").render(doc=document)


def _environment(tz: ZoneInfo) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # ticket text and conversations are untrusted input
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = lambda d: d.astimezone(tz).strftime("%d-%m-%Y %H:%M") if d else "—"
    return env


def export_files(data: EmployeeData, org: Organisation, now: datetime) -> dict[str, bytes]:
    """The two files by name."""
    document = export_document(data, org, now)
    return {
        JSON_NAME: export_json(document).encode("utf-8"),
        HTML_NAME: export_html(document, org).encode("utf-8"),
    }


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def write_files(files: dict[str, bytes], out: Path) -> list[Path]:
    """Into the folder `out`, readable by their owner only: they hold personal data."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        path = out / name
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        path.chmod(0o600)  # also when the file was there before
        written.append(path)
    return written
