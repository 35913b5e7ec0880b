"""Sending a case to SFDA and the MAH by e-mail, each its own file and message, each send
recorded as that recipient's submission (channel e-mail, reference the Message-ID).

A recipient whose send is refused or times out gets nothing recorded: its outcome carries the
reason and the other recipient is still tried (each has its own clock).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from pv.config import Settings
from pv.email import build_eml, draft_email, xml_filename
from pv.sending import SendFailed, Sent, is_configured, send
from pv.store import Store
from pv.transmissions import (
    RECIPIENT_LABELS,
    RECIPIENTS,
    Recipient,
    TransmissionError,
    TransmissionRecord,
    check_can_submit,
    prepare,
    record_submission,
)


@dataclass(frozen=True)
class SendOutcome:
    """What became of the send to one recipient: the evidence, or why nothing was sent."""

    recipient: Recipient
    sent: Sent | None = None
    record: TransmissionRecord | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.record is not None

    def line(self) -> str:
        who = RECIPIENT_LABELS[self.recipient]
        if self.record is not None and self.sent is not None:
            return f"{who}: sent as {self.record.batch_id} (Message-ID {self.sent.message_id})"
        return f"{who}: not sent: {self.error}"


def recipient_address(settings: Settings, recipient: Recipient) -> str:
    return settings.sfda_recipient if recipient == "sfda" else settings.mah_recipient


def send_to_recipients(
    store: Store,
    case_id: str,
    settings: Settings,
    *,
    user: str,
    recipients: tuple[Recipient, ...] = RECIPIENTS,
    now: datetime | None = None,
) -> list[SendOutcome]:
    """Prepare, send and record the current version for each recipient, one e-mail each.

    Raises SendFailed when no SMTP server is configured (nothing is prepared then).
    """
    if not is_configured(settings):
        raise SendFailed("no SMTP server is configured (PV_SMTP_HOST); use the e-mail file")
    report = store.current_report(case_id)
    draft = draft_email(report, settings)
    outcomes = []
    for recipient in recipients:
        try:
            check_can_submit(store, case_id, recipient)
        except TransmissionError as error:
            outcomes.append(SendOutcome(recipient, error=str(error)))
            continue
        moment = now or datetime.now(UTC)
        prepared, xml = prepare(store, case_id, recipient, user=user, settings=settings, now=moment)
        mine = replace(draft, to=(recipient_address(settings, recipient),), cc=())
        eml = build_eml(mine, xml, xml_filename(report), now=moment)
        try:
            sent = send(eml, settings, now=moment)
        except SendFailed as error:
            store.record(
                "send_failed",
                user=user,
                case_id=case_id,
                detail={
                    "recipient": recipient,
                    "batch_id": prepared.batch_id,
                    "reason": str(error),
                },
                now=moment,
            )
            outcomes.append(SendOutcome(recipient, error=str(error)))
            continue
        day = sent.sent_at.astimezone(UTC).date()
        record = record_submission(
            store,
            case_id,
            recipient,
            submitted_on=day,
            channel="email",
            reference=sent.message_id,
            user=user,
            batch_id=prepared.batch_id,
            today=day,
            now=moment,
        )
        outcomes.append(SendOutcome(recipient, sent=sent, record=record))
    return outcomes
