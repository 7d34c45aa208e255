"""Forwarding to a supplier's webhook: the forward's JSON, POSTed and signed.

Headers: `X-Loket-Timestamp` (unix seconds), `X-Loket-Signature: sha256=<hex HMAC-SHA256 of
timestamp + "." + body>` with the supplier's secret (from the environment variable its
organisation-file entry names), and `Idempotency-Key`: the same for every try of one forward,
so that the receiver can drop a repeat. A 2xx is the acknowledgement (unless it is a web page:
router/channels/http.py); the receiver may answer `{"supplier_reference": "..."}`, which
becomes the ticket's supplier reference.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from router.channels.base import Delivered, SendFailed
from router.channels.http import call
from router.domain.forwarding import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_header
from router.domain.org import Organisation, WebhookForwarding


@dataclass(frozen=True)
class WebhookSender:
    org: Organisation
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    clock: Callable[[], float] = time.time
    timeout_seconds: float = 10.0
    channel: str = "webhook"

    def send(
        self, *, recipient: str, body: str, idempotency_key: str, subject: str | None = None
    ) -> Delivered:
        """POST the forward to the webhook of supplier `recipient` (its key)."""
        supplier = self.org.supplier(recipient)
        forwarding = supplier.forwarding if supplier else None
        if not isinstance(forwarding, WebhookForwarding):
            raise SendFailed("webhook supplier has no webhook", permanent=True)
        secret = self.environ.get(forwarding.secret_env, "")
        if not secret:
            raise SendFailed(f"webhook secret {forwarding.secret_env} not set")
        payload = body.encode()
        timestamp = str(int(self.clock()))
        answer = call(
            "webhook",
            "POST",
            forwarding.url,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": idempotency_key,
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: signature_header(secret, timestamp, payload),
                "User-Agent": "Loket",
            },
            body=payload,
            timeout=self.timeout_seconds,
        )
        return Delivered(f"webhook {answer.status}", _their_reference(answer.body))


def _their_reference(body: bytes) -> str | None:
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return None
    value = data.get("supplier_reference") if isinstance(data, dict) else None
    return value.strip()[:100] or None if isinstance(value, str) else None
