"""Wait until the stack answers, then say where to talk to the bot (Dutch and English).

Part of `make run` (Procfile): it keeps running after the banner because honcho stops the
whole stack when any of its processes ends.
"""

from __future__ import annotations

import sys
import time
import urllib.request

CHECKS = {
    "router": "http://127.0.0.1:8080/api/health",
    "actions": "http://127.0.0.1:5055/health",
    "rasa": "http://127.0.0.1:5005/webhooks/rest/",
}
BANNER = """
==============================================================================
 Loket draait / Loket is running

 Praat met de bot / Talk to the bot:    make chat   (in een tweede terminal / in a second terminal)
   of via REST / or over REST:          POST http://127.0.0.1:5005/webhooks/rest/webhook
                                        {"sender": "jij", "message": "hoi"}
 Routerservice / Router service:        http://127.0.0.1:8080/api/health
 Helpdesk-werkruimte / Staff workspace: http://127.0.0.1:8080/staff/  (account: loket staff create)
   API-beschrijving / API description:  http://127.0.0.1:8080/api/openapi.json
 Stoppen / Stop:                        Ctrl-C
==============================================================================
"""


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - fixed loopback URLs
            return response.status == 200
    except OSError:
        return False


def main(timeout: float = 300) -> int:
    deadline = time.monotonic() + timeout
    waiting = dict(CHECKS)
    while waiting and time.monotonic() < deadline:
        waiting = {name: url for name, url in waiting.items() if not _up(url)}
        time.sleep(1)
    if waiting:
        print(f"Niet gestart / did not start: {', '.join(waiting)}", file=sys.stderr)
        return 1
    print(BANNER, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
