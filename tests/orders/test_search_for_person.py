"""Issue 18, item 1: a coordinator or supporter searches the directory for a person (`/find-support/?for=<id>`):
their area and their plan are applied through the one search engine, a banner says so, and each result books for
them. Anyone else gets the ordinary search and nothing about the person."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from market.accounts.models import ConsentScope
from market.accounts.services import consent_grant
from tests import factories

from .helpers import make_budget

URL = "/find-support/"


@pytest.fixture
def market(db):
    """Pemberton (WN5 9XX) and Standish (WN6 0QQ); gardening and companionship in Pemberton, gardening in Standish."""
    pemberton = factories.NeighbourhoodFactory(name="Pemberton", latitude=53.5390, longitude=-2.6900)
    standish = factories.NeighbourhoodFactory(name="Standish", latitude=53.5870, longitude=-2.6600)
    factories.PostcodeFactory(postcode="WN5 9XX", latitude=53.5390, longitude=-2.6900, neighbourhood=pemberton)
    factories.PostcodeFactory(postcode="WN6 0QQ", latitude=53.5870, longitude=-2.6600, neighbourhood=standish)
    gardening = factories.CategoryFactory(name="Gardening", slug="gardening")
    companionship = factories.CategoryFactory(name="Companionship", slug="companionship")
    services = {}
    for title, category, area in [("Pemberton hedges", gardening, pemberton), ("Standish lawns", gardening, standish),
                                  ("Pemberton cuppa", companionship, pemberton)]:
        service = factories.ListedServiceFactory(title=title, category=category, provider__postcode="WN5 9XX")
        service.neighbourhoods.set([area])
        services[title] = service
    return {"pemberton": pemberton, "gardening": gardening, "companionship": companionship, "services": services}


@pytest.fixture
def jane(market, coordinator):
    person = factories.CaseloadFactory(coordinator=coordinator, person__full_name="Jane Ashworth",
                                       person__user=None, person__postcode="WN5 9XX",
                                       person__neighbourhood=market["pemberton"]).person
    make_budget(holder=person, created_by=coordinator, categories=[market["gardening"]])
    return person


def _titles(body: str, market) -> list[str]:
    return [title for title in market["services"] if title in body]


def test_a_coordinator_searches_for_a_person_in_their_area_within_their_plan(client, coordinator, jane, market):
    client.force_login(coordinator)

    response = client.get(URL, {"for": jane.pk})

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "<h1>Find support for Jane Ashworth</h1>" in body
    assert ("<strong>Searching for Jane Ashworth:</strong> support that covers Pemberton and fits their plan "
            "(gardening). Each result books for Jane Ashworth.") in body
    assert '<a href="/find-support/">Search for everyone instead</a>' in body
    # Pemberton's gardening only: Standish is not her area, companionship is not in her plan.
    assert _titles(body, market) == ["Pemberton hedges"]
    hedges = market["services"]["Pemberton hedges"]
    assert (f'href="/orders/new/{hedges.pk}/?for={jane.pk}">Book for Jane Ashworth'
            f'<span class="visually-hidden">: Pemberton hedges</span></a>') in body
    # The form keeps the mode, asks no postcode, and offers only the plan's kinds of support.
    assert f'<input type="hidden" name="for" value="{jane.pk}">' in body
    assert 'name="postcode"' not in body
    assert 'value="gardening"' in body and 'value="companionship"' not in body


def test_the_persons_area_wins_over_a_typed_postcode_and_other_filters_still_apply(client, coordinator, jane,
                                                                                  market):
    client.force_login(coordinator)

    assert _titles(client.get(URL, {"for": jane.pk, "postcode": "WN6 0QQ"}).content.decode(),
                   market) == ["Pemberton hedges"]
    assert _titles(client.get(URL, {"for": jane.pk, "q": "zebra"}).content.decode(), market) == []
    everyone = client.get(URL, {"for": jane.pk, "q": "hedges"}).content.decode()
    assert '<a href="/find-support/?q=hedges">Search for everyone instead</a>' in everyone


def test_searching_for_everyone_instead_finds_everything(client, coordinator, jane, market):
    client.force_login(coordinator)

    body = client.get(URL, {"category": "gardening"}).content.decode()

    assert "Searching for" not in body
    assert sorted(_titles(body, market)) == ["Pemberton hedges", "Standish lawns"]


def test_a_plan_that_allows_any_kind_limits_only_the_area(client, coordinator, market):
    person = factories.CaseloadFactory(coordinator=coordinator, person__full_name="Bob Hart", person__user=None,
                                       person__postcode="", person__neighbourhood=market["pemberton"]).person
    make_budget(holder=person, created_by=coordinator)  # no kinds named: any kind
    client.force_login(coordinator)

    body = client.get(URL, {"for": person.pk}).content.decode()

    # No postcode: the neighbourhood is the area.
    assert "support that covers Pemberton. Each result books for Bob Hart." in body
    assert sorted(_titles(body, market)) == ["Pemberton cuppa", "Pemberton hedges"]


def test_a_supporter_with_consent_to_order_may_search_for_the_person(client, jane, market, coordinator):
    supporter = factories.SupporterFactory()
    consent_grant(holder=jane, supporter=supporter, scopes=[ConsentScope.ORDER], relationship="Daughter",
                  granted_by=coordinator)
    client.force_login(supporter)

    body = client.get(URL, {"for": jane.pk}).content.decode()

    assert "Searching for Jane Ashworth" in body
    assert _titles(body, market) == ["Pemberton hedges"]


@pytest.mark.parametrize("who", ["anonymous", "stranger coordinator", "supporter who may only look"])
def test_anyone_else_gets_the_ordinary_search_and_nothing_about_the_person(client, jane, coordinator, who):
    if who == "stranger coordinator":
        client.force_login(factories.CoordinatorFactory())
    elif who == "supporter who may only look":
        supporter = factories.SupporterFactory()
        consent_grant(holder=jane, supporter=supporter, scopes=[ConsentScope.VIEW], relationship="Son",
                      granted_by=coordinator)
        client.force_login(supporter)

    response = client.get(URL, {"for": jane.pk})

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Jane" not in body and "Ashworth" not in body and "Pemberton hedges" not in body
    assert "<h1>Find support</h1>" in body
    assert 'name="postcode"' in body


@pytest.mark.parametrize("value", ["", "abc", "-1", "0", "999999", "9" * 40, "1 OR 1=1"])
def test_a_person_that_is_not_there_is_never_an_error(client, coordinator, jane, value):
    client.force_login(coordinator)

    response = client.get(URL, {"for": value, "q": "hedges"})

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Searching for" not in body and "Jane" not in body
    assert "Pemberton hedges" in body  # the ordinary search, of the other filters


def test_the_anonymous_search_does_no_work_for_the_person_mode(client, market):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"postcode": "WN5 9XX"})

    assert response.status_code == HTTPStatus.OK
    assert not [query for query in queries if "orders_budget" in query["sql"] or "accounts_person" in query["sql"]]


def test_the_persons_pages_link_to_the_search_for_them(client, coordinator, jane):
    client.force_login(coordinator)

    orders_page = client.get(f"/orders/people/{jane.pk}/orders/").content.decode()
    caseload = client.get("/community/caseload/").content.decode()
    person_page = client.get(f"/community/people/{jane.pk}/").content.decode()

    link = f'href="/find-support/?for={jane.pk}"'
    assert f'{link}>Find support for Jane Ashworth</a>' in orders_page
    assert "The search shows support that covers Pemberton, and only what Jane Ashworth's support plan includes: " \
           "gardening." in orders_page
    assert f'{link}>Find support<span class="visually-hidden"> for Jane Ashworth</span></a>' in caseload
    assert f'{link}>Find support for Jane Ashworth</a>' in person_page
