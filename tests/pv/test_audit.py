"""The audit chain: every action leaves a row, and any edit or deletion is found by verify."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from sqlalchemy import text

from pv.audit import GENESIS, entry_hash
from pv.store import CaseQuery, Store
from pv.workflow import CaseStatus
from tests.pv.submissions import builder

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _busy_store(store: Store) -> str:
    """A case with a status change, a note and an export: five audit rows."""
    case_id = store.submit(builder(validate=False), now=NOW).case_id
    store.change_status(case_id, CaseStatus.IN_REVIEW, user="o1", now=NOW + timedelta(minutes=1))
    store.add_note(case_id, "checked", user="o1", now=NOW + timedelta(minutes=2))
    store.export_csv(CaseQuery(), user="o2", now=NOW + timedelta(minutes=3))
    store.record("email_sent", user="system", case_id=case_id, detail={"to": "npc"}, now=NOW)
    return case_id


def _sql(store: Store, statement: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(text(statement))


def test_every_action_is_chained_and_the_chain_verifies(store: Store) -> None:
    case_id = _busy_store(store)
    trail = store.audit_trail()
    assert [(a.id, a.action) for a in trail] == [
        (1, "create"),
        (2, "status"),
        (3, "note"),
        (4, "export"),
        (5, "email_sent"),
    ]
    assert trail[1].detail == {"from": "received", "to": "in_review", "comment": None}
    assert [a.action for a in store.audit_trail(case_id)] == [
        "create",
        "status",
        "note",
        "email_sent",
    ]
    assert store.verify_audit() == []


def test_hashes_link_each_row_to_the_one_before(store: Store) -> None:
    _busy_store(store)
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, prev_hash, hash FROM audit_log ORDER BY id")
        ).all()
    assert rows[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(rows))
    assert entry_hash(
        id=1, at=NOW, user="u", action="a", case_id=None, detail="{}", prev_hash=GENESIS
    ) != entry_hash(
        id=1, at=NOW, user="v", action="a", case_id=None, detail="{}", prev_hash=GENESIS
    )


def test_an_edited_row_is_found(store: Store) -> None:
    _busy_store(store)
    _sql(store, "UPDATE audit_log SET \"user\" = 'someone else' WHERE id = 2")
    [finding] = store.verify_audit()
    assert finding.path == "audit_log[2]" and "changed" in finding.message


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link(store: Store) -> None:
    _busy_store(store)
    _sql(store, "UPDATE audit_log SET detail = '{}', hash = '" + "f" * 64 + "' WHERE id = 3")
    paths = [f.path for f in store.verify_audit()]
    assert paths == ["audit_log[3]", "audit_log[4]"]


def test_a_deleted_row_is_found(store: Store) -> None:
    _busy_store(store)
    _sql(store, "DELETE FROM audit_log WHERE id = 3")
    [finding] = store.verify_audit()
    assert finding.path == "audit_log[4]" and "3 are missing" in finding.message


def test_a_cut_off_tail_is_found(store: Store) -> None:
    _busy_store(store)
    _sql(store, "DELETE FROM audit_log WHERE id >= 4")
    [finding] = store.verify_audit()
    assert finding.path == "audit_head" and "row 3" in finding.message


def test_an_empty_trail_verifies(store: Store) -> None:
    assert store.verify_audit() == []
