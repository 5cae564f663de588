"""Fixtures for the browser tests (helpers live in tests/browser/support.py).

One Chromium per test session, a fresh context per test; without /usr/bin/chromium every browser test is
reported SKIPPED with the reason, never passed.
"""

from __future__ import annotations

import os

import pytest

from .support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, TIMEOUT_MS, Checker, sign_in


def pytest_collection_modifyitems(config, items):
    """Mark the browser tests, and run them last: the browser (and Playwright's event loop, during which Django
    must be told that synchronous database calls are safe) then lives only while they run."""
    browser_items = []
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            browser_items.append(item)
    chosen = set(browser_items)
    items[:] = [item for item in items if item not in chosen] + browser_items


@pytest.fixture(scope="session")
def browser(request, django_db_blocker):
    if not CHROMIUM.exists():
        pytest.skip(f"Browser tests need Chromium at {CHROMIUM}: run .ci/install-browser.sh (apt-get install chromium)")
    request.getfixturevalue("django_db_setup")  # only now: a machine without Chromium skips at once
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Starting Playwright switches the context Django keeps its connections in, so later tests get new
    # connection objects: hand them the data serialized after migrations (Wagtail's root page, seeded check
    # types), which `serialized_rollback` puts back before each browser test.
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests make between
    # page actions are ordinary synchronous calls, so Django's async-safety guard would refuse them wrongly.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
            _restore_migrated_data(alias, contents, django_db_blocker)
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _restore_migrated_data(alias: str, contents: str, django_db_blocker) -> None:
    """Transactional tests that ran earlier without serialized rollback flushed the database and let Django
    recreate content types with new ids (and cache them). Put the database back exactly as migrations left it,
    content types first, with an empty content-type cache, so each browser test starts from that state."""
    import json

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connections

    rows = json.loads(contents)
    ordered = [row for row in rows if row["model"] == "contenttypes.contenttype"]
    ordered += [row for row in rows if row["model"] != "contenttypes.contenttype"]
    with django_db_blocker.unblock():
        call_command(
            "flush", database=alias, interactive=False, inhibit_post_migrate=True, reset_sequences=False, verbosity=0
        )
        ContentType.objects.clear_cache()
        connections[alias].creation.deserialize_db_from_string(json.dumps(ordered))


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
