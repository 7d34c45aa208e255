"""Microsoft Teams (Bot Framework connector) from the service side: chat notifications of the
outbox, into the conversation where the employee reported.

The recipient is what the Teams channel (bot/channels/teams.py) put on the ticket as the
reporter's address: JSON {"service_url": ..., "conversation": ...}. A token comes from the
token endpoint by client credentials (the bot's app id and password; kept until shortly
before it expires), then the message is POSTed to
{service_url}/v3/conversations/{conversation}/activities. The token goes only to https
service URLs (or loopback, for tests).
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from router.channels.base import SendFailed

DEFAULT_TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"  # noqa: S105 - a URL
SCOPE = "https://api.botframework.com/.default"
# Refusals that will not pass by trying again: no such conversation, the bot was removed.
PERMANENT = frozenset({400, 403, 404})
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def teams_address(service_url: str, conversation: str) -> str:
    """The reporter address of a Teams conversation, as stored on the ticket."""
    return json.dumps({"service_url": service_url, "conversation": conversation})


def parse_address(recipient: str) -> tuple[str, str]:
    """(service URL, conversation id) from a stored address; SendFailed (for good) if unusable."""
    try:
        address = json.loads(recipient)
        service_url, conversation = str(address["service_url"]), str(address["conversation"])
    except (ValueError, TypeError, KeyError):
        raise SendFailed("msteams address unreadable", permanent=True) from None
    parsed = urllib.parse.urlsplit(service_url)
    secure = parsed.scheme == "https" or (parsed.scheme == "http" and parsed.hostname in LOOPBACK)
    if not (secure and parsed.hostname and conversation):
        raise SendFailed("msteams address not https", permanent=True)
    return service_url, conversation


@dataclass(frozen=True)
class TeamsSender:
    app_id: str
    app_password: str
    token_url: str = DEFAULT_TOKEN_URL
    timeout_seconds: float = 10.0
    channel: str = "msteams"
    _token: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def _post(self, url: str, data: bytes, headers: dict[str, str], what: str) -> Any:
        # https (or loopback) checked by parse_address; the token URL is our configuration.
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310 - see above
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310 - see above
                return json.load(response)
        except urllib.error.HTTPError as exc:
            exc.close()  # it holds the response's socket
            if exc.code == 401 and what == "activities":
                self._token.clear()  # a revoked token: the next try fetches a new one
            permanent = what == "activities" and exc.code in PERMANENT
            raise SendFailed(f"msteams {what} {exc.code}", permanent=permanent) from None
        # Unreachable, timed out, not JSON, cut off or no HTTP at all: tried again later.
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise SendFailed(f"msteams {what} {type(exc).__name__}") from None

    def token(self) -> str:
        if self._token.get("value") and time.monotonic() < self._token.get("until", 0.0):
            return str(self._token["value"])
        form = urllib.parse.urlencode({
            "grant_type": "client_credentials", "client_id": self.app_id,
            "client_secret": self.app_password, "scope": SCOPE,
        })  # fmt: skip
        answer = self._post(
            self.token_url, form.encode(),
            {"Content-Type": "application/x-www-form-urlencoded"}, "token",
        )  # fmt: skip
        if not isinstance(answer, dict) or not answer.get("access_token"):
            raise SendFailed("msteams token missing")
        lifetime = int(answer.get("expires_in") or 3600)
        self._token.update(value=str(answer["access_token"]),
                           until=time.monotonic() + max(lifetime - 120, 30))  # fmt: skip
        return str(answer["access_token"])

    def send(
        self, *, recipient: str, body: str, idempotency_key: str, subject: str | None = None
    ) -> str:
        """One message activity into the conversation; the connector takes no idempotency
        key, so the outbox's claim is what keeps a message from going twice."""
        service_url, conversation = parse_address(recipient)
        url = (
            f"{service_url.rstrip('/')}/v3/conversations/"
            f"{urllib.parse.quote(conversation, safe='')}/activities"
        )
        activity = {"type": "message", "text": body, "textFormat": "plain"}
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token()}"}
        answer = self._post(url, json.dumps(activity).encode(), headers, "activities")
        return str(answer.get("id") or "?") if isinstance(answer, dict) else "?"
