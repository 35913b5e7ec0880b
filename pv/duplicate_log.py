"""Duplicate candidates in the log: each case's fingerprint kept with it, candidates found when a
case is saved or imported, and the officer's decision on each pair, audited (issue 12, item 5).

Scoring and blocking are pv.duplicates'; this module owns only the tables around them. The store
calls `refresh` inside the transaction that saves a case's current version.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from sqlalchemy import ColumnElement, Engine, and_, delete, or_, select
from sqlalchemy.orm import Session

from pv import audit
from pv.db import guard
from pv.duplicates import THRESHOLD, Fingerprint, Match, Reason, candidates, fingerprint
from pv.model import Report
from pv.tables import Case, CaseBlockKey, CaseFingerprint, CaseVersion, DuplicateLink

Decision = Literal["none", "duplicate", "not_duplicate"]
UNDECIDED: Decision = "none"
# The best candidates kept per saved case: more is not a list an officer works through, and a
# log with many copies of one report would otherwise grow a link for every pair of them.
MAX_CANDIDATES = 20


class Log(Protocol):
    """What of the store this module uses (pv.store.Store is one)."""

    engine: Engine

    def read_session(self) -> Session: ...

    def write_session(self) -> Session: ...


class DuplicateError(ValueError):
    """A decision that cannot be made as asked; `str(error)` is one sentence for the officer."""


class StaleDuplicate(DuplicateError):
    """The pair was rescored or decided after the officer's screen was drawn."""

    def __init__(self, case_id: str, other_case_id: str, user: str, at: datetime) -> None:
        self.case_id, self.other_case_id, self.user, self.at = case_id, other_case_id, user, at
        super().__init__(
            f"The possible duplicate {case_id} / {other_case_id} was changed by {user} at "
            f"{at:%Y-%m-%d %H:%M} UTC after you opened it. Nothing was changed: look at the "
            "case again and decide."
        )


@dataclass(frozen=True)
class Candidate:
    """A case that may report the same event as the case on screen, as the case page shows it."""

    case_id: str  # the case on screen
    other_case_id: str
    score: float  # 0..1
    reasons: tuple[Reason, ...]  # strongest first
    decision: Decision
    duplicate_case_id: str | None  # decision "duplicate": which of the two is the duplicate
    decided_by: str | None
    decided_at: datetime | None
    revision: int  # what a decision made from this view expects to find

    @property
    def undecided(self) -> bool:
        return self.decision == UNDECIDED

    @property
    def is_duplicate_of_other(self) -> bool:
        """The case on screen was marked a duplicate of the other case."""
        return self.decision == "duplicate" and self.duplicate_case_id == self.case_id


# ---------------------------------------------------------------- on save


def refresh(
    session: Session,
    case: Case,
    report: Report,
    *,
    user: str,
    now: datetime,
    threshold: float = THRESHOLD,
) -> list[tuple[str, Match]]:
    """Store the fingerprint of `case`'s current version and its candidates among the other
    non-nullified cases (the MAX_CANDIDATES best); undecided pairs that no longer qualify are
    dropped, decided ones kept (rescored). Returns the candidates (case ID, match), best first."""
    # Two cases saved at once must see each other: on PostgreSQL a save's transaction would not
    # see one not yet committed, so the check waits for the lock every save takes anyway.
    audit.lock_head(session)
    found = fingerprint(report)
    _store_fingerprint(session, case, found)
    links = {
        (link.other_pk if link.case_pk == case.id else link.case_pk): link
        for link in session.scalars(
            select(DuplicateLink).where(
                or_(DuplicateLink.case_pk == case.id, DuplicateLink.other_pk == case.id)
            )
        )
    }
    matches = [] if case.nullified else _candidates(session, case, found, threshold)
    pks = {case_id: pk for pk, case_id in _case_ids(session, [c for c, _ in matches])}
    for case_id, match in matches:
        other = pks[case_id]
        link = links.pop(other, None)
        reasons = json.dumps([asdict(r) for r in match.reasons], ensure_ascii=False)
        if link is None:
            low, high = sorted((case.id, other))
            session.add(
                DuplicateLink(
                    case_pk=low,
                    other_pk=high,
                    score=match.score,
                    reasons=reasons,
                    found_at=now,
                    found_by=user,
                    decision=UNDECIDED,
                    revision=1,
                )
            )
        elif (link.score, link.reasons) != (match.score, reasons):
            link.score, link.reasons = match.score, reasons
            link.found_at, link.found_by = now, user
            link.revision += 1
    for link in links.values():  # pairs that no longer score (or the case is nullified)
        if link.decision == UNDECIDED:
            session.delete(link)
    session.flush()
    return matches


def backfill(log: Log, *, user: str, now: datetime | None = None) -> int:
    """Fingerprint every case saved before duplicate detection (none stored), oldest first, each
    checked against those before it; returns how many. Run once after migration 0010."""
    now = _utc(now)
    with guard(log.engine), log.read_session() as session:
        pending = list(
            session.scalars(
                select(Case.id)
                .where(Case.id.not_in(select(CaseFingerprint.case_pk)))
                .order_by(Case.id)
            )
        )
    for pk in pending:
        with guard(log.engine), log.write_session() as session, session.begin():
            case = session.get_one(Case, pk)
            stored = session.scalar(
                select(CaseVersion.report).where(
                    CaseVersion.case_pk == pk, CaseVersion.version == case.current_version
                )
            )
            if stored is not None:
                refresh(session, case, Report.model_validate_json(stored), user=user, now=now)
    return len(pending)


def _store_fingerprint(session: Session, case: Case, found: Fingerprint) -> None:
    data = json.dumps(found.to_json(), ensure_ascii=False, sort_keys=True)
    stored = session.get(CaseFingerprint, case.id)
    if stored is None:
        session.add(CaseFingerprint(case_pk=case.id, version=case.current_version, data=data))
    else:
        stored.version, stored.data = case.current_version, data
    session.execute(delete(CaseBlockKey).where(CaseBlockKey.case_pk == case.id))
    if case.nullified:  # a nullified case is nobody's candidate
        return
    session.add_all(
        CaseBlockKey(case_pk=case.id, term=term[:100], bucket=bucket)
        for term, bucket in sorted(found.block_keys(), key=lambda k: (k[0], k[1] is None, k[1]))
    )


def _candidates(
    session: Session, case: Case, found: Fingerprint, threshold: float
) -> list[tuple[str, Match]]:
    """Score `found` against the stored fingerprints sharing a blocking key with it only."""
    ranges = found.block_ranges()
    if not ranges:
        return []
    keys: list[ColumnElement[bool]] = []
    for term, buckets in ranges:
        if buckets is None:
            keys.append(CaseBlockKey.term == term)
        else:
            keys.append(
                and_(
                    CaseBlockKey.term == term,
                    or_(CaseBlockKey.bucket.is_(None), CaseBlockKey.bucket.between(*buckets)),
                )
            )
    block = select(CaseBlockKey.case_pk).where(or_(*keys))
    rows = session.execute(
        select(Case.case_id, CaseFingerprint.data)
        .join(CaseFingerprint, CaseFingerprint.case_pk == Case.id)
        .where(Case.id.in_(block), Case.id != case.id, Case.nullified.is_(False))
    )
    # Copies of one report share one stored fingerprint text: each is parsed and scored once.
    by_text: dict[str, list[str]] = {}
    for case_id, data in rows:
        by_text.setdefault(data, []).append(case_id)
    stored = [(data, Fingerprint.from_json(json.loads(data))) for data in by_text]
    matches = [
        (case_id, match)
        for data, match in candidates(found, stored, threshold)
        for case_id in by_text[data]
    ]
    matches.sort(key=lambda pair: (-pair[1].score, pair[0]))
    return matches[:MAX_CANDIDATES]


def _case_ids(session: Session, case_ids: list[str]) -> list[tuple[int, str]]:
    if not case_ids:
        return []
    rows = session.execute(select(Case.id, Case.case_id).where(Case.case_id.in_(case_ids)))
    return [(int(pk), str(case_id)) for pk, case_id in rows]


# ---------------------------------------------------------------- for the list and the page


def is_possible_duplicate() -> ColumnElement[bool]:
    """A case with an undecided candidate: the list's "possible duplicates" filter."""
    undecided = DuplicateLink.decision == UNDECIDED
    return or_(
        Case.id.in_(select(DuplicateLink.case_pk).where(undecided)),
        Case.id.in_(select(DuplicateLink.other_pk).where(undecided)),
    )


def candidates_for(log: Log, case_id: str) -> list[Candidate]:
    """The case's candidates and decided pairs: undecided first, then by score."""
    with guard(log.engine), log.read_session() as session:
        pk = session.scalar(select(Case.id).where(Case.case_id == case_id))
        if pk is None:
            raise DuplicateError(f"There is no case {case_id} in the log.")
        links = list(
            session.scalars(
                select(DuplicateLink).where(
                    or_(DuplicateLink.case_pk == pk, DuplicateLink.other_pk == pk)
                )
            )
        )
        pks = {p for link in links for p in (link.case_pk, link.other_pk)}
        names = dict(session.execute(select(Case.id, Case.case_id).where(Case.id.in_(pks))).all())
    found = [_candidate(link, pk, names) for link in links]
    found.sort(key=lambda c: (not c.undecided, -c.score, c.other_case_id))
    return found


def _candidate(link: DuplicateLink, pk: int, names: dict[int, str]) -> Candidate:
    other = link.other_pk if link.case_pk == pk else link.case_pk
    decision: Decision = "duplicate" if link.decision == "duplicate" else UNDECIDED
    if link.decision == "not_duplicate":
        decision = "not_duplicate"
    return Candidate(
        case_id=names[pk],
        other_case_id=names[other],
        score=link.score,
        reasons=tuple(Reason(**r) for r in json.loads(link.reasons)),
        decision=decision,
        duplicate_case_id=None if link.duplicate_pk is None else names[link.duplicate_pk],
        decided_by=link.decided_by,
        decided_at=link.decided_at,
        revision=link.revision,
    )


# ---------------------------------------------------------------- the officer's decision


def mark_duplicate(
    log: Log,
    case_id: str,
    *,
    of: str,
    user: str,
    expected_revision: int,
    now: datetime | None = None,
) -> Candidate:
    """`case_id` reports the same event as `of` (which is kept): the two are linked; audited."""
    return _decide(log, case_id, of, "duplicate", user, expected_revision, now)


def mark_not_duplicate(
    log: Log,
    case_id: str,
    *,
    other: str,
    user: str,
    expected_revision: int,
    now: datetime | None = None,
) -> Candidate:
    """`case_id` and `other` are two events: the pair no longer flags either case; audited."""
    return _decide(log, case_id, other, "not_duplicate", user, expected_revision, now)


def _decide(
    log: Log,
    case_id: str,
    other_case_id: str,
    decision: Decision,
    user: str,
    expected_revision: int,
    now: datetime | None,
) -> Candidate:
    now = _utc(now)
    with guard(log.engine), log.write_session() as session, session.begin():
        pks = {c: pk for pk, c in _case_ids(session, [case_id, other_case_id])}
        if case_id not in pks or other_case_id not in pks or case_id == other_case_id:
            raise DuplicateError(
                f"{case_id} and {other_case_id} are not a possible duplicate pair in the log."
            )
        low, high = sorted((pks[case_id], pks[other_case_id]))
        link = session.scalar(
            select(DuplicateLink)
            .where(DuplicateLink.case_pk == low, DuplicateLink.other_pk == high)
            .with_for_update()
        )
        if link is None:
            raise DuplicateError(
                f"{other_case_id} is not a possible duplicate of {case_id}; nothing was changed."
            )
        if link.revision != expected_revision:
            decided = link.decided_at is not None and link.decided_at >= link.found_at
            if decided:
                assert link.decided_by is not None and link.decided_at is not None
                raise StaleDuplicate(case_id, other_case_id, link.decided_by, link.decided_at)
            raise StaleDuplicate(case_id, other_case_id, link.found_by, link.found_at)
        previous = link.decision
        link.decision = decision
        link.duplicate_pk = pks[case_id] if decision == "duplicate" else None
        link.decided_by, link.decided_at = user, now
        link.revision += 1
        session.flush()
        names = {pks[case_id]: case_id, pks[other_case_id]: other_case_id}
        candidate = _candidate(link, pks[case_id], names)
        audit.append(
            session,
            user=user,
            action="duplicate",
            at=now,
            case_id=case_id,
            detail={
                "decision": decision,
                "other": other_case_id,
                "duplicate_of": other_case_id if decision == "duplicate" else None,
                "previous": previous,
                "score": round(link.score, 4),
            },
        )
    return candidate


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("times given to the log must be timezone-aware")
    return now.astimezone(UTC)
