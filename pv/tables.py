"""The submission log's tables (SQLAlchemy 2 typed ORM); migrations in pv/migrations create them.

Times are stored as naive UTC (`UTCDateTime`) so SQLite and PostgreSQL give back the same value
to the microsecond, which the audit chain's hashes depend on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import (
    false as sa_false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime in, an aware UTC datetime out; stored naive in UTC."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class CaseNumber(Base):
    """Ledger of allocated C.1.1 numbers: the DB-side counter (gaps are allowed, reuse is not)."""

    __tablename__ = "case_numbers"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 (SQLAlchemy reads it)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    allocated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Case(Base):
    """One case: its current state plus the list columns, denormalised from the latest version."""

    __tablename__ = "cases"
    # The overdue filter (open status and past due) is answered from this index alone.
    __table_args__ = (Index("ix_cases_status_due_date", "status", "due_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    case_id: Mapped[str] = mapped_column(String(100), unique=True)
    current_version: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    received_month: Mapped[str] = mapped_column(String(7), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    first_received: Mapped[date] = mapped_column(Date, index=True)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    serious: Mapped[bool] = mapped_column(Boolean, index=True)
    seriousness: Mapped[str] = mapped_column(Text)
    reporter: Mapped[str] = mapped_column(String(300), index=True)
    reporter_contact: Mapped[str] = mapped_column(String(300))
    categories: Mapped[str] = mapped_column(Text)
    terms: Mapped[str] = mapped_column(Text)
    term_codes: Mapped[str] = mapped_column(Text)
    verbatims: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    # Bumped by every status move and new version: a move made from an older view is refused.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The officer who works the case ("my cases"); None: unassigned.
    owner: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    # The current version nullifies the case (C.1.11.1 = 1): kept, marked, out of the default list.
    nullified: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false(), index=True
    )


class CaseCategory(Base):
    """Which guide categories a case's reactions fall under, for the category filter."""

    __tablename__ = "case_categories"
    __table_args__ = (Index("ix_case_categories_category", "category", "case_pk"),)

    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(100), primary_key=True)


class CaseVersion(Base):
    """One submission of a case: the XML exactly as generated, its findings and report JSON."""

    __tablename__ = "case_versions"
    __table_args__ = (UniqueConstraint("case_pk", "version", name="uq_case_versions_case_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    version: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_by: Mapped[str] = mapped_column(String(100))
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    findings: Mapped[str] = mapped_column(Text)
    report: Mapped[str] = mapped_column(Text)
    # C.1.5 of this version (a partial date): a follow-up older than the newest is stale.
    most_recent: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # Kept but not the case's current information: its C.1.5 is older than the newest version's.
    stale: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # An imported message: the sha256 of its canonical XML (a second import finds it) and the
    # file it came in, kept byte for byte.
    source_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("imported_files.id"), nullable=True)
    # A version made by the report form: the form's answers as its draft keeps them (pv.drafts),
    # so an officer's follow-up starts from them (pv.officer_follow_up).
    form_answers: Mapped[str | None] = mapped_column(Text, nullable=True)


class StatusChange(Base):
    """Who moved a case to which status, and when."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(Text)


class Note(Base):
    """An officer's note on a case."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """Append-only audit trail (triggers refuse UPDATE and DELETE); each row's `hash` is an
    HMAC-SHA-256 over its fields, its key id and the previous row's `hash` (pv.audit)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(30), index=True)
    case_id: Mapped[str | None] = mapped_column(String(100), index=True)
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The audit key that signed the row (pv.auditkey); NULL for rows written before keyed audit.
    key_id: Mapped[str | None] = mapped_column(String(16))


class AuditHead(Base):
    """The chain's single head row: appends lock it, and it reveals a truncated tail."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    # HMAC of last_id and last_hash under the key of the last append; NULL before keyed audit.
    mac: Mapped[str | None] = mapped_column(String(64))


class User(Base):
    """An officer or admin account; the password is kept only as an argon2 hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Sessions started before this moment are no longer valid.
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginAttempt(Base):
    """A password check, reserved as 'pending' before it runs, then 'failed' or 'ok'.

    Kept in the database so the login limits hold across instances; a pending row whose process
    died counts as a failure.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_name_at", "name", "at"),
        Index("ix_login_attempts_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    client: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(10))  # pending, failed, ok


class OfficerSession(Base):
    """A logged-in officer's session, kept server-side so that logout, deactivation, a password
    change or idle time end it on every instance; the browser holds only the token."""

    __tablename__ = "officer_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    user: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(20))
    client: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)


class Draft(Base):
    """A reporter's unfinished report, reopened by a private link; the link's token is kept only
    as its sha256, so the table alone opens no draft."""

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    answers: Mapped[str] = mapped_column(Text)  # the form's answers as JSON
    answers_sha256: Mapped[str] = mapped_column(String(64))  # an unchanged form is not rewritten
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    case_id: Mapped[str | None] = mapped_column(String(100), nullable=True)  # once submitted
    # An officer's follow-up: the case whose next version this draft becomes when submitted.
    follow_up_of: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # ... and the version it was started from (a newer one since makes it outdated).
    follow_up_version: Mapped[int | None] = mapped_column(Integer, nullable=True)


class DraftFile(Base):
    """A file attached to a draft (an ECG, a discharge letter), stored once per draft and content;
    the draft's answers name it by its sha256. Goes with its draft."""

    __tablename__ = "draft_files"

    draft_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ImportedFile(Base):
    """An E2B(R3) file an officer imported, byte for byte; its ICSRs are case versions."""

    __tablename__ = "imported_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[str] = mapped_column(String(100))


class CaseIdentifier(Base):
    """An identifier a case is known by elsewhere: C.1.8.1 (worldwide) or a sender's C.1.1, so a
    partner's follow-up finds its case."""

    __tablename__ = "case_identifiers"

    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class Transmission(Base):
    """One file sent to one recipient: the exact XML, when and how it went (the submission
    evidence), whether it was late against that recipient's clock, and the receiver's
    acknowledgement once it comes (pv.transmissions, pv.acks)."""

    __tablename__ = "transmissions"
    __table_args__ = (
        UniqueConstraint("batch_id", name="uq_transmissions_batch_id"),
        Index("ix_transmissions_case_version", "case_pk", "version", "recipient"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    version: Mapped[int] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(10))  # sfda, mah
    batch_id: Mapped[str] = mapped_column(String(100))  # N.1.2, fresh for every file
    message_id: Mapped[str] = mapped_column(String(100), index=True)  # N.2.r.1
    xml: Mapped[bytes] = mapped_column(LargeBinary)  # exactly what was (or is to be) sent
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    prepared_by: Mapped[str] = mapped_column(String(100))
    due_date: Mapped[date] = mapped_column(Date)  # this recipient's clock for this version
    submitted_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    channel: Mapped[str | None] = mapped_column(String(10), nullable=True)  # email, portal, gateway
    reference: Mapped[str | None] = mapped_column(String(300), nullable=True)
    recorded_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    days_late: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 0: on time
    ack_code: Mapped[str | None] = mapped_column(String(2), nullable=True)  # AA AE AR / CA CR
    ack_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # ACK.M.4
    ack_id: Mapped[str | None] = mapped_column(String(100), nullable=True)  # ACK.M.1
    ack_local_id: Mapped[str | None] = mapped_column(String(100), nullable=True)  # ACK.B.r.2
    ack_text: Mapped[str | None] = mapped_column(Text, nullable=True)  # ACK.A.5 / ACK.B.r.7
    ack_xml: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class CaseFingerprint(Base):
    """What identifies a case for duplicate detection (pv.duplicates.Fingerprint as JSON), from
    its current version: candidates are scored without re-reading any report."""

    __tablename__ = "case_fingerprints"

    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)


class CaseBlockKey(Base):
    """A case's blocking keys: each MedDRA term of its reactions with the 31-day onset bucket
    (NULL: onset unknown). Only cases sharing a key with a new one are scored against it."""

    __tablename__ = "case_block_keys"
    __table_args__ = (Index("ix_case_block_keys_term_bucket", "term", "bucket"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    term: Mapped[str] = mapped_column(String(100))
    bucket: Mapped[int | None] = mapped_column(Integer, nullable=True)


class DuplicateLink(Base):
    """Two cases that may report the same event (case_pk < other_pk), their score and reasons,
    and the officer's decision: none (a possible duplicate), duplicate or not_duplicate."""

    __tablename__ = "duplicate_links"
    __table_args__ = (
        UniqueConstraint("case_pk", "other_pk", name="uq_duplicate_links_pair"),
        Index("ix_duplicate_links_other_pk", "other_pk"),
        Index("ix_duplicate_links_decision", "decision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    other_pk: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[str] = mapped_column(Text)  # JSON list of pv.duplicates.Reason
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)  # last scored
    found_by: Mapped[str] = mapped_column(String(100))  # whose save scored it last
    decision: Mapped[str] = mapped_column(String(20), default="none", server_default="none")
    # "duplicate": which of the two is the duplicate of the other (the other is kept).
    duplicate_pk: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Bumped by each rescoring and decision: a decision made from an older view is refused.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
