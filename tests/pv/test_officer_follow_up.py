"""An officer's follow-up in the report form (pv.officer_follow_up), on SQLite and PostgreSQL:
a report from the form keeps its answers with version 1; a follow-up starts as a draft holding
exactly those answers and documents; its submit is the same case's version 2 (C.1.4 kept, C.1.5
now, documents carried, schema-valid, audited); nullified and imported cases are refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, select

from e2b.codelists import Nullification, Outcome
from e2b.validate import validate_bytes
from pv import drafts
from pv.amendment import nullify
from pv.attachments import Upload, attached_files, with_documents
from pv.config import Settings
from pv.db import alembic_config, current_revision, upgrade, writer
from pv.follow_ups import CaseClosedToFollowUp, NewInformation, add_from_reporter
from pv.importing import import_file
from pv.officer_follow_up import (
    ACTION,
    FollowUpOutdated,
    NotFromTheForm,
    start_follow_up,
    submit_follow_up,
)
from pv.store import CaseNotFound, Store
from pv.submission import build
from pv.tables import Case, CaseVersion
from pv.workflow import CaseStatus
from tests.cases import load_case
from tests.pv.submissions import make_submission

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
SETTINGS = Settings(database_url="sqlite://")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SCAN = Upload(name="platelets.png", data=PNG, media_type="image/png", description="platelets")


def _form_data(outcome: Outcome | None = None) -> dict[str, Any]:
    """What the form gives pv.submission: a golden case without the parts the tool adds, with
    the scan attached."""
    data = load_case("itp_course2")
    del data["case"], data["sender"]
    if outcome is not None:
        data["reactions"][0]["outcome"] = outcome.value
    return with_documents(data, [SCAN])


def _answers(outcome: str = "2") -> dict[str, Any]:
    """The form's answers as ui.drafts encodes them (a code-list member, a file by sha256)."""
    return {
        "reporter.family_name": "Haddad",
        "reactions.r1.outcome": {"$codelist": "Outcome", "value": outcome},
        "documents": [
            {
                "$upload": drafts.file_key(PNG),
                "name": SCAN.name,
                "media_type": SCAN.media_type,
                "description": SCAN.description,
            }
        ],
    }


def _form_case(store: Store) -> str:
    text = drafts.stored(_answers(), {drafts.file_key(PNG): PNG})
    saved = store.submit(
        lambda case_id: build(_form_data(), case_id, settings=SETTINGS, now=NOW),
        now=NOW,
        answers=text,
    )
    store.change_status(saved.case_id, CaseStatus.IN_REVIEW, user="o", now=NOW)
    store.change_status(saved.case_id, CaseStatus.CLOSED, user="o", now=NOW)
    return saved.case_id


def _kept(store: Store, case_id: str, version: int) -> str | None:
    with store.read_session() as session:
        return session.scalar(
            select(CaseVersion.form_answers)
            .join(Case, Case.id == CaseVersion.case_pk)
            .where(Case.case_id == case_id, CaseVersion.version == version)
        )


def test_a_report_from_the_form_keeps_its_answers_with_version_1(store: Store) -> None:
    case_id = _form_case(store)
    kept = _kept(store, case_id, 1)
    assert kept is not None
    answers, named = drafts.stored_answers(kept)
    assert answers == _answers()
    assert named == [drafts.file_key(PNG)]


def test_a_follow_up_starts_as_a_draft_with_exactly_the_answers_and_documents(
    store: Store,
) -> None:
    case_id = _form_case(store)
    token = start_follow_up(store, case_id, user="officer1", now=LATER)
    draft = drafts.load(store, token, now=LATER)
    assert draft is not None
    assert draft.answers == _answers()
    assert dict(draft.files) == {drafts.file_key(PNG): PNG}
    assert (draft.follow_up_of, draft.follow_up_version) == (case_id, 1)
    assert draft.case_id is None
    [started] = [a for a in store.get_case(case_id).audit if a.action == ACTION]
    assert (started.user, started.detail["version"]) == ("officer1", 1)
    # Saving the draft again keeps it a follow-up of the case.
    assert drafts.save(store, _answers("1"), token, files=draft.files, now=LATER) == token
    again = drafts.load(store, token, now=LATER)
    assert again is not None and again.follow_up_of == case_id
    assert store.verify_audit() == []


def test_the_submitted_follow_up_is_version_2_of_the_same_case(store: Store) -> None:
    case_id = _form_case(store)
    before = store.get_case(case_id, today=NOW.date())
    cases = store.case_count()
    start_follow_up(store, case_id, user="officer1", now=LATER)
    text = drafts.stored(_answers("1"), {drafts.file_key(PNG): PNG})
    added = submit_follow_up(
        store,
        case_id,
        _form_data(Outcome.RECOVERED),
        settings=SETTINGS,
        form_answers=text,
        now=LATER,
    )
    assert (added.line.outcome, added.line.case_id, added.line.version) == (
        "follow-up",
        case_id,
        2,
    )
    assert store.case_count() == cases  # no new case
    after = store.get_case(case_id, today=LATER.date())
    assert after.row.version == 2
    assert after.row.status is CaseStatus.IN_REVIEW  # reopened from closed
    assert after.row.categories == before.row.categories
    report = store.current_report(case_id)
    assert report.case.sender_report_id == case_id
    assert report.case.worldwide_case_id == case_id
    assert report.case.first_received == NOW.date().isoformat()  # C.1.4 kept
    assert report.case.most_recent == LATER.date().isoformat()  # C.1.5 = now
    assert report.reactions[0].outcome is Outcome.RECOVERED
    assert [u.data for u in attached_files(report)] == [PNG]  # the documents carried
    xml = store.version_xml(case_id, 2, user="o")
    # Schema-valid and no ICH rule broken (a recovered reaction without an end date warns).
    assert [f for f in validate_bytes(xml, LATER.date()) if f.severity == "error"] == []
    assert _kept(store, case_id, 2) == text
    # A further follow-up starts from version 2's answers.
    token = start_follow_up(store, case_id, user="officer1", now=LATER)
    draft = drafts.load(store, token, now=LATER)
    assert draft is not None and draft.answers == _answers("1")
    assert store.verify_audit() == []


def test_a_nullified_case_takes_no_follow_up(store: Store) -> None:
    case_id = _form_case(store)
    nullify(
        store,
        case_id,
        kind=Nullification.NULLIFICATION,
        reason="entered twice",
        user="o",
        settings=SETTINGS,
        now=LATER,
    )
    with pytest.raises(CaseClosedToFollowUp):
        start_follow_up(store, case_id, user="o", now=LATER)
    with pytest.raises(CaseClosedToFollowUp):
        submit_follow_up(store, case_id, _form_data(), settings=SETTINGS, now=LATER)
    assert store.get_case(case_id).row.version == 2


def test_a_case_not_from_the_form_takes_its_follow_ups_as_files(store: Store) -> None:
    xml = make_submission("DE-PARTNER-000017").xml
    [line] = import_file(store, xml, name="partner.xml", user="o", now=NOW)
    assert line.case_id is not None
    with pytest.raises(NotFromTheForm, match="did not come from the report form"):
        start_follow_up(store, line.case_id, user="o", now=LATER)
    with pytest.raises(CaseNotFound):
        start_follow_up(store, "SA-LEMTRADAPV-999999", user="o", now=LATER)


def test_migration_0011_adds_and_removes_its_columns(store: Store) -> None:
    case_id = _form_case(store)

    def columns(table: str) -> set[str]:
        return {c["name"] for c in inspect(store.engine).get_columns(table)}

    assert "form_answers" in columns("case_versions")
    assert {"follow_up_of", "follow_up_version"} <= columns("drafts")
    with writer(store.engine).begin() as connection:
        command.downgrade(alembic_config(connection), "0010")
    assert current_revision(store.engine) == "0010"
    assert "form_answers" not in columns("case_versions")
    assert not {"follow_up_of", "follow_up_version"} & columns("drafts")
    upgrade(store.engine)
    assert current_revision(store.engine) == "0011"
    # The version kept before the downgrade has no answers now: its follow-ups come as files.
    assert _kept(store, case_id, 1) is None
    with pytest.raises(NotFromTheForm):
        start_follow_up(store, case_id, user="o", now=LATER)


def test_a_follow_up_started_before_a_newer_version_is_refused(store: Store) -> None:
    case_id = _form_case(store)
    token = start_follow_up(store, case_id, user="officer1", now=LATER)
    draft = drafts.load(store, token, now=LATER)
    assert draft is not None
    # The reporter's follow-up comes in meanwhile: version 2, not from the form.
    add_from_reporter(store, case_id, NewInformation("Platelets 90."), settings=SETTINGS, now=LATER)
    with pytest.raises(FollowUpOutdated, match="start a new follow-up"):
        submit_follow_up(
            store,
            case_id,
            _form_data(Outcome.RECOVERED),
            settings=SETTINGS,
            started_from=draft.follow_up_version,
            now=LATER,
        )
    assert store.get_case(case_id).row.version == 2
    with pytest.raises(NotFromTheForm):
        start_follow_up(store, case_id, user="officer1", now=LATER)
