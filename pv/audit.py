"""The audit trail: a keyed, append-only chain of every create, change, note, export and login.

Each row's MAC (HMAC-SHA-256 under a key from pv.auditkey) covers its fields, its key id and the
previous row's MAC; the single head row holds the last id and MAC, MAC'd as well. Without the key
nobody can edit, insert, drop or reorder rows and write a chain that verifies, and the database
refuses UPDATE and DELETE on the trail (migration 0005). `verify_cases` replays the trail per
case against the case tables, so a status, note or stored XML changed by SQL is found too.
Rows written before keyed audit (no key id) are checked with the old unkeyed formula and reported
as a warning. Appends lock the head row, so concurrent writers form one chain without forks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from e2b.findings import Finding
from pv import auditkey
from pv.auditkey import AuditKey, Keyring
from pv.tables import AuditEntry, AuditHead, Case, CaseVersion, Note, StatusChange
from pv.workflow import CaseStatus

GENESIS = "0" * 64
_HEAD_ID = 1
_CHUNK = 2000


@dataclass(frozen=True)
class AuditRecord:
    """One audit row as the case page and the CLI show it."""

    id: int
    at: datetime
    user: str
    action: str  # create, version, status, note, export, login, login_failed, user ...
    case_id: str | None
    detail: dict[str, Any]
    key_id: str | None = None  # None: written before keyed audit

    @classmethod
    def of(cls, row: AuditEntry) -> AuditRecord:
        return cls(
            row.id, row.at, row.user, row.action, row.case_id, json.loads(row.detail), row.key_id
        )


def canonical_json(value: Any) -> str:
    """The one serialisation hashed: sorted keys, no spaces, text as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(data: bytes | str) -> str:
    """The checksum a detail records for stored content (XML, note text)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def _fields(
    *,
    id: int,
    at: datetime,
    user: str,
    action: str,
    case_id: str | None,
    detail: str,
    prev_hash: str,
) -> dict[str, Any]:
    return {
        "id": id,
        "at": at.isoformat(),
        "user": user,
        "action": action,
        "case_id": case_id,
        "detail": detail,
        "prev_hash": prev_hash,
    }


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
    """The unkeyed sha256 of rows written before keyed audit, which they are still checked with."""
    fields = _fields(
        id=id, at=at, user=user, action=action, case_id=case_id, detail=detail, prev_hash=prev_hash
    )
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


def entry_mac(
    key: AuditKey,
    *,
    id: int,
    at: datetime,
    user: str,
    action: str,
    case_id: str | None,
    detail: str,
    prev_hash: str,
) -> str:
    """HMAC-SHA-256 over the row's fields, the previous row's MAC and the key's id."""
    fields = _fields(
        id=id, at=at, user=user, action=action, case_id=case_id, detail=detail, prev_hash=prev_hash
    )
    return _mac(key, {**fields, "key_id": key.id})


def head_mac(key: AuditKey, *, last_id: int, last_hash: str) -> str:
    """HMAC-SHA-256 over the head's pointer, so a cut-off tail cannot be hidden by moving it."""
    return _mac(
        key, {"head": _HEAD_ID, "last_id": last_id, "last_hash": last_hash, "key_id": key.id}
    )


def _mac(key: AuditKey, fields: dict[str, Any]) -> str:
    message = canonical_json(fields).encode("utf-8")
    return hmac.new(key.secret, message, hashlib.sha256).hexdigest()


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
    key = auditkey.current()  # read before the lock: a first use may create the key file
    head = session.execute(
        select(AuditHead).where(AuditHead.id == _HEAD_ID).with_for_update()
    ).scalar_one()
    text = canonical_json(detail or {})
    row_id = head.last_id + 1
    mac = entry_mac(
        key,
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
        hash=mac,
        key_id=key.id,
    )
    session.add(entry)
    head.last_id, head.last_hash = row_id, mac
    head.mac = head_mac(key, last_id=row_id, last_hash=mac)
    session.flush()
    return entry


def lock_head(session: Session) -> None:
    """Take the chain's head lock now rather than at the first `append` (held until commit):
    a writer that must see every earlier save (the duplicate check) waits for the others."""
    session.execute(select(AuditHead.id).where(AuditHead.id == _HEAD_ID).with_for_update())


def note_detail(note_id: int, text: str) -> dict[str, Any]:
    """A 'note' row's detail: the note's id, its text and the text's sha256."""
    return {"note_id": note_id, "text": text, "text_sha256": sha256_hex(text)}


# ---------------------------------------------------------------------- reading


def records(session: Session, case_id: str | None = None) -> list[AuditRecord]:
    """The trail in order, for one case or all."""
    statement = select(AuditEntry).order_by(AuditEntry.id)
    if case_id is not None:
        statement = statement.where(AuditEntry.case_id == case_id)
    return [AuditRecord.of(row) for row in session.scalars(statement)]


def query(
    session: Session,
    *,
    user: str | None = None,
    case_id: str | None = None,
    action: str | None = None,
    since: date | datetime | None = None,
    limit: int | None = None,
) -> list[AuditRecord]:
    """Rows matching every filter given, oldest first; `limit` keeps the newest that many.

    `since` is a UTC day (from its midnight) or an aware moment.
    """
    statement = select(AuditEntry)
    if user is not None:
        statement = statement.where(AuditEntry.user == user)
    if case_id is not None:
        statement = statement.where(AuditEntry.case_id == case_id)
    if action is not None:
        statement = statement.where(AuditEntry.action == action)
    if since is not None:
        start = since if isinstance(since, datetime) else datetime.combine(since, time(), UTC)
        statement = statement.where(AuditEntry.at >= start)
    if limit is None:
        rows = list(session.scalars(statement.order_by(AuditEntry.id)))
    else:
        rows = list(session.scalars(statement.order_by(AuditEntry.id.desc()).limit(limit)))
        rows.reverse()
    return [AuditRecord.of(row) for row in rows]


# ---------------------------------------------------------------------- the chain


def verify(session: Session) -> list[Finding]:
    """The chain's findings, then the case tables' disagreements with the trail.

    Call it on a fresh session: everything is read from one snapshot, so rows and cases saved
    meanwhile do not look like a cut-off tail or a case that disagrees (SQLite's read
    transaction is a snapshot already; PostgreSQL needs REPEATABLE READ for it).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return verify_chain(session) + verify_cases(session)


def verify_chain(session: Session) -> list[Finding]:
    """Every break: edited, inserted, deleted or reordered rows, a cut-off tail, a forged head.

    A row whose MAC does not verify under its key cannot have been written by the application,
    even if the chain links are consistent (someone recomputed them without the key).
    """
    ring = auditkey.known_keys()
    out = _Runs()
    expected_id, prev_hash, keyed = 1, GENESIS, False
    for row in _rows(session):
        where = f"audit_log[{row.id}]"
        if row.id != expected_id:
            missing = (
                f"row {expected_id} is"
                if row.id == expected_id + 1
                else f"rows {expected_id}-{row.id - 1} are"
            )
            out.single(_error(where, f"Audit {missing} missing (deleted)."))
        elif row.prev_hash != prev_hash:
            out.single(_error(where, f"Audit row {row.id} does not follow row {row.id - 1}."))
        problem = _row_problem(row, ring, keyed)
        if problem is None:
            out.close()
        else:
            out.add(row.id, *problem)
        keyed = keyed or row.key_id is not None
        expected_id, prev_hash = row.id + 1, row.hash
    out.close()
    out.findings.extend(_head_findings(session, ring, expected_id - 1, prev_hash, keyed))
    return out.findings


_Message = Callable[[int, int], Finding]


def _row_problem(row: AuditEntry, ring: Keyring, keyed: bool) -> tuple[str, _Message] | None:
    """What is wrong with one row on its own (kind, finding for a run of such rows), or None."""
    fields: dict[str, Any] = {
        "id": row.id,
        "at": row.at,
        "user": row.user,
        "action": row.action,
        "case_id": row.case_id,
        "detail": row.detail,
        "prev_hash": row.prev_hash,
    }
    if row.key_id is None:
        if keyed:
            return "unkeyed", lambda a, b: _error(
                f"audit_log[{a}]",
                f"Audit row {a} has no key id although keyed rows come before it: it was "
                f"written or rewritten without the audit key.{_also(a, b)}",
            )
        if entry_hash(**fields) != row.hash:
            return "changed", lambda a, b: _error(
                f"audit_log[{a}]", f"Audit row {a} was changed after it was written.{_also(a, b)}"
            )
        return "legacy", lambda a, b: Finding(
            "warning",
            "audit",
            f"audit_log[{a}]" if a == b else f"audit_log[{a}-{b}]",
            f"Audit {'row' if a == b else 'rows'} {a if a == b else f'{a}-{b}'} "
            f"{'was' if a == b else 'were'} written before keyed audit: only the unkeyed hash "
            "chain is checked there, and anyone can recompute that.",
        )
    key = ring.get(row.key_id)
    if key is None:
        kid, source = row.key_id, ring.source
        return f"unknown {kid}", lambda a, b: _error(
            f"audit_log[{a}]",
            f"Audit row {a} is signed with key {kid}, which is not in the audit keyring "
            f"({source}), so it cannot be verified.{_also(a, b)}",
        )
    if not hmac.compare_digest(entry_mac(key, **fields), row.hash):
        return "mac", lambda a, b: _error(
            f"audit_log[{a}]",
            f"Audit row {a} does not match its MAC: it was changed, inserted or moved by someone "
            f"without the audit key.{_also(a, b)}",
        )
    return None


def _head_findings(
    session: Session, ring: Keyring, last_id: int, last_hash: str, keyed: bool
) -> list[Finding]:
    head = session.get(AuditHead, _HEAD_ID)
    if head is None:
        return [_error("audit_head", "The audit chain's head row is missing.")]
    findings: list[Finding] = []
    if head.last_id != last_id or head.last_hash != last_hash:
        findings.append(
            _error(
                "audit_head",
                f"The audit trail ends at row {last_id} but was written up to row "
                f"{head.last_id}: rows at the end were deleted or the head was altered.",
            )
        )
    if head.mac is None:
        if keyed:
            findings.append(
                _error(
                    "audit_head",
                    "The audit head has no MAC although the trail is keyed: it was rewritten "
                    "without the audit key.",
                )
            )
    elif not any(
        hmac.compare_digest(head_mac(key, last_id=head.last_id, last_hash=head.last_hash), head.mac)
        for key in ring.keys
    ):
        findings.append(
            _error(
                "audit_head",
                "The audit head does not match its MAC: it was rewritten without the audit key.",
            )
        )
    return findings


class _Runs:
    """Findings, where consecutive rows with the same problem become one naming the first row.

    A chain recomputed from row 5 on fails at every later row; one line says so.
    """

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self._kind = ""
        self._first = self._last = 0
        self._message: _Message | None = None

    def add(self, row_id: int, kind: str, message: _Message) -> None:
        if self._message is not None and kind == self._kind and row_id == self._last + 1:
            self._last = row_id
            return
        self.close()
        self._kind, self._first, self._last, self._message = kind, row_id, row_id, message

    def single(self, finding: Finding) -> None:
        self.close()
        self.findings.append(finding)

    def close(self) -> None:
        if self._message is not None:
            self.findings.append(self._message(self._first, self._last))
            self._message = None


def _also(first: int, last: int) -> str:
    if last == first:
        return ""
    if last == first + 1:
        return f" The same holds for row {last}."
    return f" The same holds for rows {first + 1}-{last}."


def _rows(session: Session) -> Iterator[AuditEntry]:
    """All rows in id order, a chunk at a time so a long trail never sits in memory at once."""
    last = 0
    while True:
        chunk = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(_CHUNK)
            )
        )
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].id
        session.expunge_all()


# ---------------------------------------------------------------------- the cases


class _Version(NamedTuple):
    row: int
    user: str
    xml_sha256: str | None  # None: saved before keyed audit


class _Move(NamedTuple):
    from_status: str | None
    to_status: str
    user: str
    at: datetime
    comment: str | None


class _NoteRow(NamedTuple):
    row: int
    case_id: str
    note_id: int | None  # None: written before keyed audit
    user: str
    text_sha256: str


@dataclass
class _CaseTrail:
    """What the trail says about one case, replayed from its rows."""

    created_by: str | None = None
    versions: dict[int, _Version] = field(default_factory=dict)
    moves: list[_Move] = field(default_factory=list)
    legacy_notes: list[_NoteRow] = field(default_factory=list)


class _CaseRow(NamedTuple):
    case_id: str
    status: str
    current_version: int
    created_by: str


def verify_cases(session: Session) -> list[Finding]:
    """Where the case tables disagree with the trail: status, stored XML, notes, status history.

    Someone who edits a case by SQL cannot add the matching keyed audit row, so the replayed
    trail names the case and what differs.
    """
    trails, notes = _replay(session)
    cases = {
        pk: _CaseRow(case_id, status, version, created_by)
        for pk, case_id, status, version, created_by in session.execute(
            select(Case.id, Case.case_id, Case.status, Case.current_version, Case.created_by)
            .order_by(Case.id)
            .execution_options(yield_per=_CHUNK)
        )
    }
    found: dict[str, list[Finding]] = {c.case_id: [] for c in cases.values()}
    checked = {
        pk: trails[c.case_id]
        for pk, c in cases.items()
        if c.case_id in trails and trails[c.case_id].created_by is not None
    }
    for pk, case in cases.items():
        trail = checked.get(pk)
        if trail is None:
            found[case.case_id].append(
                _case_error(
                    case.case_id,
                    f"Case {case.case_id} has no 'create' row in the audit trail: it was put into "
                    "the database outside the application.",
                )
            )
        else:
            found[case.case_id].extend(_check_case(case, trail))
    _check_versions(session, cases, checked, found)
    _check_notes(session, cases, checked, notes, found)
    _check_moves(session, cases, checked, found)
    findings = [f for per_case in found.values() for f in per_case]
    known = {c.case_id for c in cases.values()}
    findings.extend(
        _case_error(
            case_id,
            f"Case {case_id} is in the audit trail but not in the cases table: it was deleted.",
        )
        for case_id, trail in trails.items()
        if case_id not in known and trail.created_by is not None
    )
    return findings


def _replay(session: Session) -> tuple[dict[str, _CaseTrail], dict[int, _NoteRow]]:
    """Each case's trail, and the notes the trail records by note id."""
    trails: dict[str, _CaseTrail] = {}
    notes: dict[int, _NoteRow] = {}
    statement = (
        select(
            AuditEntry.id,
            AuditEntry.at,
            AuditEntry.user,
            AuditEntry.action,
            AuditEntry.case_id,
            AuditEntry.detail,
        )
        .where(
            AuditEntry.case_id.is_not(None),
            AuditEntry.action.in_(("create", "version", "status", "note")),
        )
        .order_by(AuditEntry.id)
        .execution_options(yield_per=_CHUNK)
    )
    for row_id, at, user, action, case_id, text in session.execute(statement):
        assert case_id is not None  # the query asks for case rows only
        trail = trails.setdefault(case_id, _CaseTrail())
        detail = _loads(text)
        if action == "create":
            trail.created_by = user
            trail.moves.append(_Move(None, CaseStatus.RECEIVED.value, user, at, None))
        if action in ("create", "version"):
            version = _int(detail.get("version")) or 1
            trail.versions[version] = _Version(row_id, user, _str(detail.get("xml_sha256")))
        elif action == "status":
            trail.moves.append(
                _Move(
                    _str(detail.get("from")),
                    str(detail.get("to")),
                    user,
                    at,
                    _str(detail.get("comment")),
                )
            )
        elif action == "note":
            text_sha = _str(detail.get("text_sha256")) or sha256_hex(str(detail.get("text", "")))
            note_id = _int(detail.get("note_id"))
            note = _NoteRow(row_id, case_id, note_id, user, text_sha)
            if note_id is None:
                trail.legacy_notes.append(note)
            else:
                notes[note_id] = note
    return trails, notes


def _check_case(case: _CaseRow, trail: _CaseTrail) -> list[Finding]:
    findings: list[Finding] = []
    recorded = trail.moves[-1].to_status
    if case.status != recorded:
        findings.append(
            _case_error(
                case.case_id,
                f"Case {case.case_id}: status is {_label(case.status)} but the audit trail "
                f"records {_label(recorded)}.",
            )
        )
    latest = max(trail.versions)
    if case.current_version != latest:
        findings.append(
            _case_error(
                case.case_id,
                f"Case {case.case_id}: the current version is {case.current_version} but the "
                f"audit trail records version {latest} as the latest.",
            )
        )
    if case.created_by != trail.created_by:
        findings.append(
            _case_error(
                case.case_id,
                f"Case {case.case_id}: created by {case.created_by} according to the cases table "
                f"but by {trail.created_by} according to the audit trail.",
            )
        )
    return findings


def _check_versions(
    session: Session,
    cases: dict[int, _CaseRow],
    checked: dict[int, _CaseTrail],
    found: dict[str, list[Finding]],
) -> None:
    """Each stored XML against the checksum its 'create' or 'version' row recorded."""
    seen: set[tuple[int, int]] = set()
    unchecked: dict[int, list[int]] = {}
    statement = (
        select(CaseVersion.case_pk, CaseVersion.version, CaseVersion.received_by, CaseVersion.xml)
        .order_by(CaseVersion.case_pk, CaseVersion.version)
        .execution_options(yield_per=200)
    )
    for pk, version, received_by, xml in session.execute(statement):
        trail = checked.get(pk)
        if trail is None:
            continue
        case_id = cases[pk].case_id
        where = f"case_versions[{case_id} v{version}]"
        seen.add((pk, version))
        step = trail.versions.get(version)
        if step is None:
            found[case_id].append(
                _error(
                    where,
                    f"Case {case_id}: version {version} is stored but the audit trail records no "
                    "such version.",
                )
            )
            continue
        if step.xml_sha256 is None:
            unchecked.setdefault(pk, []).append(version)
        elif step.xml_sha256 != sha256_hex(xml):
            found[case_id].append(
                _error(
                    where,
                    f"Case {case_id}: the stored XML of version {version} differs from the one "
                    f"the audit trail records in row {step.row} (sha256 "
                    f"{sha256_hex(xml)[:12]}… stored, {step.xml_sha256[:12]}… recorded).",
                )
            )
        if received_by != step.user:
            found[case_id].append(
                _error(
                    where,
                    f"Case {case_id}: version {version} was saved by {received_by} according to "
                    f"the table but by {step.user} according to the audit trail.",
                )
            )
    for pk, trail in checked.items():
        case_id = cases[pk].case_id
        found[case_id].extend(
            _error(
                f"case_versions[{case_id} v{version}]",
                f"Case {case_id}: the audit trail records version {version} (row {step.row}) "
                "but it is not stored: it was deleted.",
            )
            for version, step in sorted(trail.versions.items())
            if (pk, version) not in seen
        )
    for pk, versions in unchecked.items():
        case_id = cases[pk].case_id
        numbers = ", ".join(str(v) for v in versions)
        plural = len(versions) > 1
        found[case_id].append(
            Finding(
                "warning",
                "audit",
                f"cases[{case_id}]",
                f"Case {case_id} was saved before keyed audit: the audit trail holds no XML "
                f"checksum for {'versions' if plural else 'version'} {numbers}, so "
                f"{'their' if plural else 'its'} stored XML cannot be checked.",
            )
        )


def _check_notes(
    session: Session,
    cases: dict[int, _CaseRow],
    checked: dict[int, _CaseTrail],
    recorded: dict[int, _NoteRow],
    found: dict[str, list[Finding]],
) -> None:
    """Every note against its 'note' row (by note id; older rows by order, user and text)."""
    recorded = dict(recorded)
    legacy = {pk: list(trail.legacy_notes) for pk, trail in checked.items()}
    statement = (
        select(Note.id, Note.case_pk, Note.user, Note.text)
        .order_by(Note.id)
        .execution_options(yield_per=_CHUNK)
    )
    for note_id, pk, user, text in session.execute(statement):
        if pk not in checked:
            continue
        case_id = cases[pk].case_id
        where = f"notes[{note_id}]"
        text_sha = sha256_hex(text)
        row = recorded.pop(note_id, None)
        if row is None and legacy[pk]:
            row = legacy[pk].pop(0)
        if row is None:
            problem = (
                f"note {note_id} by {user} has no row in the audit trail: it was added outside "
                "the application."
            )
        elif row.case_id != case_id:
            problem = (
                f"note {note_id} belongs to this case in the notes table but to case "
                f"{row.case_id} in the audit trail (row {row.row})."
            )
        elif row.user != user:
            problem = (
                f"note {note_id} is by {user} in the notes table but by {row.user} in the audit "
                f"trail (row {row.row})."
            )
        elif row.text_sha256 != text_sha:
            problem = (
                f"the text of note {note_id} differs from the text the audit trail records "
                f"(row {row.row})."
            )
        else:
            continue
        found[case_id].append(_error(where, f"Case {case_id}: {problem}"))
    by_case_id = {c.case_id: pk for pk, c in cases.items()}
    leftovers = [*recorded.values(), *(n for rows in legacy.values() for n in rows)]
    for row in sorted(leftovers, key=lambda n: n.row):
        if by_case_id.get(row.case_id) not in checked:
            continue
        which = f"note {row.note_id}" if row.note_id is not None else "a note"
        found[row.case_id].append(
            _error(
                f"notes[{row.note_id}]" if row.note_id is not None else f"audit_log[{row.row}]",
                f"Case {row.case_id}: the audit trail records {which} by {row.user} (row "
                f"{row.row}) that is not in the notes table: it was deleted.",
            )
        )


def _check_moves(
    session: Session,
    cases: dict[int, _CaseRow],
    checked: dict[int, _CaseTrail],
    found: dict[str, list[Finding]],
) -> None:
    """The status history, change by change, against the trail's 'create' and 'status' rows."""
    history: dict[int, list[_Move]] = {pk: [] for pk in checked}
    statement = (
        select(
            StatusChange.case_pk,
            StatusChange.from_status,
            StatusChange.to_status,
            StatusChange.user,
            StatusChange.at,
            StatusChange.comment,
        )
        .order_by(StatusChange.case_pk, StatusChange.id)
        .execution_options(yield_per=_CHUNK)
    )
    for pk, before, after, user, at, comment in session.execute(statement):
        if pk in history:
            history[pk].append(_Move(before, after, user, at, comment))
    for pk, table in history.items():
        case_id = cases[pk].case_id
        trail = checked[pk].moves
        message = _first_difference(table, trail)
        if message is not None:
            found[case_id].append(
                _error(f"status_changes[{case_id}]", f"Case {case_id}: {message}")
            )


def _first_difference(table: list[_Move], trail: list[_Move]) -> str | None:
    for n, (stored, recorded) in enumerate(zip(table, trail, strict=False), 1):
        if stored != recorded:
            return (
                f"status change {n} is {_move_text(stored)} in the status history but "
                f"{_move_text(recorded)} in the audit trail."
            )
    if len(table) > len(trail):
        return (
            "the status history holds a change the audit trail does not record: "
            f"{_move_text(table[len(trail)])}."
        )
    if len(trail) > len(table):
        return (
            "the audit trail records a status change missing from the status history: "
            f"{_move_text(trail[len(table)])}."
        )
    return None


def _move_text(move: _Move) -> str:
    start = _label(move.from_status) if move.from_status else "new"
    text = f"{start} → {_label(move.to_status)} by {move.user} at {move.at:%Y-%m-%d %H:%M:%S}"
    return f"{text} (comment: {move.comment})" if move.comment else text


def _loads(text: str) -> dict[str, Any]:
    """A row's detail; an unreadable one (the chain check reports it) reads as empty."""
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# ---------------------------------------------------------------------- describing rows


def describe(record: AuditRecord) -> str:
    """A row's detail as a sentence an inspector reads (no JSON, no Python reprs)."""
    describer = _DESCRIBERS.get(record.action)
    if describer is not None:
        return describer(record.detail)
    return _pairs(record.detail)


def _describe_version(detail: dict[str, Any]) -> str:
    text = f"version {_text(detail.get('version', '?'))}"
    checksum = detail.get("xml_sha256")
    if isinstance(checksum, str):
        text += f" (XML sha256 {checksum[:8]}…)"
    serious = detail.get("serious")
    if isinstance(serious, bool):
        text += ", serious" if serious else ", non-serious"
    return text


def _describe_status(detail: dict[str, Any]) -> str:
    before = detail.get("from")
    text = f"{_label(before) if before else 'new'} → {_label(detail.get('to'))}"
    comment = detail.get("comment")
    return f"{text}; comment: {_text(comment)}" if comment else text


def _describe_export(detail: dict[str, Any], what: str = "export") -> str:
    text = f"{what} {_text(detail.get('format', ''))}".rstrip()
    if "rows" in detail:
        text += f", {_text(detail['rows'])} {'row' if detail['rows'] == 1 else 'rows'}"
    cases = detail.get("cases")
    if isinstance(cases, list):
        text += f", {len(cases)} cases: {_text(cases)}"
    criteria = detail.get("query", detail.get("filter"))
    if isinstance(criteria, dict):
        shown = _filter_text(criteria)
        if shown:
            text += f"; filter: {shown}"
    return text


def _filter_text(criteria: dict[str, Any]) -> str:
    parts: list[str] = []
    for name, value in criteria.items():
        if name in ("sort", "descending") or value in (None, "", []):
            continue
        if value is False and name != "serious":
            continue
        if name == "status":
            statuses = value if isinstance(value, list) else [value]
            parts.append("status " + " or ".join(_label(s) for s in statuses))
        elif name == "serious":
            parts.append("serious" if value else "non-serious")
        elif value is True:
            parts.append(name.replace("_", " "))
        elif name == "text":
            parts.append(f"text “{_text(value)}”")
        else:
            parts.append(f"{name.replace('_', ' ')} {_text(value)}")
    return ", ".join(parts)


def _describe_login(detail: dict[str, Any], what: str) -> str:
    text = what
    if detail.get("via"):
        text += f" via {_text(detail['via'])}"
    if detail.get("reason"):
        text += f": {_text(detail['reason'])}"
    if detail.get("client"):
        text += f" (client {_text(detail['client'])})"
    return text


def _describe_locked(detail: dict[str, Any]) -> str:
    retry = detail.get("retry_at")
    try:
        until = f"{datetime.fromisoformat(str(retry)).astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    except ValueError:
        until = _text(retry)
    return f"login locked until {until}"


def _describe_key(detail: dict[str, Any]) -> str:
    text = f"audit key rotated: new key {_text(detail.get('key_id'))}"
    if detail.get("previous"):
        text += f", previous key {_text(detail['previous'])}"
    return text


_RECIPIENTS = {"sfda": "SFDA", "mah": "the MAH"}


def _to(detail: dict[str, Any]) -> str:
    recipient = detail.get("recipient")
    return _RECIPIENTS.get(str(recipient), _text(recipient))


def _describe_prepare(detail: dict[str, Any]) -> str:
    checksum = str(detail.get("xml_sha256") or "")[:8]
    return (
        f"file for {_to(detail)} prepared: batch {_text(detail.get('batch_id'))}, "
        f"version {_text(detail.get('version'))} (XML sha256 {checksum}…)"
    )


def _describe_submission(detail: dict[str, Any]) -> str:
    late = detail.get("days_late")
    timing = f"{_text(late)} days late" if isinstance(late, int) and late > 0 else "on time"
    text = (
        f"submitted to {_to(detail)} on {_text(detail.get('submitted_on'))} by "
        f"{_text(detail.get('channel'))}, {timing} (due {_text(detail.get('due_date'))}); "
        f"batch {_text(detail.get('batch_id'))}"
    )
    if detail.get("reference"):
        text += f", reference {_text(detail['reference'])}"
    return text


def _describe_ack(detail: dict[str, Any]) -> str:
    text = (
        f"acknowledgement {_text(detail.get('ack_id'))} ({_text(detail.get('code'))}) for batch "
        f"{_text(detail.get('batch_id'))}: {_text(detail.get('outcome'))}"
    )
    if detail.get("recipient"):
        text += f" from {_to(detail)}"
    if detail.get("text"):
        text += f"; {_text(detail['text'])}"
    if detail.get("file"):
        text += f" (file {_text(detail['file'])})"
    return text


def _describe_duplicate(detail: dict[str, Any]) -> str:
    other = _text(detail.get("other"))
    if detail.get("decision") == "duplicate":
        text = f"marked a duplicate of {other}"
    else:
        text = f"marked not a duplicate of {other}"
    if detail.get("score") is not None:
        text += f" (score {_text(detail['score'])})"
    previous = {"duplicate": "a duplicate", "not_duplicate": "not a duplicate"}.get(
        str(detail.get("previous"))
    )
    return text + (f"; before: {previous}" if previous else "")


_DESCRIBERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "prepare": _describe_prepare,
    "submission": _describe_submission,
    "ack": _describe_ack,
    "send_failed": lambda d: (
        f"sending to {_to(d)} failed (batch {_text(d.get('batch_id'))}): {_text(d.get('reason'))}"
    ),
    "ack_written": lambda d: f"acknowledgement written for the imported {_text(d.get('file'))}",
    "create": lambda d: "case created: " + _describe_version(d),
    "version": _describe_version,
    "status": _describe_status,
    "note": lambda d: f"note added: {_text(d.get('text', ''))}",
    "duplicate": _describe_duplicate,
    "assign": lambda d: (
        f"assigned to {_text(d.get('to') or 'nobody')} (was {_text(d.get('from') or 'nobody')})"
    ),
    "export": _describe_export,
    "audit_export": lambda d: _describe_export(d, "audit trail export"),
    "login": lambda d: _describe_login(d, "login"),
    "login_failed": lambda d: _describe_login(d, "login failed"),
    "login_locked": _describe_locked,
    "logout": lambda d: _describe_login({**d, "reason": None}, "logout"),
    "session_end": lambda d: _describe_login(d, "session ended"),
    "user_add": lambda d: f"user {_text(d.get('name'))} added ({_text(d.get('role'))})",
    "user_password": lambda d: f"password changed for {_text(d.get('name'))}",
    "user_deactivate": lambda d: f"user {_text(d.get('name'))} deactivated",
    "audit_key_rotated": _describe_key,
}


def _pairs(detail: dict[str, Any]) -> str:
    """Any other detail as `name: value; ...`, nested names joined with dots."""
    return "; ".join(f"{name}: {value}" for name, value in _flatten(detail, "") if value != "")


def _flatten(value: dict[str, Any], prefix: str) -> Iterator[tuple[str, str]]:
    for name, item in value.items():
        if isinstance(item, dict):
            yield from _flatten(item, f"{prefix}{name}.")
        elif item is not None:
            yield f"{prefix}{name}", _text(item)


def _text(value: Any) -> str:
    """A detail value as plain text: lists joined with commas, yes/no for booleans."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{name}: {text}" for name, text in _flatten(value, ""))
    return "" if value is None else str(value)


def _label(value: Any) -> str:
    """A status value's label ("in_review" -> "In review"); an unknown value as it is."""
    try:
        return CaseStatus(value).label
    except ValueError:
        return _text(value)


def _error(path: str, message: str) -> Finding:
    return Finding("error", "audit", path, message)


def _case_error(case_id: str, message: str) -> Finding:
    return _error(f"cases[{case_id}]", message)
