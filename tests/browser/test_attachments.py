"""Documents attached to a report, in Debian Chromium: a PDF uploaded with the form travels in the
E2B(R3) XML (C.1.6.1.r.2) and as an attachment of the .eml; a file whose content is not what
its name says is refused next to the uploader; a reporter who asks for a copy is copied."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from playwright.sync_api import FilePayload, Locator, Page, expect

from pv.attachments import MAX_FILE_BYTES
from tests.browser.test_report_journeys import (
    ITP_TERM,
    MAH,
    SFDA,
    Form,
    Screenshot,
    collect,
    fill_lemtrada,
    fill_patient,
    fill_reporter,
    read_report,
    wait_for_confirmation,
)
from tests.pv.test_attachments import padded_pdf, pdf, png

pytestmark = pytest.mark.browser

REPORTER = "n.example@example.org"  # what fill_reporter types as the reporter's e-mail
UPLOADER = "Add documents (PDF, JPEG, PNG)"


@pytest.fixture(name="form")
def opened_form(page: Page, app_url: str) -> Form:
    """The report form in a fresh browser profile (as test_report_journeys' fixture)."""
    driver = Form(page)
    driver.open(app_url)
    return driver


def uploader(form: Form) -> Locator:
    return form.page.locator('[data-testid="stFileUploader"]').filter(has_text=UPLOADER)


def upload(form: Form, *files: FilePayload) -> None:
    with form.rerun():
        uploader(form).locator('input[type="file"]').set_input_files(list(files))


def fill_itp_reaction(form: Form) -> None:
    reaction = form.reaction(1)
    form.choose("Event group", "Delayed autoimmune", reaction)
    form.choose("Guide category", "Immune thrombocytopenic purpura (ITP)", reaction)
    form.choose("MedDRA term *", ITP_TERM, reaction)
    form.text("Start date", "2026-09-14", reaction)
    form.choose("Outcome *", "Recovering / resolving", reaction)
    form.tick("Caused or prolonged hospitalisation", reaction)


def test_an_uploaded_pdf_travels_in_the_xml_and_the_eml_with_a_copy_to_the_reporter(
    form: Form, screenshot: Screenshot, tmp_path: Path
) -> None:
    ecg = pdf("Synthetic ECG 14 September 2026")
    fill_reporter(form)
    fill_patient(form)
    fill_itp_reaction(form)
    fill_lemtrada(form)

    upload(form, {"name": "ecg-scan.pdf", "mimeType": "application/pdf", "buffer": png()})
    refusal = form.page.get_by_text("Not attached: ecg-scan.pdf is named like a PDF")
    expect(refusal).to_be_visible()
    upload(form, {"name": "ecg.pdf", "mimeType": "application/pdf", "buffer": ecg})
    expect(form.page.get_by_text("ecg.pdf (1 KB)")).to_be_visible()
    expect(refusal).to_have_count(0)  # the refusal was about the files offered before
    expect(form.page.get_by_role("button", name="Remove ecg.pdf")).to_be_visible()
    form.text("Description of ecg.pdf (optional)", "ECG 14 September 2026")

    form.tick("I agree to be contacted about this report")
    form.tick("Send me a copy of the e-mail (to my e-mail address above)")
    form.text("Case narrative *", "Synthetic case: petechiae after course 2; ECG attached.")
    screenshot(form.page, "attachments-form")

    form.submit()
    case_id = wait_for_confirmation(form)
    done = collect(form, case_id, tmp_path)

    report = read_report(done.xml)
    assert report.case.additional_documents is True
    [held] = report.case.documents
    assert held.title == "ECG 14 September 2026"
    assert held.document is not None
    assert held.document.media_type == "application/pdf"
    assert held.document.file_name == "ecg.pdf"
    assert base64.b64decode(held.document.data, validate=True) == ecg

    eml = done.eml
    assert eml["To"] == SFDA
    assert eml["Cc"] == f"{MAH}, {REPORTER}"
    assert eml["Bcc"] is None
    parts = list(eml.iter_attachments())
    assert [p.get_filename() for p in parts] == [f"{case_id}.xml", "ecg.pdf"]
    assert [p.get_content_type() for p in parts] == ["application/xml", "application/pdf"]
    assert parts[0].get_payload(decode=True) == done.xml
    assert parts[1].get_payload(decode=True) == ecg

    link = urlsplit(done.mailto)
    assert unquote(link.path) == SFDA
    assert parse_qs(link.query)["cc"] == [f"{MAH},{REPORTER}"]


def test_a_removed_file_is_not_sent(form: Form, tmp_path: Path) -> None:
    fill_reporter(form)
    fill_patient(form)
    fill_itp_reaction(form)
    fill_lemtrada(form)
    upload(
        form,
        {"name": "ecg.pdf", "mimeType": "application/pdf", "buffer": pdf()},
        {"name": "platelets.png", "mimeType": "image/png", "buffer": png()},
    )
    expect(form.page.get_by_role("button", name="Remove platelets.png")).to_be_visible()
    with form.rerun():
        form.page.get_by_role("button", name="Remove ecg.pdf").click()
    expect(form.page.get_by_role("button", name="Remove ecg.pdf")).to_have_count(0)
    big = padded_pdf(MAX_FILE_BYTES + 200_000)
    upload(form, {"name": "big.pdf", "mimeType": "application/pdf", "buffer": big})
    refusal = "Not attached: big.pdf is 5.2 MB; the limit is 5 MB per file."
    expect(form.page.get_by_text(refusal)).to_be_visible()
    expect(form.page.get_by_role("button", name="Remove big.pdf")).to_have_count(0)
    form.text("Case narrative *", "Synthetic case: the lab report is attached.")

    form.submit()
    case_id = wait_for_confirmation(form)
    done = collect(form, case_id, tmp_path)

    report = read_report(done.xml)
    assert [d.title for d in report.case.documents] == ["platelets.png"]
    parts = list(done.eml.iter_attachments())
    assert [p.get_filename() for p in parts] == [f"{case_id}.xml", "platelets.png"]
    assert parts[1].get_payload(decode=True) == png()
    assert done.eml["Cc"] == MAH  # no copy asked for
