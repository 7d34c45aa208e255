"""Service settings, from environment variables only (a `.env` file in development)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated

from pydantic import (
    AliasChoices,
    BeforeValidator,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_PLACEHOLDERS = {"changeme", "change-me", "secret", "token", "xxx", "test"}


def _networks(value: object) -> object:
    """A comma-separated environment value as a list; each an IP address or network."""
    if isinstance(value, str):
        value = [v for v in value.replace(" ", ",").split(",") if v]
    if isinstance(value, list):
        for item in value:
            ipaddress.ip_network(str(item).strip(), strict=False)  # ValueError names it
    return value


ProxyList = Annotated[list[str], NoDecode, BeforeValidator(_networks)]


class StoreSettings(BaseSettings):
    """What commands that only touch the database need."""

    model_config = SettingsConfigDict(env_prefix="LOKET_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/loket.db",
        validation_alias=AliasChoices("DATABASE_URL", "LOKET_DATABASE_URL"),
    )


class RouterSettings(StoreSettings):
    """What routing needs: the organisation file and the text model."""

    org_file: Path = Path("org/de-delta.yaml")
    model_dir: Path = Path("var/models/router")
    # Example tickets the text model trains and is measured on (router/routing/example_tickets.py).
    tickets_dir: Path = Path("data/tickets")
    # Share of the text model's automatic routes that must be right. Each retraining measures
    # on held-out folds the confidence that reaches it; below that, tickets go to triage.
    route_target_precision: float = Field(default=0.90, ge=0.5, le=1.0)
    # Labelled real tickets (imported history + staff corrections) before the text model
    # routes anything on its own; until then it only suggests, in triage. 200 measure a 90 %
    # precision to within about +-5 points (router/routing/heldout.py, Gate).
    model_min_real_examples: int = Field(default=200, ge=0)
    # ...and real examples a destination needs before the model routes to it on its own.
    model_min_per_destination: int = Field(default=10, ge=1)
    # From this confidence (never below the measured threshold) the text model's choice
    # replaces a route the organisation file's words made, where the two disagree
    # (router/routing/heldout.py, Gate).
    model_override_confidence: float = Field(default=0.70, ge=0.5, le=1.0)
    # A fixed confidence threshold instead of the measured one (leave unset normally).
    route_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    # How often the service looks for a newly published (or rolled back) model.
    model_check_seconds: float = Field(default=2.0, gt=0.0, le=3600.0)


class SmtpSettings(BaseSettings):
    """The mail server of the service's own mail: the one-time codes that link a Telegram
    account (router/api/linking.py; without a host no code can be sent and the bot says so)
    and the outbox's e-mail (forwards to suppliers; without a host they wait in the outbox)."""

    model_config = SettingsConfigDict(env_prefix="LOKET_", extra="ignore")

    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "loket@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False


class WorkerSettings(RouterSettings, SmtpSettings):
    """What `loket worker` needs: its pace and the jobs' schedules."""

    # How often the worker looks for due jobs.
    worker_poll_seconds: float = Field(default=15.0, gt=0.0, le=3600.0)
    # Retraining: daily at this local time (the organisation's time zone); empty: never.
    retrain_at: str = "02:00"
    # ...and as soon as this many corrections arrived since the current version; 0: never.
    retrain_after_corrections: int = Field(default=50, ge=0)
    # The outbox (chat notifications): how often it is looked at, and its retries: the
    # first after this many seconds, each next one twice as late (at most an hour); after
    # the last try a message is flagged for staff, never dropped.
    outbox_every_seconds: float = Field(default=10.0, gt=0.0, le=3600.0)
    outbox_first_retry_seconds: float = Field(default=30.0, gt=0.0, le=3600.0)
    outbox_max_attempts: int = Field(default=8, ge=1, le=50)
    # Telegram's Bot API for notifications (the same variables as the Rasa channel's);
    # without a token Telegram messages wait in the outbox. Empty URL: api.telegram.org.
    telegram_token: SecretStr | None = None
    telegram_api_url: str = ""
    # Microsoft Teams' connector for notifications (the same variables as the Rasa channel's):
    # without an app id and password Teams messages wait in the outbox. Empty URL: Microsoft's.
    teams_app_id: str = ""
    teams_app_password: SecretStr | None = None
    teams_token_url: str = ""
    # Retention (AVG): a ticket closed or withdrawn this many months ago loses its personal
    # data and texts, nightly (router/store/retention.py); the report's figures stay.
    retention_months: int = Field(default=24, ge=1)
    # The assistant's conversations in Rasa's SQL tracker store (a SQLAlchemy URL): a
    # conversation whose last event is this many days old is deleted. Unset: no purge.
    tracker_db_url: SecretStr | None = None
    tracker_retention_days: int = Field(default=30, ge=1)

    @field_validator("telegram_token", "teams_app_password", "tracker_db_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class Settings(RouterSettings, SmtpSettings):
    """The router service's settings."""

    # Opens every endpoint of the JSON API (staff tools, integrations).
    service_token: SecretStr = Field(min_length=16)
    # The assistant's action server: only what its conversations need (router/api/auth.py,
    # ASSISTANT_MAY_CALL), 403 elsewhere. Optional; unset, only the service token works.
    assistant_token: SecretStr | None = Field(default=None, min_length=16)
    # Signs the staff workspace's session cookies and CSRF tokens (32+ characters). Without
    # it the JSON API runs and the workspace answers 503 naming this variable.
    secret_key: SecretStr | None = None
    # Cookies only over HTTPS; false only for plain-HTTP development on loopback.
    cookie_secure: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # Shared state across worker processes and hosts (sign-in attempt counts). Without it
    # each process counts on its own. E.g. redis://127.0.0.1:6379/0
    redis_url: str | None = None
    redis_prefix: str = Field(default="loket:", min_length=1, max_length=64)
    # Reverse proxies whose X-Forwarded-For is believed (IPs or networks, comma-separated,
    # e.g. 10.0.0.5,10.1.0.0/16). Without them the TCP peer is the client, so behind a proxy
    # every user would share the proxy's sign-in budget.
    trusted_proxies: ProxyList = Field(default_factory=list)
    # Keys the staff pseudonyms in the logs (HMAC); without it the workspace's secret key does.
    log_key: SecretStr | None = None
    # Processes serving requests; routing is CPU work, so one per core by default.
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=64)

    @field_validator("service_token", "assistant_token")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in _PLACEHOLDERS:
            raise ValueError("the token is a placeholder; set a random secret")
        return value

    @model_validator(mode="after")
    def _tokens_differ(self) -> Settings:
        assistant = self.assistant_token
        if assistant is not None and (
            assistant.get_secret_value() == self.service_token.get_secret_value()
        ):
            raise ValueError("LOKET_ASSISTANT_TOKEN must differ from LOKET_SERVICE_TOKEN")
        return self


class MailSettings(RouterSettings):
    """Mail for the weekly report (issue 16): the SMTP relay, the sender and the schedule."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False  # true for a relay on another host
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = Field(default="loket@localhost", min_length=3)
    # When the weekly report goes out: weekday and time in the organisation's time zone.
    report_schedule: str = Field(
        default="MON 07:00", pattern=r"^(MON|TUE|WED|THU|FRI|SAT|SUN) \d\d:\d\d$"
    )
