"""Journey: a commissioner answers her questions about the market from the page, without SQL: where support is
missing, which providers charge above the reference rate, how much of this month's spend went to micro-providers,
which checks expire next month. Key steps by keyboard; every page checked with axe-core and saved as screenshots."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.commissioning.helpers import build_market, build_summary

from .support import BROWSER_DB, click_and_wait, press_and_wait, sign_in, tab_to, tab_to_field

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_commissioner_reads_the_market_and_sets_a_reference_rate(page, url, live_server, check_accessibility):
    market = build_market()
    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=10)
    factories.ProviderCheckFactory(provider=market["sole"].provider, person_name="Sam Holt",
                                   issued_on=next_month - datetime.timedelta(days=1000), expires_on=next_month)
    commissioner = factories.CommissionerFactory(full_name="Cath Bennett")
    build_summary()
    sign_in(page, live_server.url, commissioner)

    page.goto(url("/commissioners/"))
    check_accessibility(page, "1-commissioning-home")
    tab_to(page, "The market")
    press_and_wait(page)
    check_accessibility(page, "2-market")
    main = page.locator("main").inner_text()
    assert "Gardening in Hindley" in main  # where support is missing
    assert "£17.50\n(19%) to micro-providers" in main  # this month's spend to micro-providers
    assert "Sam Holt" in page.locator("#quality-heading + ul + h3 + table").inner_text()  # expiring next month

    # She sets a reference rate for companionship, by keyboard.
    tab_to(page, "set reference rates")
    press_and_wait(page)
    check_accessibility(page, "3-reference-rates")
    page.get_by_label("Kind of support").select_option(label="Companionship")
    tab_to_field(page, "Reference rate, in pounds an hour")
    page.keyboard.type("20.00")
    tab_to(page, "Save the rate")
    press_and_wait(page)
    assert "£20.00 an hour" in page.locator("main").inner_text()

    # Which providers charge above it: the number links to the list.
    page.goto(url("/commissioners/market/?category=companionship"))
    check_accessibility(page, "4-market-companionship")
    click_and_wait(page.get_by_role("link", name="1 services priced above the reference rate"))
    check_accessibility(page, "5-above-reference")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert market["team"].provider.name in rows.nth(0).inner_text()

    # A bad filter in the address: a clear message and the default view.
    page.goto(url("/commissioners/market/?neighbourhood=atlantis&start=2026-02-30"))
    check_accessibility(page, "6-market-bad-filter")
    assert "That neighbourhood is not known" in page.locator("main").inner_text()
