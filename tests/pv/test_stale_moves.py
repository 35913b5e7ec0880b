"""Optimistic concurrency: a status move made from a stale view is refused, saying who and when."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from pv.store import StaleCase, Store
from pv.workflow import CaseStatus
from tests.pv.submissions import builder, make_submission

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_a_move_from_a_stale_view_is_refused_with_who_and_when(store: Store) -> None:
    case_id = store.submit(builder(validate=False), now=NOW).case_id
    store.change_status(case_id, CaseStatus.IN_REVIEW, user="a", now=NOW + timedelta(hours=1))
    # Both officers open the case "In review".
    seen_by_a = store.get_case(case_id).revision
    seen_by_b = store.get_case(case_id).revision
    store.change_status(
        case_id,
        CaseStatus.SUBMITTED_TO_SFDA,
        user="a",
        now=NOW + timedelta(hours=2),
        expected_revision=seen_by_a,
    )
    with pytest.raises(StaleCase) as stale:
        store.change_status(
            case_id,
            CaseStatus.CLOSED,
            user="b",
            now=NOW + timedelta(hours=3),
            expected_revision=seen_by_b,
        )
    assert (stale.value.user, stale.value.status) == ("a", CaseStatus.SUBMITTED_TO_SFDA)
    assert stale.value.at == NOW + timedelta(hours=2)
    assert "changed by a at 2026-11-20 11:00 UTC" in str(stale.value)
    detail = store.get_case(case_id)
    assert detail.row.status is CaseStatus.SUBMITTED_TO_SFDA
    assert [h.user for h in detail.status_history] == ["hcp", "a", "a"]
    # Having looked again, b decides on what is there now.
    store.change_status(
        case_id, CaseStatus.CLOSED, user="b", now=NOW + timedelta(hours=4),
        expected_revision=detail.revision,
    )
    assert store.get_case(case_id).row.status is CaseStatus.CLOSED


def test_a_new_version_also_makes_the_view_stale(store: Store) -> None:
    case_id = store.submit(builder(validate=False), now=NOW).case_id
    seen = store.get_case(case_id).revision
    store.add_version(
        case_id, make_submission(case_id, validate=False), user="c", now=NOW + timedelta(hours=1)
    )
    with pytest.raises(StaleCase) as stale:
        store.change_status(case_id, CaseStatus.IN_REVIEW, user="b", expected_revision=seen)
    assert stale.value.user == "c"


def test_notes_do_not_make_a_view_stale(store: Store) -> None:
    case_id = store.submit(builder(validate=False), now=NOW).case_id
    seen = store.get_case(case_id).revision
    store.add_note(case_id, "Asked the reporter for platelet counts.", user="c")
    store.change_status(case_id, CaseStatus.IN_REVIEW, user="b", expected_revision=seen)


def test_of_two_simultaneous_moves_from_one_view_exactly_one_lands(store: Store) -> None:
    case_id = store.submit(builder(validate=False), now=NOW).case_id
    store.change_status(case_id, CaseStatus.IN_REVIEW, user="a")
    seen = store.get_case(case_id).revision
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def move(user: str, target: CaseStatus) -> None:
        barrier.wait()
        try:
            store.change_status(case_id, target, user=user, expected_revision=seen)
            outcomes.append("moved")
        except StaleCase:
            outcomes.append("stale")

    threads = [
        threading.Thread(target=move, args=("a", CaseStatus.SUBMITTED_TO_SFDA)),
        threading.Thread(target=move, args=("b", CaseStatus.CLOSED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["moved", "stale"]
    assert len(store.get_case(case_id).status_history) == 3
