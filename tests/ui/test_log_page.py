"""The officer workspace through AppTest: nothing without a login, then list, case, workflow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from pv.store import Store
from pv.tables import OfficerSession
from pv.users import add_user, deactivate
from pv.workflow import CaseStatus
from tests.pv.submissions import builder

PASSWORD = "saffron harbour lantern 7"


def log_app() -> None:
    """The log page on its own (the app's navigation shows it as one of its pages)."""
    from ui import log_page

    log_page.render()


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A log with two cases and one officer account, in a temporary SQLite file."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'log.db'}")
    st.cache_resource.clear()
    store = Store.open()
    try:
        add_user(store, "officer1", PASSWORD, role="officer")
        ids = [
            store.submit(builder("itp_course2")).case_id,
            store.submit(builder("thyroid_graves")).case_id,
        ]
    finally:
        store.close()
    yield ids
    st.cache_resource.clear()


def start() -> AppTest:
    at = AppTest.from_function(log_app, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def login(at: AppTest, password: str = PASSWORD) -> None:
    at.text_input(key="login.name").input("officer1")
    at.text_input(key="login.password").input(password)
    at.button[0].click().run()


def test_a_visitor_sees_only_the_login_form(seeded: list[str]) -> None:
    at = start()
    assert len(at.dataframe) == 0
    page_text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert all(case_id not in page_text for case_id in seeded)
    assert at.text_input(key="login.password") is not None


def test_a_wrong_password_is_refused(seeded: list[str]) -> None:
    at = start()
    login(at, "wrong password")
    assert any("not right" in e.value for e in at.error)
    assert len(at.dataframe) == 0


def test_an_officer_sees_the_log_and_moves_a_case_along(seeded: list[str]) -> None:
    at = start()
    login(at)
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["Case ID"]) == set(seeded)
    # Open the first case by typing its ID on the Case tab, then move it to review.
    at.text_input(key="log.case_id").input(seeded[0]).run()
    assert any(h.value == f"Case {seeded[0]}" for h in at.subheader)
    # Nothing is chosen until the officer chooses: Apply alone moves nothing.
    assert at.selectbox(key="log.target").value is None
    [apply] = [b for b in at.button if b.label == "Apply"]
    apply.click().run()
    assert any("Choose the status" in e.value for e in at.error)
    at.selectbox(key="log.target").set_value(CaseStatus.IN_REVIEW)
    [apply] = [b for b in at.button if b.label == "Apply"]
    apply.click().run()
    assert not at.exception
    store = Store.open()
    try:
        detail = store.get_case(seeded[0])
        assert detail.row.status is CaseStatus.IN_REVIEW
        assert detail.status_history[-1].user == "officer1"
        assert store.verify_audit() == []
    finally:
        store.close()


def test_filters_narrow_the_list(seeded: list[str]) -> None:
    at = start()
    login(at)
    at.sidebar.text_input(key="log.text").input(seeded[1]).run()
    table = at.dataframe[0].value
    assert list(table["Case ID"]) == [seeded[1]]


def _age_sessions(minutes: int) -> None:
    """Move every session's last activity back, as if the officer had walked away."""
    store = Store.open()
    try:
        with store.write_session() as session, session.begin():
            session.execute(
                update(OfficerSession).values(
                    last_seen=datetime.now(UTC) - timedelta(minutes=minutes)
                )
            )
    finally:
        store.close()


def test_an_idle_session_ends_at_the_next_click(
    seeded: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start()
    login(at)
    assert len(at.dataframe) > 0
    _age_sessions(14)  # within the default 15 minutes: still in
    at.run()
    assert len(at.dataframe) > 0
    _age_sessions(16)
    at.run()
    assert len(at.dataframe) == 0
    assert any("15 minutes without activity" in w.value for w in at.warning)
    assert at.text_input(key="login.password") is not None


def test_the_idle_limit_comes_from_the_settings(
    seeded: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PV_IDLE_MINUTES", "60")
    st.cache_resource.clear()
    at = start()
    login(at)
    _age_sessions(45)
    at.run()
    assert len(at.dataframe) > 0


def test_a_move_after_deactivation_is_not_applied(seeded: list[str]) -> None:
    at = start()
    login(at)
    at.text_input(key="log.case_id").input(seeded[0]).run()
    at.selectbox(key="log.target").set_value(CaseStatus.IN_REVIEW)
    store = Store.open()
    try:
        deactivate(store, "officer1", by="admin")
        [apply] = [b for b in at.button if b.label == "Apply"]
        apply.click().run()
        assert not at.exception
        assert any("deactivated" in w.value for w in at.warning)
        assert len(at.dataframe) == 0
        assert store.get_case(seeded[0]).row.status is CaseStatus.RECEIVED
    finally:
        store.close()


def test_opening_a_case_is_audited_once(seeded: list[str]) -> None:
    at = start()
    login(at)
    at.text_input(key="log.case_id").input(seeded[0]).run()
    at.run()
    at.run()
    store = Store.open()
    try:
        views = [r for r in store.audit_trail(seeded[0]) if r.action == "view"]
        assert [(v.user, v.detail["version"]) for v in views] == [("officer1", 1)]
    finally:
        store.close()


def test_only_an_admin_sees_the_audit_trail_in_readable_words(seeded: list[str]) -> None:
    at = start()
    login(at)
    assert [tab.label for tab in at.tabs] == ["Cases", "Case", "Dashboard"]
    store = Store.open()
    try:
        add_user(store, "admin1", PASSWORD, role="admin")
        store.change_status(seeded[0], CaseStatus.IN_REVIEW, user="officer1", comment="=1+1")
    finally:
        store.close()
    admin = start()
    admin.text_input(key="login.name").input("admin1")
    admin.text_input(key="login.password").input(PASSWORD)
    admin.button[0].click().run()
    assert [tab.label for tab in admin.tabs] == ["Cases", "Case", "Dashboard", "Audit trail"]
    admin.text_input(key="log.audit.case").input(seeded[0]).run()
    trail = admin.tabs[3].dataframe[0].value
    assert list(trail["What"]) == ["status", "create"]  # newest first
    status_detail = trail["Details"].iloc[0]
    assert "Received" in status_detail and "In review" in status_detail
    assert "{" not in "".join(trail["Details"])  # sentences, not dict reprs


def test_an_officer_nullifies_a_case_and_it_leaves_the_list(seeded: list[str]) -> None:
    from e2b.codelists import Nullification
    from pv.store import CaseQuery

    at = start()
    login(at)
    case_id = seeded[0]
    at.text_input(key="log.case_id").input(case_id).run()
    at.radio(key=f"log.nullify.kind.{case_id}").set_value(Nullification.NULLIFICATION)
    save = at.button(key=f"log.nullify.go.{case_id}")
    save.click().run()  # no reason: refused next to the form, nothing stored
    assert any("give the reason" in e.value for e in at.error)
    at.text_area(key=f"log.nullify.reason.{case_id}").input("Duplicate of a report sent twice.")
    at.button(key=f"log.nullify.go.{case_id}").click().run()
    assert not at.exception
    assert any("This case is nullified (version 2)" in w.value for w in at.warning)
    store = Store.open()
    try:
        listed = [r.case_id for r in store.list_cases(CaseQuery()).rows]
        assert case_id not in listed and seeded[1] in listed
        assert store.current_report(case_id).case.nullification is Nullification.NULLIFICATION
    finally:
        store.close()


def test_an_officer_takes_a_case_and_finds_it_in_my_cases(seeded: list[str]) -> None:
    at = start()
    login(at)
    case_id = seeded[1]
    at.text_input(key="log.case_id").input(case_id).run()
    at.selectbox(key=f"log.owner.{case_id}").set_value("officer1")
    at.button(key=f"log.owner.assign.{case_id}").click().run()
    assert not at.exception
    at.radio(key="log.queue").set_value("mine").run()
    grid = at.dataframe[0]  # the list's tab comes first
    assert list(grid.value["Case ID"]) == [case_id]
    assert list(grid.value["Owner"]) == ["officer1"]
    at.radio(key="log.queue").set_value("unassigned").run()
    assert list(at.dataframe[0].value["Case ID"]) == [seeded[0]]
    store = Store.open()
    try:
        [row] = [r for r in store.audit_trail(case_id) if r.action == "assign"]
        assert row.user == "officer1" and row.detail["to"] == "officer1"
    finally:
        store.close()


def test_each_dashboard_chart_has_its_numbers_as_a_table(seeded: list[str]) -> None:
    at = start()
    login(at)
    tables = [table.value for table in at.table]
    by_month = next(tb for tb in tables if tb.index.name == "Month")
    assert int(by_month["Cases"].sum()) == len(seeded)
    by_category = next(tb for tb in tables if tb.index.name == "Guide categories")
    assert int(by_category["Cases"].sum()) == len(seeded)  # one guide category each
    assert len(by_category) == 2
