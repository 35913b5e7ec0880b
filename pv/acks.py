"""E2B(R3) acknowledgements both ways: the receivers' ACKs of what we sent, matched to the
transmission by batch ID (N.1.2 = ACK.A.1) and message ID (N.2.r.1 = ACK.B.r.1); and our ACK of
each batch we import (`e2b.ack.acknowledge`).

A positive ACK (AA / CA) marks the transmission acknowledged with the receiver's IDs and date
(and an SFDA one moves the case to acknowledged); a negative one (AE / AR, CR) marks it rejected
by the receiver with its text and sends the case back to review. An ACK that matches nothing is
reported, never dropped; the same ACK twice changes nothing. Every outcome is audited.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select

from e2b.ack import Acknowledgement, MessageAck, acknowledge, read_ack, write_ack
from e2b.rules import icsr_messages
from e2b.xmlsafe import parse_bytes
from e2b.xpath import select_one
from pv import audit
from pv.config import Settings
from pv.importing import ImportLine
from pv.store import Store, move_status
from pv.tables import Case, Transmission
from pv.transmissions import ACCEPTED, RECIPIENT_LABELS
from pv.workflow import CaseStatus, allowed_next

Outcome = Literal[
    "acknowledged", "rejected by receiver", "already recorded", "unmatched", "conflict"
]
PROBLEMS: tuple[Outcome, ...] = ("unmatched", "conflict")


@dataclass(frozen=True)
class AckLine:
    """What one acknowledged message (or a batch ACK without messages) did."""

    file: str
    outcome: Outcome
    batch_id: str | None  # ACK.A.1
    message_id: str | None  # ACK.B.r.1
    code: str  # ACK.B.r.6, else ACK.A.4
    case_id: str | None = None
    version: int | None = None
    recipient: str | None = None
    text: str = ""

    def line(self) -> str:
        """'ack.xml: rejected by receiver SA-X-000001 v1 SFDA (batch ..., CR: reason)'."""
        case = ""
        if self.case_id is not None and self.recipient is not None:
            case = f" {self.case_id} v{self.version} {_label(self.recipient)}"
        ids = f"batch {self.batch_id or '-'}, message {self.message_id or '-'}, {self.code}"
        text = f": {self.text}" if self.text else ""
        return f"{self.file}: {self.outcome}{case} ({ids}{text})"


def apply_ack(
    store: Store, data: bytes, *, name: str, user: str, now: datetime | None = None
) -> list[AckLine]:
    """Record a received MCCI_IN200101UV01; one line per acknowledged message.

    Raises `e2b.xmlsafe.UnusableXMLError` or `e2b.ack.AckFormatError` for a file that cannot
    be read as an acknowledgement (nothing is recorded then).
    """
    now = now or datetime.now(UTC)
    ack = read_ack(data)
    sha = hashlib.sha256(data).hexdigest()
    batch_id = ack.acknowledged_batch.extension if ack.acknowledged_batch else None
    targets: list[MessageAck | None] = list(ack.messages) or [None]
    return [_apply_one(store, ack, batch_id, m, data, sha, name, user, now) for m in targets]


def _apply_one(
    store: Store,
    ack: Acknowledgement,
    batch_id: str | None,
    message: MessageAck | None,
    data: bytes,
    sha: str,
    name: str,
    user: str,
    now: datetime,
) -> AckLine:
    message_id = message.message_id.extension if message and message.message_id else None
    # A rejected batch (AR) rejects each message whatever the message says.
    code = message.code if message is not None and ack.code != "AR" else ack.code
    text = (message.text if message is not None and message.code == "CR" else None) or (
        ack.text if code not in ACCEPTED else None
    )
    ack_id = ack.batch_id.extension
    local_id = message.local_report_number if message is not None else None
    received_at = ack.created_at if ack.created_at.tzinfo else ack.created_at.replace(tzinfo=UTC)
    base = AckLine(name, "unmatched", batch_id, message_id, code)
    detail: dict[str, object] = {
        "ack_id": ack_id,
        "batch_id": batch_id,
        "message_id": message_id,
        "code": code,
        "file": name,
        "file_sha256": sha,
    }
    with store.write_session() as session, session.begin():
        statement = select(Transmission).where(Transmission.batch_id == batch_id)
        if message_id is not None:
            statement = statement.where(Transmission.message_id == message_id)
        row = session.scalar(statement) if batch_id else None
        if row is None:
            audit.append(
                session, user=user, action="ack", at=now, detail={**detail, "outcome": "unmatched"}
            )
            return replace(base, text="no file was sent with these IDs")
        # The case first, then its file, as pv.transmissions locks them (no deadlock).
        case = session.get_one(Case, row.case_pk, with_for_update=True)
        session.refresh(row, with_for_update=True)
        base = replace(base, case_id=case.case_id, version=row.version, recipient=row.recipient)
        if row.ack_id is not None:
            if row.ack_id == ack_id and row.ack_code == code:
                return replace(base, outcome="already recorded")
            audit.append(
                session,
                user=user,
                action="ack",
                at=now,
                case_id=case.case_id,
                detail={**detail, "outcome": "conflict", "recorded_ack_id": row.ack_id},
            )
            return replace(
                base,
                outcome="conflict",
                text=f"already acknowledged by {row.ack_id} ({row.ack_code}); nothing changed",
            )
        accepted = code in ACCEPTED
        row.ack_code = code
        row.ack_at = received_at
        row.ack_id = ack_id
        row.ack_local_id = local_id.extension if local_id is not None else None
        row.ack_text = text
        row.ack_xml = data
        outcome: Outcome = "acknowledged" if accepted else "rejected by receiver"
        if row.version == case.current_version:
            status = CaseStatus(case.status)
            target = None
            if accepted and row.recipient == "sfda" and status is CaseStatus.SUBMITTED_TO_SFDA:
                target = CaseStatus.ACKNOWLEDGED
            elif not accepted and CaseStatus.IN_REVIEW in allowed_next(status):
                target = CaseStatus.IN_REVIEW
            if target is not None and status is not CaseStatus.IN_REVIEW:
                move_status(
                    session,
                    case,
                    target,
                    user=user,
                    now=now,
                    comment=f"{row.batch_id}: {code} from {_label(row.recipient)}",
                )
        audit.append(
            session,
            user=user,
            action="ack",
            at=now,
            case_id=case.case_id,
            detail={
                **detail,
                "outcome": outcome,
                "version": row.version,
                "recipient": row.recipient,
                "ack_at": received_at.isoformat(),
                "local_id": row.ack_local_id,
                "text": text,
            },
        )
        return replace(base, outcome=outcome, text=text or "")


def _label(recipient: str) -> str:
    return RECIPIENT_LABELS["sfda"] if recipient == "sfda" else RECIPIENT_LABELS["mah"]


# ---------------------------------------------------------------- our ACK of an imported file


def ack_for_import(
    data: bytes, lines: list[ImportLine], *, settings: Settings, now: datetime | None = None
) -> bytes | None:
    """The MCCI_IN200101UV01 answering an imported file: AA when every ICSR was taken, AE with
    each refused ICSR's reason (CR); None for a file that names no parties (not a batch)."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    if any(line.index == 0 for line in lines):
        return None
    messages = icsr_messages(parse_bytes(data).getroot())
    errors: dict[str, str] = {}
    for line in lines:
        if line.outcome != "refused" or not 0 < line.index <= len(messages):
            continue
        node = select_one(messages[line.index - 1], "id")
        message_id = None if node is None else node.get("extension")
        if message_id:
            errors[message_id] = line.reason or "refused"
    ack = acknowledge(
        data,
        now=now,
        message_errors=errors,
        ack_id=f"ACK-{settings.sender_id}-{now:%Y%m%d%H%M%S}-{hashlib.sha256(data).hexdigest()[:8]}",
    )
    return write_ack(ack)
