"""Forwarding to a supplier's TOPdesk: an incident made through its REST API.

`POST {url}/tapi/incidents` with Basic auth (the operator's login name and an application
password) and the incident JSON built when the forward was written (caller, briefDescription,
request, externalNumber = the forward's idempotency key). TOPdesk answers with the incident's
`id` and `number`; the number is the acknowledgement and becomes the ticket's supplier
reference. TOPdesk does not refuse a second incident with the same external number, so every
try first asks for it (`GET /tapi/incidents?query=externalNumber==...`): a try after a crash
between TOPdesk's answer and our record finds the incident instead of making a second one.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

from router.channels.base import Delivered, SendFailed
from router.channels.http import call
from router.domain.org import Organisation, TopdeskForwarding


@dataclass(frozen=True)
class TopdeskSender:
    org: Organisation
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    timeout_seconds: float = 15.0
    channel: str = "topdesk"

    def _headers(self, forwarding: TopdeskForwarding) -> dict[str, str]:
        password = self.environ.get(forwarding.password_env, "")
        if not password:
            raise SendFailed(f"topdesk password {forwarding.password_env} not set")
        login = base64.b64encode(f"{forwarding.username}:{password}".encode()).decode()
        return {
            "Authorization": f"Basic {login}",
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": "Loket",
        }

    def send(
        self, *, recipient: str, body: str, idempotency_key: str, subject: str | None = None
    ) -> Delivered:
        """The incident for this forward in supplier `recipient`'s TOPdesk (found or made)."""
        supplier = self.org.supplier(recipient)
        forwarding = supplier.forwarding if supplier else None
        if not isinstance(forwarding, TopdeskForwarding):
            raise SendFailed("topdesk supplier has no topdesk", permanent=True)
        headers = self._headers(forwarding)
        base = forwarding.url.rstrip("/") + "/tapi/incidents"
        incident = json.loads(body)
        external = str(incident.get("externalNumber", ""))
        query = urllib.parse.urlencode(
            {"query": f'externalNumber=="{external}"', "fields": "id,number"}
        )
        try:
            found = call("topdesk lookup", "GET", f"{base}?{query}", headers=headers,
                         timeout=self.timeout_seconds)  # fmt: skip
        except SendFailed as exc:
            # A TOPdesk that cannot search by external number (400, 404) still takes the
            # incident; only a refusal of us (401, 403) or a failure to retry stops here.
            if not exc.reason.endswith((" 400", " 404")):
                raise
            existing = []
        else:
            existing = _incidents(found.body) if found.status == 200 else []
        if existing:
            return _delivered(existing[0])
        made = call("topdesk", "POST", base, headers=headers, body=body.encode(),
                    timeout=self.timeout_seconds)  # fmt: skip
        answer = _json(made.body)
        if not isinstance(answer, dict):
            raise SendFailed("topdesk answer is not an incident")
        return _delivered(answer)


def _json(body: bytes) -> object:
    try:
        return json.loads(body or b"null")
    except ValueError:
        return None


def _incidents(body: bytes) -> list[dict]:
    data = _json(body)
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _delivered(incident: dict) -> Delivered:
    number = incident.get("number")
    if not isinstance(number, str) or not number.strip():
        raise SendFailed("topdesk answer has no incident number")
    return Delivered(number.strip()[:100], number.strip()[:100])
