"""Database fixtures: each store test runs on a real SQLite file and on a real PostgreSQL.

PostgreSQL comes from DATABASE_URL (postgresql+psycopg://...); every test gets a fresh schema of
its own, dropped afterwards. Without such a URL the postgres cases are skipped, unless
PV_REQUIRE_POSTGRES=1 (CI), where an unreachable server fails them instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from pv.store import Store


def postgres_base_url() -> str:
    """DATABASE_URL when it names PostgreSQL; otherwise skip (or fail when PG is required)."""
    url = os.environ.get("DATABASE_URL", "")
    required = os.environ.get("PV_REQUIRE_POSTGRES") == "1"
    if not url.startswith("postgresql"):
        if required:
            pytest.fail("PV_REQUIRE_POSTGRES=1 but DATABASE_URL does not name a PostgreSQL server")
        pytest.skip("no PostgreSQL: set DATABASE_URL=postgresql+psycopg://... to run these")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema (search_path) of this test's own."""
    base = postgres_base_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL at {make_url(base)!r} is unreachable: {exc.orig}"
        if os.environ.get("PV_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'log' / 'submissions.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """The URL of an empty database of each kind."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store.open(db_url)
    try:
        yield opened
    finally:
        opened.close()
