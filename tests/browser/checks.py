"""What every page must get right, checked in the browser, plus a screenshot to look at."""

from pathlib import Path

from playwright.sync_api import Page
from tests.browser.conftest import SCREENSHOTS, Screen

PAGE_CHECKS = (Path(__file__).parent / "page_checks.js").read_text()


def check_page(page: Page, name: str, screen: Screen, problems: list[str]) -> None:
    """Check the page as shown now, save a full-page screenshot, and note what is wrong."""
    page.wait_for_load_state("load")
    problems.extend(f"{name} ({screen.name}): {p}" for p in page.evaluate(PAGE_CHECKS))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{screen.name}.png", full_page=True)
