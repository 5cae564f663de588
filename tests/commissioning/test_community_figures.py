"""Issue 15's figures for commissioners, on the demo data: community groups and activities by neighbourhood (and
the free ones) in the market view's supply section, each linked to its list; community credits earned and spent by
neighbourhood; the home page leads to them."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from commissioning.selectors.community import community_credits, community_supply
from commissioning.selectors.lists import market_list
from commissioning.selectors.market import MarketFilter, period_presets
from market.accounts.models import User
from market.places.models import Neighbourhood

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded_once")]


@pytest.fixture
def demo():
    """The demo's commissioner (the demo is loaded once for this module)."""
    return User.objects.get(email="cath.commissioner@demo.example")


def _year(**narrowed) -> MarketFilter:
    presets = {label: (start, end) for label, start, end in period_presets()}
    return MarketFilter(*presets["The last 12 months"], **narrowed)


def test_community_supply_by_neighbourhood_equals_its_lists(demo):
    found = community_supply(_year())

    assert found.groups == market_list("community-groups", _year()).total > 0
    assert found.activities == market_list("activities", _year()).total > 0
    assert found.free == market_list("free-activities", _year()).total > 0
    areas = {area.neighbourhood.name: area for area in found.by_neighbourhood}
    assert "Pemberton" in areas and areas["Pemberton"].free > 0
    pemberton = Neighbourhood.objects.get(name="Pemberton")
    narrowed = _year(neighbourhood=pemberton)
    assert areas["Pemberton"].free == market_list("free-activities", narrowed).total
    assert areas["Pemberton"].groups == market_list("community-groups", narrowed).total


def test_credits_earned_by_neighbourhood_in_the_period(demo):
    areas = community_credits(_year())

    # Susan's three hours at the Orrell Lunch Club (which meets in Orrell and Pemberton), confirmed by the club
    [area] = [area for area in areas if area.earned]
    assert (area.earned, area.spent) == (3, 0) and area.neighbourhood in ("Orrell", "Pemberton")
    elsewhere = Neighbourhood.objects.exclude(name=area.neighbourhood).first()
    assert community_credits(_year(neighbourhood=elsewhere)) == []
    long_ago = MarketFilter(_year().start.replace(year=_year().start.year - 3), _year().start.replace(
        year=_year().start.year - 2))
    assert community_credits(long_ago) == []


def test_the_market_view_and_home_page_show_them(demo, verified_client):
    client = verified_client(demo)

    page = client.get(reverse("commissioning:market"), {"start": _year().start.isoformat(),
                                                        "end": _year().end.isoformat()}).content.decode()
    home = client.get(reverse("commissioning:home")).content.decode()

    assert "Community groups and activities by neighbourhood" in page
    assert '<th scope="row">Pemberton</th>' in page
    assert reverse("commissioning:market-list", args=["free-activities"]) in page
    assert "Community credits in the period" in page and "</th><td>3</td><td>0</td>" in page
    assert reverse("community:credits-council") in home and "#credits-heading" in home
    response = client.get(reverse("commissioning:market-list", args=["free-activities"]))
    assert response.status_code == HTTPStatus.OK
