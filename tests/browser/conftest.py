"""Real pages in Debian's chromium, driven by Playwright against pytest-django's live server.

Every page a test opens is watched: a console error, an uncaught script error, a refused
resource (the Content-Security-Policy says "Refused to ..."), a dialog or a server error fails
the test. Screenshots go to test-results/screenshots/ (see test_every_page.py).
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

# Playwright's sync API keeps an event loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told that this is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from tests.personas import PASSWORD, make_clinic

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int
    mobile: bool = False

    def context_options(self) -> dict:
        options = {"viewport": {"width": self.width, "height": self.height}}
        if self.mobile:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        return options


DESKTOP = Screen("desktop", 1280, 800)
PHONE = Screen("phone", 390, 844, mobile=True)
SCREENS = [DESKTOP, PHONE]


@dataclass
class Watch:
    """What went wrong on the pages of one test, and what that test expects to go wrong."""

    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Expect a console message matching `pattern` (say, a 429 from the lock-out)."""
        self.allowed.append(re.compile(pattern))

    def add(self, problem: str) -> None:
        if not any(p.search(problem) for p in self.allowed):
            self.problems.append(problem)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def clinic(transactional_db):
    """The personas, committed so that the live server's thread sees them."""
    return make_clinic()


@pytest.fixture
def watch():
    return Watch()


@pytest.fixture
def new_page(browser, live_server, transactional_db, watch):
    """Open a page in a fresh browser context (no cookies) at a given screen size."""
    contexts = []

    def open_page(screen: Screen = DESKTOP, *, service_workers: str = "block") -> Page:
        # Service workers are blocked unless a test is about one (the offline group screen).
        context = browser.new_context(
            base_url=live_server.url,
            locale="en-GB",
            timezone_id="Europe/London",
            service_workers=service_workers,
            **screen.context_options(),
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()

        def on_dialog(dialog):
            # Rapport opens no dialogs: one means a script ran that should not have.
            watch.add(f"{dialog.type} dialog on {page.url}: {dialog.message!r}")
            dialog.dismiss()

        page.on("dialog", on_dialog)

        def on_console(message):
            if message.type == "error" or message.text.startswith("Refused to"):
                source = message.location.get("url") or page.url
                watch.add(f"console {message.type} on {page.url}: {message.text} [{source}]")

        def on_response(response):
            if response.status >= 500:
                watch.add(f"HTTP {response.status} from {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: watch.add(f"script error on {page.url}: {error}"))
        page.on("response", on_response)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    watch = item.funcargs.get("watch")
    if watch is not None and watch.problems:
        raise AssertionError("The browser reported problems:\n" + "\n".join(watch.problems))
    return result


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


def sign_in(page: Page, email: str, password: str = PASSWORD, *, succeed: bool = True) -> None:
    """Sign in through the real form, as a person would."""
    page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if succeed:
        assert "/sign-in/" not in page.url, f"sign-in as {email} failed"


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Rapport")).to_be_visible()
