from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from router.report.period import iso_week
from router.report.queries import build_report
from tests.report import history

NOW = datetime(2026, 5, 4, 5, 0, tzinfo=UTC)  # Monday morning after the week


@pytest.fixture
def seeded(engine, org):
    with Session(engine, expire_on_commit=False) as session:
        return history.load(session, org)


@pytest.fixture
def week(org):
    return iso_week("2026-W18", org.sla.timezone)


@pytest.fixture
def make_report(engine, org, seeded, week):
    def make(municipality=None):
        with Session(engine) as session:
            return build_report(session, org, week, municipality=municipality, now=NOW)

    return make
