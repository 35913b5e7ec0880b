"""An officer imports a partner's batch on the log page: one line per ICSR, the cases appear in
the list, and the same batch again changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect

from pv.store import Store
from pv.users import add_user, get_user
from tests.browser.test_officer_journey import OFFICER, PASSWORD, Workspace
from tests.pv.test_importing import batch, partner_report

pytestmark = pytest.mark.browser
Screenshot = Callable[[Page, str], Path]


def test_an_officer_imports_a_partner_batch_and_a_second_import_changes_nothing(
    page: Page, app_url: str, app_store: Store, screenshot: Screenshot
) -> None:
    if get_user(app_store, OFFICER) is None:  # the app (and its log) is shared by the package
        add_user(app_store, OFFICER, PASSWORD, role="officer")
    data = batch(
        partner_report("US-PARTNER-7001"), partner_report("US-PARTNER-7002", "pml_death")
    )
    work = Workspace(page)
    work.open(app_url)
    work.log_in(PASSWORD)
    before = app_store.case_count()

    def upload() -> None:
        uploader = page.get_by_test_id("stFileUploader")
        if not uploader.is_visible():  # the expander is closed
            page.get_by_text("Import E2B(R3) files from partners").click()
        expect(uploader).to_be_visible()
        picker = uploader.locator('input[type="file"]')
        payload: FilePayload = {
            "name": "partner-batch.xml",
            "mimeType": "application/xml",
            "buffer": data,
        }
        picker.set_input_files([payload])
        expect(page.get_by_text("partner-batch.xml", exact=True)).to_be_visible()
        work.click("Import")

    upload()
    result = page.get_by_test_id("stCode")
    expect(result).to_contain_text(re.compile(r"partner-batch\.xml #1: created -> SA-"))
    expect(result).to_contain_text(re.compile(r"partner-batch\.xml #2: created -> SA-"))
    screenshot(page, "officer-import")
    assert app_store.case_count() == before + 2

    upload()
    expect(page.get_by_test_id("stCode")).to_contain_text("#1: already imported")
    assert app_store.case_count() == before + 2
