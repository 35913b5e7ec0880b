"""The audit trail: an append-only, hash-chained record of every create, change, note and export.

Each row's hash covers its own fields and the previous row's hash, and a single head row holds
the last id and hash; `verify` recomputes the chain and names each edited, missing or cut-off row.
Appends lock the head row, so concurrent writers on any instance form one chain without forks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pv.findings import Finding
from pv.tables import AuditEntry, AuditHead

GENESIS = "0" * 64
_HEAD_ID = 1


@dataclass(frozen=True)
class AuditRecord:
    """One audit row as the case page and the CLI show it."""

    id: int
    at: datetime
    user: str
    action: str  # create, version, status, note, export, login, login_failed, user ...
    case_id: str | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, row: AuditEntry) -> AuditRecord:
        return cls(row.id, row.at, row.user, row.action, row.case_id, json.loads(row.detail))


def canonical_json(value: Any) -> str:
    """The one serialisation hashed: sorted keys, no spaces, text as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(
    *,
    id: int,
    at: datetime,
    user: str,
    action: str,
    case_id: str | None,
    detail: str,
    prev_hash: str,
) -> str:
    """sha256 over the row's fields and the previous hash."""
    fields = {
        "id": id,
        "at": at.isoformat(),
        "user": user,
        "action": action,
        "case_id": case_id,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    user: str,
    action: str,
    at: datetime,
    case_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add a row to the chain inside the caller's transaction (lands or vanishes with it).

    Call it last in a transaction: the head row stays locked until commit.
    """
    head = session.execute(
        select(AuditHead).where(AuditHead.id == _HEAD_ID).with_for_update()
    ).scalar_one()
    text = canonical_json(detail or {})
    row_id = head.last_id + 1
    digest = entry_hash(
        id=row_id,
        at=at,
        user=user,
        action=action,
        case_id=case_id,
        detail=text,
        prev_hash=head.last_hash,
    )
    entry = AuditEntry(
        id=row_id,
        at=at,
        user=user,
        action=action,
        case_id=case_id,
        detail=text,
        prev_hash=head.last_hash,
        hash=digest,
    )
    session.add(entry)
    head.last_id, head.last_hash = row_id, digest
    session.flush()
    return entry


def records(session: Session, case_id: str | None = None) -> list[AuditRecord]:
    """The trail in order, for one case or all."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    if case_id is not None:
        query = query.where(AuditEntry.case_id == case_id)
    return [AuditRecord.of(row) for row in session.scalars(query)]


def verify_chain(session: Session) -> list[Finding]:
    """Every break in the chain: edited rows, deleted rows, a cut-off tail, a forged head."""
    findings: list[Finding] = []
    expected_id, prev_hash = 1, GENESIS
    for row in _rows(session):
        where = f"audit_log[{row.id}]"
        if row.id != expected_id:
            missing = (
                f"{expected_id}" if row.id == expected_id + 1 else f"{expected_id}-{row.id - 1}"
            )
            findings.append(_finding(where, f"Audit rows {missing} are missing (deleted)."))
        elif row.prev_hash != prev_hash:
            findings.append(
                _finding(where, f"Audit row {row.id} does not follow row {row.id - 1}.")
            )
        recomputed = entry_hash(
            id=row.id,
            at=row.at,
            user=row.user,
            action=row.action,
            case_id=row.case_id,
            detail=row.detail,
            prev_hash=row.prev_hash,
        )
        if recomputed != row.hash:
            findings.append(
                _finding(where, f"Audit row {row.id} was changed after it was written.")
            )
        expected_id, prev_hash = row.id + 1, row.hash
    head = session.get(AuditHead, _HEAD_ID)
    last_id = expected_id - 1
    if head is None:
        findings.append(_finding("audit_head", "The audit chain's head row is missing."))
    elif head.last_id != last_id or head.last_hash != prev_hash:
        findings.append(
            _finding(
                "audit_head",
                f"The audit trail ends at row {last_id} but was written up to row "
                f"{head.last_id}: rows at the end were deleted or the head was altered.",
            )
        )
    return findings


def _rows(session: Session) -> Iterator[AuditEntry]:
    """All rows in id order, a chunk at a time so a long trail never sits in memory at once."""
    last = 0
    while True:
        chunk = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(2000)
            )
        )
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].id
        session.expunge_all()


def _finding(path: str, message: str) -> Finding:
    return Finding("error", "audit", path, message)
