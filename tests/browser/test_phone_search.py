"""Issue 18, item 4: on a 390 px phone the first result is on the first screen after a search (it was about
1,900 px down, below the ten-field form), and the filters can still be changed after the results."""

from __future__ import annotations

import pytest

from .support import ARTIFACTS, BROWSER_DB, PHONE, click_and_wait
from .test_journey_holder import _scholes_market

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_on_a_phone_the_results_come_first_and_the_filters_follow(browser, live_server, check_accessibility):
    _scholes_market()
    context = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/London", is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/find-support/?postcode=WN1+3AB")

        first = page.locator(".result-list > li").first
        box = first.bounding_box()
        assert box is not None and box["y"] + 60 < PHONE["height"], f"first result starts at {box}"
        form_top = page.locator("#search-form").bounding_box()["y"]
        assert form_top > box["y"]
        folder = ARTIFACTS / "phone-search"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "results-first-screen-phone.png"))  # what the phone shows at once

        # "Change your search" goes to the filters, which still search.
        page.get_by_role("link", name="Change your search").click()
        assert page.evaluate("() => location.hash") == "#search-form"
        page.get_by_label("Postcode").fill("WN1 3AB")
        click_and_wait(page.get_by_role("button", name="Search"))
        assert page.get_by_role("heading", name="1 result near WN1 3AB").is_visible()
        check_accessibility(page, "phone-results-first")
    finally:
        context.close()


def test_on_a_wide_screen_the_filters_stay_beside_the_results(page, url):
    _scholes_market()
    page.goto(url("/find-support/?postcode=WN1+3AB"))

    form = page.locator("#search-form").bounding_box()
    results = page.locator(".search-results").bounding_box()

    assert form["x"] < results["x"]
    assert abs(form["y"] - results["y"]) < 5
