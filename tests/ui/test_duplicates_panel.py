"""The case page's duplicates panel through AppTest, on a real SQLite log: candidates with score
and reasons as plain text, both decisions from their buttons (audited), a stale decision shown as
an error, nothing decided once the session has ended, and Arabic strings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pv import duplicate_log
from pv.store import Store
from tests.pv.submissions import builder
from ui.widgets import plain

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def panel_app() -> None:
    """A tiny page: the panel for the case in session_state, as the officer in session_state."""
    import streamlit as st

    from pv.sessions import Officer
    from pv.store import Store
    from ui import duplicates_panel
    from ui.strings import LANGUAGE

    if "lang" in st.session_state:
        st.session_state[LANGUAGE] = st.session_state["lang"]
    log = Store.open()
    officer = Officer(name="officer1", role="officer", session="0" * 64)

    def live() -> Officer | None:  # asked when a button is clicked, as the log page's _live
        return officer if st.session_state.get("live", True) else None

    duplicates_panel.render(log, st.session_state["case"], officer, live=live)


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Store, list[str]]]:
    """Two identical ITP cases and a near miss (another patient)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'log.db'}")
    st.cache_resource.clear()
    store = Store.open()

    def other_patient(data: dict[str, object]) -> None:
        patient = data["patient"]
        assert isinstance(patient, dict)
        patient.update(initials="RT", age={"value": 58, "unit": "a"})

    ids = [
        store.submit(builder(validate=False), now=NOW).case_id,
        store.submit(builder(validate=False), now=NOW).case_id,
        store.submit(builder(validate=False, change=other_patient), now=NOW).case_id,
    ]
    try:
        yield store, ids
    finally:
        store.close()


def start(case_id: str, **state: object) -> AppTest:
    at = AppTest.from_function(panel_app, default_timeout=60)
    at.session_state["case"] = case_id
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_candidates_show_score_and_reasons_as_plain_text(log: tuple[Store, list[str]]) -> None:
    _, (first, second, _) = log
    at = start(second)
    assert not at.exception
    shown = texts(at)
    escaped = first.replace("-", "\\-")  # plain(): Markdown sees no list or heading marks
    assert f"{escaped}: score 1.00" in shown
    assert "- For: same initials and sex" in shown
    assert "- For: same reporter" in shown
    assert at.button(key=f"dup.duplicate.{second}.{first}").label == f"Duplicate of {escaped}"
    assert at.button(key=f"dup.not_duplicate.{second}.{first}").label == "Not a duplicate"


def test_a_case_without_candidates_says_so(log: tuple[Store, list[str]]) -> None:
    _, (_, _, near_miss) = log
    at = start(near_miss)
    assert [c.value for c in at.caption] == ["No other case looks like a report of the same event."]
    assert len(at.button) == 0


def test_not_a_duplicate_from_the_button_is_decided_and_audited(
    log: tuple[Store, list[str]],
) -> None:
    store, (first, second, _) = log
    at = start(second)
    at.button(key=f"dup.not_duplicate.{second}.{first}").click().run()
    assert not at.exception and len(at.error) == 0
    [found] = duplicate_log.candidates_for(store, second)
    assert (found.decision, found.decided_by) == ("not_duplicate", "officer1")
    [row] = store.audit_trail(second, action="duplicate")
    assert row.user == "officer1" and row.detail["other"] == first
    assert len(at.button) == 0
    [caption] = at.caption
    assert caption.value.startswith("Marked not a duplicate of ")


def test_duplicate_of_from_the_button_links_both_cases(log: tuple[Store, list[str]]) -> None:
    store, (first, second, _) = log
    at = start(second)
    at.button(key=f"dup.duplicate.{second}.{first}").click().run()
    [found] = duplicate_log.candidates_for(store, first)
    assert found.decision == "duplicate" and found.duplicate_case_id == second
    other_side = start(first)
    [caption] = other_side.caption
    assert "was marked a duplicate of this case by officer1" in caption.value


def test_a_stale_decision_is_shown_as_an_error(log: tuple[Store, list[str]]) -> None:
    store, (first, second, _) = log
    at = start(second)
    [seen] = duplicate_log.candidates_for(store, second)
    duplicate_log.mark_duplicate(
        store, second, of=first, user="officer2", expected_revision=seen.revision, now=NOW
    )
    at.button(key=f"dup.not_duplicate.{second}.{first}").click().run()
    [error] = at.error
    assert plain("changed by officer2 at 2026-11-20 09:00 UTC") in error.value
    [found] = duplicate_log.candidates_for(store, second)
    assert found.decision == "duplicate"


def test_nothing_is_decided_once_the_session_has_ended(log: tuple[Store, list[str]]) -> None:
    store, (first, second, _) = log
    at = start(second)
    at.session_state["live"] = False
    at.button(key=f"dup.duplicate.{second}.{first}").click().run()
    [found] = duplicate_log.candidates_for(store, second)
    assert found.undecided
    assert store.audit_trail(second, action="duplicate") == []


def test_the_panel_speaks_arabic(log: tuple[Store, list[str]]) -> None:
    _, (first, second, _) = log
    at = start(second, lang="ar")
    assert not at.exception
    assert at.button(key=f"dup.not_duplicate.{second}.{first}").label == "ليست مكررة"
