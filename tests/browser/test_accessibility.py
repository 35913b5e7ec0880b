"""WCAG 2.1 A/AA in the real browser: axe-core injected into each page, plus what axe cannot
see (a distinct title per page, a visible focus ring).

axe-core is pinned and installed by `.ci/run` (npm) into .ci/node_modules; AXE_CORE_JS may
point at another copy. Streamlit scrolls inside its own container and axe checks colour contrast
only for what is on screen, so the page is checked in a viewport as tall as its content.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, ROOT, SETTLED
from tests.browser.test_report_journeys import Form

AXE = Path(os.environ.get("AXE_CORE_JS", ROOT / ".ci" / "node_modules" / "axe-core" / "axe.min.js"))
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if not AXE.is_file():
        reason = f"{AXE} not found: `bash .ci/run` installs it (npm install axe-core)"
        if os.environ.get("PV_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PV_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return AXE


def violations(page: Page, axe: Path) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the whole page, as a tall window shows it."""
    main = page.locator('[data-testid="stMain"]')
    height = main.evaluate("(e) => e.scrollHeight") if main.count() else DESKTOP["height"]
    page.set_viewport_size({"width": DESKTOP["width"], "height": max(height, DESKTOP["height"])})
    page.evaluate(SETTLED)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe))
    found: list[dict[str, Any]] = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: tags})).violations", WCAG_21_AA
    )
    page.set_viewport_size(DESKTOP)
    page.evaluate(SETTLED)
    return found


def summary(found: list[dict[str, Any]]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary']}")
    return "\n".join(lines)


@pytest.fixture
def form(page: Page, app_url: str) -> Form:
    driver = Form(page)
    driver.open(app_url)
    return driver


def test_the_empty_form_has_no_wcag_violation(form: Form, axe_script: Path) -> None:
    found = violations(form.page, axe_script)
    assert found == [], summary(found)


def test_the_form_with_a_category_chosen_has_no_wcag_violation(
    form: Form, axe_script: Path
) -> None:
    reaction = form.reaction(1)
    form.choose("Event group", "Delayed autoimmune", reaction)
    form.choose("Guide category", "Immune thrombocytopenic purpura (ITP)", reaction)
    found = violations(form.page, axe_script)
    assert found == [], summary(found)


@pytest.mark.parametrize("path", ["log", "about"])
def test_the_other_pages_have_no_wcag_violation(
    page: Page, app_url: str, axe_script: Path, path: str
) -> None:
    page.goto(f"{app_url}/{path}")
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
    page.get_by_role("heading").first.wait_for()
    found = violations(page, axe_script)
    assert found == [], summary(found)


def test_each_page_has_its_own_title(page: Page, app_url: str) -> None:
    titles = {}
    pages = (("report", "Report a reaction"), ("log", "Submission log"), ("about", "About"))
    for path, expected in pages:
        page.goto(f"{app_url}/{path}")
        page.get_by_role("heading").first.wait_for()
        expect(page).to_have_title(re.compile("^" + re.escape(expected)))
        titles[path] = page.title()
    assert len(set(titles.values())) == 3, titles


def test_keyboard_focus_is_visible(form: Form) -> None:
    """A field reached by Tab draws an outline of at least 2 px (WCAG 2.4.7)."""
    box = form.page.get_by_role("textbox", name="Given name", exact=True)
    box.focus()
    form.page.keyboard.press("Tab")
    form.page.keyboard.press("Shift+Tab")
    focused = form.page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
    )
    assert focused[0] != "none" and focused[1] >= 2, focused
