"""An officer imports a partner's batch on the log page: one line per ICSR, the cases appear in
the list, and the same batch again changes nothing."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect

from pv.store import CaseQuery, Store
from pv.users import add_user, get_user
from tests.browser.test_officer_journey import OFFICER, PASSWORD, Workspace
from tests.browser.test_officer_lifecycle import expander
from tests.pv.test_importing import batch, partner_report

pytestmark = pytest.mark.browser
Screenshot = Callable[[Page, str], Path]


def test_an_officer_imports_a_partner_batch_and_a_second_import_changes_nothing(
    page: Page, app_url: str, app_store: Store, screenshot: Screenshot, tmp_path: Path
) -> None:
    if get_user(app_store, OFFICER) is None:  # the app (and its log) is shared by the package
        add_user(app_store, OFFICER, PASSWORD, role="officer")
    data = batch(partner_report("US-PARTNER-7001"), partner_report("US-PARTNER-7002", "pml_death"))
    work = Workspace(page)
    work.open(app_url)
    work.log_in(PASSWORD)
    before = app_store.case_count()

    def upload() -> None:
        box = expander(page, "Import E2B(R3) files from partners")
        picker = box.locator('input[type="file"]')
        payload: FilePayload = {
            "name": "partner-batch.xml",
            "mimeType": "application/xml",
            "buffer": data,
        }
        picker.set_input_files([payload])
        expect(box.get_by_text("partner-batch.xml", exact=True)).to_be_visible()
        work.click("Import", box)

    upload()
    result = page.get_by_test_id("stCode")
    expect(result).to_contain_text(re.compile(r"partner-batch\.xml #1: created -> SA-"))
    expect(result).to_contain_text(re.compile(r"partner-batch\.xml #2: created -> SA-"))
    screenshot(page, "officer-import")
    assert app_store.case_count() == before + 2

    upload()
    again = page.get_by_test_id("stCode").filter(has_text="already imported")
    expect(again).to_contain_text("partner-batch.xml #1: already imported")
    assert app_store.case_count() == before + 2
    # The imported case's CIOMS I form, from its case page; the download is audited.
    case_id = app_store.list_cases(CaseQuery(text="US-PARTNER-7002")).rows[0].case_id
    work.tab("Case")
    work.text("Case ID", case_id)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CIOMS I form (PDF)").first.click()
    pdf = tmp_path / "cioms.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert case_id in text and "TH" in text
    assert "[X] Patient died" in text
    downloads = [r for r in app_store.audit_trail(case_id) if r.action == "download"]
    assert [r.detail["format"] for r in downloads] == ["cioms"]
