"""The Monday mail: a real SMTP server on loopback (aiosmtpd) receives the whole report for
the organisation file's "all" recipients and each municipality's own version for its
recipients and coordinators; a second run sends nothing twice."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session

from router.domain.vocabulary import Role
from router.report.delivery import WEEKLY_REPORT_SCHEDULE, schedule, send_weekly_reports
from router.settings import MailSettings
from router.store.accounts import create_account, set_active, set_email
from tests.report.history import may

MONDAY = datetime(2026, 5, 4, 5, 0, tzinfo=UTC)  # Monday 07:00 in Amsterdam: week 18's report
OTHERS = {"DYK": ("Veenhoven", "Polderwaard", "Heuvelrade")}


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def to(self, address: str) -> list:
        return [message_from_bytes(content, policy=policy.default)
                for rcpts, content in self.messages if address in rcpts]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def coordinators(engine, org):
    with Session(engine) as session:
        for name, municipality, email in [
            ("dirk", "DYK", "Dirk@Dijkstede.nl"),
            ("vera", "VHN", None),
            ("oud", "PLW", "oud@x.nl"),
        ]:
            create_account(
                session,
                username=name,
                password="correct horse battery",
                role=Role.coordinator,
                municipality=municipality,
                org=org,
            )
            if email:
                set_email(session, username=name, email=email)
        set_active(session, username="oud", active=False)
        session.commit()  # fmt: skip


def _settings(port: int) -> MailSettings:
    return MailSettings(smtp_host="127.0.0.1", smtp_port=port, mail_from="rapport@de-delta.nl")


def test_each_recipient_gets_their_own_version_once(engine, org, seeded, coordinators, smtp):
    inbox, port = smtp
    result = send_weekly_reports(engine, org, _settings(port), MONDAY)
    assert result.period.week == "2026-W18" and result.failed == []
    # "all": 2 board addresses; DYK: its i-adviseur and coordinator dirk; VHN, PLW, HRD: one
    # each (vera has no address, oud is deactivated)
    assert len(result.sent) == 7
    board = inbox.to("bestuur@de-delta.nl")
    assert len(board) == 1
    whole = board[0]
    assert (
        whole["Subject"].strip()  # a long subject is folded; mail programs show it unfolded
        == "Weekrapportage ICT-samenwerking De Delta: week 18 (27-04-2026 t/m 03-05-2026)"
    )
    html = whole.get_body(("html",)).get_content()
    assert all(name in html for name in ("Dijkstede", "Veenhoven", "Polderwaard", "Heuvelrade"))
    names = [part.get_filename() for part in whole.iter_attachments()]
    assert names == ["rapportage.html", "rapportage.xlsx"]
    for address in ("dirk@dijkstede.nl", "i-adviseur@dijkstede.nl"):
        (mine,) = inbox.to(address)
        assert mine["Subject"].strip().startswith("Weekrapportage Gemeente Dijkstede: week 18")
        text = mine.get_body(("html",)).get_content() + mine.get_body(("plain",)).get_content()
        assert "Opgelost: 3" in text  # T1, T3, T6
        assert not [word for word in OTHERS["DYK"] if word in text]
    assert inbox.to("oud@x.nl") == []
    ids = [message_from_bytes(c)["Message-ID"] for _, c in inbox.messages]
    assert len(set(ids)) == 7

    again = send_weekly_reports(engine, org, _settings(port), MONDAY)
    assert again.sent == [] and len(again.skipped) == 7
    assert len(inbox.messages) == 7  # nothing twice


def test_a_run_without_smtp_sends_later(engine, org, seeded, smtp):
    inbox, port = smtp
    down = send_weekly_reports(engine, org, _settings(_free_port()), MONDAY)
    assert down.sent == [] and len(down.failed) == 6
    up = send_weekly_reports(engine, org, _settings(port), MONDAY)
    assert len(up.sent) == 6 and up.failed == []


def test_the_schedule_is_monday_seven_in_amsterdam(org):
    settings = MailSettings()
    assert settings.report_schedule == WEEKLY_REPORT_SCHEDULE
    plan = schedule(settings, org)
    # after Sunday 3 May 23:00 the next run is Monday 4 May 07:00 CEST (05:00 UTC)
    assert plan.next_run(may(3, 23)) == MONDAY
    assert plan.next_run(MONDAY) == datetime(2026, 5, 11, 5, 0, tzinfo=UTC)
    winter = schedule(MailSettings(report_schedule="TUE 06:30"), org)
    assert winter.next_run(datetime(2026, 12, 1, 6, 0, tzinfo=UTC)) == datetime(
        2026, 12, 8, 5, 30, tzinfo=UTC
    )
