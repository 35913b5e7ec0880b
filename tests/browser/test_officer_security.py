"""The officer workspace under attack, in Debian Chromium: no table offers its own download, a
captured file URL opens nothing for anyone else or after logout, an account deactivated from the
CLI is out at the next click, a decision made on a stale screen is refused, and user text is
shown as typed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from pv.store import Store
from pv.users import add_user
from pv.workflow import CaseStatus
from tests.browser.conftest import DESKTOP, ROOT
from tests.browser.test_officer_journey import Workspace, metric
from tests.pv.submissions import builder

pytestmark = pytest.mark.browser

PASSWORD = "a long officer password for the browser test"
ICON = ":material/home:"


def _sign_in(page: Page, url: str, name: str, case_id: str | None = None) -> Workspace:
    work = Workspace(page)
    work.open(url)
    page.get_by_role("textbox", name="User name", exact=True).fill(name)
    page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    with work.rerun():
        page.get_by_role("button", name="Log in", exact=True).click()
    expect(work.sidebar.get_by_text(f"Logged in as {name}")).to_be_visible()
    if case_id is not None:
        work.tab("Case")
        work.text("Case ID", case_id)
        expect(page.get_by_role("heading", name=f"Case {case_id}", exact=True)).to_be_visible()
    return work


@pytest.fixture
def second_page(browser: Browser) -> Iterator[Page]:
    """Another officer's browser (its own profile, cookies and Streamlit session)."""
    context = browser.new_context(accept_downloads=True, viewport=DESKTOP)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def _account(store: Store, name: str) -> str:
    add_user(store, name, PASSWORD, role="officer")
    return name


def _case(store: Store, reporter: str | None = None) -> str:
    def rename(data: dict[str, Any]) -> None:
        data["primary_sources"][0]["given_name"] = reporter

    return store.submit(builder("itp_course2", change=rename if reporter else None)).case_id


def test_no_officer_table_offers_its_own_download(
    page: Page, app_url: str, app_store: Store
) -> None:
    name = _account(app_store, "sec_tables")
    case_id = _case(app_store)
    work = _sign_in(page, app_url, name)
    tables = page.get_by_test_id("stDataFrame")
    expect(tables.first).to_be_visible()
    tables.first.hover()
    toolbar = page.get_by_test_id("stElementToolbar").first
    expect(toolbar).to_be_visible()  # the toolbar is drawn (search, full screen) ...
    expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)  # ... no CSV
    work.tab("Case")
    work.text("Case ID", case_id)
    page.get_by_text("Audit trail", exact=True).click()
    shown = page.locator('[data-testid="stDataFrame"]:visible')
    expect(page.get_by_text("Audit trail", exact=True)).to_be_visible()
    # The status history, the audit trail and the readable case's tables (courses, tests).
    assert shown.count() >= 2
    for n in range(shown.count()):
        shown.nth(n).hover()
        expect(page.get_by_test_id("stElementToolbar").locator(":visible").first).to_be_visible()
        expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)


def test_a_captured_xml_url_opens_nothing_without_the_session_or_after_logout(
    page: Page, app_url: str, app_store: Store, browser: Browser
) -> None:
    name = _account(app_store, "sec_media")
    case_id = _case(app_store)
    work = _sign_in(page, app_url, name, case_id)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the XML of version 1", exact=True).click()
    url = download.value.url
    assert "/media/" in url
    expected = app_store.get_case(case_id).versions[0].xml
    # The officer's own browser may fetch it again; a client without its cookie may not.
    mine = page.request.get(url)
    assert (mine.status, mine.body()) == (200, expected)
    stranger = browser.new_context()
    try:
        assert stranger.request.get(url).status == 404
        work.click("Log out", work.sidebar)
        expect(page.get_by_role("textbox", name="Password", exact=True)).to_be_visible()
        assert page.request.get(url).status == 404
        assert stranger.request.get(url).status == 404
    finally:
        stranger.close()
    downloads = [
        r for r in app_store.audit_trail(case_id) if r.action == "download" and r.user == name
    ]
    assert len(downloads) == 1
    assert downloads[0].detail["version"] == 1


def test_an_officer_deactivated_from_the_cli_is_out_at_the_next_click(
    page: Page, app_url: str, app_store: Store
) -> None:
    name = _account(app_store, "sec_gone")
    case_id = _case(app_store)
    work = _sign_in(page, app_url, name, case_id)
    work.choose("Move to", "In review")
    subprocess.run(
        [sys.executable, "-m", "pv", "users", "deactivate", name],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": str(app_store.engine.url.render_as_string(False))},
        check=True,
        capture_output=True,
        timeout=60,
    )
    work.click("Apply")
    expect(page.get_by_text("Your account was deactivated.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Password", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=f"Case {case_id}")).to_have_count(0)
    detail = app_store.get_case(case_id)
    assert detail.row.status is CaseStatus.RECEIVED
    assert [r.action for r in app_store.audit_trail(case_id)].count("status") == 0


def test_a_status_move_from_a_stale_screen_is_refused(
    page: Page, second_page: Page, app_url: str, app_store: Store
) -> None:
    first, second = _account(app_store, "sec_first"), _account(app_store, "sec_second")
    case_id = _case(app_store)
    app_store.change_status(case_id, CaseStatus.IN_REVIEW, user="setup")
    one = _sign_in(page, app_url, first, case_id)
    two = _sign_in(second_page, app_url, second, case_id)
    expect(metric(second_page, "Status")).to_have_text("In review")

    # Both decide on what they see; the first applies, then the second, from a screen that
    # still says "In review".
    one.choose("Move to", "Closed")
    two.choose("Move to", "Closed")
    two.text("Comment", "Closed from a stale screen")
    one.click("Apply")
    expect(metric(page, "Status")).to_have_text("Closed")
    expect(metric(second_page, "Status")).to_have_text("In review")
    two.click("Apply")
    refusal = second_page.get_by_text(f"Case {case_id} was changed by {first} at")
    expect(refusal).to_be_visible()
    expect(metric(second_page, "Status")).to_have_text("Closed")
    history = app_store.get_case(case_id).status_history
    assert history[-1].to_status is CaseStatus.CLOSED and history[-1].user == first
    assert "Closed from a stale screen" not in [h.comment for h in history]


def test_user_text_is_shown_as_typed(page: Page, app_url: str, app_store: Store) -> None:
    name = _account(app_store, "sec_text")
    case_id = _case(app_store, reporter=ICON)
    _sign_in(page, app_url, name, case_id)
    summary = page.get_by_test_id("stMarkdownContainer").filter(has_text="Reporter:")
    shown = summary.first.inner_text().replace("\u2060", "")
    assert ICON in shown
    expect(summary.first.get_by_test_id("stIconMaterial")).to_have_count(0)
