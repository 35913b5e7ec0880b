"""A reporter's follow-up through their private link (pv.follow_ups), on SQLite and PostgreSQL:
the next version carries the new words, outcomes, end dates and documents, is schema-valid,
reopens the case and keeps its categories; an empty text or a withdrawn case stores nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from e2b.codelists import Nullification, Outcome
from e2b.validate import validate_bytes
from pv.amendment import nullify
from pv.attachments import Upload
from pv.catalogue import load_catalogue
from pv.config import Settings
from pv.follow_ups import CaseClosedToFollowUp, NewInformation, add_from_reporter, reactions_now
from pv.store import Store
from pv.submission import SubmissionRefused
from pv.workflow import CaseStatus
from tests.pv.submissions import builder

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
SETTINGS = Settings(database_url="sqlite://")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _case(store: Store) -> str:
    case_id = store.submit(builder(), now=NOW).case_id
    store.change_status(case_id, CaseStatus.IN_REVIEW, user="o", now=NOW)
    store.change_status(case_id, CaseStatus.CLOSED, user="o", now=NOW)
    return case_id


def test_the_follow_up_is_the_next_version_with_what_is_new(store: Store) -> None:
    case_id = _case(store)
    before = store.get_case(case_id, today=NOW.date())
    reactions = reactions_now(store, case_id, load_catalogue())
    assert [r.index for r in reactions] == list(range(len(reactions)))
    assert reactions[0].outcome is not Outcome.RECOVERED
    assert reactions[0].term == "Immune thrombocytopenia"
    line = add_from_reporter(
        store,
        case_id,
        NewInformation(
            "الصفائح 145 بعد إيقاف البريدنيزولون",
            outcomes={0: Outcome.RECOVERED},
            ended={0: date(2026, 11, 25)},
            documents=[Upload(name="platelets.png", data=PNG, media_type="image/png")],
        ),
        settings=SETTINGS,
        now=LATER,
    )
    assert (line.outcome, line.case_id, line.version) == ("follow-up", case_id, 2)
    after = store.get_case(case_id, today=LATER.date())
    assert after.row.status is CaseStatus.IN_REVIEW
    assert after.row.categories == before.row.categories
    assert after.row.due_date == date(2026, 12, 12)  # serious: 15 days from the new C.1.5
    report = store.current_report(case_id)
    assert str(report.case.most_recent) == "2026-11-27"
    assert report.reactions[0].outcome is Outcome.RECOVERED
    assert str(report.reactions[0].end) == "2026-11-25"
    paragraph = "Follow-up from the reporter on 2026-11-27: الصفائح 145 بعد إيقاف البريدنيزولون"
    assert report.narrative.narrative.endswith(paragraph)
    assert [(s.text, s.language) for s in report.narrative.summaries][-1] == (paragraph, "ara")
    assert [d.document.file_name for d in report.case.documents if d.document] == [
        "platelets.png"
    ]
    xml = after.versions[-1].xml
    assert validate_bytes(xml, LATER.date()) == []
    assert f"{case_id}-V2".encode() in xml
    assert [r.user for r in store.audit_trail(case_id) if r.action == "version"] == ["hcp"]
    assert store.verify_audit() == []


@pytest.mark.parametrize("text", ["", "   ", "x" * 20001])
def test_no_words_no_version(store: Store, text: str) -> None:
    case_id = _case(store)
    with pytest.raises(SubmissionRefused) as refused:
        add_from_reporter(store, case_id, NewInformation(text), settings=SETTINGS, now=LATER)
    assert [f.path for f in refused.value.findings] == ["follow_up.text"]
    assert store.get_case(case_id).row.version == 1


def test_a_withdrawn_case_takes_no_follow_up(store: Store) -> None:
    case_id = _case(store)
    nullify(
        store,
        case_id,
        kind=Nullification.NULLIFICATION,
        reason="entered twice",
        user="o",
        settings=SETTINGS,
        now=NOW,
    )
    with pytest.raises(CaseClosedToFollowUp):
        add_from_reporter(
            store, case_id, NewInformation("better now"), settings=SETTINGS, now=LATER
        )
    assert store.get_case(case_id).row.version == 2
