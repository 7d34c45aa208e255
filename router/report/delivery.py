"""The weekly report by e-mail: the whole collaboration's version to the organisation
file's "all" recipients, and each municipality's own version to its recipients and its
coordinators (staff accounts with an e-mail address).

`send_weekly_reports` is the job; `loket worker` runs it on WEEKLY_REPORT_SCHEDULE (Monday
07:00 Europe/Amsterdam; LOKET_REPORT_SCHEDULE changes it). Delivery is at least once:
each message has a Message-ID made of the week, the version and the address, and each
delivered message is recorded in the store, so a run repeated after a crash sends only
what was not delivered yet. A crash between the SMTP server's acceptance and the record
can repeat one message; its Message-ID lets the receiving side see the duplicate.
"""

from __future__ import annotations

import hashlib
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from router.domain.org import Organisation
from router.report.files import XLSX_NAME, workbook_bytes
from router.report.model import Report
from router.report.period import Period, last_full_week
from router.report.queries import build_report
from router.report.render import report_html
from router.settings import MailSettings
from router.store import accounts, deliveries

log = structlog.get_logger()
KIND = "email:weekly-report"
DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
WEEKLY_REPORT_SCHEDULE = "MON 07:00"  # the default of LOKET_REPORT_SCHEDULE


@dataclass(frozen=True)
class Schedule:
    weekday: int  # 0 is Monday
    at: time
    timezone: str

    def next_run(self, after: datetime) -> datetime:
        """The first scheduled moment strictly after `after` (timezone-aware)."""
        local = after.astimezone(ZoneInfo(self.timezone))
        day = local.date() + timedelta(days=(self.weekday - local.weekday()) % 7)
        moment = datetime.combine(day, self.at, ZoneInfo(self.timezone))
        if moment <= local:
            moment = datetime.combine(day + timedelta(days=7), self.at, ZoneInfo(self.timezone))
        return moment


def schedule(settings: MailSettings, org: Organisation) -> Schedule:
    day, clock = settings.report_schedule.split()
    return Schedule(DAYS.index(day), time.fromisoformat(clock), org.sla.timezone)


@dataclass
class Delivery:
    period: Period
    sent: list[tuple[str, str]] = field(default_factory=list)  # (version, address)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # delivered before
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (version, address, why)


def recipients(session: Session, org: Organisation) -> dict[str | None, list[str]]:
    """Per version (None: the whole collaboration; else a municipality key) its addresses."""
    wanted: dict[str | None, set[str]] = {}
    for key, addresses in org.report.recipients.items():
        wanted.setdefault(None if key == "all" else key, set()).update(a.lower() for a in addresses)
    for key, addresses in accounts.coordinator_addresses(session).items():
        wanted.setdefault(key, set()).update(addresses)
    return {version: sorted(addresses) for version, addresses in wanted.items() if addresses}


def _message_id(period: Period, version: str | None, address: str) -> str:
    digest = hashlib.sha256(f"{period.slug}|{version}|{address}".encode()).hexdigest()[:24]
    return f"<weekrapportage-{period.slug}-{version or 'all'}-{digest}@loket>"


def compose(report: Report, address: str, settings: MailSettings) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = report.title
    message["From"] = settings.mail_from
    message["To"] = address
    message["Message-ID"] = _message_id(report.period, report.municipality, address)
    lines = [report.title, ""] + [f"{label}: {value}" for label, value in report.headline]
    lines += ["", *report.all_notes, "", "De volledige rapportage staat in de bijlagen."]
    message.set_content("\n".join(lines))
    html = report_html(report)
    message.add_alternative(html, subtype="html")
    message.add_attachment(html.encode("utf-8"), maintype="text", subtype="html",
                           filename="rapportage.html")  # fmt: skip
    message.add_attachment(
        workbook_bytes(report), maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=XLSX_NAME,
    )  # fmt: skip
    return message


def _smtp(settings: MailSettings) -> smtplib.SMTP:
    client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    if settings.smtp_starttls:
        client.starttls()
    if settings.smtp_username and settings.smtp_password:
        client.login(settings.smtp_username, settings.smtp_password.get_secret_value())
    return client


def send_weekly_reports(
    engine: Engine, org: Organisation, settings: MailSettings, now: datetime
) -> Delivery:
    """Mail last week's report (the ISO week before `now`) to every recipient once."""
    period = last_full_week(now, org.sla.timezone)
    result = Delivery(period)
    with Session(engine) as session:
        wanted = recipients(session, org)
    for version, addresses in wanted.items():
        key = f"{period.slug}:{version or 'all'}"
        with Session(engine) as session:
            todo = [
                a for a in addresses
                if not deliveries.already_sent(session, kind=KIND, target=a, key=key)
            ]  # fmt: skip
            result.skipped += [(version or "all", a) for a in addresses if a not in todo]
            if not todo:
                continue
            report = build_report(session, org, period, municipality=version, now=now)
        _send(engine, settings, report, todo, key, result)
    log.info("router.report.mailed", week=period.slug, sent=len(result.sent),
             skipped=len(result.skipped), failed=len(result.failed))  # fmt: skip
    return result


def _send(
    engine: Engine,
    settings: MailSettings,
    report: Report,
    addresses: list[str],
    key: str,
    result: Delivery,
) -> None:
    version = report.municipality or "all"
    try:
        client = _smtp(settings)
    except (OSError, smtplib.SMTPException) as exc:
        result.failed += [(version, a, type(exc).__name__) for a in addresses]
        log.warning("router.report.smtp_unavailable", error=type(exc).__name__)
        return
    with client:
        for address in addresses:
            message = compose(report, address, settings)
            try:
                client.send_message(message)
            except smtplib.SMTPException as exc:
                result.failed.append((version, address, type(exc).__name__))
                log.warning("router.report.mail_refused", version=version,
                            error=type(exc).__name__)  # fmt: skip
                continue
            with Session(engine) as session:
                deliveries.record_sent(
                    session, kind=KIND, target=address, key=key,
                    details={"message_id": message["Message-ID"], "version": version},
                )  # fmt: skip
                session.commit()
            result.sent.append((version, address))
