"""`make chat`: a terminal chat with the running bot over Rasa's REST channel (stdlib only).

The REST channel is no part of Rasa's HTTP API, so no LOKET_RASA_TOKEN is needed. `--email`
names the employee only when the action server trusts the REST channel's metadata
(`LOKET_TRUST_REST_EMAIL=true`, which `make run` writes to var/loket.env).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
import uuid

EXIT_WORDS = {"/stop", "/quit", "/exit"}


def send(url: str, sender: str, message: str, email: str | None) -> list[dict]:
    body: dict[str, object] = {"sender": sender, "message": message}
    if email:
        body["metadata"] = {"email": email}
    request = urllib.request.Request(  # noqa: S310 - the bot's own URL, http on loopback
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - local bot URL
        return json.load(response)


def main() -> int:
    parser = argparse.ArgumentParser(description="Chat met de Loket-bot / chat with the bot")
    parser.add_argument("--url", default="http://127.0.0.1:5005/webhooks/rest/webhook")
    parser.add_argument("--sender", default=f"terminal-{uuid.uuid4().hex[:8]}")
    parser.add_argument("--email", default=None, help="e-mailadres van de medewerker (metadata)")
    args = parser.parse_args()
    print("Typ je bericht; /stop om te stoppen. (Type a message; /stop to quit.)")
    while True:
        try:
            message = input("jij > ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if message in EXIT_WORDS:
            return 0
        if not message:
            continue
        try:
            replies = send(args.url, args.sender, message, args.email)
        except OSError as exc:
            print(f"De bot is niet bereikbaar op {args.url} ({exc}). Draait `make run`?")
            return 1
        for reply in replies:
            for text in filter(None, [reply.get("text"), reply.get("image")]):
                print(f"bot > {text}")
            for button in reply.get("buttons", []):
                print(f"      [{button.get('title')}] -> {button.get('payload')}")


if __name__ == "__main__":
    sys.exit(main())
