"""Real pages in headless Chromium (Debian's ``chromium`` package), driven by Playwright.

No browser is ever downloaded: Playwright is pointed at the system Chromium. Where it is
missing the browser tests are skipped with a note saying how to enable them, unless
DUAN8_REQUIRE_BROWSER is set (CI sets it), in which case they fail.
"""

import os
import shutil
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
CHROMIUM_CANDIDATES = ["chromium", "chromium-browser"]
HOW_TO_ENABLE = (
    "Chromium not found: browser tests skipped. Enable them with "
    "`sudo apt-get install chromium` (Debian/Ubuntu) or set DUAN8_CHROMIUM to its path."
)


def chromium_path() -> str | None:
    explicit = os.environ.get("DUAN8_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_collection_modifyitems(config, items):
    if chromium_path() or os.environ.get("DUAN8_REQUIRE_BROWSER"):
        return
    skip = pytest.mark.skip(reason=HOW_TO_ENABLE)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    if not chromium_path():
        terminalreporter.write_line("")
        terminalreporter.write_line(HOW_TO_ENABLE, yellow=True, bold=True)


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        pytest.fail("DUAN8_REQUIRE_BROWSER is set but Chromium is not installed.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM, used here by
    # the test's own set-up, would otherwise refuse to run beside it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, request):
    # Reduced motion turns Bootstrap's collapse animation off: no click lands mid-animation.
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def shot(page, request):
    """Save a screenshot under screenshots/ (ignored by git) named after the test and step."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(step: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
