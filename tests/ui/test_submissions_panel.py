"""The submissions panel through AppTest, over a real SQLite log: each recipient's status and
clock, recording a submission (and a refused one), no "Send" without SMTP, the on-time table."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pv import transmissions as tx
from pv.config import Settings
from pv.store import Store
from pv.workflow import CaseStatus
from tests.pv import test_sending
from tests.pv.submissions import builder

certificate = test_sending.certificate  # the loopback SMTP server's fixtures, shared
smtp_server = test_sending.smtp_server

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def panel_app() -> None:
    """The panel for the case named in PV_TEST_CASE, as the case page would call it."""
    import os

    from pv.sessions import Officer
    from ui import submissions_panel
    from ui.resources import store

    log = store()
    detail = log.get_case(os.environ["PV_TEST_CASE"])
    submissions_panel.render(log, detail, Officer("officer1", "officer", "0" * 64))
    submissions_panel.render_on_time(log)


@pytest.fixture
def case_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A case in review whose SFDA file was submitted 3 days late; the MAH's is not sent."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'log.db'}")
    monkeypatch.delenv("PV_SMTP_HOST", raising=False)
    st.cache_resource.clear()
    store = Store.open()
    try:
        case = store.submit(builder(validate=False), now=NOW).case_id
        store.change_status(case, CaseStatus.IN_REVIEW, user="o", now=NOW)
        settings = Settings(database_url="sqlite://")
        tx.prepare(store, case, "sfda", user="o", settings=settings, now=NOW)
        tx.prepare(store, case, "mah", user="o", settings=settings, now=NOW)
        tx.record_submission(
            store,
            case,
            "sfda",
            submitted_on=date(2026, 11, 1),
            channel="portal",
            reference="NPC-1",
            user="o",
            now=NOW,
        )
    finally:
        store.close()
    monkeypatch.setenv("PV_TEST_CASE", case)
    yield case
    st.cache_resource.clear()


def start() -> AppTest:
    at = AppTest.from_function(panel_app, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_each_recipient_shows_its_own_status_and_evidence(case_id: str) -> None:
    at = start()
    table = at.dataframe[0].value
    assert list(table["Recipient"]) == ["SFDA", "MAH"]
    assert table["Status"][0] == "Submitted 3 day(s) late"
    assert table["Status"][1].startswith("File prepared (overdue by ")
    assert (table["Channel"][0], table["Reference"][0]) == ("portal", "NPC-1")
    assert table["Batch ID"][1] == f"{case_id}-V1-MAH-1"
    # Without SMTP there is no send button, only the way by hand.
    assert not [b for b in at.button if b.label == "Send to SFDA and MAH"]
    assert any("No SMTP server" in c.value for c in at.caption)
    rates = at.dataframe[1].value
    assert list(rates["On time (%)"]) == [0]


def test_recording_the_mah_submission_updates_its_status(case_id: str) -> None:
    at = start()
    at.selectbox(key=f"sub.record.recipient.{case_id}").set_value("mah")
    at.date_input(key=f"sub.record.date.{case_id}").set_value(date(2026, 10, 28))
    at.selectbox(key=f"sub.record.channel.{case_id}").set_value("email")
    at.text_input(key=f"sub.record.reference.{case_id}").input("<id@example.org>")
    [submit] = [b for b in at.button if b.label == "Record submission"]
    submit.click().run()
    assert not at.exception
    shown = [s.value.replace("\\", "") for s in at.success]  # markdown escapes are dropped
    assert f"Recorded: {case_id}-V1-MAH-1, 0 day(s) late." in shown
    assert at.dataframe[0].value["Status"][1] == "Submitted on time"


def test_a_refused_record_is_shown_and_changes_nothing(case_id: str) -> None:
    at = start()
    at.selectbox(key=f"sub.record.recipient.{case_id}").set_value("mah")
    [submit] = [b for b in at.button if b.label == "Record submission"]
    submit.click().run()  # no reference
    assert any("reference" in e.value for e in at.error)
    assert at.dataframe[0].value["Status"][1].startswith("File prepared")


def test_send_to_sfda_and_mah_mails_each_its_file_and_records_the_message_id(
    case_id: str,
    smtp_server: tuple[Settings, test_sending.Mailbox],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With SMTP configured the button sends over STARTTLS to the loopback server; each received
    mail is parsed, and its Message-ID and batch ID are the evidence the panel shows."""
    smtp, mailbox = smtp_server
    for name, value in {
        "PV_SMTP_HOST": smtp.smtp_host,
        "PV_SMTP_PORT": str(smtp.smtp_port),
        "PV_SMTP_USER": smtp.smtp_user,
        "PV_SMTP_PASSWORD": smtp.smtp_password,
        "PV_SMTP_FROM": smtp.smtp_from,
        "PV_SMTP_CA_FILE": smtp.smtp_ca_file,
        "PV_SMTP_TIMEOUT": "5",
    }.items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()  # the app's settings, read again with SMTP configured
    at = start()
    [send] = [b for b in at.button if b.label == "Send to SFDA and MAH"]
    send.click().run()
    assert not at.exception
    assert len(mailbox.received) == 2
    store = Store.open()
    try:
        sent = {r.recipient: r for r in tx.transmissions(store, case_id) if r.channel == "email"}
        assert set(sent) == {"sfda", "mah"}
        for _sender, recipients, content in mailbox.received:
            message = email.message_from_bytes(content, _class=EmailMessage, policy=policy.SMTP)
            [record] = [r for r in sent.values() if r.reference == message["Message-ID"]]
            address = smtp.sfda_recipient if record.recipient == "sfda" else smtp.mah_recipient
            assert recipients == [address]
            [xml] = [
                part.get_content()
                for part in message.iter_attachments()
                if part.get_content_type() == "application/xml"
            ]
            xml_bytes = xml if isinstance(xml, bytes) else xml.encode()
            assert f'extension="{record.batch_id}"'.encode() in xml_bytes  # N.1.2
        table = at.dataframe[0].value
        assert list(table["Channel"]) == ["email", "email"]
        assert store.verify_audit() == []
    finally:
        store.close()
