"""One HTTP call for the senders that talk to suppliers (webhook, TOPdesk), with one rule for
what a failure means: unreachable, timed out, 408/425/429 or 5xx is tried again later; any other
refusal (401, 403, 400, 404...) will not pass by trying again and is for staff at once."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

from router.channels.base import SendFailed

RETRYABLE = frozenset({408, 425, 429})


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def call(
    what: str,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    body: bytes | None = None,
    timeout: float = 10.0,
) -> Answer:
    """The answer of a 2xx; SendFailed naming `what` and the status or error kind otherwise."""
    if not url.startswith(("https://", "http://")):
        raise SendFailed(f"{what} url is not http(s)", permanent=True)
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - http(s) checked above
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Answer(response.status, response.read())
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the response's socket
        retry = exc.code in RETRYABLE or exc.code >= 500
        raise SendFailed(f"{what} {exc.code}", permanent=not retry) from None
    except OSError as exc:  # unreachable, refused, timed out
        raise SendFailed(f"{what} {type(exc).__name__}") from None
