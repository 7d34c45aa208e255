"""Secrets, signed session cookies and CSRF tokens of the staff workspace."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from router.settings import Settings

SESSION_COOKIE = "loket_sessie"
CSRF_COOKIE = "loket_csrf"
CSRF_FIELD = "csrf_token"
SESSION_HOURS = 10  # one working day; then sign in again
MIN_SECRET = 32
_PLACEHOLDERS = {"changeme", "change-me", "secret", "test", "xxx"}


class WorkspaceConfigError(RuntimeError):
    """The workspace cannot run: the message names the setting to fix."""


@dataclass(frozen=True)
class Secrets:
    key: str
    cookie_secure: bool = True

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.key, salt="loket.staff.session")

    def session_token(self, account_id: int, fingerprint: str) -> str:
        return self._serializer().dumps({"u": account_id, "f": fingerprint})

    def read_session(self, token: str | None) -> tuple[int, str] | None:
        if not token:
            return None
        try:
            data = self._serializer().loads(token, max_age=SESSION_HOURS * 3600)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), int):
            return None
        return data["u"], str(data.get("f", ""))

    def csrf_token(self, seed: str) -> str:
        return hmac.new(self.key.encode(), f"csrf|{seed}".encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, seed: str | None, given: str | None) -> bool:
        if not seed or not given:
            return False
        return hmac.compare_digest(self.csrf_token(seed), given)


def new_seed() -> str:
    return secrets.token_urlsafe(32)


def load_secrets(settings: Settings) -> Secrets:
    """The signing key and cookie policy from the settings (LOKET_SECRET_KEY...)."""
    key = settings.secret_key.get_secret_value().strip() if settings.secret_key else ""
    if not key:
        raise WorkspaceConfigError(
            "LOKET_SECRET_KEY is not set: the staff workspace signs its session cookies and "
            f"CSRF tokens with it. Set a random secret of at least {MIN_SECRET} characters, "
            "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if len(key) < MIN_SECRET or key.lower() in _PLACEHOLDERS:
        raise WorkspaceConfigError(
            f"LOKET_SECRET_KEY is too short or a placeholder; use at least {MIN_SECRET} "
            "random characters"
        )
    return Secrets(key=key, cookie_secure=settings.cookie_secure)
