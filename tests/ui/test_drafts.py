"""Drafts on the report page through Streamlit's AppTest: autosaved once something is answered,
named in the URL, reopened by a new session exactly, unknown links refused, a new report, and
the link after a submission."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from e2b.codelists import Outcome, Qualification, Sex
from e2b.validate import validate_bytes
from pv import drafts
from pv.store import Store
from pv.tables import Draft as DraftRow
from pv.workflow import CaseStatus
from tests.ui.test_report_page import (
    fill_itp,
    fill_lemtrada_and_narrative,
    fill_reporter_and_patient,
    key,
    reaction_ids,
    submit,
)

APP = str(Path(__file__).resolve().parents[2] / "ui" / "main.py")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_resource.clear()
    yield url
    st.cache_resource.clear()


@pytest.fixture
def log(database: str) -> Iterator[Store]:
    store = Store.open(database)
    yield store
    store.close()


def open_app(token: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if token is not None:
        at.query_params["draft"] = token
    at.run()
    assert not at.exception
    return at


def draft_count(log: Store) -> int:
    with log.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(DraftRow)) or 0)


def token_of(at: AppTest) -> str:
    token = at.query_params.get("draft")
    assert isinstance(token, list | str), at.query_params
    return token[0] if isinstance(token, list) else token


def test_an_untouched_form_makes_no_draft(log: Store) -> None:
    at = open_app()
    at.run()
    [add] = [b for b in at.button if b.label == "Add another reaction"]
    add.click().run()
    assert draft_count(log) == 0
    assert "draft" not in at.query_params
    assert not [c for c in at.sidebar.code]


def test_the_first_answer_saves_a_draft_that_a_new_session_reopens_exactly(log: Store) -> None:
    at = open_app()
    fill_reporter_and_patient(at)
    rid = reaction_ids(at)[0]
    fill_itp(at, rid)
    token = token_of(at)
    [link] = at.sidebar.code
    assert link.value == f"?draft={token}"
    assert "keep this link private" in " ".join(c.value for c in at.sidebar.caption).lower()
    saved = drafts.load(log, token)
    assert saved is not None and saved.answers["reporter.given_name"] == "Noura"
    # A code-list answer keeps its list's name: JSON alone would make it a bare string.
    assert saved.answers["reporter.qualification"] == {
        "$codelist": "Qualification",
        "value": Qualification.PHYSICIAN.value,
    }
    assert draft_count(log) == 1

    again = open_app(token)
    assert "is back" in again.info[0].value
    for name in ("reporter.given_name", "reporter.email", "patient.initials"):
        assert again.text_input(key=key(name)).value == at.text_input(key=key(name)).value
    assert again.selectbox(key=key("reporter.qualification")).value == Qualification.PHYSICIAN
    assert again.radio(key=key("patient.sex")).value == Sex.FEMALE
    assert again.number_input(key=key("patient.age.value")).value == 34
    assert again.selectbox(key=key(f"reactions.{rid}.category")).value == "itp"
    assert again.text_input(key=key(f"reactions.{rid}.start")).value == "2026-09-14"
    assert again.checkbox(key=key(f"reactions.{rid}.serious.hospitalisation")).value is True
    assert again.number_input(key=key(f"reactions.{rid}.lab.0.value")).value == 12
    assert token_of(again) == token
    assert draft_count(log) == 1  # reopening saved nothing new


def test_reruns_without_changes_do_not_save_and_a_change_does(log: Store) -> None:
    at = open_app()
    at.text_input(key=key("reporter.given_name")).input("Noura").run()
    token = token_of(at)
    first = drafts.load(log, token)
    assert first is not None
    at.run()
    at.run()
    unchanged = drafts.load(log, token)
    assert unchanged is not None and unchanged.saved_at == first.saved_at
    at.text_input(key=key("reporter.family_name")).input("Al-Example").run()
    changed = drafts.load(log, token)
    assert changed is not None and changed.answers["reporter.family_name"] == "Al-Example"
    assert token_of(at) == token


def test_an_unknown_link_says_so_and_shows_an_empty_form(log: Store) -> None:
    at = open_app("A" * 43)
    assert "unknown or has expired" in at.warning[0].value
    assert at.text_input(key=key("reporter.given_name")).value == ""
    assert "draft" not in at.query_params
    assert draft_count(log) == 0


def test_save_draft_now_and_a_new_report_that_can_resume_the_old_one(log: Store) -> None:
    at = open_app()
    at.text_input(key=key("reporter.given_name")).input("Noura")
    [save] = [b for b in at.sidebar.button if b.label == "Save draft now"]
    save.click().run()
    first = token_of(at)
    assert drafts.load(log, first) is not None
    [new] = [b for b in at.sidebar.button if b.label == "Start a new report"]
    new.click().run()
    assert "draft" not in at.query_params
    assert at.text_input(key=key("reporter.given_name")).value == ""
    at.text_input(key=key("reporter.given_name")).input("Huda").run()
    second = token_of(at)
    assert second != first
    [resume] = [b for b in at.sidebar.button if b.label == "Resume a saved draft"]
    resume.click().run()
    assert at.text_input(key=key("reporter.given_name")).value == "Noura"
    assert token_of(at) == first
    assert draft_count(log) == 2


def test_after_a_submission_the_link_names_the_case(log: Store) -> None:
    at = open_app()
    fill_reporter_and_patient(at)
    fill_itp(at, reaction_ids(at)[0])
    fill_lemtrada_and_narrative(at)
    token = token_of(at)
    submit(at)
    assert not at.exception
    case_id = at.session_state["submitted"]["case_id"]
    assert token_of(at) == token  # kept for the receipt
    assert case_id in " ".join(c.value for c in at.sidebar.caption)
    saved = drafts.load(log, token)
    assert saved is not None and (saved.case_id, saved.answers) == (case_id, {})

    later = open_app(token)
    assert f"submitted as case {case_id}" in later.info[0].value
    # The link of a report already sent opens its follow-up, not a blank report.
    assert later.subheader[0].value == f"Add follow-up information to your report {case_id}"
    assert not [w for w in later.text_input if w.key == key("reporter.given_name")]
    [new] = [b for b in later.sidebar.button if b.label == "Start a new report"]
    new.click().run()
    assert later.text_input(key=key("reporter.given_name")).value == ""
    later.text_input(key=key("reporter.given_name")).input("Noura").run()
    assert token_of(later) != token  # typing on starts a new draft


def test_the_reporter_adds_a_follow_up_through_the_link_of_their_report(log: Store) -> None:
    at = open_app()
    fill_reporter_and_patient(at)
    fill_itp(at, reaction_ids(at)[0])
    fill_lemtrada_and_narrative(at)
    token = token_of(at)
    submit(at)
    case_id = at.session_state["submitted"]["case_id"]
    log.change_status(case_id, CaseStatus.IN_REVIEW, user="officer")
    log.change_status(case_id, CaseStatus.CLOSED, user="officer")
    before = log.get_case(case_id)

    later = open_app(token)
    [send] = [b for b in later.button if b.label == "Send follow-up"]
    send.click().run()  # nothing typed: refused at the field, nothing stored
    assert any("Say what is new" in m.value for m in later.markdown)
    assert log.get_case(case_id).row.version == 1

    later.text_area[0].input("Platelets 145 x10^3/uL on 2026-10-20; prednisolone stopped.")
    [outcome] = later.selectbox
    outcome.set_value(Outcome.RECOVERED)
    [ended] = later.date_input
    ended.set_value(date(2026, 10, 20))
    [send] = [b for b in later.button if b.label == "Send follow-up"]
    send.click().run()
    assert not later.exception
    assert f"added to case {case_id} as version 2" in later.success[0].value

    after = log.get_case(case_id)
    assert after.row.version == 2
    assert after.row.status is CaseStatus.IN_REVIEW  # reopened for the new information
    assert after.row.categories == before.row.categories  # the guide category is kept
    report = log.current_report(case_id)
    assert report.reactions[0].outcome is Outcome.RECOVERED
    assert str(report.reactions[0].end) == "2026-10-20"
    assert report.narrative.narrative.endswith(
        "Platelets 145 x10^3/uL on 2026-10-20; prednisolone stopped."
    )
    assert validate_bytes(after.versions[-1].xml, report.case.created_at.date()) == []
    assert [r.user for r in log.audit_trail(case_id) if r.action == "version"] == ["hcp"]
    assert log.verify_audit() == []
