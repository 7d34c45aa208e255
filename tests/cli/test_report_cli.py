"""`loket report` writes the files for a week or a date range; `loket demo seed` fills an
empty store with a marked, realistic history whose report reads sensibly."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from router.cli.main import app
from router.report.period import iso_week
from router.report.queries import build_report
from router.store.engine import make_engine
from router.store.tables import DemoSeed, Outage, RouteCorrection, Ticket
from tests.fixtures import SAMPLE_ORG
from tests.report import history
from tests.report.conftest import NOW


@pytest.fixture
def store(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LOKET_ORG_FILE", str(SAMPLE_ORG))
    return url


def test_report_for_a_week_and_for_dates(store, org, tmp_path):
    from router.store.migrate import upgrade

    upgrade(store)
    engine = make_engine(store)
    with Session(engine, expire_on_commit=False) as session:
        history.load(session, org)
    engine.dispose()
    out = tmp_path / "week"
    result = CliRunner().invoke(app, ["report", "--week", "2026-W18", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "week 18 (27-04-2026 t/m 03-05-2026)" in result.output
    assert "Gemeente Dijkstede,3,11.88,34.6" in (out / "kostenverdeling.csv").read_text()
    dates = tmp_path / "dagen"
    result = CliRunner().invoke(app, ["report", "--from", "2026-04-28", "--to", "2026-04-28",
                                      "--municipality", "DYK", "--out", str(dates)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Weekrapportage Gemeente Dijkstede: 28-04-2026 t/m 28-04-2026" in result.output
    assert "Veenhoven" not in (dates / "rapportage.html").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-W60"], "2026 has no week 60"),
        (["--week", "volgende week"], "no ISO week"),
        (["--from", "2026-05-03", "--to", "2026-05-01"], "lies before"),
        (["--week", "2026-W18", "--from", "2026-05-01", "--to", "2026-05-02"], "not both"),
        (["--municipality", "Atlantis"], "unknown municipality"),
    ],
)
def test_report_refuses_a_wrong_period(store, tmp_path, args, message):
    from router.store.migrate import upgrade

    upgrade(store)
    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "x"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "x").exists()


def test_demo_seed_gives_a_marked_meaningful_history(store, org, tmp_path):
    result = CliRunner().invoke(app, ["demo", "seed", "--weeks", "3", "--until", "2026-05-03"])
    assert result.exit_code == 0, result.output
    assert "feestdagen: 2026-04-27" in result.output  # King's Day lies in the span
    engine = make_engine(store)
    with Session(engine) as session:
        titles = session.execute(select(Ticket.title)).scalars().all()
        assert len(titles) > 300 and all(t.startswith("[DEMO] ") for t in titles)
        assert session.execute(select(func.count()).select_from(DemoSeed)).scalar_one() == 1
        assert session.execute(select(func.count()).select_from(RouteCorrection)).scalar_one() > 5
        incident = session.execute(select(Outage)).scalar_one()
        linked = select(func.count()).where(Ticket.outage_id == incident.id)
        assert session.execute(linked).scalar_one() == 16
        on_kings_day = select(func.count()).where(
            Ticket.created_at >= iso_week("2026-W18", "Europe/Amsterdam").start,
            Ticket.created_at < iso_week("2026-W18", "Europe/Amsterdam").start.replace(hour=22),
        )
        assert session.execute(on_kings_day).scalar_one() == 0  # nobody works on King's Day
        report = build_report(session, org, iso_week("2026-W17", org.sla.timezone), now=NOW)
    engine.dispose()
    assert report.demo and report.all_notes[0].startswith("DEMODATA")
    medians = {r[0]: r[2] for r in report.table("doorlooptijd_prioriteit").rows}
    assert medians["P1"] < medians["P3"]
    suppliers = {r[0]: r[5] for r in report.table("regie").rows if r[3]}
    assert len(set(suppliers.values())) > 3  # suppliers differ
    again = CliRunner().invoke(app, ["demo", "seed", "--weeks", "1"])
    assert again.exit_code == 2 and "already holds" in again.output
    assert Path(tmp_path).exists()


def test_a_coordinator_gets_an_email_address(store, org):
    from router.store.migrate import upgrade

    upgrade(store)
    runner = CliRunner()
    created = runner.invoke(app, ["staff", "create", "dirk", "--role", "coordinator",
                                  "--municipality", "DYK", "--password-stdin"],
                            input="correct horse battery\n")  # fmt: skip
    assert created.exit_code == 0, created.output
    result = runner.invoke(app, ["staff", "email", "dirk", "Dirk@Dijkstede.nl"])
    assert result.exit_code == 0 and "dirk@dijkstede.nl" in result.output
    assert runner.invoke(app, ["staff", "email", "dirk", "geen-adres"]).exit_code == 2
    from router.store.accounts import coordinator_addresses

    engine = make_engine(store)
    with Session(engine) as session:
        assert coordinator_addresses(session) == {"DYK": ["dirk@dijkstede.nl"]}
    engine.dispose()
