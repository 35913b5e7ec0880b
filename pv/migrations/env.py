"""Alembic environment: `pv.db.upgrade` passes a connection; the `alembic` CLI uses DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from pv.db import include_object
from pv.tables import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # the alembic CLI (e.g. `alembic revision --autogenerate`): connect from configuration
    from pv.config import load_settings
    from pv.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or load_settings().database_url)
    with engine.connect() as cli_connection:
        _run(cli_connection)
        cli_connection.commit()
