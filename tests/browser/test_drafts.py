"""Drafts in Debian Chromium (issue 11): a form filled in comes back after a reload and in another
browser through its private link, exactly, and a change made there is seen here; an unknown link
says so; a draft link opens nothing on the officers' log."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from pv import drafts
from pv.store import Store
from tests.browser.conftest import DESKTOP
from tests.browser.test_officer_journey import Workspace
from tests.browser.test_report_journeys import Form, Screenshot, is_session_socket
from tests.pv.submissions import builder

pytestmark = pytest.mark.browser

DRAFT_URL = re.compile(r"[?&]draft=([A-Za-z0-9_-]{43})(&|$)")
GROUP = "Delayed autoimmune"
CATEGORY = "Immune thrombocytopenic purpura (ITP)"
ANSWERS = {
    "Given name": "Noura",
    "Family name": "Al-Example",
    "Patient initials": "SA",
    "Case narrative *": "Synthetic case: petechiae 20 months after course 2.",
}


class DraftForm(Form):
    def reload(self) -> None:
        """Reload the page as the browser's button does: a new Streamlit session."""
        with self.page.expect_websocket(is_session_socket) as socket:
            self.page.reload()
        self._socket = socket.value
        self.page.get_by_role("textbox", name="Given name", exact=True).wait_for()
        self.idle()


class LogPage(Workspace):
    def open(self, url: str) -> None:
        """The officers' page at `url` exactly (query string included)."""
        with self.page.expect_websocket(is_session_socket) as socket:
            self.page.goto(url)
        self._socket = socket.value
        self.page.get_by_role("heading", name="Submission log").wait_for()
        self.idle()


@pytest.fixture
def other_page(browser: Browser) -> Iterator[Page]:
    """Another browser (its own profile and Streamlit session): the reporter's other device."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def fill(form: Form) -> None:
    for label in ("Given name", "Family name", "Patient initials"):
        form.text(label, ANSWERS[label])
    form.choose("Your profession", "Pharmacist")
    form.radio("Sex", "Female")
    form.number("Age", 34)
    reaction = form.reaction(1)
    form.choose("Event group", GROUP, reaction)
    form.choose("Guide category", CATEGORY, reaction)
    form.text("Start date", "14/09/2026", reaction)
    form.tick("Caused or prolonged hospitalisation", reaction)
    form.text("Course 1: first infusion date", "2024-01")
    form.text("Case narrative *", ANSWERS["Case narrative *"])


def expect_filled(page: Page, given_name: str = "Noura") -> None:
    """Every answer `fill` gave is on the page, as given."""
    for label, value in {**ANSWERS, "Given name": given_name}.items():
        expect(page.get_by_role("textbox", name=label, exact=True)).to_have_value(value)
    expect(page.get_by_role("combobox", name="Your profession", exact=True)).to_have_value(
        "Pharmacist"
    )
    expect(
        page.get_by_role("radiogroup", name="Sex").get_by_role("radio", name="Female")
    ).to_be_checked()
    expect(page.get_by_role("spinbutton", name="Age", exact=True)).to_have_value("34")
    reaction = page.locator('[data-testid="stLayoutWrapper"]').filter(
        has=page.get_by_role("heading", name="Reaction 1", exact=True)
    )
    expect(reaction.last.get_by_role("combobox", name="Event group", exact=True)).to_have_value(
        GROUP
    )
    expect(reaction.last.get_by_role("combobox", name="Guide category", exact=True)).to_have_value(
        CATEGORY
    )
    expect(reaction.last.get_by_role("textbox", name="Start date", exact=True)).to_have_value(
        "14/09/2026"
    )
    expect(
        reaction.last.get_by_role("checkbox", name="Caused or prolonged hospitalisation")
    ).to_be_checked()
    expect(
        page.get_by_role("textbox", name="Course 1: first infusion date", exact=True)
    ).to_have_value("2024-01")


def token_in(page: Page) -> str:
    expect(page).to_have_url(DRAFT_URL)
    found = DRAFT_URL.search(page.url)
    assert found is not None
    return found.group(1)


def test_a_draft_survives_a_reload_and_opens_in_another_browser(
    page: Page, other_page: Page, app_url: str, app_store: Store, screenshot: Screenshot
) -> None:
    form = DraftForm(page)
    form.open(app_url)
    assert DRAFT_URL.search(page.url) is None  # nothing answered, no draft
    fill(form)
    token = token_in(page)
    sidebar = page.get_by_test_id("stSidebar")
    # The whole link, as the browser reached the app: copied into another browser, it works.
    link = f"{app_url}/?draft={token}"
    expect(sidebar.get_by_text(link, exact=True)).to_be_visible()
    expect(
        sidebar.get_by_text("Keep this link private; it reopens this draft for 30 days")
    ).to_be_visible()
    screenshot(page, "draft-filled")

    form.reload()
    expect(page.get_by_text("Your draft saved at")).to_be_visible()
    expect_filled(page)
    assert token_in(page) == token

    other = DraftForm(other_page)
    other.open(link)
    expect_filled(other_page)
    screenshot(other_page, "draft-other-browser")
    other.text("Given name", "Noura B.")  # carried on on the other device ...
    assert token_in(other_page) == token

    form.reload()  # ... and seen here
    expect_filled(page, given_name="Noura B.")
    saved = drafts.load(app_store, token)
    assert saved is not None and saved.answers["reporter.given_name"] == "Noura B."


def test_save_draft_now_says_so_and_an_unknown_link_shows_an_empty_form(
    page: Page, app_url: str
) -> None:
    form = DraftForm(page)
    form.open(f"{app_url}/?draft={'A' * 43}")
    expect(page.get_by_text("This draft link is unknown or has expired")).to_be_visible()
    expect(page.get_by_role("textbox", name="Given name", exact=True)).to_have_value("")
    page.get_by_role("textbox", name="Given name", exact=True).fill("Huda")
    with form.rerun():
        page.get_by_role("button", name="Save draft now", exact=True).click()
    expect(page.get_by_text("Draft saved at")).to_be_visible()
    assert token_in(page) != "A" * 43


def test_a_draft_link_on_the_log_page_shows_only_the_login(
    page: Page, app_url: str, app_store: Store
) -> None:
    case_id = app_store.submit(builder("itp_course2")).case_id
    token = drafts.save(app_store, {"reporter.given_name": "Noura-draft-only"})
    work = LogPage(page)
    work.open(f"{app_url}/log?draft={token}")
    expect(page.get_by_role("textbox", name="Password", exact=True)).to_be_visible()
    shown = work.shown_text()
    assert case_id not in shown
    assert "Noura-draft-only" not in shown
    assert "Logged in as" not in shown
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
