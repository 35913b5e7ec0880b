"""The submission log: every case with its versions, status, notes and audit trail, in one database.

`Store.open()` connects (SQLite file by default, PostgreSQL when DATABASE_URL says so) and
migrates the schema. Each save is one transaction: a failure or a killed process leaves no
partial case. The list columns are copied from the latest version onto the case row so the log
page filters and sorts 100,000 cases on indexes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from lxml import etree
from sqlalchemy import ColumnElement, Engine, Integer, Select, and_, column, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from e2b.codelists import Nullification
from e2b.dates import bounds
from e2b.findings import Finding
from e2b.model import value_of
from pv import audit, duplicate_log
from pv.catalogue import load_catalogue
from pv.clock import days_open, due_date, is_overdue, version_due_date
from pv.config import Settings, load_settings
from pv.db import (
    DatabaseUnavailable,
    guard,
    make_engine,
    needs_reindex,
    upgrade,
    writer,
)
from pv.model import Report
from pv.tables import Case, CaseCategory, CaseNumber, CaseVersion, Note, StatusChange, User
from pv.workflow import OPEN_STATUSES, CaseStatus, InvalidTransition, allowed_next, manual_next

_HL7 = "urn:hl7-org:v3"  # e2b.mapping.HL7; e2b is imported only when a batch is exported
_MESSAGE = f"{{{_HL7}}}PORR_IN049016UV"
_RECEIVER = f"{{{_HL7}}}receiver"
_SEP = "\n"  # between list items in a text column; no term, category or name contains it


class StaleCase(RuntimeError):
    """The case changed after the officer's screen was drawn; `str(error)` says by whom."""

    def __init__(self, case_id: str, user: str, at: datetime, status: CaseStatus) -> None:
        self.case_id, self.user, self.at, self.status = case_id, user, at, status
        super().__init__(
            f"Case {case_id} was changed by {user} at {at:%Y-%m-%d %H:%M} UTC after you opened "
            f"it; it is now {status.label}. Nothing was changed: look at the case again and "
            "decide."
        )


class CaseNotFound(LookupError):
    """No case with this ID; `str(error)` is one sentence for the user."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(f"There is no case {case_id} in the log.")


class NotAnOfficer(ValueError):
    """A case can be assigned only to an active account; `str(error)` says so."""


@dataclass(frozen=True)
class Submission:
    """One version of a case as submitted: the report, its XML exactly as sent, its findings."""

    report: Report
    xml: bytes
    findings: list[Finding]


@dataclass(frozen=True)
class SavedCase:
    """What a save stored."""

    case_id: str
    version: int
    received_at: datetime


@dataclass(frozen=True)
class CaseQuery:
    """The log page's filter, sort and page; every part optional."""

    status: CaseStatus | Sequence[CaseStatus] | None = None
    categories: Sequence[str] = ()
    serious: bool | None = None
    received_from: date | None = None  # the log's receipt date (UTC), inclusive
    received_to: date | None = None
    text: str | None = None  # case ID, reporter, places, terms, categories, verbatims, narrative
    overdue_only: bool = False
    include_nullified: bool = False  # nullified cases are kept but out of the default list
    possible_duplicates: bool = False  # only cases with an undecided duplicate candidate
    owner: str | None = None  # "my cases": the officer's name
    unassigned: bool = False  # only cases nobody owns
    due_within_days: int | None = None  # open cases due from today to today + N (not overdue)
    sort: str = "received_at"
    descending: bool = True
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True)
class CaseRow:
    """One line of the log."""

    case_id: str
    version: int
    received_at: datetime
    first_received: date
    reporter: str
    categories: tuple[str, ...]  # guide category ids
    terms: tuple[str, ...]  # MedDRA term names (the code where the name is not known)
    serious: bool
    status: CaseStatus
    due_date: date
    overdue: bool
    days_open: int
    nullified: bool = False
    owner: str | None = None


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    total: int
    page: int = 1
    page_size: int = 50

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class VersionRecord:
    version: int
    received_at: datetime
    received_by: str
    xml: bytes
    findings: list[Finding]
    report_json: str


@dataclass(frozen=True)
class StatusRecord:
    from_status: CaseStatus | None
    to_status: CaseStatus
    at: datetime
    user: str
    comment: str | None


@dataclass(frozen=True)
class NoteRecord:
    at: datetime
    user: str
    text: str


@dataclass(frozen=True)
class Reindexed:
    searched: int  # cases whose search text was recomputed
    fingerprinted: int  # cases given their first duplicate fingerprint


_REINDEX_BATCH = 200


@dataclass(frozen=True)
class CaseDetail:
    """Everything the case page shows."""

    row: CaseRow
    reporter_contact: str
    seriousness: tuple[str, ...]
    verbatims: tuple[str, ...]
    term_codes: tuple[str, ...]
    versions: list[VersionRecord]  # oldest first
    status_history: list[StatusRecord]
    notes: list[NoteRecord]
    audit: list[audit.AuditRecord]
    revision: int = 1  # what a status move made from this view expects to find

    @property
    def next_statuses(self) -> tuple[CaseStatus, ...]:
        return allowed_next(self.row.status)

    @property
    def manual_statuses(self) -> tuple[CaseStatus, ...]:
        """The moves an officer picks; "submitted to SFDA" is recorded with its evidence."""
        return manual_next(self.row.status)


@dataclass(frozen=True)
class Dashboard:
    """Numbers for the filtered set."""

    total: int
    serious: int
    overdue: int
    per_month: list[tuple[str, int]] = field(default_factory=list)  # ("2026-11", n), oldest first
    per_category: list[tuple[str, int]] = field(default_factory=list)  # most cases first
    per_status: list[tuple[CaseStatus, int]] = field(default_factory=list)

    @property
    def serious_share(self) -> float:
        return self.serious / self.total if self.total else 0.0


_S = TypeVar("_S", bound=Select[Any])
_SQLITE_SEARCH = text("SELECT rowid FROM case_search WHERE case_search MATCH :phrase").columns(
    column("rowid", Integer)
)

_SORT_KEYS: dict[str, Any] = {
    "received_at": Case.received_at,
    "case_id": Case.id,
    "first_received": Case.first_received,
    "due_date": Case.due_date,
    "status": Case.status,
    "reporter": Case.reporter,
    "serious": Case.serious,
    "version": Case.current_version,
    "updated_at": Case.updated_at,
}
SORT_KEYS = tuple(_SORT_KEYS)

CSV_COLUMNS = (
    "case_id",
    "version",
    "received_at",
    "first_received",
    "reporter",
    "categories",
    "terms",
    "serious",
    "status",
    "due_date",
    "overdue",
    "days_open",
)
AUDIT_CSV_COLUMNS = ("id", "at", "user", "action", "case_id", "description", "detail", "key_id")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Store:
    """The submission log over one database; thread-safe, one per process is enough."""

    def __init__(self, engine: Engine, settings: Settings | None = None) -> None:
        self.engine = engine
        self.settings = settings or load_settings()
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(writer(engine), expire_on_commit=False)

    @classmethod
    def open(
        cls, url: str | None = None, *, settings: Settings | None = None, migrate: bool = True
    ) -> Store:
        """Connect to `url` (default: DATABASE_URL or the SQLite file) and migrate to the newest."""
        settings = settings or load_settings()
        engine = make_engine(url or settings.database_url)
        store = cls(engine, settings)
        if migrate and needs_reindex(upgrade(engine)):
            store.reindex()
        return store

    def reindex(self) -> Reindexed:
        """Recompute what the log derives from each case's current version: the search text
        (revision 0010 added the narrative, institution and city to it) and the duplicate
        fingerprints older cases lack. Changes no case's data; `Store.open` runs it when its
        upgrade crosses 0010, `python -m pv db reindex` on demand."""
        done, last = 0, -1
        while True:
            with self._guard(), self._write.begin() as session:
                rows = session.execute(
                    select(Case, CaseVersion.report)
                    .join(
                        CaseVersion,
                        (CaseVersion.case_pk == Case.id)
                        & (CaseVersion.version == Case.current_version),
                    )
                    .where(Case.id > last)
                    .order_by(Case.id)
                    .limit(_REINDEX_BATCH)
                ).all()
                for case, stored in rows:
                    report = Report.model_validate_json(stored)
                    case.search_text = case_columns(report)["search_text"]
                    last = case.id
            done += len(rows)
            if len(rows) < _REINDEX_BATCH:
                break
        return Reindexed(done, duplicate_log.backfill(self, user="system:reindex"))

    def close(self) -> None:
        self.engine.dispose()

    def read_session(self) -> Session:
        """A session for reads (module helpers such as pv.users use it)."""
        return self._read()

    def write_session(self) -> Session:
        """A session whose transactions take the write lock at once (SQLite BEGIN IMMEDIATE)."""
        return self._write()

    # ------------------------------------------------------------------ saving

    def submit(
        self,
        build: Callable[[str], Submission],
        *,
        user: str = "hcp",
        now: datetime | None = None,
        answers: str | None = None,
    ) -> SavedCase:
        """Allocate a case ID, let `build` make the submission with it, store it as version 1
        (with `answers`, the report form's answers as its draft keeps them, when it came from the
        form).

        The number is taken in its own short transaction so no lock is held while `build` runs;
        if `build` raises or the process dies, the number stays unused (a gap), nothing else.
        """
        now = _utc(now)
        with self._guard(), self._write.begin() as session:
            number = CaseNumber(allocated_at=now)
            session.add(number)
            session.flush()
            n = number.id
        case_id = case_id_for(self.settings, n)
        submission = build(case_id)
        with self._guard(), self._write.begin() as session:
            case = new_case(session, n, case_id, submission.report, user=user, now=now)
            self._set_categories(session, case, submission.report)
            session.add(_version(case, 1, submission, user, now, answers))
            audit.append(
                session,
                user=user,
                action="create",
                at=now,
                case_id=case_id,
                detail={
                    "version": 1,
                    "serious": case.serious,
                    "xml_sha256": audit.sha256_hex(submission.xml),
                },
            )
        return SavedCase(case_id, 1, now)

    def add_version(
        self, case_id: str, submission: Submission, *, user: str, now: datetime | None = None
    ) -> SavedCase:
        """Store a follow-up of an existing case as its next version, same case ID."""
        now = _utc(now)
        with self._guard(), self._write.begin() as session:
            case = _case_for_update(session, case_id)
            version = _next_number(session, case.id)
            columns = case_columns(submission.report)
            # The clock of the new version: from its C.1.5, as for every follow-up (pv.clock).
            columns["due_date"] = version_due_date(submission.report, version)
            for name, value in columns.items():
                setattr(case, name, value)
            case.current_version = version
            case.revision += 1
            case.updated_at = now
            self._set_categories(session, case, submission.report)
            session.add(_version(case, version, submission, user, now))
            duplicate_log.refresh(session, case, submission.report, user=user, now=now)
            audit.append(
                session,
                user=user,
                action="version",
                at=now,
                case_id=case_id,
                detail={
                    "version": version,
                    "serious": case.serious,
                    "xml_sha256": audit.sha256_hex(submission.xml),
                },
            )
        return SavedCase(case_id, version, now)

    def change_status(
        self,
        case_id: str,
        new_status: CaseStatus | str,
        *,
        user: str,
        now: datetime | None = None,
        comment: str | None = None,
        expected_revision: int | None = None,
    ) -> CaseStatus:
        """Move a case along the workflow; InvalidTransition when the workflow forbids it.

        `expected_revision` is the revision the officer's screen showed: if anyone moved the
        case or added a version since, StaleCase says who and when, and nothing changes.
        """
        now = _utc(now)
        target = CaseStatus(new_status)
        with self._guard(), self._write.begin() as session:
            case = _case_for_update(session, case_id)
            if expected_revision is not None and case.revision != expected_revision:
                raise _stale(session, case)
            move_status(session, case, target, user=user, now=now, comment=comment)
        return target

    def assign(
        self,
        case_id: str,
        owner: str | None,
        *,
        user: str,
        now: datetime | None = None,
        expected_revision: int | None = None,
    ) -> None:
        """Give the case to `owner` (an active account), or to nobody; audited. With the
        revision the officer's screen showed, StaleCase when anyone changed the case since."""
        now = _utc(now)
        with self._guard(), self._write.begin() as session:
            case = _case_for_update(session, case_id)
            if expected_revision is not None and case.revision != expected_revision:
                raise _stale(session, case)
            if owner is not None:
                account = session.scalar(select(User).where(User.name == owner))
                if account is None or not account.active:
                    raise NotAnOfficer(f"{owner} is not an active account; choose another.")
            if case.owner == owner:
                return
            previous, case.owner = case.owner, owner
            case.revision += 1
            case.updated_at = now
            audit.append(
                session,
                user=user,
                action="assign",
                at=now,
                case_id=case_id,
                detail={"from": previous, "to": owner},
            )

    def add_note(
        self, case_id: str, text: str, *, user: str, now: datetime | None = None
    ) -> NoteRecord:
        """Attach an officer's note to a case."""
        now = _utc(now)
        if not text.strip():
            raise ValueError("A note needs some text.")
        with self._guard(), self._write.begin() as session:
            case = _case_for_update(session, case_id)
            note = Note(case_pk=case.id, at=now, user=user, text=text)
            session.add(note)
            session.flush()  # gives the note its id, which the audit row names
            audit.append(
                session,
                user=user,
                action="note",
                at=now,
                case_id=case_id,
                detail=audit.note_detail(note.id, text),
            )
        return NoteRecord(now, user, text)

    def record(
        self,
        action: str,
        *,
        user: str,
        case_id: str | None = None,
        detail: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> None:
        """An audit row on its own (e.g. an e-mail sent, a login), in its own transaction."""
        with self._guard(), self._write.begin() as session:
            audit.append(
                session, user=user, action=action, at=_utc(now), case_id=case_id, detail=detail
            )

    @staticmethod
    def _set_categories(session: Session, case: Case, report: Report) -> None:
        wanted = set(_categories(report))
        existing = set(
            session.scalars(select(CaseCategory.category).where(CaseCategory.case_pk == case.id))
        )
        for category in existing - wanted:
            session.delete(session.get_one(CaseCategory, (case.id, category)))
        session.add_all(
            CaseCategory(case_pk=case.id, category=c) for c in sorted(wanted - existing)
        )

    # ------------------------------------------------------------------ reading

    def list_cases(self, query: CaseQuery, *, today: date | None = None) -> CasePage:
        """One page of the filtered, sorted log and the number of matching cases."""
        today = today or date.today()
        page = max(query.page, 1)
        with self._guard(), self._read() as session:
            conditions = _conditions(query, today, session.get_bind().dialect.name)
            # Page over ids first (index-only), then load just those rows: a deep page does
            # not drag 50,000 full rows through the sort.
            ids = _ordered(select(Case.id).where(*conditions), query)
            ids = ids.offset((page - 1) * query.page_size).limit(query.page_size)
            statement = _ordered(select(Case).where(Case.id.in_(ids.scalar_subquery())), query)
            total = session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0
            rows = [_row(case, today) for case in session.scalars(statement)]
        return CasePage(rows, total, page, query.page_size)

    def iter_cases(self, query: CaseQuery, *, today: date | None = None) -> Iterator[CaseRow]:
        """Every matching case in the query's order (no paging), for exports."""
        today = today or date.today()
        with self._guard(), self._read() as session:
            conditions = _conditions(query, today, session.get_bind().dialect.name)
            statement = _ordered(select(Case).where(*conditions), query)
            for case in session.scalars(statement.execution_options(yield_per=1000)):
                yield _row(case, today)

    def get_case(self, case_id: str, *, today: date | None = None) -> CaseDetail:
        """The case page: summary, every version, status history, notes and its audit rows."""
        today = today or date.today()
        with self._guard(), self._read() as session:
            case = session.scalar(select(Case).where(Case.case_id == case_id))
            if case is None:
                raise CaseNotFound(case_id)
            versions = session.scalars(
                select(CaseVersion)
                .where(CaseVersion.case_pk == case.id)
                .order_by(CaseVersion.version)
            )
            changes = session.scalars(
                select(StatusChange)
                .where(StatusChange.case_pk == case.id)
                .order_by(StatusChange.id)
            )
            notes = session.scalars(select(Note).where(Note.case_pk == case.id).order_by(Note.id))
            return CaseDetail(
                row=_row(case, today),
                reporter_contact=case.reporter_contact,
                seriousness=_split(case.seriousness),
                verbatims=_split(case.verbatims),
                term_codes=_split(case.term_codes),
                versions=[
                    VersionRecord(
                        v.version,
                        v.received_at,
                        v.received_by,
                        v.xml,
                        [Finding(**f) for f in json.loads(v.findings)],
                        v.report,
                    )
                    for v in versions
                ],
                status_history=[
                    StatusRecord(
                        CaseStatus(c.from_status) if c.from_status else None,
                        CaseStatus(c.to_status),
                        c.at,
                        c.user,
                        c.comment,
                    )
                    for c in changes
                ],
                notes=[NoteRecord(n.at, n.user, n.text) for n in notes],
                audit=audit.records(session, case_id),
                revision=case.revision,
            )

    def next_version_number(self, case_id: str) -> int:
        """The number the case's next version takes: after every stored version, a stale one
        (kept but not current) included."""
        with self._guard(), self._read() as session:
            pk = session.scalar(select(Case.id).where(Case.case_id == case_id))
            if pk is None:
                raise CaseNotFound(case_id)
            return _next_number(session, pk)

    def current_report(self, case_id: str) -> Report:
        """The report of the case's current version, as stored."""
        with self._guard(), self._read() as session:
            stored = session.scalar(
                select(CaseVersion.report)
                .join(Case, Case.id == CaseVersion.case_pk)
                .where(Case.case_id == case_id, CaseVersion.version == Case.current_version)
            )
        if stored is None:
            raise CaseNotFound(case_id)
        return Report.model_validate_json(stored)

    def case_count(self) -> int:
        with self._guard(), self._read() as session:
            return session.scalar(select(func.count()).select_from(Case)) or 0

    def dashboard(self, query: CaseQuery | None = None, *, today: date | None = None) -> Dashboard:
        """Cases per month and per guide category, serious share, overdue, for the filter."""
        today = today or date.today()
        with self._guard(), self._read() as session:
            conditions = _conditions(query or CaseQuery(), today, session.get_bind().dialect.name)
            matching = select(Case.id).where(*conditions)
            total = session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0
            serious = (
                session.scalar(
                    select(func.count()).select_from(Case).where(*conditions, Case.serious)
                )
                or 0
            )
            overdue = (
                session.scalar(
                    select(func.count()).select_from(Case).where(*conditions, _overdue(today))
                )
                or 0
            )
            months = session.execute(
                select(Case.received_month, func.count())
                .where(*conditions)
                .group_by(Case.received_month)
                .order_by(Case.received_month)
            ).all()
            categories = session.execute(
                select(CaseCategory.category, func.count())
                .where(CaseCategory.case_pk.in_(matching))
                .group_by(CaseCategory.category)
                .order_by(func.count().desc(), CaseCategory.category)
            ).all()
            statuses = dict(
                session.execute(
                    select(Case.status, func.count()).where(*conditions).group_by(Case.status)
                ).all()
            )
        return Dashboard(
            total=total,
            serious=serious,
            overdue=overdue,
            per_month=[(m, n) for m, n in months],
            per_category=[(c, n) for c, n in categories],
            per_status=[(s, statuses[s.value]) for s in CaseStatus if s.value in statuses],
        )

    # ------------------------------------------------------------------ exports

    def export_csv(
        self,
        query: CaseQuery,
        *,
        user: str,
        today: date | None = None,
        now: datetime | None = None,
    ) -> bytes:
        """The whole filtered list as CSV (UTF-8 with BOM for Excel), formula-injection safe."""
        out = io.StringIO()
        table = csv.writer(out)
        table.writerow(CSV_COLUMNS)
        catalogue = load_catalogue()
        count = 0
        for row in self.iter_cases(query, today=today):
            values = asdict(row)
            values["categories"] = "; ".join(_category_name(catalogue, c) for c in row.categories)
            values["terms"] = "; ".join(row.terms)
            values["received_at"] = row.received_at.isoformat(timespec="seconds")
            values["status"] = row.status.label
            values["serious"] = "yes" if row.serious else "no"
            values["overdue"] = "yes" if row.overdue else "no"
            table.writerow([csv_safe(str(values[c])) for c in CSV_COLUMNS])
            count += 1
        self.record(
            "export",
            user=user,
            detail={"format": "csv", "rows": count, "query": _query_detail(query)},
            now=now,
        )
        return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")

    def export_batch(
        self, case_ids: Sequence[str], *, user: str, now: datetime | None = None
    ) -> bytes:
        """The latest stored message of each case, exactly as generated, in one new E2B batch."""
        from e2b.writer import BatchHeader, build_batch

        if not case_ids:
            raise ValueError("Select at least one case to export.")
        now = _utc(now).replace(microsecond=0)
        messages = [self._latest_message(case_id) for case_id in case_ids]
        header = BatchHeader(
            batch_id=f"{case_ids[0]}-{now:%Y%m%d%H%M%S}",
            sender_id=self.settings.sender_id,
            receiver_id=self.settings.receiver_id,
            created_at=now,
        )
        root = build_batch([], header)
        receiver = root.find(_RECEIVER)
        assert receiver is not None  # the template always writes the batch receiver
        for message in messages:
            receiver.addprevious(message)
        etree.indent(root, space="  ")
        data = bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        self.record("export", user=user, detail={"format": "e2b", "cases": list(case_ids)}, now=now)
        return data

    def version_xml(
        self, case_id: str, version: int, *, user: str, now: datetime | None = None
    ) -> bytes:
        """One version's XML exactly as stored, for a download; the download is audited."""
        with self._guard(), self._read() as session:
            xml = session.scalar(
                select(CaseVersion.xml)
                .join(Case, Case.id == CaseVersion.case_pk)
                .where(Case.case_id == case_id, CaseVersion.version == version)
            )
        if xml is None:
            raise CaseNotFound(case_id)
        self.record(
            "download",
            user=user,
            case_id=case_id,
            detail={
                "format": "e2b",
                "version": version,
                "xml_sha256": hashlib.sha256(xml).hexdigest(),
            },
            now=now,
        )
        return bytes(xml)

    def _latest_message(self, case_id: str) -> etree._Element:
        from e2b.xmlsafe import parse_bytes

        with self._guard(), self._read() as session:
            xml = session.scalar(
                select(CaseVersion.xml)
                .join(Case, Case.id == CaseVersion.case_pk)
                .where(Case.case_id == case_id, CaseVersion.version == Case.current_version)
            )
        if xml is None:
            raise CaseNotFound(case_id)
        root = parse_bytes(xml).getroot()
        message = root if root.tag == _MESSAGE else root.find(_MESSAGE)
        if message is None:
            raise ValueError(f"The stored XML of case {case_id} holds no ICSR message.")
        return message

    # ------------------------------------------------------------------ audit

    def verify_audit(self) -> list[Finding]:
        """Every break in the keyed audit chain, then every case that disagrees with the trail.

        Empty: intact. Warnings alone (rows written before keyed audit) do not mean tampering.
        """
        with self._guard(), self._read() as session:
            return audit.verify(session)

    def audit_trail(
        self,
        case_id: str | None = None,
        *,
        user: str | None = None,
        action: str | None = None,
        since: date | datetime | None = None,
        limit: int | None = None,
    ) -> list[audit.AuditRecord]:
        """Audit rows, oldest first, matching every filter given (see pv.audit.query)."""
        with self._guard(), self._read() as session:
            return audit.query(
                session, user=user, case_id=case_id, action=action, since=since, limit=limit
            )

    def export_audit_csv(
        self,
        *,
        by: str,
        case_id: str | None = None,
        user: str | None = None,
        action: str | None = None,
        since: date | datetime | None = None,
        now: datetime | None = None,
    ) -> bytes:
        """The matching audit rows as CSV (UTF-8 with BOM, formula-safe); the export is itself
        audited, as `by`'s 'audit_export'."""
        rows = self.audit_trail(case_id, user=user, action=action, since=since)
        out = io.StringIO()
        table = csv.writer(out)
        table.writerow(AUDIT_CSV_COLUMNS)
        for row in rows:
            cells = (
                str(row.id),
                row.at.isoformat(),
                row.user,
                row.action,
                row.case_id or "",
                audit.describe(row),
                audit.canonical_json(row.detail),
                row.key_id or "",
            )
            table.writerow([csv_safe(cell) for cell in cells])
        criteria = {"user": user, "case": case_id, "action": action, "since": since}
        self.record(
            "audit_export",
            user=by,
            detail={
                "format": "csv",
                "rows": len(rows),
                "filter": {k: str(v) for k, v in criteria.items() if v is not None},
            },
            now=now,
        )
        return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")

    def _guard(self) -> AbstractContextManager[None]:
        return guard(self.engine)


# ---------------------------------------------------------------------- helpers


def _next_number(session: Session, case_pk: int) -> int:
    stored = session.scalar(
        select(func.max(CaseVersion.version)).where(CaseVersion.case_pk == case_pk)
    )
    return 1 + (stored or 0)


def case_id_for(settings: Settings, number: int) -> str:
    """The log's case ID (C.1.1 of what we send): "<country>-<sender>-<number, 6 digits>"."""
    return f"{settings.sender_country}-{settings.sender_id}-{number:06d}"


def new_case(
    session: Session, number: int, case_id: str, report: Report, *, user: str, now: datetime
) -> Case:
    """A case row as received (version 1, status received), its first status change and its
    duplicate candidates."""
    case = Case(
        id=number,
        case_id=case_id,
        current_version=1,
        status=CaseStatus.RECEIVED.value,
        received_at=now,
        received_month=f"{now:%Y-%m}",
        updated_at=now,
        created_by=user,
        **case_columns(report),
    )
    session.add(case)
    session.flush()
    session.add(
        StatusChange(case_pk=number, from_status=None, to_status=case.status, at=now, user=user)
    )
    duplicate_log.refresh(session, case, report, user=user, now=now)
    return case


def case_columns(report: Report) -> dict[str, Any]:
    """The case row's list and search columns, derived from a report."""
    catalogue = load_catalogue()
    source = report.primary_source
    reporter = source.display_name
    contact = " / ".join(p for p in (source.email, value_of(source.organisation)) if p)
    categories = _categories(report)
    codes = _unique(r.term.code for r in report.reactions)
    terms = _unique(_term_name(catalogue, code) for code in codes)
    verbatims = _unique(r.verbatim for r in report.reactions if r.verbatim)
    criteria = _unique(c for r in report.reactions for c in r.seriousness.criteria())
    first = bounds(report.case.first_received)[0].date()
    serious = report.serious
    search = [
        report.case.sender_report_id,
        reporter,
        contact,
        *categories,
        *(_category_name(catalogue, c) for c in categories),
        *terms,
        *codes,
        *verbatims,
        *(r.translation for r in report.reactions if r.translation),
        *_places(report),
        *filter(None, [report.narrative.narrative, report.narrative.reporter_comments]),
        *(s.text for s in report.narrative.summaries),
    ]
    return {
        "first_received": first,
        "due_date": due_date(first, serious),
        "serious": serious,
        "seriousness": _SEP.join(criteria),
        "reporter": reporter[:300],
        "reporter_contact": contact[:300],
        "categories": _SEP.join(categories),
        "terms": _SEP.join(terms),
        "term_codes": _SEP.join(codes),
        "verbatims": _SEP.join(verbatims),
        "search_text": _SEP.join(search).lower(),
        "nullified": report.case.nullification is Nullification.NULLIFICATION,
    }


def csv_safe(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ tab or CR would start a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def like_pattern(text: str) -> str:
    """`%text%` for LIKE with the user's own % _ and \\ taken literally (ESCAPE '\\')."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(query: CaseQuery, today: date, dialect: str) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.status is not None:
        statuses = [query.status] if isinstance(query.status, str) else list(query.status)
        if statuses:
            conditions.append(Case.status.in_([CaseStatus(s).value for s in statuses]))
    if query.categories:
        conditions.append(
            Case.id.in_(
                select(CaseCategory.case_pk).where(CaseCategory.category.in_(query.categories))
            )
        )
    if query.serious is not None:
        conditions.append(Case.serious.is_(query.serious))
    if query.received_from is not None:
        conditions.append(Case.received_at >= _midnight(query.received_from))
    if query.received_to is not None:
        conditions.append(Case.received_at < _midnight(query.received_to + timedelta(days=1)))
    if query.text and query.text.strip():
        needle = query.text.strip().lower()
        if dialect == "sqlite" and len(needle) >= 3:
            # A phrase in the FTS5 trigram index (migration 0003) matches any substring.
            phrase = '"' + needle.replace('"', '""') + '"'
            conditions.append(Case.id.in_(_SQLITE_SEARCH.bindparams(phrase=phrase)))
        elif dialect == "sqlite":  # shorter than a trigram: scan
            conditions.append(func.instr(Case.search_text, needle) > 0)
        else:  # LIKE can use the pg_trgm index on PostgreSQL (migration 0002)
            conditions.append(Case.search_text.like(like_pattern(needle), escape="\\"))
    if query.overdue_only:
        conditions.append(_overdue(today))
    if not query.include_nullified:
        conditions.append(Case.nullified.is_(False))
    if query.possible_duplicates:
        conditions.append(duplicate_log.is_possible_duplicate())
    if query.unassigned:
        conditions.append(Case.owner.is_(None))
    if query.owner is not None:
        conditions.append(Case.owner == query.owner)
    if query.due_within_days is not None:
        conditions.append(
            and_(
                Case.status.in_([s.value for s in OPEN_STATUSES]),
                Case.due_date >= today,
                Case.due_date <= today + timedelta(days=query.due_within_days),
            )
        )
    return conditions


def _overdue(today: date) -> ColumnElement[bool]:
    return and_(Case.status.in_([s.value for s in OPEN_STATUSES]), Case.due_date < today)


def _ordered(statement: _S, query: CaseQuery) -> _S:
    try:
        column = _SORT_KEYS[query.sort]
    except KeyError:
        raise ValueError(f"Cannot sort by {query.sort!r}; choose one of {SORT_KEYS}") from None
    if query.descending:
        return statement.order_by(column.desc(), Case.id.desc())
    return statement.order_by(column.asc(), Case.id.asc())


def _row(case: Case, today: date) -> CaseRow:
    status = CaseStatus(case.status)
    return CaseRow(
        case_id=case.case_id,
        version=case.current_version,
        received_at=case.received_at,
        first_received=case.first_received,
        reporter=case.reporter,
        categories=_split(case.categories),
        terms=_split(case.terms),
        serious=case.serious,
        status=status,
        due_date=case.due_date,
        overdue=is_overdue(case.due_date, status, today),
        days_open=days_open(case.first_received, today),
        nullified=case.nullified,
        owner=case.owner,
    )


def move_status(
    session: Session,
    case: Case,
    target: CaseStatus,
    *,
    user: str,
    now: datetime,
    comment: str | None = None,
) -> None:
    """One workflow move inside the caller's transaction: the status change and its audit row
    (pv.transmissions and pv.acks move a case this way when evidence or an ACK is recorded)."""
    current = CaseStatus(case.status)
    if target not in allowed_next(current):
        raise InvalidTransition(case.case_id, current, target)
    case.status = target.value
    case.revision += 1
    case.updated_at = now
    session.add(
        StatusChange(
            case_pk=case.id,
            from_status=current.value,
            to_status=target.value,
            at=now,
            user=user,
            comment=comment,
        )
    )
    audit.append(
        session,
        user=user,
        action="status",
        at=now,
        case_id=case.case_id,
        detail={"from": current.value, "to": target.value, "comment": comment},
    )


def case_for_update(session: Session, case_id: str) -> Case:
    """The case row, locked for this transaction; CaseNotFound when there is none."""
    return _case_for_update(session, case_id)


def _case_for_update(session: Session, case_id: str) -> Case:
    case = session.scalar(select(Case).where(Case.case_id == case_id).with_for_update())
    if case is None:
        raise CaseNotFound(case_id)
    return case


def _stale(session: Session, case: Case) -> StaleCase:
    """Who made the case's latest status move or version, and when."""
    moved = session.execute(
        select(StatusChange.user, StatusChange.at)
        .where(StatusChange.case_pk == case.id)
        .order_by(StatusChange.id.desc())
        .limit(1)
    ).first()
    added = session.execute(
        select(CaseVersion.received_by, CaseVersion.received_at)
        .where(CaseVersion.case_pk == case.id)
        .order_by(CaseVersion.version.desc())
        .limit(1)
    ).first()
    latest = max((r for r in (moved, added) if r is not None), key=lambda r: r[1])
    return StaleCase(case.case_id, latest[0], latest[1], CaseStatus(case.status))


def _version(
    case: Case,
    version: int,
    submission: Submission,
    user: str,
    now: datetime,
    answers: str | None = None,
) -> CaseVersion:
    findings = [asdict(f) for f in submission.findings]
    return CaseVersion(
        case_pk=case.id,
        version=version,
        received_at=now,
        received_by=user,
        xml=submission.xml,
        findings=json.dumps(findings, ensure_ascii=False),
        report=submission.report.model_dump_json(),
        form_answers=answers,
    )


def _places(report: Report) -> list[str]:
    """Each reporter's institution, department and city, for the search."""
    parts = (
        value_of(part)
        for source in report.primary_sources
        for part in (source.organisation, source.department, source.city)
    )
    return _unique(parts)


def _categories(report: Report) -> list[str]:
    return _unique(r.guide_category for r in report.reactions if r.guide_category)


def _term_name(catalogue: Any, code: str) -> str:
    term = catalogue.term_by_code(code)
    return term.term if term is not None else code


def _category_name(catalogue: Any, category_id: str) -> str:
    try:
        return str(catalogue.category(category_id).name)
    except KeyError:
        return category_id


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split(_SEP)) if text else ()


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("times given to the store must be timezone-aware")
    return now.astimezone(UTC)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _query_detail(query: CaseQuery) -> dict[str, Any]:
    detail = asdict(query)
    for key in ("received_from", "received_to"):
        if detail[key] is not None:
            detail[key] = detail[key].isoformat()
    status = query.status
    if status is not None:
        detail["status"] = [status] if isinstance(status, str) else list(status)
    detail["categories"] = list(query.categories)
    for key in ("page", "page_size"):
        detail.pop(key)
    return detail


__all__ = [
    "CaseDetail",
    "CaseNotFound",
    "CasePage",
    "CaseQuery",
    "CaseRow",
    "CaseStatus",
    "Dashboard",
    "DatabaseUnavailable",
    "InvalidTransition",
    "SavedCase",
    "StaleCase",
    "Store",
    "Submission",
]
