"""One HTTP call for the senders that talk to suppliers (webhook, TOPdesk), with one rule for
what a failure means: unreachable, timed out, 408/425/429 or 5xx is tried again later; any other
refusal (401, 403, 400, 404...) will not pass by trying again and is for staff at once.

An answer that is no answer is tried again too: one cut off, one that is no HTTP, and a web
page with a 2xx (a proxy's or gateway's login page: the supplier's system never saw it).
"""

from __future__ import annotations

import http.client
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
            status, body = response.status, response.read()
            page = response.headers.get_content_type() == "text/html"
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the response's socket
        retry = exc.code in RETRYABLE or exc.code >= 500
        raise SendFailed(f"{what} {exc.code}", permanent=not retry) from None
    except (OSError, http.client.HTTPException) as exc:  # unreachable, timed out, cut off
        raise SendFailed(f"{what} {type(exc).__name__}") from None
    if page:
        raise SendFailed(f"{what} {status} answered with a web page")
    return Answer(status, body)
