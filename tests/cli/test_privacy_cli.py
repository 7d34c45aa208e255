"""`loket privacy export`: an employee's data into a folder, each ticket logged as exported
with the reason given; without a reason, or for an unknown address, nothing is written."""

from __future__ import annotations

import json
import stat

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from router.cli.main import app
from router.domain.route import Route
from router.domain.vocabulary import RoutedHow, TicketType
from router.store import tickets as store
from router.store.engine import make_engine
from router.store.migrate import upgrade
from router.store.tables import TicketAccess
from tests.fixtures import SAMPLE_ORG


@pytest.fixture
def engine(tmp_path, monkeypatch, org):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LOKET_ORG_FILE", str(SAMPLE_ORG))
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        for email, title in (("anna@dijkstede.nl", "Scanner <b>Anna</b>"),
                             ("bert@dijkstede.nl", "Scanner Bert")):  # fmt: skip
            store.create_ticket(
                session,
                data=store.NewTicket(
                    municipality="DYK", reporter=store.Reporter("rest", email, email=email),
                    type=TicketType.incident, title=title, description="doet niets",
                    impact="low", urgency="low", conversation="medewerker: help",
                ),
                route=Route("servicedesk", RoutedHow.triage, 0.4), org=org, actor="assistant",
            )  # fmt: skip
        session.commit()
    yield engine
    engine.dispose()


def _log(engine) -> list[tuple[str, str, str | None]]:
    with Session(engine) as session:
        return [(e.staff, e.why, e.reason) for e in session.exec(select(TicketAccess)).all()]


def test_export_writes_json_and_html_and_logs_each_ticket(engine, tmp_path):
    out = tmp_path / "inzage"
    result = CliRunner().invoke(app, ["privacy", "export", "anna@dijkstede.nl", "--out", str(out),
                                      "--reason", "AVG-verzoek 12", "--by", "ada"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 melding(en) geëxporteerd" in result.output
    document = json.loads((out / "persoonsgegevens.json").read_text(encoding="utf-8"))
    assert [m["titel"] for m in document["meldingen"]] == ["Scanner <b>Anna</b>"]
    html = (out / "persoonsgegevens.html").read_text(encoding="utf-8")
    assert "Scanner &lt;b&gt;Anna&lt;/b&gt;" in html and "Bert" not in html
    assert stat.S_IMODE((out / "persoonsgegevens.html").stat().st_mode) == 0o600
    assert _log(engine) == [("ada", "export", "AVG-verzoek 12")]


def test_without_by_the_operator_is_logged(engine, tmp_path):
    result = CliRunner().invoke(app, ["privacy", "export", "anna@dijkstede.nl",
                                      "--out", str(tmp_path), "--reason", "inzage"])  # fmt: skip
    assert result.exit_code == 0, result.output
    ((staff, why, _),) = _log(engine)
    assert staff.startswith("cli") and why == "export"


@pytest.mark.parametrize(
    ("email", "reason", "message"),
    [
        ("anna@dijkstede.nl", "  ", "Geef een reden op"),
        ("niemand@dijkstede.nl", "inzage", "geen medewerker met dat e-mailadres"),
    ],
)
def test_nothing_is_written_or_logged_on_a_refusal(engine, tmp_path, email, reason, message):
    out = tmp_path / "inzage"
    result = CliRunner().invoke(app, ["privacy", "export", email, "--out", str(out),
                                      "--reason", reason])  # fmt: skip
    assert result.exit_code == 2 and message in result.output
    assert not out.exists() and _log(engine) == []


def test_the_reason_is_required(engine, tmp_path):
    result = CliRunner().invoke(app, ["privacy", "export", "anna@dijkstede.nl",
                                      "--out", str(tmp_path)])  # fmt: skip
    assert result.exit_code != 0 and _log(engine) == []
