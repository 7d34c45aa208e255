"""Telegram's Bot API (sendMessage) from the service side: chat notifications of the outbox.

Plain text (no parse mode, so nothing needs escaping), split within Telegram's 4096
characters. The base URL is configurable so that tests point it at a local fake.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from router.channels.base import SendFailed

DEFAULT_API_URL = "https://api.telegram.org"
MESSAGE_LIMIT = 4096
# Refusals that will not pass by trying again: no such chat, the user blocked the bot.
PERMANENT = frozenset({400, 403})


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """`text` in parts of at most `limit` characters, cut at a paragraph, line or word."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        # A paragraph's end if there is one in the second half, else a line's, else a word's.
        cuts = (window.rfind(sep) for sep in ("\n\n", "\n", " "))
        cut = next((c for c in cuts if c >= limit // 2), limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


@dataclass(frozen=True)
class TelegramSender:
    token: str
    api_url: str = DEFAULT_API_URL
    timeout_seconds: float = 10.0
    channel: str = "telegram"

    def _call(self, method: str, payload: dict) -> dict:
        url = f"{self.api_url.rstrip('/')}/bot{self.token}/{method}"
        request = urllib.request.Request(  # noqa: S310 - an https (or test loopback) URL we configure
            url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
                answer = json.load(response)
        except urllib.error.HTTPError as exc:
            exc.close()  # it holds the response's socket
            raise SendFailed(
                f"telegram {method} {exc.code}", permanent=exc.code in PERMANENT
            ) from None
        # Unreachable, timed out, not JSON, cut off or no HTTP at all: tried again later.
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise SendFailed(f"telegram {method} {type(exc).__name__}") from None
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            raise SendFailed(f"telegram {method} not ok")
        return answer

    def send(
        self, *, recipient: str, body: str, idempotency_key: str, subject: str | None = None
    ) -> str:
        """sendMessage to the chat; Telegram takes no idempotency key, so the outbox's
        claim is what keeps a message from going twice."""
        ids = []
        for part in split_text(body):
            answer = self._call("sendMessage", {"chat_id": recipient, "text": part})
            result = answer.get("result")
            ids.append(str(result.get("message_id")) if isinstance(result, dict) else "?")
        return ",".join(ids)
