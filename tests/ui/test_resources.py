"""ui.resources.warm_up: what a server makes at start instead of in a clinician's first click."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from e2b import schema
from ui import resources


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    database = tmp_path / "log.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("PV_AUDIT_KEY_FILE", str(tmp_path / "audit-keys.json"))
    st.cache_resource.clear()
    yield database
    st.cache_resource.clear()


def test_warm_up_migrates_the_log_and_compiles_the_schema(fresh: Path) -> None:
    assert not fresh.exists()
    resources.warm_up()
    with sqlite3.connect(fresh) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"cases", "drafts", "alembic_version"} <= tables
    assert schema._load.cache_info().currsize == 1
    assert resources.store() is resources.store()  # the page uses the store made at start


def test_a_database_down_at_start_does_not_stop_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody:x@127.0.0.1:9/none")
    st.cache_resource.clear()
    try:
        resources.warm_up()  # the page reports it when the store is first needed
    finally:
        st.cache_resource.clear()
