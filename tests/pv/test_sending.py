"""Sending the report e-mail to a real SMTP server on the loopback (aiosmtpd), with STARTTLS
against a certificate made for the test and AUTH; the message the server received is parsed."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pv.config import Settings
from pv.email import build_eml, draft_email
from pv.sending import SendFailed, send
from tests.pv.submissions import make_submission

USER, PASSWORD = "pv-sender", "correct horse battery staple"
SENDER = "pv@example.org"
NOW = dt.datetime(2026, 11, 30, 8, 30, tzinfo=dt.UTC)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and its key): the client trusts it as its CA."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
        .not_valid_after(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@dataclass
class Mailbox:
    """What the server accepted; recipients in `refuse` get a 550."""

    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.received.append((str(envelope.mail_from), list(envelope.rcpt_tos), content))
        return "250 2.0.0 queued"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server(certificate: tuple[Path, Path]) -> Iterator[tuple[Settings, Mailbox]]:
    import ssl

    cert_file, key_file = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=_authenticate,
    )
    controller.start()
    settings = Settings(
        database_url="sqlite://",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=True,
        smtp_user=USER,
        smtp_password=PASSWORD,
        smtp_from=SENDER,
        smtp_timeout=5.0,
        smtp_ca_file=str(cert_file),
    )
    try:
        yield settings, mailbox
    finally:
        controller.stop()


def report_eml() -> bytes:
    submission = make_submission("SA-LEMTRADAPV-000123")
    draft = draft_email(submission.report)
    return build_eml(draft, submission.xml, "SA-LEMTRADAPV-000123.xml", now=NOW)


def test_the_report_reaches_both_recipients_over_starttls_with_its_xml(
    smtp_server: tuple[Settings, Mailbox],
) -> None:
    settings, mailbox = smtp_server
    sent = send(report_eml(), settings, now=NOW)
    assert sent.recipients == (settings.sfda_recipient, settings.mah_recipient)
    assert sent.sent_at == NOW
    [(mail_from, rcpt, content)] = mailbox.received
    assert mail_from == SENDER
    assert rcpt == list(sent.recipients)
    message = email.message_from_bytes(content, _class=EmailMessage, policy=email.policy.SMTP)
    assert message["Message-ID"] == sent.message_id
    assert sent.message_id.endswith("@example.org>")
    assert message["From"] == SENDER
    assert message["X-Unsent"] is None  # the draft marker is gone
    [xml] = [p for p in message.iter_attachments() if p.get_content_type() == "application/xml"]
    assert xml.get_filename() == "SA-LEMTRADAPV-000123.xml"
    assert b"SA-LEMTRADAPV-000123" in xml.get_payload(decode=True)


def test_a_refused_recipient_means_not_sent(smtp_server: tuple[Settings, Mailbox]) -> None:
    settings, mailbox = smtp_server
    mailbox.refuse.add(settings.mah_recipient)
    with pytest.raises(SendFailed, match=r"refused some recipients: .*550"):
        send(report_eml(), settings)


def test_every_recipient_refused_is_said_so(smtp_server: tuple[Settings, Mailbox]) -> None:
    settings, mailbox = smtp_server
    mailbox.refuse.update({settings.mah_recipient, settings.sfda_recipient})
    with pytest.raises(SendFailed, match="refused every recipient"):
        send(report_eml(), settings)
    assert mailbox.received == []


def test_a_wrong_password_is_named(smtp_server: tuple[Settings, Mailbox]) -> None:
    settings, mailbox = smtp_server
    with pytest.raises(SendFailed, match="user name and password"):
        send(report_eml(), replace(settings, smtp_password="wrong"))
    assert mailbox.received == []


def test_an_untrusted_certificate_sends_nothing(smtp_server: tuple[Settings, Mailbox]) -> None:
    settings, mailbox = smtp_server
    with pytest.raises(SendFailed, match="encrypted connection"):
        send(report_eml(), replace(settings, smtp_ca_file=""))
    assert mailbox.received == []


def test_without_starttls_the_server_refuses_and_nothing_is_sent(
    smtp_server: tuple[Settings, Mailbox],
) -> None:
    settings, mailbox = smtp_server
    with pytest.raises(SendFailed):
        send(report_eml(), replace(settings, smtp_starttls=False))
    assert mailbox.received == []


def test_a_server_that_never_answers_times_out() -> None:
    """A listener that accepts and stays silent: the send gives up after the timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    settings = Settings(
        database_url="sqlite://",
        smtp_host="127.0.0.1",
        smtp_port=listener.getsockname()[1],
        smtp_from=SENDER,
        smtp_timeout=0.5,
    )
    try:
        with pytest.raises(SendFailed, match=r"did not answer within 0\.5 seconds"):
            send(report_eml(), settings)
    finally:
        for conn in accepted:
            conn.close()
        listener.close()


def test_nothing_listening_is_a_clear_failure() -> None:
    settings = Settings(
        database_url="sqlite://", smtp_host="127.0.0.1", smtp_port=_free_port(), smtp_from=SENDER
    )
    with pytest.raises(SendFailed, match=r"could not reach 127\.0\.0\.1"):
        send(report_eml(), settings)


def test_unconfigured_sends_nothing_and_says_what_to_set() -> None:
    with pytest.raises(SendFailed, match="PV_SMTP_HOST"):
        send(report_eml(), Settings(database_url="sqlite://", smtp_host=""))
    with pytest.raises(SendFailed, match="PV_SMTP_FROM"):
        send(report_eml(), Settings(database_url="sqlite://", smtp_host="127.0.0.1"))


def test_a_sender_address_cannot_inject_headers(smtp_server: tuple[Settings, Mailbox]) -> None:
    settings, mailbox = smtp_server
    hostile = replace(settings, smtp_from="pv@example.org\r\nBcc: thief@example.com")
    send(report_eml(), hostile)
    [(_, rcpt, content)] = mailbox.received
    assert "thief@example.com" not in rcpt
    message = email.message_from_bytes(content, policy=email.policy.SMTP)
    assert message["Bcc"] is None
    assert "\r\nBcc:" not in content.decode("ascii", "replace")
