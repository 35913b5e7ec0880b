"""An officer's follow-up in the report form through AppTest: the case page's button starts it
and shows its link (refused for a case not from the form); the link opens the form filled in
from the case's latest version under a banner; its submit is the case's version 2, no new case.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from e2b.codelists import Outcome
from e2b.validate import validate_bytes
from pv import drafts
from pv.officer_follow_up import ACTION, start_follow_up
from pv.store import Store
from pv.tables import Case, CaseVersion
from pv.users import add_user
from pv.workflow import CaseStatus
from tests.pv.submissions import builder
from tests.ui.test_drafts import open_app, token_of
from tests.ui.test_log_page import PASSWORD, login, start
from tests.ui.test_report_page import (
    fill_itp,
    fill_lemtrada_and_narrative,
    fill_reporter_and_patient,
    key,
    reaction_ids,
    submit,
)


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_resource.clear()
    store = Store.open(url)
    yield store
    store.close()
    st.cache_resource.clear()


def _submitted_case() -> tuple[AppTest, str]:
    at = open_app()
    fill_reporter_and_patient(at)
    fill_itp(at, reaction_ids(at)[0])
    fill_lemtrada_and_narrative(at)
    submit(at)
    assert not at.exception
    case_id: str = at.session_state["submitted"]["case_id"]
    return at, case_id


def _kept_answers(log: Store, case_id: str, version: int) -> str | None:
    with log.read_session() as session:
        return session.scalar(
            select(CaseVersion.form_answers)
            .join(Case, Case.id == CaseVersion.case_pk)
            .where(Case.case_id == case_id, CaseVersion.version == version)
        )


def test_the_follow_up_opens_pre_filled_and_becomes_version_2(log: Store) -> None:
    _, case_id = _submitted_case()
    assert log.case_count() == 1
    assert _kept_answers(log, case_id, 1) is not None
    log.change_status(case_id, CaseStatus.IN_REVIEW, user="officer1")
    log.change_status(case_id, CaseStatus.CLOSED, user="officer1")

    token = start_follow_up(log, case_id, user="officer1")
    at = open_app(token)
    assert any(
        i.value == f"Follow-up to case {case_id}: change or add what is new." for i in at.info
    )
    rid = reaction_ids(at)[0]
    assert at.text_input(key=key("reporter.given_name")).value == "Noura"
    assert at.text_input(key=key("patient.initials")).value == "SA"
    assert at.text_input(key=key(f"reactions.{rid}.verbatim")).value == (
        "Petechiae and platelets 12"
    )
    assert at.text_input(key=key(f"reactions.{rid}.start")).value == "2026-09-14"
    assert at.selectbox(key=key(f"reactions.{rid}.outcome")).value is Outcome("2")
    assert at.text_input(key=key("lemtrada.course.2.batch")).value == "SYN-LOT-77"
    narrative = at.text_area(key=key("narrative.narrative")).value
    assert narrative is not None and narrative.startswith("Synthetic case")

    at.selectbox(key=key(f"reactions.{rid}.outcome")).set_value(Outcome("3")).run()
    assert token_of(at) == token  # autosaved into the same follow-up draft
    submit(at)
    assert not at.exception
    assert [h.value for h in at.header] == [f"Follow-up added to case {case_id} as version 2"]

    assert log.case_count() == 1  # no new case
    after = log.get_case(case_id)
    assert after.row.version == 2
    assert after.row.status is CaseStatus.IN_REVIEW  # reopened
    report = log.current_report(case_id)
    assert report.case.sender_report_id == case_id
    assert report.reactions[0].outcome is Outcome("3")
    assert report.case.most_recent == report.case.created_at.date().isoformat()
    xml = after.versions[-1].xml
    assert [
        f for f in validate_bytes(xml, report.case.created_at.date()) if f.severity == "error"
    ] == []
    kept = _kept_answers(log, case_id, 2)
    assert kept is not None
    answers, _ = drafts.stored_answers(kept)
    assert answers[f"reactions.{rid}.outcome"] == {"$codelist": "Outcome", "value": "3"}
    saved = drafts.load(log, token)
    assert saved is not None and (saved.case_id, saved.answers) == (case_id, {})
    assert [a.action for a in log.audit_trail(case_id)].count(ACTION) == 1
    assert log.verify_audit() == []


def _link_urls(at: AppTest) -> list[str]:
    buttons: Any = at.get("link_button")
    return [str(b.proto.url) for b in buttons]


def test_the_case_page_starts_a_follow_up_and_shows_its_link(log: Store) -> None:
    add_user(log, "officer1", PASSWORD, role="officer")
    other = log.submit(builder("thyroid_graves")).case_id  # not from the form
    _, case_id = _submitted_case()

    at = start()
    login(at)
    at.text_input(key="log.case_id").input(other).run()
    [go] = [b for b in at.button if b.label == "Start a follow-up in the form"]
    go.click().run()
    assert not at.exception
    assert any("did not come from the report form" in e.value for e in at.error)
    assert not _link_urls(at)

    at.text_input(key="log.case_id").input(case_id).run()
    [go] = [b for b in at.button if b.label == "Start a follow-up in the form"]
    go.click().run()
    assert not at.exception
    [url] = _link_urls(at)
    assert url.startswith("report?draft=")
    draft = drafts.load(log, url.removeprefix("report?draft="))
    assert draft is not None and draft.follow_up_of == case_id
    [started] = [a for a in log.audit_trail(case_id) if a.action == ACTION]
    assert started.user == "officer1"
