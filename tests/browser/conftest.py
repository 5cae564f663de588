"""Fixtures for the browser tests (helpers live in tests/browser/support.py).

One Chromium per test session, a fresh context per test; without /usr/bin/chromium every browser test is
reported SKIPPED with the reason, never passed.
"""

from __future__ import annotations

import os

import pytest

from .support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, TIMEOUT_MS, Checker, sign_in


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Browser tests need Chromium at {CHROMIUM}: run .ci/install-browser.sh (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London")
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, live_server):
    return context.new_page()


@pytest.fixture
def new_page(browser, live_server):
    """new_page() → a page in a fresh browser context (another person on another device)."""
    contexts = []

    def _new_page(**options):
        ctx = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London", **options)
        ctx.set_default_timeout(TIMEOUT_MS)
        contexts.append(ctx)
        return ctx.new_page()

    yield _new_page
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def url(live_server):
    """Absolute address on the live server: url("/account/")."""
    return lambda path: f"{live_server.url}{path}"


@pytest.fixture
def site_pages(live_server):
    """The site's content pages (How it works, Accessibility...), as the demo makes them."""
    from cms.demo import load_pages

    load_pages()


@pytest.fixture
def signed_in(page, live_server):
    """signed_in(user) → the page, signed in as that user (through the form, with a second factor if needed)."""

    def _sign_in(user, password: str | None = None):
        sign_in(page, live_server.url, user, password)
        return page

    return _sign_in


@pytest.fixture
def check_accessibility(request):
    """check_accessibility(page, name): axe (WCAG 2.2 AA) + structure + skip link + reflow, and screenshots."""
    return Checker(request.node.name)
