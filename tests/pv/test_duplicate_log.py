"""Duplicate candidates in the log, on a real SQLite file and a real PostgreSQL: found on submit,
on a follow-up and on import, listed by the "possible duplicates" filter, decided by an officer
(audited, refused from a stale view), and fingerprints refreshed with each current version."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text

from pv import duplicate_log
from pv.audit import describe
from pv.duplicate_log import DuplicateError, StaleDuplicate, candidates_for
from pv.duplicates import Fingerprint
from pv.importing import import_file
from pv.store import CaseQuery, Store, new_case
from pv.tables import Case, CaseBlockKey, CaseFingerprint, CaseNumber, DuplicateLink
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


def test_cases_saved_before_duplicate_detection_are_backfilled(store: Store) -> None:
    ids = [store.submit(builder(validate=False), now=NOW).case_id for _ in range(3)]
    with store.write_session() as session, session.begin():  # as a log from before 0010
        session.execute(delete(DuplicateLink))
        session.execute(delete(CaseBlockKey))
        session.execute(delete(CaseFingerprint))
    assert flagged(store) == set()
    assert duplicate_log.backfill(store, user="admin", now=NOW) == 3
    assert flagged(store) == set(ids)
    assert len(candidates_for(store, ids[0])) == 2
    assert duplicate_log.backfill(store, user="admin", now=NOW) == 0  # once is enough


def test_the_audit_trail_says_the_decision_in_words(store: Store) -> None:
    first = store.submit(builder(validate=False), now=NOW).case_id
    second = store.submit(builder(validate=False), now=NOW).case_id
    seen = pair(store, second, first).revision
    duplicate_log.mark_not_duplicate(
        store, second, other=first, user="o", expected_revision=seen, now=NOW
    )
    duplicate_log.mark_duplicate(
        store, second, of=first, user="o", expected_revision=seen + 1, now=NOW
    )
    first_row, second_row = store.audit_trail(second, action="duplicate")
    assert describe(first_row).startswith(f"marked not a duplicate of {first} (score 0.99")
    assert describe(second_row).startswith(f"marked a duplicate of {first} (score ")
    assert describe(second_row).endswith("; before: not a duplicate")
    assert "before" not in describe(first_row)


@pytest.mark.postgres
def test_two_cases_saved_at_once_on_postgresql_see_each_other(postgres_url: str) -> None:
    """A save whose transaction is still open when another runs its check: the second waits
    for the first to commit instead of missing it."""
    store = Store.open(postgres_url)
    try:
        first = make_submission("XX-FIRST-1", validate=False)
        with store.write_session() as session, session.begin():
            number = CaseNumber(allocated_at=NOW)
            session.add(number)
            session.flush()
            new_case(session, number.id, "XX-FIRST-1", first.report, user="a", now=NOW)
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with ThreadPoolExecutor(max_workers=1) as pool:
                second = pool.submit(store.submit, builder(validate=False), now=NOW)
                _wait_until_blocked_by(store, pid)
                assert not second.done()
                session.commit()
                second_id = second.result(timeout=60).case_id
        assert [c.other_case_id for c in candidates_for(store, second_id)] == ["XX-FIRST-1"]
    finally:
        store.close()


def _wait_until_blocked_by(store: Store, pid: int) -> None:
    """Until another connection waits for a lock the backend `pid` holds (at most 30 s)."""
    deadline = time.monotonic() + 30
    with store.engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"
                ),
                {"pid": pid},
            ).scalar()
            connection.rollback()
            if waiting:
                return
    pytest.fail("the second save never waited for the first")


def test_a_save_keeps_only_the_best_candidates(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duplicate_log, "MAX_CANDIDATES", 3)
    near = store.submit(builder(validate=False, change=_one_day_later), now=NOW).case_id
    ids = [store.submit(builder(validate=False), now=NOW).case_id for _ in range(5)]
    # The best scores first (the near one, onset a day apart, is the oldest but scores less);
    # of equal scores, the oldest cases.
    assert [c.other_case_id for c in candidates_for(store, ids[4])] == ids[:3]
    assert pair(store, ids[0], near).score < pair(store, ids[0], ids[1]).score


def _one_day_later(data: dict[str, Any]) -> None:
    for reaction in data["reactions"]:
        if reaction.get("start") and len(reaction["start"]) == 10:
            day = datetime.fromisoformat(reaction["start"]) + timedelta(days=1)
            reaction["start"] = day.date().isoformat()
