"""Acknowledgements on SQLite and PostgreSQL: the receiver's ACK of a file we sent, made by the
E2B engine as a receiver would make it, matched by batch and message ID; positive, negative,
unmatched, twice; audited with the chain intact. The log's own ACK of an imported file."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from e2b.ack import acknowledge, check_ack, read_ack, write_ack
from e2b.xmlsafe import parse_bytes
from pv import transmissions as tx
from pv.acks import ack_for_import, apply_ack
from pv.config import Settings
from pv.importing import import_file
from pv.store import Store
from pv.workflow import CaseStatus
from tests.pv.submissions import builder
from tests.pv.test_importing import batch, partner_report

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=2)
SETTINGS = Settings(database_url="sqlite://")


def _sent(store: Store, recipient: tx.Recipient = "sfda") -> tuple[str, bytes]:
    """A case in review whose file went to `recipient`: its ID and the XML sent."""
    case_id = store.submit(builder(validate=False), now=NOW).case_id
    store.change_status(case_id, CaseStatus.IN_REVIEW, user="o", now=NOW)
    _, xml = tx.prepare(store, case_id, recipient, user="o", settings=SETTINGS, now=NOW)
    tx.record_submission(
        store,
        case_id,
        recipient,
        submitted_on=NOW.date(),
        channel="email",
        reference="<m@x>",
        user="o",
        now=NOW,
    )
    return case_id, xml


def _receivers_ack(xml: bytes, errors: dict[str, str] | None = None) -> bytes:
    """What SFDA's gateway answers: the engine's ACK of the file, as XML."""
    return write_ack(acknowledge(xml, now=LATER, message_errors=errors, ack_id="SFDA-ACK-0001"))


def test_a_positive_ack_acknowledges_with_the_receivers_ids_and_date(store: Store) -> None:
    case_id, xml = _sent(store)
    data = _receivers_ack(xml)
    [line] = apply_ack(store, data, name="ack.xml", user="o", now=LATER)
    assert line.outcome == "acknowledged"
    assert line.line() == (
        f"ack.xml: acknowledged {case_id} v1 SFDA "
        f"(batch {case_id}-V1-SFDA-1, message {case_id}, CA)"
    )
    [sent] = tx.transmissions(store, case_id)
    assert (sent.ack_code, sent.ack_id, sent.ack_at, sent.state) == (
        "CA",
        "SFDA-ACK-0001",
        LATER,
        "acknowledged",
    )
    assert store.get_case(case_id).row.status is CaseStatus.ACKNOWLEDGED
    assert tx.recipient_statuses(store, case_id, today=LATER.date())[0].label == "acknowledged"
    [audited] = [r for r in store.audit_trail(case_id) if r.action == "ack"]
    assert audited.detail["outcome"] == "acknowledged"
    # The same ACK again changes nothing and writes nothing.
    trail = len(store.audit_trail())
    [again] = apply_ack(store, data, name="ack.xml", user="o", now=LATER)
    assert again.outcome == "already recorded"
    assert len(store.audit_trail()) == trail
    assert store.verify_audit() == []


def test_a_negative_ack_is_rejected_by_receiver_and_goes_back_to_review(store: Store) -> None:
    case_id, xml = _sent(store)
    data = _receivers_ack(xml, {case_id: "C.1.4 is after C.1.5"})
    assert read_ack(data).code == "AE"
    [line] = apply_ack(store, data, name="nack.xml", user="o", now=LATER)
    assert (line.outcome, line.code, line.text) == (
        "rejected by receiver",
        "CR",
        "C.1.4 is after C.1.5",
    )
    detail = store.get_case(case_id)
    assert detail.row.status is CaseStatus.IN_REVIEW
    assert detail.status_history[-1].comment == f"{case_id}-V1-SFDA-1: CR from SFDA"
    sfda = tx.recipient_statuses(store, case_id, today=LATER.date())[0]
    assert (sfda.state, sfda.label) == ("rejected", "rejected by receiver")
    assert sfda.latest is not None and sfda.latest.ack_text == "C.1.4 is after C.1.5"
    [audited] = [r for r in detail.audit if r.action == "ack"]
    assert audited.detail["text"] == "C.1.4 is after C.1.5"
    assert store.verify_audit() == []


def test_a_rejected_batch_rejects_the_mah_file_too(store: Store) -> None:
    case_id, xml = _sent(store, "mah")
    ack = acknowledge(xml, now=LATER, reject="unknown sender", ack_id="MAH-1")
    [line] = apply_ack(store, write_ack(ack), name="ar.xml", user="o", now=LATER)
    assert (line.outcome, line.code, line.recipient) == ("rejected by receiver", "AR", "mah")
    assert "unknown sender" in line.text
    assert store.get_case(case_id).row.status is CaseStatus.IN_REVIEW
    assert tx.recipient_statuses(store, case_id, today=LATER.date())[1].state == "rejected"


def test_an_unmatched_ack_is_reported_and_audited_not_dropped(store: Store) -> None:
    _sent(store)
    stranger = batch(partner_report("US-PARTNER-0001"))  # batch ID BATCH-TEST: never sent
    [line] = apply_ack(store, _receivers_ack(stranger), name="x.xml", user="o", now=LATER)
    assert line.outcome == "unmatched"
    assert line.line().startswith("x.xml: unmatched (batch BATCH-TEST, message US-PARTNER-0001")
    [audited] = [r for r in store.audit_trail() if r.action == "ack"]
    assert (audited.case_id, audited.detail["outcome"]) == (None, "unmatched")
    assert store.verify_audit() == []


def test_a_second_different_ack_for_the_same_file_is_a_conflict(store: Store) -> None:
    case_id, xml = _sent(store)
    apply_ack(store, _receivers_ack(xml), name="a.xml", user="o", now=LATER)
    other = write_ack(acknowledge(xml, now=LATER, ack_id="SFDA-ACK-0002"))
    [line] = apply_ack(store, other, name="b.xml", user="o", now=LATER)
    assert line.outcome == "conflict" and "SFDA-ACK-0001" in line.text
    assert tx.transmissions(store, case_id)[0].ack_id == "SFDA-ACK-0001"


def test_the_command_line_records_acks_and_exits_1_on_an_unmatched_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    store = Store.open(url)
    try:
        case_id, xml = _sent(store)
    finally:
        store.close()
    good, stranger, junk = tmp_path / "good.xml", tmp_path / "stranger.xml", tmp_path / "j.xml"
    good.write_bytes(_receivers_ack(xml))
    stranger.write_bytes(_receivers_ack(batch(partner_report("US-PARTNER-0001"))))
    junk.write_bytes(b"<not-closed")
    command = [sys.executable, "-m", "pv", "--database-url", url, "ack"]
    run = subprocess.run(
        [*command, str(good), str(stranger)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    assert run.stdout.splitlines()[0].startswith(f"good.xml: acknowledged {case_id} v1 SFDA")
    assert run.stdout.splitlines()[1].startswith("stranger.xml: unmatched (")
    broken = subprocess.run(
        [*command, str(junk)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert broken.returncode == 2
    assert broken.stdout.startswith("j.xml: not an acknowledgement (")
    verify = subprocess.run(
        [sys.executable, "-m", "pv", "--database-url", url, "audit", "verify"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_the_log_acknowledges_an_imported_batch_aa_or_ae_with_the_reasons(store: Store) -> None:
    good = batch(partner_report("US-PARTNER-0001"), partner_report("US-PARTNER-0002"))
    lines = import_file(store, good, name="good.xml", user="o", now=NOW)
    ack = ack_for_import(good, lines, settings=SETTINGS, now=NOW)
    assert ack is not None and check_ack(parse_bytes(ack)) == []
    read = read_ack(ack)
    assert (read.code, [m.code for m in read.messages]) == ("AA", ["CA", "CA"])
    assert read.acknowledged_batch is not None
    assert read.acknowledged_batch.extension == "BATCH-TEST"

    bad = batch(partner_report("US-PARTNER-0003"), partner_report("US-PARTNER-0004", "pml_death"))
    head, sep, tail = bad.partition(b"US-PARTNER-0004")
    bad = head + sep + tail.replace(b'value="2026', b'value="2026-13', 1)
    lines = import_file(store, bad, name="bad.xml", user="o", now=NOW)
    ack = ack_for_import(bad, lines, settings=SETTINGS, now=NOW)
    assert (
        ack is not None and [f for f in check_ack(parse_bytes(ack)) if f.severity == "error"] == []
    )
    read = read_ack(ack)
    assert read.code == "AE"
    assert [m.code for m in read.messages] == ["CR", "CR"]
    assert "#2 cannot be read" in (read.messages[0].text or "")


def test_import_with_ack_dir_writes_the_acknowledgement(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    good = tmp_path / "good.xml"
    good.write_bytes(batch(partner_report("US-PARTNER-0001")))
    run = subprocess.run(
        [
            sys.executable, "-m", "pv", "--database-url", url, "import",
            "--ack-dir", str(tmp_path / "acks"), str(good),
        ],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-1].endswith("good.xml.ack.xml: acknowledgement written")
    written = (tmp_path / "acks" / "good.xml.ack.xml").read_bytes()
    assert read_ack(written).code == "AA"
