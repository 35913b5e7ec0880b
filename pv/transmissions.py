"""Submission evidence: each file sent to SFDA or the MAH, each recipient with its own clock.

A transmission is one file for one recipient: the version's XML with a fresh batch ID (N.1.2) and
that recipient as receiver (N.1.4, N.2.r.3), kept byte for byte. Recording its submission (date,
channel, reference) computes the days late against that recipient's due date for that version;
the SFDA submission moves the case from in review to submitted to SFDA. N.2.r.1 stays C.1.1, as
the ICH element list asks; a send is told apart by its batch ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal, get_args

from lxml import etree
from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from e2b.dates import datetime_to_hl7
from e2b.mapping import OID_BATCH_ID, OID_BATCH_RECEIVER, OID_MESSAGE_RECEIVER
from e2b.schema import schema_findings
from e2b.xmlsafe import parse_bytes
from e2b.xpath import select as xselect
from e2b.xpath import select_one
from pv import audit
from pv.clock import clock_start, version_due_date
from pv.config import Settings
from pv.email import one_line
from pv.model import Report
from pv.store import Store, case_for_update, move_status
from pv.tables import Case, CaseVersion, Transmission
from pv.workflow import CaseStatus

Recipient = Literal["sfda", "mah"]
RECIPIENTS: tuple[Recipient, ...] = get_args(Recipient)
Channel = Literal["email", "portal", "gateway"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
State = Literal["pending", "prepared", "submitted", "acknowledged", "rejected"]

RECIPIENT_LABELS: dict[Recipient, str] = {"sfda": "SFDA", "mah": "MAH"}
ACCEPTED = ("AA", "CA")  # ACK.A.4 / ACK.B.r.6: accepted
REFUSED = ("AE", "AR", "CR")  # an error in the batch or the message: not loaded as sent
REFERENCE_LIMIT = 300


class TransmissionError(ValueError):
    """A preparation or submission record the log refuses; `str(error)` is one sentence."""


@dataclass(frozen=True)
class TransmissionRecord:
    """One file for one recipient, with its submission evidence and acknowledgement."""

    id: int
    case_id: str
    version: int
    recipient: Recipient
    batch_id: str
    message_id: str
    prepared_at: datetime
    prepared_by: str
    due_date: date
    submitted_on: date | None
    channel: str | None
    reference: str | None
    recorded_by: str | None
    days_late: int | None
    ack_code: str | None
    ack_at: datetime | None
    ack_id: str | None
    ack_local_id: str | None
    ack_text: str | None

    @property
    def state(self) -> State:
        if self.ack_code in ACCEPTED:
            return "acknowledged"
        if self.ack_code in REFUSED:
            return "rejected"
        return "submitted" if self.submitted_on is not None else "prepared"


@dataclass(frozen=True)
class RecipientStatus:
    """Where the current version stands with one recipient, and its clock."""

    recipient: Recipient
    version: int
    due_date: date
    state: State
    days_late: int | None  # of the submission, when submitted
    days_left: int  # until the due date (negative: overdue); meaningful while not submitted
    latest: TransmissionRecord | None

    @property
    def label(self) -> str:
        """'submitted 3 days late', 'acknowledged', 'pending (due in 4 days)' ..."""
        if self.state in ("pending", "prepared"):
            if self.days_left < 0:
                clock = f"overdue by {-self.days_left} day{'s' if self.days_left != -1 else ''}"
            else:
                clock = f"due in {self.days_left} day{'s' if self.days_left != 1 else ''}"
            return f"{self.state} ({clock})"
        if self.state == "rejected":
            return "rejected by receiver"
        if self.state == "acknowledged":
            return "acknowledged"
        late = self.days_late or 0
        return (
            f"submitted {late} day{'s' if late != 1 else ''} late"
            if late
            else ("submitted on time")
        )


@dataclass(frozen=True)
class OnTimeRate:
    """Submissions recorded in one month to one recipient, and how many were on time."""

    month: str  # "2026-11"
    recipient: Recipient
    submitted: int
    on_time: int

    @property
    def rate(self) -> float:
        return self.on_time / self.submitted if self.submitted else 0.0


def receiver_id(settings: Settings, recipient: Recipient) -> str:
    """N.1.4 / N.2.r.3 of the file for `recipient`."""
    return settings.receiver_id if recipient == "sfda" else settings.mah_receiver_id


def prepare(
    store: Store,
    case_id: str,
    recipient: Recipient,
    *,
    user: str,
    settings: Settings,
    now: datetime | None = None,
) -> tuple[TransmissionRecord, bytes]:
    """The current version's file for `recipient`, with a fresh batch ID; kept and audited."""
    _check_recipient(recipient)
    now = _utc(now).replace(microsecond=0)
    with store.write_session() as session, session.begin():
        case = case_for_update(session, case_id)
        version = _current_version(session, case)
        count = (
            session.scalar(
                select(func.count())
                .select_from(Transmission)
                .where(
                    Transmission.case_pk == case.id,
                    Transmission.version == case.current_version,
                    Transmission.recipient == recipient,
                )
            )
            or 0
        )
        batch_id = f"{case_id}-V{case.current_version}-{recipient.upper()}-{count + 1}"
        xml, message_id = _readdressed(
            version.xml, batch_id=batch_id, receiver=receiver_id(settings, recipient), now=now
        )
        report = Report.model_validate_json(version.report)
        row = Transmission(
            case_pk=case.id,
            version=case.current_version,
            recipient=recipient,
            batch_id=batch_id,
            message_id=message_id,
            xml=xml,
            prepared_at=now,
            prepared_by=user,
            due_date=version_due_date(report, case.current_version),
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            user=user,
            action="prepare",
            at=now,
            case_id=case_id,
            detail={
                "version": row.version,
                "recipient": recipient,
                "batch_id": batch_id,
                "xml_sha256": audit.sha256_hex(xml),
            },
        )
        return _record(row, case_id), xml


def record_submission(
    store: Store,
    case_id: str,
    recipient: Recipient,
    *,
    submitted_on: date,
    channel: Channel,
    reference: str,
    user: str,
    batch_id: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> TransmissionRecord:
    """Record that the prepared file (`batch_id`, default: the newest unsent one of the current
    version) reached `recipient`; the SFDA submission moves the case to submitted to SFDA."""
    _check_recipient(recipient)
    now = _utc(now)
    today = today or now.date()
    if channel not in CHANNELS:
        raise TransmissionError(f"The channel must be one of {', '.join(CHANNELS)}.")
    reference = one_line(reference).strip()
    if not reference or len(reference) > REFERENCE_LIMIT:
        raise TransmissionError(
            "Give the submission's reference (e-mail Message-ID, portal or gateway reference), "
            f"at most {REFERENCE_LIMIT} characters."
        )
    if submitted_on > today:
        raise TransmissionError(f"The submission date {submitted_on} is in the future.")
    with store.write_session() as session, session.begin():
        case = case_for_update(session, case_id)
        row = _unsent(session, case, recipient, batch_id)
        version = session.scalar(
            select(CaseVersion).where(
                CaseVersion.case_pk == case.id, CaseVersion.version == row.version
            )
        )
        assert version is not None  # a transmission is always made from a stored version
        report = Report.model_validate_json(version.report)
        received = clock_start(report, row.version)
        if submitted_on < received:
            raise TransmissionError(
                f"The submission date {submitted_on} is before the case was received ({received})."
            )
        moves = recipient == "sfda" and row.version == case.current_version
        if moves and CaseStatus(case.status) is CaseStatus.RECEIVED:
            raise TransmissionError(
                f"Case {case_id} is still Received: review it before recording its submission "
                "to SFDA."
            )
        row.submitted_on = submitted_on
        row.channel = channel
        row.reference = reference
        row.recorded_by = user
        row.recorded_at = now
        row.days_late = max((submitted_on - row.due_date).days, 0)
        if moves and CaseStatus(case.status) is CaseStatus.IN_REVIEW:
            move_status(
                session,
                case,
                CaseStatus.SUBMITTED_TO_SFDA,
                user=user,
                now=now,
                comment=f"{row.batch_id} submitted on {submitted_on} by {channel}",
            )
        audit.append(
            session,
            user=user,
            action="submission",
            at=now,
            case_id=case_id,
            detail={
                "version": row.version,
                "recipient": recipient,
                "batch_id": row.batch_id,
                "submitted_on": submitted_on.isoformat(),
                "channel": channel,
                "reference": reference,
                "due_date": row.due_date.isoformat(),
                "days_late": row.days_late,
            },
        )
        return _record(row, case_id)


def check_can_submit(store: Store, case_id: str, recipient: Recipient) -> None:
    """TransmissionError when a submission to `recipient` could not be recorded now (a send
    asks first, so nothing goes out that the log would then refuse)."""
    with store.read_session() as session:
        case = session.scalar(select(Case).where(Case.case_id == case_id))
        if case is None:
            raise TransmissionError(f"There is no case {case_id}.")
        if recipient == "sfda" and CaseStatus(case.status) is CaseStatus.RECEIVED:
            raise TransmissionError(
                f"Case {case_id} is still Received: review it before sending it to SFDA."
            )


def transmissions(store: Store, case_id: str) -> list[TransmissionRecord]:
    """Every file prepared for the case, oldest first."""
    with store.read_session() as session:
        rows = session.scalars(
            select(Transmission)
            .join(Case, Case.id == Transmission.case_pk)
            .where(Case.case_id == case_id)
            .order_by(Transmission.id)
        )
        return [_record(r, case_id) for r in rows]


def transmission_xml(store: Store, batch_id: str) -> bytes:
    """The file exactly as prepared (and sent)."""
    with store.read_session() as session:
        xml = session.scalar(select(Transmission.xml).where(Transmission.batch_id == batch_id))
    if xml is None:
        raise TransmissionError(f"No file was prepared with batch ID {batch_id}.")
    return bytes(xml)


def recipient_statuses(
    store: Store, case_id: str, *, today: date | None = None
) -> list[RecipientStatus]:
    """SFDA's and the MAH's status and clock for the case's current version."""
    today = today or date.today()
    with store.read_session() as session:
        case = session.scalar(select(Case).where(Case.case_id == case_id))
        if case is None:
            raise TransmissionError(f"There is no case {case_id}.")
        version = _current_version(session, case)
        due = version_due_date(Report.model_validate_json(version.report), case.current_version)
        rows = list(
            session.scalars(
                select(Transmission)
                .where(
                    Transmission.case_pk == case.id,
                    Transmission.version == case.current_version,
                )
                .order_by(Transmission.id)
            )
        )
        out = []
        for recipient in RECIPIENTS:
            mine = [_record(r, case_id) for r in rows if r.recipient == recipient]
            sent = [r for r in mine if r.submitted_on is not None]
            latest = sent[-1] if sent else (mine[-1] if mine else None)
            state: State = "pending" if latest is None else latest.state
            if state == "rejected" and mine[-1].submitted_on is None:
                latest, state = mine[-1], "prepared"  # a corrected file waits to go
            out.append(
                RecipientStatus(
                    recipient=recipient,
                    version=case.current_version,
                    due_date=latest.due_date if latest is not None else due,
                    state=state,
                    days_late=latest.days_late if latest is not None else None,
                    days_left=(due - today).days,
                    latest=latest,
                )
            )
        return out


def on_time_rates(store: Store) -> list[OnTimeRate]:
    """Per month of submission and recipient: each version's first recorded submission, and how
    many of those were on time; computed in SQL."""
    with store.read_session() as session:
        first = (
            select(func.min(Transmission.id))
            .where(Transmission.submitted_on.is_not(None))
            .group_by(Transmission.case_pk, Transmission.version, Transmission.recipient)
        )
        if session.get_bind().dialect.name == "postgresql":
            month = func.to_char(Transmission.submitted_on, "YYYY-MM")
        else:
            month = func.strftime("%Y-%m", Transmission.submitted_on)
        on_time = func.sum(sql_case((Transmission.days_late == 0, 1), else_=0))
        rows = session.execute(
            select(month, Transmission.recipient, func.count(), on_time)
            .where(Transmission.id.in_(first))
            .group_by(month, Transmission.recipient)
            .order_by(month, Transmission.recipient)
        ).all()
    return [OnTimeRate(str(m), r, int(n), int(ok or 0)) for m, r, n, ok in rows]


# ---------------------------------------------------------------- helpers


def _readdressed(xml: bytes, *, batch_id: str, receiver: str, now: datetime) -> tuple[bytes, str]:
    """The stored batch with a new N.1.2, N.1.5 and receiver (N.1.4, each N.2.r.3); checked
    against the ICH XSD. Returns the XML and its N.2.r.1."""
    root = parse_bytes(xml).getroot()
    _set_id(select_one(root, "id"), OID_BATCH_ID, batch_id, "N.1.2")
    created = select_one(root, "creationTime")
    if created is None:
        raise TransmissionError("The stored batch has no creation time (N.1.5).")
    created.set("value", datetime_to_hl7(now))
    _set_id(select_one(root, "receiver/device/id"), OID_BATCH_RECEIVER, receiver, "N.1.4")
    message_ids = []
    for message in xselect(root, "PORR_IN049016UV"):
        node = select_one(message, "receiver/device/id")
        _set_id(node, OID_MESSAGE_RECEIVER, receiver, "N.2.r.3")
        message_id = select_one(message, "id")
        message_ids.append(message_id.get("extension", "") if message_id is not None else "")
    if len(message_ids) != 1 or not message_ids[0]:
        raise TransmissionError("The stored version holds no single ICSR message with an ID.")
    errors = [f for f in schema_findings(root) if f.severity == "error"]
    if errors:
        raise TransmissionError(f"The file breaks the ICH schema: {errors[0].message}")
    data = bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return data, message_ids[0]


def _set_id(node: etree._Element | None, root: str, value: str, element: str) -> None:
    if node is None or node.get("root") != root:
        raise TransmissionError(f"The stored batch has no {element} to set.")
    node.set("extension", value)


def _current_version(session: Session, case: Case) -> CaseVersion:
    version = session.scalar(
        select(CaseVersion).where(
            CaseVersion.case_pk == case.id, CaseVersion.version == case.current_version
        )
    )
    assert version is not None  # a case always has its current version
    return version


def _unsent(
    session: Session, case: Case, recipient: Recipient, batch_id: str | None
) -> Transmission:
    statement = select(Transmission).where(
        Transmission.case_pk == case.id, Transmission.recipient == recipient
    )
    if batch_id is not None:
        row = session.scalar(statement.where(Transmission.batch_id == batch_id))
        if row is None:
            raise TransmissionError(
                f"No file for {RECIPIENT_LABELS[recipient]} with batch ID {batch_id}."
            )
        if row.submitted_on is not None:
            raise TransmissionError(
                f"{batch_id} was already recorded as submitted on {row.submitted_on}."
            )
        return row
    row = session.scalar(
        statement.where(
            Transmission.version == case.current_version, Transmission.submitted_on.is_(None)
        ).order_by(Transmission.id.desc())
    )
    if row is None:
        raise TransmissionError(
            f"Prepare the file for {RECIPIENT_LABELS[recipient]} first: the evidence names "
            "the file that was sent."
        )
    return row


def _record(row: Transmission, case_id: str) -> TransmissionRecord:
    recipient: Recipient = "sfda" if row.recipient == "sfda" else "mah"
    return TransmissionRecord(
        id=row.id,
        case_id=case_id,
        version=row.version,
        recipient=recipient,
        batch_id=row.batch_id,
        message_id=row.message_id,
        prepared_at=row.prepared_at,
        prepared_by=row.prepared_by,
        due_date=row.due_date,
        submitted_on=row.submitted_on,
        channel=row.channel,
        reference=row.reference,
        recorded_by=row.recorded_by,
        days_late=row.days_late,
        ack_code=row.ack_code,
        ack_at=row.ack_at,
        ack_id=row.ack_id,
        ack_local_id=row.ack_local_id,
        ack_text=row.ack_text,
    )


def _check_recipient(recipient: str) -> None:
    if recipient not in RECIPIENTS:
        raise TransmissionError(f"The recipient must be one of {', '.join(RECIPIENTS)}.")


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("times given to the log must be timezone-aware")
    return now.astimezone(UTC)
