"""Commands that cannot do their work say in one line what to run, never with a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from sqlalchemy import create_engine, text

from tests.fixtures import POSTGRES_URL, SAMPLE_ORG


def _loket(tmp_path, *args: str, url: str | None = None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "LOKET_ORG_FILE": str(SAMPLE_ORG),
        "DATABASE_URL": url or f"sqlite:///{tmp_path / 'loket.db'}",
        "LOKET_MODEL_DIR": str(tmp_path / "models"),
    }
    return subprocess.run(
        [sys.executable, "-m", "router.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def _one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_route_without_a_model_says_to_train(tmp_path):
    line = _one_line(_loket(tmp_path, "route", "--municipality", "DYK", "paspoort kwijt"))
    assert "No router model is installed" in line
    assert "`loket router train`" in line


def test_route_with_an_unreadable_model_says_to_train_or_roll_back(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "router-20260101T000000000000Z.skops").write_bytes(b"not a model")
    (models / "CURRENT").write_text("router-20260101T000000000000Z", encoding="utf-8")
    line = _one_line(_loket(tmp_path, "route", "--municipality", "DYK", "paspoort kwijt"))
    assert "cannot be read" in line and "router-20260101T000000000000Z.skops" in line
    assert "`loket router train`" in line and "`loket router rollback`" in line


def test_train_before_the_schema_says_to_upgrade(tmp_path):
    line = _one_line(_loket(tmp_path, "router", "train"))
    assert line == "The database has no schema yet: run `loket db upgrade` first."
    assert not (tmp_path / "models").exists()


def test_import_before_the_schema_says_to_upgrade(tmp_path):
    csv = tmp_path / "export.csv"
    csv.write_text("text,group\nprinter stuk,werkplek\n", encoding="utf-8")
    result = _loket(
        tmp_path, "router", "import", str(csv), "--text-cols", "text", "--label-col", "group"
    )
    assert "run `loket db upgrade`" in _one_line(result)


def test_train_on_an_empty_postgresql_schema_says_to_upgrade(tmp_path):
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        line = _one_line(_loket(tmp_path, "router", "train", url=url))
        assert "run `loket db upgrade`" in line
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_an_unreachable_database_names_the_setting(tmp_path):
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/loket_no_such_database"
    line = _one_line(_loket(tmp_path, "router", "train", url=url))
    assert line.startswith("Cannot open the database") and "DATABASE_URL" in line


def test_a_bad_example_ticket_names_its_file_and_line(tmp_path):
    assert _loket(tmp_path, "db", "upgrade").returncode == 0
    tickets = tmp_path / "data" / "tickets"
    tickets.mkdir(parents=True)
    good = '{"text": "printer stuk", "municipality": "DYK", "expected": "werkplek"}'
    bad = '{"text": "printer stuk", "municipality": "DYK", "expected": "de printerman"}'
    (tickets / "week1.jsonl").write_text(f"{good}\n{bad}\n", encoding="utf-8")
    line = _one_line(_loket(tmp_path, "router", "train"))
    assert "week1.jsonl:2" in line and "'de printerman'" in line and "mend or remove" in line
    assert not (tmp_path / "models").exists()
