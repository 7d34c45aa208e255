"""One real stack (router service, action server, Rasa) for all end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.store.migrate import upgrade
from tests.e2e.stack import Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("stack")
    database_url = f"sqlite:///{workdir / 'loket.db'}"
    upgrade(database_url)
    running = Stack(workdir=workdir, database_url=database_url)
    try:
        running.start()
        yield running
    except RuntimeError:
        for name in ("router", "actions", "rasa"):
            print(f"--- {name} ---\n{running.log(name)}")
        raise
    finally:
        running.stop()


def pytest_collection_modifyitems(items):
    """With `pytest -n`, every end-to-end test runs on one worker, sharing one stack (a stack
    per worker would start Rasa twice and double the memory)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.xdist_group("e2e-stack"))
