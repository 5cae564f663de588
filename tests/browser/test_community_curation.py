"""The community page and the home page as council editors curated them (issue 15): zero axe violations."""

from __future__ import annotations

import pytest

from curation.models import CouncilPick, ListingCuration
from providers.models import ProviderKind
from tests import factories

from .support import BROWSER_DB, click_and_wait

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_a_visitor_sees_the_councils_picks_and_featured_groups(page, url, check_accessibility):
    pemberton = factories.NeighbourhoodFactory(name="Pemberton")
    group = factories.ProviderFactory(name="Pemberton Stitch and Natter", kind=ProviderKind.COMMUNITY_GROUP,
                                      legal_form="community_group")
    group.neighbourhoods.add(pemberton)
    category = factories.CategoryFactory(name="Activities and groups")
    made = {}
    for title in ("Stitch and Natter", "Lunch club", "Health walk"):
        made[title] = factories.ServiceFactory(provider=group, category=category, title=title, price_pence=0,
                                               unit="free", delivery="at_venue", venue_name="St John's Hall",
                                               schedule_note="Tuesdays, 10am to 12 noon")
    ListingCuration.objects.create(service=made["Stitch and Natter"], featured=True)
    CouncilPick.objects.create(service=made["Health walk"], note="An hour on the flat.")

    page.goto(url("/"))
    assert page.get_by_role("heading", name="Picked by the council").is_visible()
    check_accessibility(page, "1-home")
    click_and_wait(page.get_by_role("link", name="All community groups and activities"))
    assert page.get_by_role("heading", level=1).inner_text() == "Community groups and activities"
    cards = page.locator("#all-heading ~ ul .card__title").all_inner_texts()
    assert cards == ["Stitch and Natter", "Health walk", "Lunch club"]
    assert page.get_by_text("Featured by the council").count() == 1
    check_accessibility(page, "2-community")
