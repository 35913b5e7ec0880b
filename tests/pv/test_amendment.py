"""Nullification and amendment as the case's next version, on a real SQLite file and a real
PostgreSQL: an initial report, two follow-ups and a nullification give four schema-valid XMLs with
the same case identifiers and rising dates; the nullified case stays, marked, out of the list."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from e2b.codelists import Nullification
from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from pv.amendment import nullify
from pv.config import Settings
from pv.importing import import_file
from pv.store import CaseQuery, Store
from pv.submission import SubmissionRefused
from tests.pv.submissions import make_submission
from tests.pv.test_importing import batch, partner_report

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SETTINGS = Settings(database_url="sqlite://")


def test_initial_two_follow_ups_and_a_nullification_make_four_valid_versions(
    store: Store,
) -> None:
    case_id = store.submit(lambda cid: make_submission(cid), now=T0).case_id
    for n, day in enumerate(("2026-11-22", "2026-11-24"), start=2):
        [line] = import_file(
            store,
            batch(partner_report(case_id, most_recent=day)),
            name=f"follow-up-{n}.xml",
            user="officer1",
            now=T0,
        )
        assert (line.outcome, line.version) == ("follow-up", n)
    later = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    saved = nullify(
        store,
        case_id,
        kind=Nullification.NULLIFICATION,
        reason="Reported in error: the patient never received LEMTRADA.",
        user="officer1",
        settings=SETTINGS,
        now=later,
    )
    assert saved.version == 4
    reports = []
    for version in range(1, 5):
        xml = store.version_xml(case_id, version, user="officer1")
        errors = [f for f in validate_bytes(xml, later.date()) if f.severity == "error"]
        assert errors == [], (version, errors)
        [read] = read_bytes(xml).reports
        assert read.report is not None
        reports.append(read.report)
    assert {r.case.sender_report_id for r in reports} == {case_id}
    assert {r.case.worldwide_case_id for r in reports} == {case_id}
    assert [r.case.most_recent for r in reports][1:] == ["2026-11-22", "2026-11-24", "2026-11-26"]
    assert [r.case.nullification for r in reports] == [
        None,
        None,
        None,
        Nullification.NULLIFICATION,
    ]
    assert reports[3].case.nullification_reason == (
        "Reported in error: the patient never received LEMTRADA."
    )
    # Kept and marked, out of the default list.
    listed = store.list_cases(CaseQuery())
    assert case_id not in [row.case_id for row in listed.rows]
    everything = store.list_cases(CaseQuery(include_nullified=True))
    [row] = [row for row in everything.rows if row.case_id == case_id]
    assert row.nullified and row.version == 4
    # The nullification runs its own clock, from its C.1.5 (serious: 15 days), not the initial's.
    assert row.due_date == date(2026, 12, 11)
    assert [f for f in store.verify_audit() if f.severity == "error"] == []


def test_an_amendment_is_a_new_version_and_not_a_nullification(store: Store) -> None:
    case_id = store.submit(lambda cid: make_submission(cid), now=T0).case_id
    nullify(
        store,
        case_id,
        kind=Nullification.AMENDMENT,
        reason="Corrected the onset date after reviewing the hospital notes.",
        user="officer1",
        settings=SETTINGS,
        now=T0,
    )
    [row] = [r for r in store.list_cases(CaseQuery()).rows if r.case_id == case_id]
    assert (row.version, row.nullified) == (2, False)
    [read] = read_bytes(store.version_xml(case_id, 2, user="officer1")).reports
    assert read.report is not None and read.report.case.nullification is Nullification.AMENDMENT


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_a_nullification_needs_its_reason_and_stores_nothing_without(
    store: Store, reason: str
) -> None:
    case_id = store.submit(lambda cid: make_submission(cid), now=T0).case_id
    with pytest.raises(SubmissionRefused) as refused:
        nullify(
            store,
            case_id,
            kind=Nullification.NULLIFICATION,
            reason=reason,
            user="officer1",
            settings=SETTINGS,
            now=T0,
        )
    assert [f.element for f in refused.value.findings] == ["C.1.11.2"]
    assert store.get_case(case_id).row.version == 1


def test_a_nullification_after_a_stale_follow_up_takes_the_next_free_version(
    store: Store,
) -> None:
    """A stale follow-up is stored as a version without becoming current: the next version
    made here must not reuse its number (nor its batch ID)."""
    case_id = store.submit(lambda cid: make_submission(cid), now=T0).case_id
    for n, day in ((2, "2026-11-24"), (3, "2026-11-22")):  # the second is older: stale
        [line] = import_file(
            store,
            batch(partner_report(case_id, most_recent=day)),
            name=f"follow-up-{n}.xml",
            user="officer1",
            now=T0,
        )
        assert line.version == n
    assert store.get_case(case_id).row.version == 2  # the stale version 3 is not current
    later = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    saved = nullify(
        store,
        case_id,
        kind=Nullification.NULLIFICATION,
        reason="Entered twice.",
        user="officer1",
        settings=SETTINGS,
        now=later,
    )
    assert saved.version == 4
    detail = store.get_case(case_id)
    assert [v.version for v in detail.versions] == [1, 2, 3, 4]
    assert detail.row.version == 4 and detail.row.nullified
    xml = store.version_xml(case_id, 4, user="officer1")
    assert f"{case_id}-V4".encode() in xml
