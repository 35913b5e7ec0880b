"""The real app in a real browser: one Streamlit server and one Debian Chromium for all the
browser tests (package scope, so both are gone before the rest of the suite runs), a fresh
browser context per test. Without /usr/bin/chromium the tests skip, unless
PV_REQUIRE_BROWSER=1 (CI), where they fail."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

from pv import auditkey
from pv.config import Settings
from pv.store import Store

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
STARTUP_SECONDS = 90
# The app's settings (pv/config.py): the tests expect its defaults, whatever this shell exports.
APP_SETTINGS = (
    "PV_SFDA_EMAIL",
    "PV_MAH_EMAIL",
    "PV_SENDER_ID",
    "PV_RECEIVER_ID",
    "PV_SENDER_COUNTRY",
    "PV_SENDER_ORGANISATION",
    "PV_MEDDRA_VERSION",
    "MEDDRA_PATH",
    "PV_PUBLIC_URL",
)
# Resolves after the browser has drawn twice: layout and scrolling have settled.
SETTLED = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
SERVER_LOG = pytest.StashKey[Path]()
APP_DATABASE = pytest.StashKey[str]()
APP_KEY_FILE = pytest.StashKey[str]()
FAILED = pytest.StashKey[bool]()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _tail(path: Path, lines: int = 80) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; its absence skips the browser tests, or fails them in CI."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        reason = (
            f"{CHROMIUM} not found: install Debian's browser with "
            "`apt-get install -y chromium` (see shared/testing/README.md)"
        )
        if os.environ.get("PV_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PV_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Screenshots for a reviewer (test-artifacts/ is gitignored); last run's failures go."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob("FAILED-*.png"):
        stale.unlink()
    return ARTIFACTS


def save_screenshot(page: Page, path: Path) -> Path:
    """The whole page. Streamlit scrolls inside its main block, which Playwright's full_page
    does not see, so the window grows to the content's height for the picture."""
    size = page.viewport_size
    assert size is not None
    main = page.locator('[data-testid="stMain"]')
    height = main.evaluate("(e) => e.scrollHeight") if main.count() else size["height"]
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    page.evaluate(SETTLED)
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(size)
    page.evaluate(SETTLED)
    return path


@pytest.fixture(scope="session")
def screenshot(artifacts: Path) -> Callable[[Page, str], Path]:
    """Save the whole page as test-artifacts/browser/<name>.png."""
    return lambda page, name: save_screenshot(page, artifacts / f"{name}.png")


@pytest.fixture(scope="package")
def app_url(
    chromium: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """The app started as a user would, with its own SQLite log; its base URL."""
    folder = tmp_path_factory.mktemp("app")
    log_path = folder / "streamlit.log"
    request.config.stash[SERVER_LOG] = log_path
    env = {k: v for k, v in os.environ.items() if k not in APP_SETTINGS}
    env["DATABASE_URL"] = f"sqlite:///{folder / 'log.db'}"
    request.config.stash[APP_DATABASE] = env["DATABASE_URL"]
    # The app signs its audit rows with a key of this run's own, kept beside (not in) its log.
    env[auditkey.ENV_KEY_FILE] = str(folder / "keys" / "audit-keys.json")
    env.pop(auditkey.ENV_KEY, None)
    env.pop(auditkey.ENV_OLD_KEYS, None)
    request.config.stash[APP_KEY_FILE] = env[auditkey.ENV_KEY_FILE]
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        # Others edit the sources while the suite runs; a reload prompt must not appear.
        "--server.fileWatcherType",
        "none",
    ]
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(url):
            if server.poll() is not None:
                pytest.fail(f"the app exited with {server.returncode}:\n{_tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the app was not healthy after {STARTUP_SECONDS} s:\n{_tail(log_path)}"
                )
            time.sleep(0.2)  # polling interval, not a wait for an outcome
        yield url
    finally:
        exited = server.poll()
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if exited is not None:
            print(f"\nthe app had exited with {exited} before the tests ended:\n{_tail(log_path)}")


@pytest.fixture
def app_store(app_url: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    """The running app's own submission log, opened in the test process with the settings the
    app runs with: to seed accounts and cases before a journey and check the result after."""
    with pytest.MonkeyPatch.context() as patch:
        for name in APP_SETTINGS:
            patch.delenv(name, raising=False)
        settings = Settings(database_url=request.config.stash[APP_DATABASE])
        # The app's audit key, for this test and the CLI processes it starts.
        patch.setenv(auditkey.ENV_KEY_FILE, request.config.stash[APP_KEY_FILE])
        auditkey.reset_cache()
        store = Store.open(settings.database_url, settings=settings)
        try:
            yield store
        finally:
            store.close()
            auditkey.reset_cache()


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright: Playwright, chromium: Path) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(chromium), args=["--no-sandbox"], headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new browser profile per test (its own Streamlit session), desktop size; a failing
    test leaves a screenshot of the page as it was."""
    context = browser.new_context(accept_downloads=True, viewport=DESKTOP)
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    if request.node.stash.get(FAILED, False):
        save_screenshot(page, artifacts / f"FAILED-{request.node.name}.png")
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing browser test shows the end of the server's log beside its traceback."""
    report = yield
    if report.failed:
        item.stash[FAILED] = True
    log = item.config.stash.get(SERVER_LOG, None)
    if report.failed and log is not None and "app_url" in getattr(item, "fixturenames", ()):
        report.sections.append(("streamlit server log (last lines)", _tail(log)))
    return report
