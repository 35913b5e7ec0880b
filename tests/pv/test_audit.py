"""The keyed audit trail: every action leaves a row, and no change to the trail or the cases by
SQL, with or without recomputing the chain, passes verification (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from e2b.findings import Finding
from pv import audit, auditkey
from pv.audit import GENESIS, AuditRecord, describe, entry_hash, entry_mac
from pv.auditkey import AuditKey
from pv.db import alembic_config, upgrade, writer
from pv.store import CaseQuery, Store
from pv.tables import AuditEntry, AuditHead
from pv.workflow import CaseStatus
from tests.pv.submissions import builder
from tests.pv.test_cli_pv import drop_audit_triggers, pv

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
CASE = "SA-LEMTRADAPV-000001"
Rows = list[dict[str, Any]]


def _busy_store(store: Store) -> str:
    """A case with a status change, a note and an export: five audit rows."""
    case_id = store.submit(builder(validate=False), now=NOW).case_id
    store.change_status(case_id, CaseStatus.IN_REVIEW, user="o1", now=NOW + timedelta(minutes=1))
    store.add_note(case_id, "checked", user="o1", now=NOW + timedelta(minutes=2))
    store.export_csv(CaseQuery(), user="o2", now=NOW + timedelta(minutes=3))
    store.record("email_sent", user="system", case_id=case_id, detail={"to": "npc"}, now=NOW)
    return case_id


def _sql(store: Store, statement: str, **values: Any) -> None:
    with store.engine.begin() as connection:
        connection.execute(text(statement), values)


def _drop_triggers(store: Store) -> None:
    drop_audit_triggers(store.engine)


def _rewrite(
    store: Store,
    change: Callable[[Rows], None],
    *,
    renumber: bool = True,
    key: AuditKey | None = None,
) -> None:
    """Change the trail, then recompute the hash of every row from the change on, and the head.

    Plain SHA-256 (or an HMAC under a `key` of the attacker's): the best someone without the
    audit key can do; every link is consistent again, untouched rows keep their MACs.
    """
    _drop_triggers(store)
    table = AuditEntry.__table__
    with store.engine.begin() as connection:
        rows: Rows = [dict(r._mapping) for r in connection.execute(select(table).order_by(table.c.id))]
        before = {row["id"]: dict(row) for row in rows}
        change(rows)
        prev = GENESIS
        for n, row in enumerate(rows, 1):
            if renumber:
                row["id"] = n
            if row == before.get(row["id"]) and row["prev_hash"] == prev:
                prev = row["hash"]
                continue
            row["prev_hash"] = prev
            fields = {k: row[k] for k in ("id", "at", "user", "action", "case_id", "detail", "prev_hash")}
            row["hash"] = prev = entry_hash(**fields) if key is None else entry_mac(key, **fields)
        connection.execute(delete(table))
        connection.execute(insert(table), rows)
        head: dict[str, Any] = {"last_id": rows[-1]["id"], "last_hash": prev}
        if key is not None:
            head["mac"] = audit.head_mac(key, last_id=rows[-1]["id"], last_hash=prev)
        connection.execute(update(AuditHead.__table__).values(head))


def _chain(store: Store) -> list[Finding]:
    with store.read_session() as session:
        return audit.verify_chain(session)


def verify_cases(store: Store) -> list[Finding]:
    with store.read_session() as session:
        return audit.verify_cases(session)


def _errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


# ---------------------------------------------------------------- writing and reading


def test_every_action_is_chained_keyed_and_verifies(store: Store) -> None:
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
    key = auditkey.current()
    assert {a.key_id for a in trail} == {key.id}
    assert [a.action for a in store.audit_trail(case_id)] == [
        "create",
        "status",
        "note",
        "email_sent",
    ]
    assert store.verify_audit() == []


def test_write_paths_record_what_the_case_check_needs(store: Store) -> None:
    case_id = _busy_store(store)
    store.add_version(case_id, builder(validate=False)(case_id), user="o1", now=NOW)
    detail = store.get_case(case_id)
    create, _, note, _, version = (a.detail for a in detail.audit)
    sha = [hashlib.sha256(v.xml).hexdigest() for v in detail.versions]
    assert (create["version"], create["xml_sha256"]) == (1, sha[0])
    assert (version["version"], version["xml_sha256"]) == (2, sha[1])
    assert note == {
        "note_id": 1,
        "text": "checked",
        "text_sha256": hashlib.sha256(b"checked").hexdigest(),
    }
    assert store.verify_audit() == []


def test_macs_link_each_row_to_the_one_before_and_cover_the_key_id(store: Store) -> None:
    _busy_store(store)
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, prev_hash, hash FROM audit_log ORDER BY id")).all()
        head = connection.execute(text("SELECT last_id, last_hash, mac FROM audit_head")).one()
    assert rows[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(rows))
    assert (head.last_id, head.last_hash) == (5, rows[-1].hash)
    key = auditkey.current()
    assert head.mac == audit.head_mac(key, last_id=5, last_hash=rows[-1].hash)
    fields: dict[str, Any] = {
        "id": 1, "at": NOW, "user": "u", "action": "a", "case_id": None, "detail": "{}", "prev_hash": GENESIS
    }
    assert entry_mac(key, **fields) != entry_hash(**fields)
    other_id = AuditKey("00000000", key.secret)
    assert entry_mac(key, **fields) != entry_mac(other_id, **fields)


def test_query_filters_by_user_case_action_and_day_and_keeps_the_newest(store: Store) -> None:
    case_id = _busy_store(store)
    store.record("login", user="o1", now=NOW + timedelta(days=2))
    assert [a.id for a in store.audit_trail(user="o1")] == [2, 3, 6]
    assert [a.id for a in store.audit_trail(case_id, user="o1")] == [2, 3]
    assert [a.id for a in store.audit_trail(action="note")] == [3]
    assert [a.id for a in store.audit_trail(since=date(2026, 11, 21))] == [6]
    assert [a.id for a in store.audit_trail(since=NOW + timedelta(minutes=2))] == [3, 4, 6]
    assert [a.id for a in store.audit_trail(limit=2)] == [5, 6]
    with store.read_session() as session:
        assert audit.query(session, user="nobody") == []


# ---------------------------------------------------------------- the database refuses changes


def test_the_database_refuses_update_and_delete_of_audit_rows(store: Store) -> None:
    _busy_store(store)
    with pytest.raises(DBAPIError, match="append-only"):
        _sql(store, "UPDATE audit_log SET detail = '{}' WHERE id = 2")
    with pytest.raises(DBAPIError, match="append-only"):
        _sql(store, "DELETE FROM audit_log WHERE id = 5")
    if store.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"):
            _sql(store, "TRUNCATE audit_log")
    assert len(store.audit_trail()) == 5
    assert store.verify_audit() == []


# ---------------------------------------------------------------- tampering is found


def _edit_user(rows: Rows) -> None:
    rows[1]["user"] = "someone else"


def _insert_status(rows: Rows) -> None:
    forged = dict(rows[1], detail=audit.canonical_json({"from": "in_review", "to": "closed"}))
    rows.insert(2, forged)


def _swap(rows: Rows) -> None:
    rows[1], rows[2] = rows[2], rows[1]


def _edit_status(store: Store) -> None:
    _sql(store, "UPDATE cases SET status = 'closed'")


def _edit_note(store: Store) -> None:
    _sql(store, "UPDATE notes SET text = 'nothing to see'")


def _edit_xml(store: Store) -> None:
    _sql(store, "UPDATE case_versions SET xml = :xml", xml=b"<other/>")


# (how, the finding's path, words of its message): one row each for the brief's cases.
TAMPERING: dict[str, tuple[Callable[[Store], None], str, str]] = {
    "row edited, chain recomputed": (
        lambda s: _rewrite(s, _edit_user),
        "audit_log[2]",
        "Audit row 2 does not match its MAC",
    ),
    "row deleted": (
        lambda s: _rewrite(s, lambda rows: rows.pop(2), renumber=False),
        "audit_log[4]",
        "Audit row 3 is missing (deleted)",
    ),
    "row deleted, renumbered": (
        lambda s: _rewrite(s, lambda rows: rows.pop(2)),
        "audit_log[3]",
        "Audit row 3 does not match its MAC",
    ),
    "row inserted": (
        lambda s: _rewrite(s, _insert_status),
        "audit_log[3]",
        "Audit row 3 does not match its MAC",
    ),
    "rows reordered": (
        lambda s: _rewrite(s, _swap),
        "audit_log[2]",
        "Audit row 2 does not match its MAC",
    ),
    "case status edited": (
        _edit_status,
        f"cases[{CASE}]",
        f"Case {CASE}: status is Closed but the audit trail records In review.",
    ),
    "note edited": (
        _edit_note,
        "notes[1]",
        f"Case {CASE}: the text of note 1 differs from the text the audit trail records",
    ),
    "stored XML edited": (
        _edit_xml,
        f"case_versions[{CASE} v1]",
        f"Case {CASE}: the stored XML of version 1 differs from the one the audit trail records",
    ),
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_tampering_is_found_by_the_store_and_the_cli(db_url: str, how: str) -> None:
    tamper, path, words = TAMPERING[how]
    store = Store.open(db_url)
    try:
        _busy_store(store)
        tamper(store)
        findings = _errors(store.verify_audit())
    finally:
        store.close()
    assert findings, how
    assert any(f.path == path and words in f.message for f in findings), findings
    result = pv(db_url, "audit", "verify")
    assert result.returncode == 1, result.stderr
    assert f"audit: error audit {path}: " in result.stdout
    assert words in result.stdout
    assert len(result.stdout.splitlines()) == len(findings)


def test_an_untouched_trail_passes_the_cli(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        _busy_store(store)
    finally:
        store.close()
    result = pv(db_url, "audit", "verify")
    assert (result.returncode, result.stdout, result.stderr) == (0, "audit trail intact\n", "")


def test_a_recomputed_chain_fails_at_every_later_row_and_at_the_head(store: Store) -> None:
    _busy_store(store)
    _rewrite(store, _edit_user)
    assert [(f.path, f.message) for f in _chain(store)] == [
        (
            "audit_log[2]",
            "Audit row 2 does not match its MAC: it was changed, inserted or moved by someone "
            "without the audit key. The same holds for rows 3-5.",
        ),
        (
            "audit_head",
            "The audit head does not match its MAC: it was rewritten without the audit key.",
        ),
    ]


def test_an_edited_row_alone_is_named(store: Store) -> None:
    _busy_store(store)
    _drop_triggers(store)
    _sql(store, "UPDATE audit_log SET detail = '{}' WHERE id = 4")
    [finding] = store.verify_audit()
    assert finding.path == "audit_log[4]" and "does not match its MAC" in finding.message


def test_a_chain_recomputed_with_a_wrong_key_is_found(store: Store) -> None:
    _busy_store(store)
    forger = AuditKey(auditkey.current().id, b"k" * 32)  # claims the real key's id
    _rewrite(store, _edit_user, key=forger)
    chain = _chain(store)
    assert [f.path for f in chain] == ["audit_log[2]", "audit_head"]
    assert "does not match its MAC" in chain[0].message
    assert "The same holds for rows 3-5." in chain[0].message


def test_a_cut_off_tail_is_found(store: Store) -> None:
    _busy_store(store)
    _drop_triggers(store)
    _sql(store, "DELETE FROM audit_log WHERE id >= 4")
    [finding] = store.verify_audit()
    assert finding.path == "audit_head" and "row 3" in finding.message


def test_a_head_without_its_mac_is_found(store: Store) -> None:
    _busy_store(store)
    _sql(store, "UPDATE audit_head SET mac = NULL")
    [finding] = store.verify_audit()
    assert finding.path == "audit_head" and "no MAC" in finding.message


def test_an_unkeyed_row_after_keyed_ones_is_found(store: Store) -> None:
    _busy_store(store)
    _rewrite(store, lambda rows: rows[-1].update(key_id=None))  # a valid unkeyed hash
    [row, head] = _chain(store)
    assert row.path == "audit_log[5]"
    assert "no key id although keyed rows come before it" in row.message
    assert head.path == "audit_head"


def test_a_case_added_or_deleted_by_sql_is_found(store: Store) -> None:
    case_id = _busy_store(store)
    second = store.submit(builder(validate=False), now=NOW).case_id
    _drop_triggers(store)
    _sql(store, "DELETE FROM audit_log WHERE case_id = :c AND action = 'create'", c=second)
    _sql(store, "DELETE FROM duplicate_links WHERE case_pk = 1 OR other_pk = 1")
    for table in (
        "case_versions",
        "status_changes",
        "notes",
        "case_categories",
        "case_fingerprints",
        "case_block_keys",
    ):
        _sql(store, f"DELETE FROM {table} WHERE case_pk = 1")
    _sql(store, "DELETE FROM cases WHERE id = 1")
    assert [(f.path, f.message) for f in verify_cases(store)] == [
        (
            f"cases[{second}]",
            f"Case {second} has no 'create' row in the audit trail: it was put into the database "
            "outside the application.",
        ),
        (
            f"cases[{case_id}]",
            f"Case {case_id} is in the audit trail but not in the cases table: it was deleted.",
        ),
    ]


def test_notes_and_the_status_history_must_match_the_trail(store: Store) -> None:
    case_id = _busy_store(store)
    store.add_note(case_id, "second", user="o2", now=NOW)
    _sql(store, "UPDATE notes SET \"user\" = 'o3' WHERE id = 1")
    _sql(store, "DELETE FROM notes WHERE id = 2")
    _sql(
        store,
        "INSERT INTO notes (id, case_pk, at, \"user\", text) VALUES (3, 1, :at, 'o9', 'planted')",
        at=NOW.replace(tzinfo=None),
    )
    _sql(store, "UPDATE status_changes SET comment = 'backdated' WHERE to_status = 'in_review'")
    messages = [(f.path, f.message) for f in verify_cases(store)]
    assert messages == [
        ("notes[1]", f"Case {case_id}: note 1 is by o3 in the notes table but by o1 in the audit trail (row 3)."),
        ("notes[3]", f"Case {case_id}: note 3 by o9 has no row in the audit trail: it was added outside the application."),
        ("notes[2]", f"Case {case_id}: the audit trail records note 2 by o2 (row 6) that is not in the notes table: it was deleted."),
        (
            f"status_changes[{case_id}]",
            f"Case {case_id}: status change 2 is Received → In review by o1 at 2026-11-20 09:31:00 "
            "(comment: backdated) in the status history but Received → In review by o1 at "
            "2026-11-20 09:31:00 in the audit trail.",
        ),
    ]


# ---------------------------------------------------------------- rows from before keyed audit


def _to_revision(engine: Engine, revision: str) -> None:
    with writer(engine).connect() as connection:
        if connection.dialect.name != "postgresql":
            connection.begin()
        command.upgrade(alembic_config(connection), revision)
        connection.commit()


def test_rows_written_before_the_migration_still_verify_with_a_warning(db_url: str) -> None:
    store = Store.open(db_url, migrate=False)
    try:
        _to_revision(store.engine, "0004")
        prev = GENESIS
        with store.engine.begin() as connection:
            for n, user in enumerate(("amal", "badr"), 1):
                fields = {
                    "id": n, "at": NOW, "user": user, "action": "login", "case_id": None,
                    "detail": "{}", "prev_hash": prev,
                }
                prev = entry_hash(**fields)
                connection.execute(
                    text(
                        "INSERT INTO audit_log (id, at, \"user\", action, case_id, detail, prev_hash, hash) "
                        "VALUES (:id, :at, :user, :action, :case_id, :detail, :prev_hash, :hash)"
                    ),
                    {**fields, "at": NOW.replace(tzinfo=None), "hash": prev},
                )
            connection.execute(
                text("UPDATE audit_head SET last_id = 2, last_hash = :h"), {"h": prev}
            )
        upgrade(store.engine)
        warning = Finding(
            "warning",
            "audit",
            "audit_log[1-2]",
            "Audit rows 1-2 were written before keyed audit: only the unkeyed hash chain is "
            "checked there, and anyone can recompute that.",
        )
        assert store.verify_audit() == [warning]
        store.record("login", user="amal", now=NOW)
        assert store.verify_audit() == [warning]
        assert [a.key_id for a in store.audit_trail()] == [None, None, auditkey.current().id]
        _drop_triggers(store)
        _sql(store, "UPDATE audit_log SET \"user\" = 'eve' WHERE id = 1")
        assert [f.path for f in _errors(store.verify_audit())] == ["audit_log[1]"]
    finally:
        store.close()


def test_a_case_saved_before_keyed_audit_gives_a_warning_not_an_error(store: Store) -> None:
    case_id = _busy_store(store)

    def unkey(rows: Rows) -> None:
        for row in rows:
            detail = json.loads(row["detail"])
            detail.pop("xml_sha256", None)
            detail.pop("note_id", None)
            detail.pop("text_sha256", None)
            row.update(key_id=None, detail=audit.canonical_json(detail))

    _rewrite(store, unkey)
    _sql(store, "UPDATE audit_head SET mac = NULL")
    findings = store.verify_audit()
    assert _errors(findings) == []
    assert [f.message for f in findings] == [
        "Audit rows 1-5 were written before keyed audit: only the unkeyed hash chain is checked "
        "there, and anyone can recompute that.",
        f"Case {case_id} was saved before keyed audit: the audit trail holds no XML checksum for "
        "version 1, so its stored XML cannot be checked.",
    ]
    _sql(store, "UPDATE notes SET text = 'changed'")
    assert [f.path for f in _errors(store.verify_audit())] == ["notes[1]"]


# ---------------------------------------------------------------- describing rows


def _record(action: str, detail: dict[str, Any], case_id: str | None = None) -> AuditRecord:
    return AuditRecord(1, NOW, "o1", action, case_id, detail)


@pytest.mark.parametrize(
    ("action", "detail", "expected"),
    [
        (
            "create",
            {"version": 1, "serious": True, "xml_sha256": "1a2b3c4d5e6f" + "0" * 52},
            "case created: version 1 (XML sha256 1a2b3c4d…), serious",
        ),
        ("create", {"version": 1, "serious": False}, "case created: version 1, non-serious"),
        ("version", {"version": 2, "serious": True, "xml_sha256": "1a2b3c4d" + "0" * 56}, "version 2 (XML sha256 1a2b3c4d…), serious"),
        (
            "status",
            {"from": "in_review", "to": "submitted_to_sfda", "comment": "sent by e-mail"},
            "In review → Submitted to SFDA; comment: sent by e-mail",
        ),
        ("status", {"from": "received", "to": "in_review", "comment": None}, "Received → In review"),
        ("note", {"note_id": 4, "text": "called the reporter", "text_sha256": "ab"}, "note added: called the reporter"),
        ("note", {"text": "an old note"}, "note added: an old note"),
        (
            "export",
            {"format": "csv", "rows": 12, "query": {"status": ["in_review", "closed"], "categories": [], "serious": True, "received_from": None, "received_to": None, "text": "itp", "overdue_only": True, "sort": "received_at", "descending": True}},
            "export csv, 12 rows; filter: status In review or Closed, serious, text “itp”, overdue only",
        ),
        ("export", {"format": "csv", "rows": 1, "query": {"sort": "received_at"}}, "export csv, 1 row"),
        ("export", {"format": "e2b", "cases": ["SA-X-000001", "SA-X-000002"]}, "export e2b, 2 cases: SA-X-000001, SA-X-000002"),
        ("audit_export", {"format": "csv", "rows": 3, "filter": {"user": "o1"}}, "audit trail export csv, 3 rows; filter: user o1"),
        ("login", {}, "login"),
        ("login", {"via": "oidc"}, "login via oidc"),
        ("login_failed", {"reason": "wrong password", "client": "10.0.0.5"}, "login failed: wrong password (client 10.0.0.5)"),
        ("login_locked", {"retry_at": "2026-11-20T09:45:00+00:00"}, "login locked until 2026-11-20 09:45 UTC"),
        ("logout", {"reason": "logout", "client": "10.0.0.5"}, "logout (client 10.0.0.5)"),
        ("session_end", {"reason": "idle", "client": "10.0.0.5"}, "session ended: idle (client 10.0.0.5)"),
        ("user_add", {"name": "amal", "role": "admin"}, "user amal added (admin)"),
        ("user_password", {"name": "amal"}, "password changed for amal"),
        ("user_deactivate", {"name": "amal"}, "user amal deactivated"),
        ("audit_key_rotated", {"key_id": "7f7b7bac", "previous": "a240b226"}, "audit key rotated: new key 7f7b7bac, previous key a240b226"),
        ("email_sent", {"to": ["npc", "mah"], "ok": True, "smtp": {"code": 250}}, "to: npc, mah; ok: yes; smtp.code: 250"),
        ("status", {"from": "received", "to": "someday"}, "Received → someday"),
        ("prepare", {"version": 2, "recipient": "sfda", "batch_id": "SA-X-1-V2-SFDA-1", "xml_sha256": "9f8e7d6c" + "0" * 56}, "file for SFDA prepared: batch SA-X-1-V2-SFDA-1, version 2 (XML sha256 9f8e7d6c…)"),
        ("submission", {"version": 1, "recipient": "mah", "batch_id": "B-1", "submitted_on": "2026-11-20", "channel": "email", "reference": "<m@x>", "due_date": "2026-11-15", "days_late": 5}, "submitted to the MAH on 2026-11-20 by email, 5 days late (due 2026-11-15); batch B-1, reference <m@x>"),
        ("submission", {"recipient": "sfda", "batch_id": "B-2", "submitted_on": "2026-11-20", "channel": "portal", "reference": "", "due_date": "2026-11-25", "days_late": 0}, "submitted to SFDA on 2026-11-20 by portal, on time (due 2026-11-25); batch B-2"),
        ("ack", {"ack_id": "ACK-9", "code": "AE", "batch_id": "B-1", "outcome": "rejected by receiver", "recipient": "sfda", "text": "E.i.2.1 missing", "file": "ack.xml"}, "acknowledgement ACK-9 (AE) for batch B-1: rejected by receiver from SFDA; E.i.2.1 missing (file ack.xml)"),
        ("ack", {"ack_id": "ACK-7", "code": "AA", "batch_id": "NOPE", "outcome": "unmatched", "file": "a.xml"}, "acknowledgement ACK-7 (AA) for batch NOPE: unmatched (file a.xml)"),
        ("send_failed", {"recipient": "mah", "batch_id": "B-3", "reason": "550 refused"}, "sending to the MAH failed (batch B-3): 550 refused"),
    ],
)
def test_describe_reads_as_a_sentence(action: str, detail: dict[str, Any], expected: str) -> None:
    assert describe(_record(action, detail)) == expected


def test_no_row_of_a_real_trail_is_described_as_a_python_value(store: Store) -> None:
    _busy_store(store)
    for record in store.audit_trail():
        text_ = describe(record)
        assert text_ and not any(c in text_ for c in "{}[]'\""), text_
