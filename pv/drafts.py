"""Drafts of reports kept in the log database, reopened by a private link for 30 days.

`save` returns the token that names the draft; the database keeps only the token's sha256, so
reading the table opens no draft. A draft expires 30 days after the last change of its answers.
Answers equal to the stored ones are not written again (their hash is compared first), so a page
may call `save` on every rerun. Once submitted, a draft keeps only the case ID it became.
Expired drafts read as None; each new draft deletes them (`purge_expired` does it on demand).
Files attached to the form are kept beside the answers, once per content (`files`, by sha256);
the answers name them.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pv.attachments import MAX_TOTAL_BYTES
from pv.db import guard
from pv.store import Store
from pv.tables import Draft as DraftRow
from pv.tables import DraftFile

LIFETIME = timedelta(days=30)
MAX_BYTES = 1_000_000  # of the answers as UTF-8 JSON; a whole form is a few kB
# secrets.token_urlsafe(32): 32 random bytes as 43 URL-safe base64 characters.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# Looked up in place of a malformed token, so every token costs one digest and one read; no token
# `save` hands out can have it (it is not URL-safe base64).
_NO_TOKEN = "!"
_FILES = "$files"  # in the stored answers: the sha256 of each file kept with the draft


class DraftTooLarge(ValueError):
    """The answers are too large to keep as a draft; `str(error)` says so in one sentence."""

    def __init__(self, size: int, *, files: bool = False) -> None:
        self.size = size
        if files:
            message = (
                f"The attached files are too large to keep with the draft ({size // 1000:,} kB; "
                f"at most {MAX_TOTAL_BYTES // 1000:,} kB). Remove a file and save again."
            )
        else:
            message = (
                f"The draft is too large to save ({size // 1000:,} kB; at most "
                f"{MAX_BYTES // 1000:,} kB). Shorten the longest texts and save again."
            )
        super().__init__(message)


@dataclass(frozen=True)
class Draft:
    """A draft as stored: the form's answers, when they were saved, when the link stops working,
    and the case ID once the report was submitted (its answers are then gone)."""

    answers: dict[str, Any]
    saved_at: datetime
    expires_at: datetime
    case_id: str | None = None
    files: Mapping[str, bytes] = field(default_factory=dict)  # attached files by sha256
    follow_up_of: str | None = None  # an officer's follow-up: the case it adds a version to
    follow_up_version: int | None = None  # ... and the case's version it was started from


def digest(token: str) -> str:
    """What the database keeps of a token: its sha256 (hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def fingerprint(answers: Mapping[str, Any], files: Mapping[str, bytes] | None = None) -> str:
    """The sha256 of the answers (and the names of the files) as stored: equal answers, equal
    fingerprints."""
    return hashlib.sha256(_stored(answers, files).encode("utf-8")).hexdigest()


def _stored(answers: Mapping[str, Any], files: Mapping[str, bytes] | None) -> str:
    """The answers as the table keeps them; the files are part of what is compared."""
    return _encode({**answers, _FILES: sorted(files)} if files else answers)


def stored(answers: Mapping[str, Any], files: Mapping[str, bytes] | None = None) -> str:
    """The answers (naming `files` by sha256) as a draft keeps them: what a version made by the
    form keeps of it (`Store.submit(answers=...)`), read back by `stored_answers`."""
    return _stored(answers, files)


def stored_answers(text: str) -> tuple[dict[str, Any], list[str]]:
    """The answers `stored` wrote, and the sha256 of each file they name."""
    answers = json.loads(text)
    if not isinstance(answers, dict):
        raise ValueError("stored answers must be a JSON object")
    named = answers.pop(_FILES, [])
    return answers, [str(key) for key in named]


def file_key(data: bytes) -> str:
    """How answers name an attached file: the sha256 of its content (hex)."""
    return hashlib.sha256(data).hexdigest()


def save(
    store: Store,
    answers: Mapping[str, Any],
    token: str | None = None,
    *,
    files: Mapping[str, bytes] | None = None,
    now: datetime | None = None,
    follow_up_of: str | None = None,
    follow_up_version: int | None = None,
) -> str:
    """Keep `answers` (and the files they name, by `file_key`) as the draft of `token` and return
    the token to use from now on.

    Without a token, or with one that names no open draft (unknown, expired or submitted), a new
    draft is made and its new token returned; `follow_up_of` marks a new draft as an officer's
    follow-up of that case, started from its `follow_up_version` (an open draft keeps what it
    was). Raises DraftTooLarge over
    MAX_BYTES of answers or the attachments' total limit of files, TypeError for answers JSON
    cannot hold.
    """
    now = _utc(now)
    files = dict(files or {})
    if any(file_key(data) != key for key, data in files.items()):
        raise ValueError("a draft file must be keyed by the sha256 of its content")
    if (total := sum(len(data) for data in files.values())) > MAX_TOTAL_BYTES:
        raise DraftTooLarge(total, files=True)
    text = _stored(answers, files)
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise DraftTooLarge(size)
    answers_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    key = _key(token)
    with guard(store.engine), store.read_session() as session:
        row = session.get(DraftRow, key)
        if row is not None and _open(row, now) and row.answers_sha256 == answers_sha256:
            return str(token)  # unchanged: nothing to write
    with guard(store.engine), store.write_session() as session, session.begin():
        row = session.get(DraftRow, key, with_for_update=True)
        if row is not None and _open(row, now):
            if row.answers_sha256 != answers_sha256:
                row.answers, row.answers_sha256 = text, answers_sha256
                row.saved_at, row.expires_at = now, now + LIFETIME
                _keep_files(session, key, files)
            return str(token)
        _purge(session, now)
        new_token = secrets.token_urlsafe(32)
        session.add(
            DraftRow(
                id=digest(new_token),
                answers=text,
                answers_sha256=answers_sha256,
                created_at=now,
                saved_at=now,
                expires_at=now + LIFETIME,
                follow_up_of=follow_up_of,
                follow_up_version=follow_up_version,
            )
        )
        session.flush()
        _keep_files(session, digest(new_token), files)
    return new_token


def _keep_files(session: Session, draft_id: str, files: Mapping[str, bytes]) -> None:
    """The draft's files become exactly `files`: new ones written, dropped ones deleted."""
    stored = set(session.scalars(select(DraftFile.sha256).where(DraftFile.draft_id == draft_id)))
    gone = stored - set(files)
    if gone:
        session.execute(
            delete(DraftFile).where(DraftFile.draft_id == draft_id, DraftFile.sha256.in_(gone))
        )
    for key in sorted(set(files) - stored):
        session.add(DraftFile(draft_id=draft_id, sha256=key, data=files[key]))


def load(store: Store, token: str | None, *, now: datetime | None = None) -> Draft | None:
    """The draft of `token`, or None when there is none: unknown, malformed or expired."""
    now = _utc(now)
    with guard(store.engine), store.read_session() as session:
        row = session.get(DraftRow, _key(token))
        if row is None or row.expires_at <= now:
            return None
        stored = session.execute(
            select(DraftFile.sha256, DraftFile.data).where(DraftFile.draft_id == row.id)
        )
        files = {key: bytes(data) for key, data in stored}
    answers = json.loads(row.answers)
    answers.pop(_FILES, None)
    return Draft(
        answers,
        row.saved_at,
        row.expires_at,
        row.case_id,
        files,
        row.follow_up_of,
        row.follow_up_version,
    )


def mark_submitted(
    store: Store, token: str | None, case_id: str, *, now: datetime | None = None
) -> bool:
    """Record that the draft became case `case_id` and drop its answers (the log keeps the
    report); the link then says so for another 30 days. False when there is no such draft."""
    now = _utc(now)
    empty = _encode({})
    with guard(store.engine), store.write_session() as session, session.begin():
        row = session.get(DraftRow, _key(token), with_for_update=True)
        if row is None or row.expires_at <= now:
            return False
        row.case_id = case_id
        row.answers, row.answers_sha256 = empty, hashlib.sha256(empty.encode("utf-8")).hexdigest()
        _keep_files(session, row.id, {})
        row.saved_at, row.expires_at = now, now + LIFETIME
    return True


def purge_expired(store: Store, now: datetime | None = None) -> int:
    """Delete every expired draft; returns how many went."""
    now = _utc(now)
    with guard(store.engine), store.write_session() as session, session.begin():
        return _purge(session, now)


def _purge(session: Session, now: datetime) -> int:
    expired = select(DraftRow.id).where(DraftRow.expires_at <= now)
    session.execute(delete(DraftFile).where(DraftFile.draft_id.in_(expired)))
    result = session.execute(delete(DraftRow).where(DraftRow.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)


def _open(row: DraftRow, now: datetime) -> bool:
    """Whether a draft still takes answers: not expired and not yet submitted."""
    return row.expires_at > now and row.case_id is None


def _key(token: str | None) -> str:
    """The digest to look up; a malformed token looks up one no draft has."""
    well_formed = isinstance(token, str) and _TOKEN.fullmatch(token) is not None
    return digest(token if well_formed and token is not None else _NO_TOKEN)


def _encode(answers: Mapping[str, Any]) -> str:
    # Sorted keys: the same answers give the same text, whatever order they were typed in.
    return json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("times given to the drafts must be timezone-aware")
    return now.astimezone(UTC)


