"""Alembic environment over SQLModel.metadata; the URL comes from the caller's config."""

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import router.store.tables  # noqa: F401 - registers the tables on SQLModel.metadata
from router.store.engine import NO_TIMEOUTS, make_engine

config = context.config


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    if url is None:
        raise RuntimeError("alembic config has no sqlalchemy.url and no connection")
    engine = make_engine(url, NO_TIMEOUTS)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `loket db upgrade`")
run_migrations()
