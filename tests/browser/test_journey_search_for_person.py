"""Journey (issue 18 item 1): a coordinator opens her caseload, searches for Jane (her area and her plan applied,
a banner saying so), and books a result for Jane straight from the results. Every page passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.orders.helpers import make_budget

from .support import BROWSER_DB, click_and_wait, sign_in

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_coordinator_searches_for_a_person_and_books_for_her(page, url, check_accessibility):
    pemberton = factories.NeighbourhoodFactory(name="Pemberton", latitude=53.5390, longitude=-2.6900)
    standish = factories.NeighbourhoodFactory(name="Standish", latitude=53.5870, longitude=-2.6600)
    factories.PostcodeFactory(postcode="WN5 9XX", latitude=53.5390, longitude=-2.6900, neighbourhood=pemberton)
    gardening = factories.CategoryFactory(name="Gardening", slug="gardening")
    companionship = factories.CategoryFactory(name="Companionship", slug="companionship")
    hedges = factories.ListedServiceFactory(title="Hedges and borders", category=gardening, unit="per_hour",
                                            price_pence=1800, provider__postcode="WN5 9XX")
    hedges.neighbourhoods.set([pemberton])
    hedges.provider.neighbourhoods.add(pemberton)
    lawns = factories.ListedServiceFactory(title="Lawns in Standish", category=gardening, provider__postcode="WN5 9XX")
    lawns.neighbourhoods.set([standish])
    chat = factories.ListedServiceFactory(title="A cuppa and a chat", category=companionship,
                                          provider__postcode="WN5 9XX")
    chat.neighbourhoods.set([pemberton])
    assignment = factories.CaseloadFactory(person__full_name="Jane Ashworth", person__user=None,
                                           person__postcode="WN5 9XX", person__neighbourhood=pemberton)
    jane, coordinator = assignment.person, assignment.coordinator
    make_budget(holder=jane, created_by=coordinator, categories=[gardening])

    sign_in(page, url(""), coordinator)
    page.goto(url("/community/caseload/"))
    click_and_wait(page.get_by_role("link", name="Find support for Jane Ashworth"))

    assert page.get_by_role("heading", level=1).inner_text() == "Find support for Jane Ashworth"
    banner = page.get_by_role("region", name="Who this search is for")
    assert "support that covers Pemberton and fits their plan (gardening)" in banner.inner_text()
    results = page.locator(".result-list .card__title").all_inner_texts()
    assert results == ["Hedges and borders"]
    check_accessibility(page, "1-search-for-jane")

    click_and_wait(page.get_by_role("link", name=re.compile(r"^Book for Jane Ashworth\W+Hedges and borders$")))
    assert re.search(rf"/orders/new/{hedges.pk}/for/{jane.pk}/", page.url), page.url
    assert "covers Pemberton" in page.locator("main").inner_text()
    check_accessibility(page, "2-first-question")

    page.goto(url(f"/find-support/?for={jane.pk}"))
    click_and_wait(page.get_by_role("link", name="Search for everyone instead"))
    assert "Searching for" not in page.locator("main").inner_text()
    check_accessibility(page, "3-everyone")
