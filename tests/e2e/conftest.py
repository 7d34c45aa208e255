"""One real stack (router service, action server, Rasa) for all end-to-end tests."""

from __future__ import annotations

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

