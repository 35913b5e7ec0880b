"""Duplicate candidates in the log, on a real SQLite file and a real PostgreSQL: found on submit,
on a follow-up and on import, listed by the "possible duplicates" filter, decided by an officer
(audited, refused from a stale view), and fingerprints refreshed with each current version."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from pv import duplicate_log
from pv.duplicate_log import DuplicateError, StaleDuplicate, candidates_for
from pv.duplicates import Fingerprint
from pv.importing import import_file
from pv.store import CaseQuery, Store
from pv.tables import Case, CaseBlockKey, CaseFingerprint, DuplicateLink
from tests.pv.submissions import builder, make_submission
from tests.pv.test_importing import batch, partner_report

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def other_patient(data: dict[str, Any]) -> None:
    """The same event at the same clinic, another patient: a near miss."""
    data["patient"]["initials"] = "RT"
    data["patient"]["age"] = {"value": 58, "unit": "a"}


def flagged(store: Store) -> set[str]:
    page = store.list_cases(CaseQuery(possible_duplicates=True, page_size=100))
    return {row.case_id for row in page.rows}


def pair(store: Store, case_id: str, other: str) -> duplicate_log.Candidate:
    [found] = [c for c in candidates_for(store, case_id) if c.other_case_id == other]
    return found


def test_six_identical_itp_cases_are_all_flagged_and_each_names_the_others(store: Store) -> None:
    ids = [
        store.submit(builder(validate=False), now=NOW + timedelta(hours=n)).case_id
        for n in range(6)
    ]
    assert flagged(store) == set(ids)
    for case_id in ids:
        found = candidates_for(store, case_id)
        assert sorted(c.other_case_id for c in found) == sorted(set(ids) - {case_id})
        assert all(c.undecided and c.score > 0.99 for c in found)
        texts = [r.text for r in found[0].reasons]
        assert "same initials and sex" in texts
        assert "same reporter" in texts
        assert any(t.startswith("same MedDRA term (") for t in texts)
    with store.read_session() as session:
        assert session.scalar(select(func.count()).select_from(DuplicateLink)) == 15
    # The plain list still holds them; the filter is an option.
    assert store.list_cases(CaseQuery()).total == 6


def test_a_near_miss_of_another_patient_is_not_flagged(store: Store) -> None:
    first = store.submit(builder(validate=False), now=NOW).case_id
    second = store.submit(builder(validate=False, change=other_patient), now=NOW).case_id
    assert candidates_for(store, first) == []
    assert candidates_for(store, second) == []
    assert flagged(store) == set()


def test_not_a_duplicate_removes_the_flag_and_is_audited(store: Store) -> None:
    first = store.submit(builder(validate=False), now=NOW).case_id
    second = store.submit(builder(validate=False), now=NOW).case_id
    seen = pair(store, second, first)
    decided = duplicate_log.mark_not_duplicate(
        store,
        second,
        other=first,
        user="officer1",
        expected_revision=seen.revision,
        now=NOW + timedelta(hours=1),
    )
    assert decided.decision == "not_duplicate" and decided.decided_by == "officer1"
    assert flagged(store) == set()
    # Both cases still show the pair, decided.
    assert pair(store, first, second).decision == "not_duplicate"
    [row] = store.audit_trail(second, action="duplicate")
    assert row.user == "officer1" and row.at == NOW + timedelta(hours=1)
    assert row.detail["decision"] == "not_duplicate" and row.detail["other"] == first
    assert row.detail["previous"] == "none"
    assert [f for f in store.verify_audit() if f.severity == "error"] == []


def test_duplicate_of_links_both_ways(store: Store) -> None:
    original = store.submit(builder(validate=False), now=NOW).case_id
    copy = store.submit(builder(validate=False), now=NOW + timedelta(days=1)).case_id
    seen = pair(store, copy, original)
    duplicate_log.mark_duplicate(
        store, copy, of=original, user="officer1", expected_revision=seen.revision, now=NOW
    )
    from_copy = pair(store, copy, original)
    from_original = pair(store, original, copy)
    assert from_copy.decision == from_original.decision == "duplicate"
    assert from_copy.duplicate_case_id == from_original.duplicate_case_id == copy
    assert from_copy.is_duplicate_of_other and not from_original.is_duplicate_of_other
    assert flagged(store) == set()
    [row] = store.audit_trail(copy, action="duplicate")
    assert row.detail["duplicate_of"] == original


def test_a_decision_from_a_stale_view_is_refused_with_who_and_when(store: Store) -> None:
    first = store.submit(builder(validate=False), now=NOW).case_id
    second = store.submit(builder(validate=False), now=NOW).case_id
    seen = pair(store, second, first).revision
    later = NOW + timedelta(hours=2)
    duplicate_log.mark_duplicate(
        store, second, of=first, user="a", expected_revision=seen, now=later
    )
    with pytest.raises(StaleDuplicate) as stale:
        duplicate_log.mark_not_duplicate(
            store, second, other=first, user="b", expected_revision=seen, now=later
        )
    assert (stale.value.user, stale.value.at) == ("a", later)
    assert "changed by a at 2026-11-20 11:00 UTC" in str(stale.value)
    assert pair(store, second, first).decision == "duplicate"
    assert len(store.audit_trail(second, action="duplicate")) == 1


def test_a_new_version_rescoring_the_pair_makes_the_view_stale(store: Store) -> None:
    first = store.submit(builder(validate=False), now=NOW).case_id
    second = store.submit(builder(validate=False), now=NOW).case_id
    seen = pair(store, second, first)

    def no_batch(data: dict[str, Any]) -> None:
        for drug in data["drugs"]:
            for dosage in drug.get("dosages", []):
                dosage.pop("batch", None)
        data["patient"]["age"] = {"value": 35, "unit": "a"}

    store.add_version(
        first,
        make_submission(first, validate=False, change=no_batch),
        user="c",
        now=NOW + timedelta(hours=1),
    )
    rescored = pair(store, second, first)
    assert rescored.revision > seen.revision and rescored.score != seen.score
    with pytest.raises(StaleDuplicate) as stale:
        duplicate_log.mark_not_duplicate(
            store, second, other=first, user="b", expected_revision=seen.revision
        )
    assert stale.value.user == "c"


def test_a_pair_that_is_no_candidate_cannot_be_decided(store: Store) -> None:
    first = store.submit(builder(validate=False), now=NOW).case_id
    second = store.submit(builder(validate=False, change=other_patient), now=NOW).case_id
    with pytest.raises(DuplicateError, match="is not a possible duplicate"):
        duplicate_log.mark_duplicate(store, second, of=first, user="o", expected_revision=1)
    with pytest.raises(DuplicateError, match="not a possible duplicate pair"):
        duplicate_log.mark_duplicate(store, second, of="XX-NONE-1", user="o", expected_revision=1)


def test_the_fingerprint_follows_the_current_version(store: Store) -> None:
    case_id = store.submit(builder(validate=False), now=NOW).case_id

    def stored() -> tuple[int, Fingerprint, int]:
        with store.read_session() as session:
            pk = session.scalar(select(Case.id).where(Case.case_id == case_id))
            row = session.get_one(CaseFingerprint, pk)
            keys = session.scalar(
                select(func.count()).select_from(CaseBlockKey).where(CaseBlockKey.case_pk == pk)
            )
            return row.version, Fingerprint.from_json(json.loads(row.data)), keys or 0

    version, found, keys = stored()
    assert version == 1 and found.initials == "NA" and keys > 0
    store.add_version(
        case_id, make_submission(case_id, validate=False, change=other_patient), user="c", now=NOW
    )
    version, found, _ = stored()
    assert version == 2 and found.initials == "RT" and found.age_years == 58.0


def test_a_follow_up_that_makes_two_cases_alike_flags_them(store: Store) -> None:
    first = store.submit(builder(validate=False), now=NOW).case_id
    second = store.submit(builder(validate=False, change=other_patient), now=NOW).case_id
    assert flagged(store) == set()
    # The second reporter corrects the patient: now the same patient as the first.
    store.add_version(second, make_submission(second, validate=False), user="c", now=NOW)
    assert flagged(store) == {first, second}


def test_a_nullified_case_is_nobodys_candidate(store: Store) -> None:
    first = store.submit(builder(validate=False), now=NOW).case_id
    second = store.submit(builder(validate=False), now=NOW).case_id
    assert flagged(store) == {first, second}

    def nullify(data: dict[str, Any]) -> None:
        data["case"]["nullification"] = "1"
        data["case"]["nullification_reason"] = "entered twice by mistake"

    store.add_version(
        first, make_submission(first, validate=False, change=nullify), user="c", now=NOW
    )
    assert flagged(store) == set()
    third = store.submit(builder(validate=False), now=NOW).case_id
    assert [c.other_case_id for c in candidates_for(store, third)] == [second]


def test_an_imported_batch_flags_its_duplicates(store: Store) -> None:
    ours = store.submit(builder(validate=False), now=NOW).case_id
    data = batch(
        partner_report("US-PARTNER-0001"),
        partner_report("US-PARTNER-0002"),
        partner_report("US-PARTNER-0003", "pml_death"),
    )
    lines = import_file(store, data, name="batch.xml", user="officer1", now=NOW)
    assert [line.outcome for line in lines] == ["created"] * 3
    one, two, pml = (line.case_id for line in lines)
    assert one is not None and two is not None and pml is not None
    assert flagged(store) == {ours, one, two}
    assert {c.other_case_id for c in candidates_for(store, two)} == {ours, one}
    assert candidates_for(store, pml) == []
