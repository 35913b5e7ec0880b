"""The log by keyboard (AppTest): open a case and pick cases for the export without grid rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pv.store import Store
from pv.users import add_user
from tests.pv.submissions import builder

PASSWORD = "saffron harbour lantern 7"


def log_app() -> None:
    from ui import log_page

    log_page.render()


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Two cases and one officer, in a temporary SQLite file."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'log.db'}")
    st.cache_resource.clear()
    store = Store.open()
    try:
        add_user(store, "officer1", PASSWORD, role="officer")
        ids = [store.submit(builder(name)).case_id for name in ("itp_course2", "thyroid_graves")]
    finally:
        store.close()
    yield ids
    st.cache_resource.clear()


def _logged_in() -> AppTest:
    at = AppTest.from_function(log_app, default_timeout=60)
    at.run()
    at.text_input(key="login.name").input("officer1")
    at.text_input(key="login.password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


def test_a_case_opens_from_the_select_box_and_button(seeded: list[str]) -> None:
    at = _logged_in()
    assert set(at.selectbox(key="log.pick").options) == set(seeded)
    at.selectbox(key="log.pick").set_value(seeded[1])
    at.button(key="log.pick.go").click().run()
    assert not at.exception
    assert at.text_input(key="log.case_id").value == seeded[1]
    assert any(h.value == f"Case {seeded[1]}" for h in at.subheader)


def test_the_open_button_without_a_pick_opens_nothing(seeded: list[str]) -> None:
    at = _logged_in()
    at.button(key="log.pick.go").click().run()
    assert not at.exception
    assert at.text_input(key="log.case_id").value == ""


def test_cases_picked_in_the_multiselect_go_into_the_batch(seeded: list[str]) -> None:
    at = _logged_in()
    [batch] = [b for b in at.get("download_button") if "batch" in b.proto.label]
    assert batch.proto.disabled and "0 selected" in batch.proto.label
    at.multiselect(key="log.pick.export").set_value(seeded).run()
    assert not at.exception
    [batch] = [b for b in at.get("download_button") if "batch" in b.proto.label]
    assert not batch.proto.disabled
    assert batch.proto.label == "Download E2B(R3) batch of 2 selected case(s)"
