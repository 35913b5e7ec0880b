"""Drafts kept server-side (issue 11), on a real SQLite file and a real PostgreSQL: saved, updated,
reopened by token, expired after 30 days and purged, kept only under the token's digest, refused
when oversized, and consistent under concurrent saves."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import event, inspect, select, text

from pv import drafts
from pv.attachments import MAX_TOTAL_BYTES
from pv.db import alembic_config, current_revision, head_revision, writer
from pv.store import Store
from pv.tables import Draft as DraftRow
from pv.tables import DraftFile

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
ANSWERS: dict[str, Any] = {
    "reporter.given_name": "Noura",
    "reporter.qualification": {"$codelist": "Qualification", "value": "1"},
    "patient.age.value": 34,
    "patient.weight_kg": 61.5,
    "reactions": ["3f2b", "9c1d"],
    "reactions.3f2b.start": "2026-09-14",
    "reactions.3f2b.serious.hospitalisation": True,
    "narrative.comments": 'Ünïcödé, "quotes" and\nnew lines',
    "patient.height_cm": None,
}


def rows(store: Store) -> list[DraftRow]:
    with store.read_session() as session:
        return list(session.scalars(select(DraftRow)))


@contextmanager
def writes(store: Store) -> Iterator[list[str]]:
    """The statements sent inside the block that write or take the write lock: INSERT, UPDATE,
    DELETE, SQLite's BEGIN IMMEDIATE and PostgreSQL's SELECT ... FOR UPDATE."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        words = statement.upper().split()
        if words[0] in {"INSERT", "UPDATE", "DELETE"} or words[:2] == ["BEGIN", "IMMEDIATE"]:
            seen.append(words[0])
        elif "FOR UPDATE" in " ".join(words):
            seen.append("LOCK")

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def test_a_saved_draft_comes_back_exactly_and_an_update_keeps_its_token(store: Store) -> None:
    token = drafts.save(store, ANSWERS, now=T0)
    draft = drafts.load(store, token, now=T0 + timedelta(hours=1))
    assert draft is not None
    assert draft.answers == ANSWERS
    assert (draft.saved_at, draft.expires_at, draft.case_id) == (T0, T0 + timedelta(days=30), None)

    changed = {**ANSWERS, "reporter.given_name": "Noura B."}
    later = T0 + timedelta(days=3)
    assert drafts.save(store, changed, token, now=later) == token
    draft = drafts.load(store, token, now=later)
    assert draft is not None
    assert draft.answers == changed
    assert (draft.saved_at, draft.expires_at) == (later, later + timedelta(days=30))
    assert len(rows(store)) == 1


def test_tokens_are_long_random_and_each_draft_has_its_own(store: Store) -> None:
    tokens = {drafts.save(store, {"n": n}, now=T0) for n in range(5)}
    assert len(tokens) == 5
    assert all(len(token) == 43 for token in tokens)  # 32 random bytes, URL-safe base64
    loaded = [drafts.load(store, token, now=T0) for token in tokens]
    assert sorted(d.answers["n"] for d in loaded if d is not None) == list(range(5))


def test_saving_the_same_answers_again_writes_nothing(store: Store) -> None:
    token = drafts.save(store, ANSWERS, now=T0)
    reordered = dict(reversed(list(ANSWERS.items())))  # same answers, other order
    with writes(store) as seen:
        assert drafts.save(store, reordered, token, now=T0 + timedelta(days=2)) == token
    assert seen == []
    draft = drafts.load(store, token, now=T0 + timedelta(days=2))
    assert draft is not None and draft.saved_at == T0
    with writes(store) as seen:
        drafts.save(store, {**ANSWERS, "patient.age.value": 35}, token, now=T0 + timedelta(days=2))
    assert "UPDATE" in seen


def test_a_draft_expires_30_days_after_its_last_save_and_is_purged(store: Store) -> None:
    token = drafts.save(store, ANSWERS, now=T0)
    other = drafts.save(store, {"patient.initials": "AB"}, now=T0 + timedelta(days=10))
    day_30 = T0 + timedelta(days=30)
    assert drafts.load(store, token, now=day_30 - timedelta(seconds=1)) is not None
    assert drafts.load(store, token, now=day_30) is None
    assert len(rows(store)) == 2  # reading does not delete

    assert drafts.purge_expired(store, day_30) == 1
    assert [row.id for row in rows(store)] == [drafts.digest(other)]
    assert drafts.load(store, other, now=day_30) is not None
    assert drafts.purge_expired(store, day_30) == 0


def test_saving_to_an_expired_draft_starts_a_new_one_and_clears_the_old(store: Store) -> None:
    token = drafts.save(store, ANSWERS, now=T0)
    later = T0 + timedelta(days=31)
    new = drafts.save(store, ANSWERS, token, now=later)
    assert new != token
    assert drafts.load(store, token, now=later) is None
    assert [row.id for row in rows(store)] == [drafts.digest(new)]


def test_the_database_keeps_only_the_digest_of_the_token(store: Store) -> None:
    token = drafts.save(store, ANSWERS, now=T0)
    with store.engine.connect() as connection:
        stored = connection.execute(text("SELECT * FROM drafts")).mappings().all()
    assert len(stored) == 1
    assert stored[0]["id"] == hashlib.sha256(token.encode()).hexdigest()
    everything = " ".join(str(value) for value in stored[0].values())
    assert token not in everything
    # Knowing the digest is no key: it is not a token that opens the draft.
    assert drafts.load(store, stored[0]["id"], now=T0) is None


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "x",
        "A" * 43,  # well formed, never issued
        "A" * 42 + "!",
        "../../drafts",
        "é" * 43,
        "\x00" * 43,
        "A" * 100_000,
        "' OR 1=1 --",
    ],
)
def test_an_unknown_or_malformed_token_reads_as_no_draft(store: Store, token: str | None) -> None:
    drafts.save(store, ANSWERS, now=T0)
    assert drafts.load(store, token, now=T0) is None
    assert drafts.mark_submitted(store, token, "SA-LEMTRADAPV-000001", now=T0) is False


def test_saving_with_an_unknown_token_makes_a_new_draft(store: Store) -> None:
    token = drafts.save(store, ANSWERS, now=T0)
    new = drafts.save(store, {"a": 1}, "B" * 43, now=T0)
    assert new not in {token, "B" * 43}
    draft = drafts.load(store, token, now=T0)
    assert draft is not None and draft.answers == ANSWERS


def test_oversized_answers_are_refused_and_nothing_is_stored(store: Store) -> None:
    with pytest.raises(drafts.DraftTooLarge, match=r"too large to save .* at most 1,000 kB"):
        drafts.save(store, {"narrative.narrative": "x" * drafts.MAX_BYTES}, now=T0)
    assert rows(store) == []
    token = drafts.save(store, ANSWERS, now=T0)
    with pytest.raises(drafts.DraftTooLarge):
        drafts.save(store, {"text": "é" * (drafts.MAX_BYTES // 2)}, token, now=T0)  # 2 bytes each
    draft = drafts.load(store, token, now=T0)
    assert draft is not None and draft.answers == ANSWERS


def test_a_submitted_draft_names_its_case_keeps_no_answers_and_takes_no_more(
    store: Store,
) -> None:
    token = drafts.save(store, ANSWERS, now=T0)
    later = T0 + timedelta(days=20)
    assert drafts.mark_submitted(store, token, "SA-LEMTRADAPV-000042", now=later)
    draft = drafts.load(store, token, now=later + timedelta(days=29))
    assert draft is not None
    assert (draft.case_id, draft.answers) == ("SA-LEMTRADAPV-000042", {})
    with store.engine.connect() as connection:
        stored = connection.execute(text("SELECT answers FROM drafts")).scalar_one()
    assert "Noura" not in stored
    # Typing on after the submission starts a new draft; the submitted one stays as it was.
    new = drafts.save(store, {"reporter.given_name": "Noura"}, token, now=later)
    assert new != token
    again = drafts.load(store, token, now=later)
    assert again is not None and again.case_id == "SA-LEMTRADAPV-000042"


@pytest.mark.slow
def test_twenty_concurrent_saves_to_one_draft_leave_one_consistent_draft(store: Store) -> None:
    token = drafts.save(store, {"n": -1}, now=T0)
    versions = [{"n": n, "text": f"version {n} " * 200} for n in range(20)]
    start = threading.Barrier(20)

    def save(answers: dict[str, Any]) -> str:
        start.wait()
        return drafts.save(store, answers, token, now=T0 + timedelta(minutes=1))

    with ThreadPoolExecutor(max_workers=20) as pool:
        returned = list(pool.map(save, versions))
    assert returned == [token] * 20
    [row] = rows(store)
    draft = drafts.load(store, token, now=T0 + timedelta(minutes=1))
    assert draft is not None
    assert draft.answers in versions
    assert row.answers_sha256 == drafts.fingerprint(draft.answers)
    assert row.answers_sha256 == hashlib.sha256(row.answers.encode()).hexdigest()


def test_migration_0007_adds_and_removes_the_drafts_table(store: Store) -> None:
    assert head_revision() == "0011"
    with writer(store.engine).begin() as connection:
        command.downgrade(alembic_config(connection), "0007")
    with writer(store.engine).begin() as connection:
        command.downgrade(alembic_config(connection), "0006")
    assert not {"drafts", "draft_files"} & set(inspect(store.engine).get_table_names())
    assert current_revision(store.engine) == "0006"
    with writer(store.engine).begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert {"drafts", "draft_files"} <= set(inspect(store.engine).get_table_names())
    token = drafts.save(store, ANSWERS, now=T0)
    assert drafts.load(store, token, now=T0) is not None


# ---------------------------------------------------------------- files attached to a draft

ECG = b"%PDF-1.4 synthetic ECG " + bytes(range(256)) * 40
LETTER = b"\x89PNG\r\n\x1a\n synthetic discharge letter" + bytes(1000)


def file_rows(store: Store) -> list[tuple[str, str]]:
    with store.read_session() as session:
        found = session.execute(select(DraftFile.draft_id, DraftFile.sha256))
        return sorted((str(a), str(b)) for a, b in found)


def with_files(*contents: bytes) -> dict[str, bytes]:
    return {drafts.file_key(data): data for data in contents}


def test_attached_files_come_back_byte_for_byte_and_a_removed_one_goes(store: Store) -> None:
    token = drafts.save(store, ANSWERS, files=with_files(ECG, LETTER), now=T0)
    draft = drafts.load(store, token, now=T0)
    assert draft is not None
    assert draft.answers == ANSWERS  # the file list is the store's, not an answer
    assert dict(draft.files) == with_files(ECG, LETTER)
    assert drafts.save(store, ANSWERS, token, files=with_files(LETTER), now=T0) == token
    again = drafts.load(store, token, now=T0)
    assert again is not None and dict(again.files) == with_files(LETTER)
    assert file_rows(store) == [(drafts.digest(token), drafts.file_key(LETTER))]


def test_the_same_answers_with_other_files_are_a_change(store: Store) -> None:
    token = drafts.save(store, ANSWERS, files=with_files(ECG), now=T0)
    assert drafts.fingerprint(ANSWERS, with_files(ECG)) != drafts.fingerprint(ANSWERS)
    with writes(store) as seen:
        drafts.save(store, ANSWERS, token, files=with_files(ECG), now=T0)
    assert seen == []
    with writes(store) as seen:
        drafts.save(store, ANSWERS, token, files=with_files(ECG, LETTER), now=T0)
    assert "INSERT" in seen


def test_a_file_must_be_named_by_its_content(store: Store) -> None:
    with pytest.raises(ValueError, match="sha256"):
        drafts.save(store, ANSWERS, files={"0" * 64: ECG}, now=T0)
    assert rows(store) == []


def test_files_over_the_attachment_limit_are_refused(store: Store) -> None:
    big = b"%PDF" + bytes(MAX_TOTAL_BYTES)
    with pytest.raises(drafts.DraftTooLarge, match="attached files are too large"):
        drafts.save(store, ANSWERS, files=with_files(big), now=T0)
    assert rows(store) == [] and file_rows(store) == []


def test_files_go_with_a_submitted_or_expired_draft(store: Store) -> None:
    submitted = drafts.save(store, ANSWERS, files=with_files(ECG), now=T0)
    expiring = drafts.save(store, {"a": 1}, files=with_files(LETTER), now=T0)
    assert drafts.mark_submitted(store, submitted, "SA-LEMTRADAPV-000001", now=T0)
    assert file_rows(store) == [(drafts.digest(expiring), drafts.file_key(LETTER))]
    later = T0 + drafts.LIFETIME + timedelta(seconds=1)
    drafts.purge_expired(store, later)
    assert file_rows(store) == []
