"""Sending a case to SFDA and the MAH through a real SMTP server on the loopback (aiosmtpd, with
STARTTLS and AUTH, the fixtures of test_sending), on SQLite and PostgreSQL: each received message
is parsed and its XML's batch ID is the one recorded; a refused or timed-out send records nothing."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from e2b.validate import validate_bytes
from e2b.xmlsafe import parse_bytes
from e2b.xpath import select_one
from pv import transmissions as tx
from pv.config import Settings
from pv.dispatch import send_to_recipients
from pv.sending import SendFailed
from pv.store import Store
from pv.workflow import CaseStatus
from tests.pv import test_sending
from tests.pv.submissions import builder

certificate = test_sending.certificate  # the fixtures, shared
smtp_server = test_sending.smtp_server
Mailbox = test_sending.Mailbox
NOW = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)  # N.1.5 may not be after the real clock


def _case(store: Store, *, review: bool = True) -> str:
    case_id = store.submit(builder(validate=False), now=NOW).case_id
    if review:
        store.change_status(case_id, CaseStatus.IN_REVIEW, user="o", now=NOW)
    return case_id


def _parsed(content: bytes) -> tuple[EmailMessage, bytes]:
    message = email.message_from_bytes(content, _class=EmailMessage, policy=email.policy.SMTP)
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "application/xml"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return message, payload


def test_each_recipient_gets_its_own_mail_and_file_recorded_as_submitted(
    store: Store, smtp_server: tuple[Settings, test_sending.Mailbox]
) -> None:
    settings, mailbox = smtp_server
    case_id = _case(store)
    outcomes = send_to_recipients(store, case_id, settings, user="o", now=NOW)
    assert [o.ok for o in outcomes] == [True, True]
    records = {t.recipient: t for t in tx.transmissions(store, case_id)}
    assert len(mailbox.received) == 2
    for (_, rcpt, content), recipient, address, receiver in zip(
        mailbox.received,
        ("sfda", "mah"),
        (settings.sfda_recipient, settings.mah_recipient),
        (settings.receiver_id, settings.mah_receiver_id),
        strict=True,
    ):
        message, xml = _parsed(content)
        assert rcpt == [address] and message["To"] == address
        record = records[recipient]
        root = parse_bytes(xml).getroot()
        batch_id = select_one(root, "id")
        assert batch_id is not None and batch_id.get("extension") == record.batch_id
        device = select_one(root, "receiver/device/id")
        assert device is not None and device.get("extension") == receiver
        assert xml == tx.transmission_xml(store, record.batch_id)
        assert [f for f in validate_bytes(xml, NOW.date()) if f.severity == "error"] == []
        assert (record.channel, record.reference, record.submitted_on) == (
            "email",
            message["Message-ID"],
            NOW.date(),
        )
    assert store.get_case(case_id).row.status is CaseStatus.SUBMITTED_TO_SFDA
    assert store.verify_audit() == []


def test_a_refused_recipient_is_not_recorded_as_submitted(
    store: Store, smtp_server: tuple[Settings, test_sending.Mailbox]
) -> None:
    settings, mailbox = smtp_server
    mailbox.refuse.add(settings.mah_recipient)
    case_id = _case(store)
    sfda, mah = send_to_recipients(store, case_id, settings, user="o", now=NOW)
    assert sfda.ok and not mah.ok
    assert mah.error is not None and "550" in mah.error
    assert mah.line().startswith("MAH: not sent: ")
    statuses = tx.recipient_statuses(store, case_id, today=NOW.date())
    assert [s.state for s in statuses] == ["submitted", "prepared"]
    [failed] = [r for r in store.audit_trail(case_id) if r.action == "send_failed"]
    assert failed.detail["recipient"] == "mah"
    assert store.verify_audit() == []


def test_a_received_case_is_not_sent_to_sfda(
    store: Store, smtp_server: tuple[Settings, test_sending.Mailbox]
) -> None:
    settings, mailbox = smtp_server
    case_id = _case(store, review=False)
    sfda, mah = send_to_recipients(store, case_id, settings, user="o", now=NOW)
    assert sfda.error is not None and "still Received" in sfda.error
    assert mah.ok
    assert [rcpt for _, rcpt, _ in mailbox.received] == [[settings.mah_recipient]]
    assert store.get_case(case_id).row.status is CaseStatus.RECEIVED


def test_a_timed_out_send_records_nothing(store: Store) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []

    def accept() -> None:
        for _ in range(2):
            accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    settings = Settings(
        database_url="sqlite://",
        smtp_host="127.0.0.1",
        smtp_port=listener.getsockname()[1],
        smtp_from="pv@example.org",
        smtp_timeout=0.5,
    )
    case_id = _case(store)
    try:
        outcomes = send_to_recipients(store, case_id, settings, user="o", now=NOW)
    finally:
        for conn in accepted:
            conn.close()
        listener.close()
    assert [o.ok for o in outcomes] == [False, False]
    assert all("did not answer within 0.5 seconds" in (o.error or "") for o in outcomes)
    assert all(t.submitted_on is None for t in tx.transmissions(store, case_id))
    assert store.get_case(case_id).row.status is CaseStatus.IN_REVIEW


def test_without_smtp_nothing_is_prepared(store: Store) -> None:
    case_id = _case(store)
    with pytest.raises(SendFailed, match="PV_SMTP_HOST"):
        send_to_recipients(store, case_id, Settings(database_url="sqlite://"), user="o")
    assert tx.transmissions(store, case_id) == []
