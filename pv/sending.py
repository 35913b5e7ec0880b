"""Sending the report e-mail (.eml of `pv.email`) through the organisation's SMTP server.

Configured from the environment (`pv.config.Settings`: PV_SMTP_HOST, PV_SMTP_PORT,
PV_SMTP_STARTTLS, PV_SMTP_USER, PV_SMTP_PASSWORD, PV_SMTP_FROM, PV_SMTP_TIMEOUT,
PV_SMTP_CA_FILE). Without a host nothing is sent and the mailto / .eml path stays. A send either
returns its evidence (Message-ID, time, who accepted it) or raises `SendFailed` with a reason an
officer can act on: a refused or timed-out send is never reported as sent.
"""

from __future__ import annotations

import email
import email.policy
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid

from pv.config import Settings
from pv.email import MESSAGE_ID_DOMAIN, one_line


class SendFailed(RuntimeError):
    """The message was not sent (or not to everyone); the reason is in plain words."""


@dataclass(frozen=True)
class Sent:
    """Evidence of a send: what the receiving server accepted, and when."""

    message_id: str
    sent_at: datetime
    recipients: tuple[str, ...]
    server: str


def is_configured(settings: Settings) -> bool:
    """An SMTP host is set: the app offers "Send" instead of only the .eml and mailto."""
    return bool(settings.smtp_host)


def prepare(eml: bytes, settings: Settings, *, now: datetime | None = None) -> EmailMessage:
    """The draft .eml made ready to send: From the configured sender, a fresh Date and
    Message-ID, no "X-Unsent" (the draft marker for mail programs)."""
    sender = one_line(settings.smtp_from or settings.smtp_user)
    if not sender or "@" not in sender:
        raise SendFailed(
            "no sender address is configured: set PV_SMTP_FROM to the mailbox the reports go "
            "out from"
        )
    message = email.message_from_bytes(eml, _class=EmailMessage, policy=email.policy.SMTP)
    for header in ("From", "Sender", "Date", "Message-ID", "X-Unsent", "Bcc"):
        del message[header]
    message["From"] = sender
    moment = now if now is not None else datetime.now(UTC)
    message["Date"] = format_datetime(moment)
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    return message


def recipients(message: EmailMessage) -> tuple[str, ...]:
    """Every To and Cc address, once, in order."""
    found = getaddresses([str(v) for h in ("To", "Cc") for v in message.get_all(h, [])])
    seen: dict[str, None] = {}
    for _, address in found:
        if address and "@" in address:
            seen.setdefault(address, None)
    return tuple(seen)


def send(eml: bytes, settings: Settings, *, now: datetime | None = None) -> Sent:
    """Send the report e-mail; every recipient must be accepted, or it counts as not sent."""
    if not is_configured(settings):
        raise SendFailed("no SMTP server is configured (PV_SMTP_HOST); use the e-mail file")
    moment = now if now is not None else datetime.now(UTC)
    message = prepare(eml, settings, now=moment)
    to = recipients(message)
    if not to:
        raise SendFailed("the e-mail has no recipient")
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=_tls_context(settings))
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            refused = smtp.send_message(message, to_addrs=list(to))
    except smtplib.SMTPRecipientsRefused as error:
        raise SendFailed(
            f"{server} refused every recipient: {_refusals(error.recipients)}"
        ) from None
    except smtplib.SMTPAuthenticationError as error:
        raise SendFailed(
            f"{server} did not accept the user name and password ({error.smtp_code})"
        ) from None
    except smtplib.SMTPResponseException as error:
        reason = (
            error.smtp_error.decode("utf-8", "replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        raise SendFailed(
            f"{server} refused the message: {error.smtp_code} {one_line(reason)}"
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise SendFailed(
            f"{server} does not offer STARTTLS; the message was not sent unencrypted"
        ) from None
    except TimeoutError:
        raise SendFailed(
            f"{server} did not answer within {settings.smtp_timeout:g} seconds"
        ) from None
    except ssl.SSLError as error:
        raise SendFailed(
            f"the encrypted connection to {server} failed: {error.reason or error}"
        ) from None
    except smtplib.SMTPServerDisconnected as error:
        # smtplib reports a read that timed out as a dropped connection.
        if isinstance(error.__context__, TimeoutError):
            raise SendFailed(
                f"{server} did not answer within {settings.smtp_timeout:g} seconds"
            ) from None
        raise SendFailed(f"{server} closed the connection: {one_line(str(error))}") from None
    except (smtplib.SMTPException, OSError) as error:
        raise SendFailed(
            f"could not reach {server}: {one_line(str(error)) or type(error).__name__}"
        ) from None
    if refused:
        # Some recipients took it, some did not: an officer must know it is not "sent to both".
        raise SendFailed(f"{server} refused some recipients: {_refusals(refused)}")
    return Sent(
        message_id=str(message["Message-ID"]),
        sent_at=moment,
        recipients=to,
        server=server,
    )


def _tls_context(settings: Settings) -> ssl.SSLContext:
    """Certificate and host name checked, against the system's CAs or PV_SMTP_CA_FILE."""
    return ssl.create_default_context(cafile=settings.smtp_ca_file or None)


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{address} ({code} {one_line(text.decode('utf-8', 'replace'))})"
        for address, (code, text) in refused.items()
    )


def _domain(address: str) -> str:
    domain = address.rpartition("@")[2].strip(">").strip()
    return domain or MESSAGE_ID_DOMAIN
