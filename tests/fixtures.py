"""Fixtures for every service test (a pytest plugin, see pyproject): the sample organisation
and a migrated store on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

from router.domain.org import Organisation, load_organisation
from router.store.engine import make_engine
from router.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_ORG = ROOT / "org" / "de-delta.yaml"
POSTGRES_URL = os.environ.get(
    "LOKET_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TEST_TOKEN = "test-service-token-0123456789"


@pytest.fixture(scope="session")
def org() -> Organisation:
    return load_organisation(SAMPLE_ORG)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A freshly migrated, empty store. PostgreSQL is required: no server means a failure."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'loket.db'}"
        upgrade(url)
        yield url
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
async def client(aiohttp_client, database_url, org):
    from router.app import create_app
    from router.settings import Settings

    settings = Settings(service_token=TEST_TOKEN, database_url=database_url, org_file=SAMPLE_ORG)
    return await aiohttp_client(create_app(settings, org))
