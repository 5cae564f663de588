"""Journey 1: a budget holder searches by postcode and need, opens a storefront and books a weekly visit against
their budget, seeing the effect on the budget before confirming. The search is done keyboard only."""

from __future__ import annotations

import re

import pytest

from cms.storefronts import storefront_ensure
from tests import factories

from .support import BROWSER_DB, assert_focus_visible, click_and_wait, press_and_wait, sign_in, tab_to, tab_to_field

pytestmark = [pytest.mark.browser, BROWSER_DB]


def _scholes_market():
    """Scholes, one postcode, the "Feeling less lonely" need, and a listed companionship service with a storefront."""
    scholes = factories.NeighbourhoodFactory(name="Scholes", latitude=53.5468, longitude=-2.6185)
    factories.PostcodeFactory(postcode="WN1 3AB", latitude=53.5468, longitude=-2.6185, neighbourhood=scholes)
    companionship = factories.CategoryFactory(name="Companionship")
    lonely = factories.NeedFactory(name="Feeling less lonely")
    lonely.categories.add(companionship)
    provider = factories.ProviderFactory(
        name="Jo's Companions", description="Jo visits older people in Scholes for a chat, a brew and a walk."
    )
    factories.ProviderMembershipFactory(provider=provider, user__full_name="Jo Fairclough")
    service = factories.ListedServiceFactory(
        provider=provider,
        title="Companionship visits",
        description="A chat, a brew and a walk if you fancy it.",
        category=companionship,
        price_pence=1750,
        unit="per_hour",
        languages=["English"],
    )
    service.neighbourhoods.set([scholes])
    service.needs.add(lonely)
    storefront_ensure(provider=provider)
    return service


def test_holder_searches_by_postcode_and_need_and_opens_a_storefront(page, url, live_server, check_accessibility):
    service = _scholes_market()
    holder = factories.PersonFactory(full_name="Margaret Hughes", user__full_name="Margaret Hughes")

    sign_in(page, live_server.url, holder.user)
    page.goto(url("/"))
    click_and_wait(page.get_by_role("link", name="Find support near you"))
    check_accessibility(page, "1-find-support")

    # Keyboard only: Tab to the postcode, type it, choose the need with the arrow keys, Enter to search.
    page.locator("main").focus()
    tab_to_field(page, "Postcode")
    page.keyboard.type("wn1 3ab")
    tab_to_field(page, "What it should help with")
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("What it should help with").evaluate("el => el.selectedOptions[0].text") == (
        "Feeling less lonely"
    )
    tab_to(page, "Search")
    assert_focus_visible(page)
    press_and_wait(page)
    assert "postcode=wn1+3ab" in page.url.lower()
    results = page.get_by_role("heading", name=re.compile(r"1 result"))
    assert results.is_visible()
    check_accessibility(page, "2-results")

    # Open the storefront from the result, by keyboard.
    tab_to(page, "Companionship visits")
    press_and_wait(page)
    assert page.url.endswith(f"/providers/{service.provider.slug}/#service-{service.pk}")
    assert page.get_by_role("heading", level=1).inner_text() == "Jo's Companions"
    check_accessibility(page, "3-storefront")


def test_a_search_that_finds_nothing_says_what_to_try(page, url, check_accessibility):
    _scholes_market()
    page.goto(url("/find-support/?postcode=WN1+3AB&q=sailing"))
    assert page.get_by_role("heading", name="No support found").is_visible()
    check_accessibility(page, "no-results")
    page.goto(url("/find-support/?postcode=not+a+postcode"))
    check_accessibility(page, "bad-postcode")
