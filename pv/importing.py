"""Importing E2B(R3) files from partners into the log: each ICSR a new case or the next version
of the case it names (C.1.8.1, else C.1.1).

A file is read as tolerantly as the engine reads it (`e2b.reader`: findings kept with each
version); it is kept byte for byte (`imported_files`); it lands whole or not at all (one
transaction); the same file, or the same message in another file, imported again changes nothing.
A follow-up keeps the case's guide categories, reopens its workflow and restarts its clock from
its C.1.5; one older than the case's newest information is kept but flagged stale, not made
current. Every case created, version added and case reopened is in the audit trail (as the
form's are: `python -m pv audit verify` checks them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from copy import deepcopy
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Literal

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from e2b.dates import bounds, is_before
from e2b.findings import Finding, has_errors
from e2b.reader import ReadReport, read_tree
from e2b.rules import header_findings, icsr_messages, message_findings
from e2b.schema import schema_findings
from e2b.xmlsafe import UnusableXMLError, parse_bytes
from pv import audit, duplicate_log
from pv.clock import due_date
from pv.model import Report
from pv.store import Store, case_columns, case_id_for, new_case
from pv.tables import (
    Case,
    CaseCategory,
    CaseIdentifier,
    CaseNumber,
    CaseVersion,
    ImportedFile,
    StatusChange,
)
from pv.workflow import CaseStatus

Outcome = Literal["created", "follow-up", "stale", "already imported", "refused"]


@dataclass(frozen=True)
class ImportLine:
    """What became of one ICSR of a file (index counts from 1; 0 when the file was unusable)."""

    file: str
    index: int
    outcome: Outcome
    case_id: str | None = None
    version: int | None = None
    reason: str = ""

    def line(self) -> str:
        """One line for an officer: 'batch.xml #2: follow-up -> SA-LEMTRADAPV-000012 v2 (...)'."""
        where = f"{self.file} #{self.index}" if self.index else self.file
        case = f" -> {self.case_id} v{self.version}" if self.case_id else ""
        reason = f" ({self.reason})" if self.reason else ""
        return f"{where}: {self.outcome}{case}{reason}"


@dataclass
class _Message:
    index: int
    sha256: str  # of the message's canonical XML
    xml: bytes  # what the version keeps: the file itself, or its batch with this message alone
    report: Report | None
    findings: list[Finding]


def import_file(
    store: Store,
    data: bytes,
    *,
    name: str,
    user: str,
    now: datetime | None = None,
    form_answers: str | None = None,
) -> list[ImportLine]:
    """Import one E2B(R3) file; one line per ICSR (or one for a file that cannot be used).

    `form_answers`: the report form's answers a version made by the form keeps (pv.drafts'
    encoding), for a one-ICSR file the form itself wrote (an officer's follow-up)."""
    now = now or datetime.now(UTC)
    file_sha = hashlib.sha256(data).hexdigest()
    try:
        root = parse_bytes(data).getroot()
        batch = read_tree(root)
    except UnusableXMLError as error:
        return [ImportLine(name, 0, "refused", reason=str(error))]
    messages = _messages(data, root, batch.reports, now.date())
    with store.write_session() as session, session.begin():
        known = _known(session, [m.sha256 for m in messages])
        if all(m.sha256 in known for m in messages):
            return [
                ImportLine(name, m.index, "already imported", *known[m.sha256]) for m in messages
            ]
        refused = [m for m in messages if m.report is None and m.sha256 not in known]
        if refused:
            # All or nothing: a file with an ICSR that cannot be read is not imported at all.
            return [_refusal(name, m, refused) for m in messages]
        stored = session.scalar(select(ImportedFile).where(ImportedFile.sha256 == file_sha))
        if stored is None:
            stored = ImportedFile(
                sha256=file_sha, name=name[:255], data=data, imported_at=now, imported_by=user
            )
            session.add(stored)
            session.flush()
        lines = []
        for message in messages:
            if message.sha256 in known:
                lines.append(
                    ImportLine(name, message.index, "already imported", *known[message.sha256])
                )
                continue
            lines.append(
                _land(
                    session,
                    store,
                    message,
                    stored,
                    name=name,
                    user=user,
                    now=now,
                    form_answers=form_answers if len(messages) == 1 else None,
                )
            )
    return lines


def import_files(
    store: Store, files: Iterable[tuple[str, bytes]], *, user: str, now: datetime | None = None
) -> list[ImportLine]:
    """Each file on its own (one refused file does not stop the others)."""
    return [
        line
        for name, data in files
        for line in import_file(store, data, name=name, user=user, now=now)
    ]


# ---------------------------------------------------------------- reading the file


def _messages(
    data: bytes, root: etree._Element, reports: list[ReadReport], today: date
) -> list[_Message]:
    """Each ICSR with the sha256 of its canonical XML and everything said about it: the file's
    schema and header findings, its XML rule findings, the reader's and the model's."""
    elements = icsr_messages(root)
    file_findings = schema_findings(root) + header_findings(root)
    out = []
    for index, (element, read) in enumerate(zip(elements, reports, strict=True), start=1):
        canonical = etree.tostring(element, method="c14n")
        findings = file_findings + message_findings(element, today) + list(read.findings)
        report = None
        if read.report is not None and not has_errors(read.findings):
            report = Report.from_icsr(read.report)
        xml = data if len(elements) == 1 else _alone(root, index - 1)
        out.append(_Message(index, hashlib.sha256(canonical).hexdigest(), xml, report, findings))
    return out


def _alone(root: etree._Element, keep: int) -> bytes:
    """The batch with its header and one of its messages: a version holds its own case only."""
    copy = deepcopy(root)
    for n, element in enumerate(icsr_messages(copy)):
        if n != keep:
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
    return etree.tostring(copy, xml_declaration=True, encoding="UTF-8")


def _refusal(name: str, message: _Message, refused: list[_Message]) -> ImportLine:
    if message in refused:
        errors = [f for f in message.findings if f.severity == "error"]
        reason = "; ".join(f"{f.element}: {f.message}" for f in errors[:3]) or "unreadable"
        return ImportLine(name, message.index, "refused", reason=reason)
    numbers = ", ".join(f"#{m.index}" for m in refused)
    return ImportLine(
        name, message.index, "refused", reason=f"the file is not imported: {numbers} cannot be read"
    )


def _known(session: Session, shas: list[str]) -> dict[str, tuple[str, int]]:
    """Messages imported before: sha256 -> (case ID, version)."""
    rows = session.execute(
        select(CaseVersion.source_sha256, Case.case_id, CaseVersion.version)
        .join(Case, Case.id == CaseVersion.case_pk)
        .where(CaseVersion.source_sha256.in_(shas))
    )
    return {str(sha): (str(case_id), int(version)) for sha, case_id, version in rows}


# ---------------------------------------------------------------- landing one ICSR


def _land(
    session: Session,
    store: Store,
    message: _Message,
    file: ImportedFile,
    *,
    name: str,
    user: str,
    now: datetime,
    form_answers: str | None = None,
) -> ImportLine:
    report = message.report
    assert report is not None
    case = _case_named_by(session, report)
    outcome: Outcome
    if case is None:
        case = _new_case(session, store, report, user=user, now=now)
        version, outcome, reason = 1, "created", ""
    else:
        version, outcome, reason = _follow_up(session, case, report, user=user, now=now)
    _remember_identifiers(session, case, report)
    session.add(
        CaseVersion(
            case_pk=case.id,
            version=version,
            received_at=now,
            received_by=user,
            xml=message.xml,
            findings=json.dumps([asdict(f) for f in message.findings], ensure_ascii=False),
            report=report.model_dump_json(),
            most_recent=report.case.most_recent,
            stale=outcome == "stale",
            source_sha256=message.sha256,
            file_id=file.id,
            form_answers=form_answers,
        )
    )
    session.flush()
    # The trail's 'create' and 'version' rows carry the XML checksum `audit verify` checks.
    audit.append(
        session,
        user=user,
        action="create" if outcome == "created" else "version",
        at=now,
        case_id=case.case_id,
        detail={
            "version": version,
            "serious": report.serious,
            "xml_sha256": audit.sha256_hex(message.xml),
            "imported": {
                "outcome": outcome,
                "file": name,
                "file_sha256": file.sha256,
                "message": message.index,
                "message_sha256": message.sha256,
            },
        },
    )
    return ImportLine(name, message.index, outcome, case.case_id, version, reason)


def _case_named_by(session: Session, report: Report) -> Case | None:
    """The case a received ICSR is about: by C.1.8.1, else C.1.1 (our own case IDs included)."""
    for value in (report.case.worldwide_case_id, report.case.sender_report_id):
        if not value:
            continue
        case = session.scalar(select(Case).where(Case.case_id == value).with_for_update())
        if case is not None:
            return case
        case = session.scalar(
            select(Case)
            .join(CaseIdentifier, CaseIdentifier.case_pk == Case.id)
            .where(CaseIdentifier.value == value)
            .with_for_update()
        )
        if case is not None:
            return case
    return None


def _new_case(session: Session, store: Store, report: Report, *, user: str, now: datetime) -> Case:
    number = CaseNumber(allocated_at=now)
    session.add(number)
    session.flush()
    case_id = case_id_for(store.settings, number.id)
    return new_case(session, number.id, case_id, report, user=user, now=now)


def _follow_up(
    session: Session, case: Case, report: Report, *, user: str, now: datetime
) -> tuple[int, Outcome, str]:
    """The next version of `case`: current unless older than the newest information."""
    version = 1 + (
        session.scalar(select(func.max(CaseVersion.version)).where(CaseVersion.case_pk == case.id))
        or 0
    )
    newest = session.scalar(
        select(CaseVersion.most_recent).where(
            CaseVersion.case_pk == case.id, CaseVersion.version == case.current_version
        )
    )
    incoming = report.case.most_recent
    if newest and incoming and is_before(incoming, newest) and incoming != newest:
        return (
            version,
            "stale",
            f"C.1.5 {incoming} is older than the current {newest}; kept, not current",
        )
    categories = list(
        session.scalars(select(CaseCategory.category).where(CaseCategory.case_pk == case.id))
    )
    columns = case_columns(report)
    if not columns["categories"] and categories:
        columns["categories"] = "\n".join(categories)  # a partner's file has no guide category
    # The clock restarts from the new information (C.1.5), at the seriousness it now has.
    latest = bounds(incoming)[0].date() if incoming else now.date()
    columns["due_date"] = due_date(latest, columns["serious"])
    for field, value in columns.items():
        if field != "first_received":
            setattr(case, field, value)
    case.current_version = version
    case.revision += 1
    case.updated_at = now
    duplicate_log.refresh(session, case, report, user=user, now=now)
    reason = ""
    if case.status not in (CaseStatus.RECEIVED.value, CaseStatus.IN_REVIEW.value):
        session.add(
            StatusChange(
                case_pk=case.id,
                from_status=case.status,
                to_status=CaseStatus.IN_REVIEW.value,
                at=now,
                user=user,
                comment=f"follow-up version {version} imported",
            )
        )
        reason = f"reopened from {CaseStatus(case.status).label}"
        audit.append(
            session,
            user=user,
            action="status",
            at=now,
            case_id=case.case_id,
            detail={
                "from": case.status,
                "to": CaseStatus.IN_REVIEW.value,
                "comment": f"follow-up version {version} imported",
            },
        )
        case.status = CaseStatus.IN_REVIEW.value
    return version, "follow-up", reason


def _remember_identifiers(session: Session, case: Case, report: Report) -> None:
    values = {report.case.worldwide_case_id, report.case.sender_report_id} - {None, case.case_id}
    have = set(
        session.scalars(select(CaseIdentifier.value).where(CaseIdentifier.case_pk == case.id))
    )
    for value in sorted(v for v in values - have if v):
        session.add(CaseIdentifier(case_pk=case.id, value=value[:100]))
