"""A partner case's whole life on the log page, in Debian Chromium (issue 12): an officer imports
a partner's batch, reviews one case and submits it to SFDA, uploads SFDA's acknowledgement (and
one that matches nothing), adds the partner's follow-up, nullifies the case and downloads its
CIOMS I form. The log's own records are checked at each step; screenshots are kept."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Locator, Page, expect

from e2b.ack import acknowledge, read_ack, write_ack
from e2b.codelists import Nullification
from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from e2b.xmlsafe import parse_bytes
from pv.store import CaseQuery, Store
from pv.transmissions import transmissions
from pv.users import add_user, get_user
from pv.workflow import CaseStatus
from tests.browser.test_officer_journey import Workspace, metric
from tests.pv.test_importing import batch, partner_report

pytestmark = pytest.mark.browser
Screenshot = Callable[[Page, str], Path]

OFFICER = "lifecycle-officer"  # the package's app and log are shared: an account of its own
PASSWORD = "a long password for the lifecycle journey"
HL7 = "{urn:hl7-org:v3}"


def batch_id_of(xml: bytes) -> str:
    """N.1.2, the batch's ID: the extension of the batch's own <id>."""
    node = parse_bytes(xml).getroot().find(f"{HL7}id")
    assert node is not None
    return str(node.get("extension"))


def expander(page: Page, title: str) -> Locator:
    """The expander called `title`, opened (opening one is drawn in the browser alone)."""
    box = page.get_by_test_id("stExpander").filter(has_text=title)
    uploader = box.get_by_test_id("stFileUploader")
    if not uploader.is_visible():
        box.get_by_text(title, exact=True).click()
    expect(uploader).to_be_visible()
    return box


def upload(work: Workspace, title: str, name: str, data: bytes, button: str) -> None:
    """Put one XML file in the uploader of expander `title` and press its `button`. (The
    uploader shortens a long file name in the middle: `name` is kept short.)"""
    box = expander(work.page, title)
    payload: FilePayload = {"name": name, "mimeType": "application/xml", "buffer": data}
    box.locator('input[type="file"]').set_input_files([payload])
    expect(box.get_by_text(name, exact=True)).to_be_visible()
    work.idle()
    work.click(button, box)


def log_in(work: Workspace) -> None:
    page = work.page
    page.get_by_role("textbox", name="User name", exact=True).fill(OFFICER)
    page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    with work.rerun():
        page.get_by_role("button", name="Log in", exact=True).click()
    expect(work.sidebar.get_by_text(f"Logged in as {OFFICER}")).to_be_visible()


def submissions_table(page: Page) -> Locator:
    """The case page's table of files sent to SFDA and the MAH (the grid keeps only the columns
    in view in its accessible table: the acknowledgement's, at the right, are not there)."""
    return page.get_by_test_id("stDataFrame").filter(has_text="Batch ID")


def test_an_officer_takes_a_partner_case_from_import_to_nullification(
    page: Page, app_url: str, app_store: Store, screenshot: Screenshot, tmp_path: Path
) -> None:
    if get_user(app_store, OFFICER) is None:
        add_user(app_store, OFFICER, PASSWORD, role="officer")
    token = uuid.uuid4().hex[:8].upper()  # the log is shared: IDs of this run's own
    partner_id, other_id = f"DE-LIFECYCLE-{token}-1", f"DE-LIFECYCLE-{token}-2"
    today = datetime.now(UTC).date()
    work = Workspace(page)
    work.open(app_url)
    log_in(work)

    # 1. The partner's batch of two ICSRs: two new cases.
    before = app_store.case_count()
    imported = batch(partner_report(partner_id), partner_report(other_id, "pml_death"))
    upload(work, "Import E2B(R3) files from partners", "lifecycle-batch.xml", imported, "Import")
    result = page.get_by_test_id("stCode").filter(has_text="lifecycle-batch.xml")
    expect(result).to_contain_text(re.compile(r"lifecycle-batch\.xml #1: created -> SA-"))
    expect(result).to_contain_text(re.compile(r"lifecycle-batch\.xml #2: created -> SA-"))
    screenshot(page, "lifecycle-1-import")
    assert app_store.case_count() == before + 2
    [row] = app_store.list_cases(CaseQuery(text=partner_id)).rows
    case_id = row.case_id
    expect(result).to_contain_text(f"lifecycle-batch.xml #1: created -> {case_id} v1")
    first = app_store.get_case(case_id)
    assert (first.row.status, first.row.version) == (CaseStatus.RECEIVED, 1)
    categories = first.row.categories

    # 2. Review, the file for SFDA, and the evidence that it was sent.
    work.tab("Case")
    work.text("Case ID", case_id)
    expect(page.get_by_role("heading", name=f"Case {case_id}", exact=True)).to_be_visible()
    expect(metric(page, "Status")).to_have_text("Received")
    work.choose("Move to", "In review")
    work.click("Apply")
    expect(metric(page, "Status")).to_have_text("In review")
    with page.expect_download() as prepared:
        page.get_by_role("button", name="Prepare file for SFDA", exact=True).click()
    assert prepared.value.suggested_filename == f"{case_id}-sfda.xml"
    sfda_path = tmp_path / "sfda.xml"
    prepared.value.save_as(sfda_path)
    sfda_xml = sfda_path.read_bytes()
    assert validate_bytes(sfda_xml, today) == []
    batch_id = batch_id_of(sfda_xml)
    work.idle()
    record = page.get_by_test_id("stForm").filter(has_text="Record a submission")
    channel = record.get_by_role("combobox", name="Channel", exact=True)
    channel.evaluate("(e) => e.scrollIntoView({block: 'center'})")
    channel.click()
    page.keyboard.type("Portal")
    page.keyboard.press("Enter")  # a drop-down inside a form starts no rerun
    expect(channel).to_have_value("Portal")
    reference = f"SFDA portal receipt {token}"
    record.get_by_role("textbox", name="Reference", exact=True).fill(reference)
    work.click("Record submission")
    expect(metric(page, "Status")).to_have_text("Submitted to SFDA")
    expect(
        page.get_by_text(re.compile(rf"Recorded: {batch_id}, \d+ day\(s\) late"))
    ).to_be_visible()
    expect(submissions_table(page)).to_contain_text(batch_id)
    expect(submissions_table(page)).to_contain_text(reference)
    screenshot(page, "lifecycle-2-submitted")
    [sent] = transmissions(app_store, case_id)
    assert (sent.recipient, sent.version, sent.batch_id) == ("sfda", 1, batch_id)
    assert (sent.channel, sent.reference, sent.submitted_on) == ("portal", reference, today)
    assert sent.ack_code is None
    assert app_store.get_case(case_id).row.status is CaseStatus.SUBMITTED_TO_SFDA

    # 3. SFDA's acknowledgement, made as its gateway would make it, uploaded on the list tab.
    ack_id = f"SFDA-ACK-{token}"
    ack = write_ack(acknowledge(sfda_xml, now=datetime.now(UTC), ack_id=ack_id))
    assert read_ack(ack).code == "AA"  # the batch accepted, each message in it CA
    ack_title = "Acknowledgements from SFDA and the MAH"
    work.tab("Cases")
    upload(work, ack_title, "ack-sfda.xml", ack, "Record acknowledgements")
    lines = page.get_by_test_id("stCode").filter(has_text="ack-sfda.xml")
    expect(lines).to_contain_text(
        f"ack-sfda.xml: acknowledged {case_id} v1 SFDA (batch {batch_id}, message "
    )
    screenshot(page, "lifecycle-3-ack")
    work.tab("Case")
    expect(metric(page, "Status")).to_have_text("Acknowledged")
    expect(submissions_table(page)).to_contain_text("Acknowledged")
    screenshot(page, "lifecycle-3-acknowledged-case")
    [acked] = transmissions(app_store, case_id)
    assert (acked.ack_code, acked.ack_id, acked.state) == ("CA", ack_id, "acknowledged")
    detail = app_store.get_case(case_id)
    assert detail.row.status is CaseStatus.ACKNOWLEDGED
    [audited] = [r for r in detail.audit if r.action == "ack"]
    assert (audited.user, audited.detail["outcome"]) == (OFFICER, "acknowledged")
    assert (audited.detail["batch_id"], audited.detail["ack_id"]) == (batch_id, ack_id)

    # An acknowledgement of a file this log never sent: reported, audited, nothing moved.
    stranger_id = f"US-NEVER-SENT-{token}"
    stranger = write_ack(
        acknowledge(batch(partner_report(stranger_id)), now=datetime.now(UTC), ack_id=f"{ack_id}-X")
    )
    work.tab("Cases")
    upload(work, ack_title, "ack-other.xml", stranger, "Record acknowledgements")
    unmatched = page.get_by_test_id("stCode").filter(has_text="ack-other.xml")
    expect(unmatched).to_contain_text(
        f"ack-other.xml: unmatched (batch BATCH-TEST, message {stranger_id}"
    )
    expect(unmatched).to_contain_text("no file was sent with these IDs")
    screenshot(page, "lifecycle-3-unmatched")
    [orphan] = [
        r
        for r in app_store.audit_trail()
        if r.action == "ack" and r.detail.get("message_id") == stranger_id
    ]
    assert (orphan.case_id, orphan.detail["outcome"]) == (None, "unmatched")
    assert app_store.get_case(case_id).row.status is CaseStatus.ACKNOWLEDGED

    # 4. The partner's follow-up (a newer C.1.5), added on the case page: version 2, reopened.
    work.tab("Case")
    newer = batch(partner_report(partner_id, most_recent="2026-11-25"))
    upload(
        work,
        "Add a follow-up (E2B(R3) file)",
        "follow-up.xml",
        newer,
        "Add as the next version",
    )
    expect(page.get_by_text("The file was not added:")).to_have_count(0)  # it names the case
    expect(metric(page, "Status")).to_have_text("In review")
    expect(page.get_by_role("button", name="Download the XML of version 2")).to_be_visible()
    screenshot(page, "lifecycle-4-follow-up")
    followed = app_store.get_case(case_id)
    assert (followed.row.version, followed.row.status) == (2, CaseStatus.IN_REVIEW)
    assert followed.row.categories == categories
    assert followed.versions[-1].xml == newer  # kept as received
    last_move = followed.status_history[-1]
    assert (last_move.from_status, last_move.to_status, last_move.user) == (
        CaseStatus.ACKNOWLEDGED,
        CaseStatus.IN_REVIEW,
        OFFICER,
    )

    # 5. Nullification: the next version says so (C.1.11.1 = 1) and why.
    box = page.get_by_test_id("stExpander").filter(has_text="Nullify or amend this case")
    box.get_by_text("Nullify or amend this case", exact=True).click()
    choice = box.get_by_role("radio", name="Nullification: the report was made in error")
    if not choice.is_checked():
        work.radio(
            "What the next version says (C.1.11.1)", "Nullification: the report was made in error"
        )
    expect(choice).to_be_checked()
    reason = f"Duplicate of another partner report ({token})"
    work.text("Reason (sent as C.1.11.2)", reason, box)
    work.click("Save as the next version", box)
    expect(
        page.get_by_text(
            "This case is nullified (version 3); it stays in the log, out of the list."
        )
    ).to_be_visible()
    screenshot(page, "lifecycle-5-nullified")
    nullified = app_store.get_case(case_id)
    assert (nullified.row.version, nullified.row.nullified) == (3, True)
    xml = nullified.versions[-1].xml
    assert nullified.versions[-1].version == 3
    assert validate_bytes(xml, today) == []
    [read] = read_bytes(xml).reports
    assert read.report is not None
    assert read.report.case.nullification is Nullification.NULLIFICATION
    assert read.report.case.nullification_reason == reason
    assert read.report.case.worldwide_case_id == partner_id

    # 6. The CIOMS I form of the current version; the download is audited.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CIOMS I form (PDF)", exact=True).first.click()
    assert download.value.suggested_filename == f"{case_id}-v3-cioms.pdf"
    pdf = tmp_path / "cioms.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert case_id in text
    work.idle()
    screenshot(page, "lifecycle-6-cioms")
    downloads = [r for r in app_store.audit_trail(case_id) if r.action == "download"]
    assert [(r.user, r.detail["format"], r.detail["version"]) for r in downloads] == [
        (OFFICER, "cioms", 3)
    ]

    # 7. Every row of the trail still verifies.
    assert app_store.verify_audit() == []
