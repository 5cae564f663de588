"""The contract every search engine keeps (directory.search.ENGINES), run against each: what it finds, in what
order, how it counts and pages, and that a page only ever shows what the listing rule lists today."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from directory.forms import SearchForm
from directory.search import ENGINES, SearchCriteria
from directory.search import _engine as engine_at
from directory.selectors import search_page
from providers.models import CheckType, ProviderCheck, ServiceAvailability
from tests.factories import NeedFactory, ProviderCheckFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=ENGINES)
def engine(request, settings):
    settings.DIRECTORY_SEARCH_ENGINE = request.param
    return engine_at(request.param)


def criteria(**data) -> SearchCriteria:
    """The criteria the search form makes of these answers (the form's own checks included)."""
    form = SearchForm(data)
    assert form.is_valid(), form.errors
    return form.criteria()


def found(**data) -> list[str]:
    return [card.title for card in search_page(criteria(**data), number=1).cards]


@pytest.fixture
def catalogue(listed, gardening, personal_care):
    """Four services in the small borough, each answering different filters."""
    chat = listed(title="Cuppa and a chat", price_pence=1400, languages=["urdu"], unit="per_visit",
                  description="A friendly visit at home for tea and conversation.")
    ServiceAvailability.objects.create(service=chat, weekday=0, starts_at="09:00", ends_at="12:00")
    dance = listed(title="Tea dance", price_pence=1000, unit="per_session", council_budget_ok=False,
                   neighbourhoods=["pemberton"], description="Dancing, music and cake at the church hall.")
    dance.needs.set([NeedFactory(name="Getting out")])
    ServiceAvailability.objects.create(service=dance, weekday=4, starts_at="18:00", ends_at="21:00")
    listed(title="Hedge trimming", category=gardening, price_pence=2000, neighbourhoods=["standish"],
           description="Hedges, lawns and borders kept tidy.")
    care = listed(title="Help getting up", category=personal_care, price_pence=2200,
                  description="Washing and dressing in the morning.")
    ProviderCheckFactory(provider=care.provider, check_type=CheckType.objects.get(slug="cqc-registration"))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, ["Tea dance", "Cuppa and a chat", "Hedge trimming", "Help getting up"]),
        ({"category": "gardening"}, ["Hedge trimming"]),
        ({"category": "companionship"}, ["Tea dance", "Cuppa and a chat"]),
        ({"need": "getting-out"}, ["Tea dance"]),
        ({"day": "0"}, ["Cuppa and a chat"]),
        ({"day": "0", "time": "evening"}, []),
        ({"time": "evening"}, ["Tea dance"]),
        ({"max_price": "15"}, ["Tea dance", "Cuppa and a chat"]),
        ({"max_price": "12.50"}, ["Tea dance"]),
        ({"language": "Urdu"}, ["Cuppa and a chat"]),
        ({"language": "English"}, ["Tea dance", "Hedge trimming", "Help getting up"]),
        ({"regulated": "only"}, ["Help getting up"]),
        ({"regulated": "exclude"}, ["Tea dance", "Cuppa and a chat", "Hedge trimming"]),
        ({"council_budget": "on"}, ["Cuppa and a chat", "Hedge trimming", "Help getting up"]),
        ({"q": "hedges"}, ["Hedge trimming"]),
        ({"q": "dancing tea"}, ["Tea dance"]),
        ({"q": "zebra"}, []),
        ({"q": "the and of !!! ''"}, []),  # only stop words: nothing, and no error
        ({"postcode": "WN5 9XX"}, ["Tea dance"]),
        ({"postcode": "WN6"}, ["Hedge trimming"]),
        ({"postcode": "WN1 1AA", "category": "companionship"}, ["Cuppa and a chat"]),
    ],
)
def test_filters(engine, catalogue, data, expected):
    page = search_page(criteria(sort="price", **data) if "postcode" not in data else criteria(**data), number=1)

    assert [card.title for card in page.cards] == expected
    assert (page.total, page.total_is_exact) == (len(expected), True)


def test_sorts_with_ties_broken_by_price_then_id(engine, listed):
    middle = listed(title="Middle", price_pence=1500, provider__postcode="WN6 0QQ")
    listed(title="Cheap", price_pence=900, provider__postcode="WN1 2BB")
    listed(title="Dear", price_pence=2500, provider__postcode="WN1 2BB")
    listed(title="Same place, cheaper", price_pence=800, provider__postcode="WN1 2BB")
    type(middle).objects.filter(pk=middle.pk).update(created_at=middle.created_at + datetime.timedelta(days=1))

    assert found(sort="price") == ["Same place, cheaper", "Cheap", "Middle", "Dear"]
    assert found(sort="newest") == ["Middle", "Same place, cheaper", "Dear", "Cheap"]
    assert found(postcode="WN1 1AA") == ["Same place, cheaper", "Cheap", "Dear", "Middle"]
    assert found(postcode="WN1 1AA", sort="price") == found(sort="price")


def test_distances_are_true_on_the_ground(engine, listed):
    listed(title="Near", provider__postcode="WN1 2BB")
    listed(title="Far", provider__postcode="WN6 0QQ")

    cards = search_page(criteria(postcode="wn1 1aa"), number=1).cards

    # WN1 1AA to WN1 2BB: 0.43 km; to WN6 0QQ: 5.02 km
    assert [(card.title, card.distance) for card in cards] == [("Near", "0.3 miles away"), ("Far", "3.1 miles away")]


def test_coverage_by_neighbourhood_travel_radius_and_the_providers_areas(engine, listed, borough):
    listed(title="Travels 5 km", neighbourhoods=[], travel_radius_km=5, provider__postcode="WN1 2BB")
    listed(title="Travels 1 km", neighbourhoods=[], travel_radius_km=1, provider__postcode="WN1 2BB")
    provider_wide = listed(title="Provider-wide", neighbourhoods=[])
    provider_wide.provider.neighbourhoods.set([borough["standish"]])
    listed(title="Centre only")

    assert found(postcode="WN5 9XX") == ["Travels 5 km"]  # 4.2 km from the provider's base
    assert found(postcode="WN6 0QQ") == ["Travels 5 km", "Provider-wide"]  # 4.8 km; then Standish's own
    assert sorted(found(postcode="WN1 1AA")) == ["Centre only", "Travels 1 km", "Travels 5 km"]


def test_paging_and_a_page_past_the_end(engine, listed):
    for n in range(23):
        listed(title=f"Service {n:02d}", price_pence=1000 + n)

    first = search_page(criteria(sort="price"), number=1)
    second = search_page(criteria(sort="price"), number=2)
    past = search_page(criteria(sort="price"), number=99)

    assert [c.title for c in first.cards] == [f"Service {n:02d}" for n in range(20)]
    assert [c.title for c in second.cards] == ["Service 20", "Service 21", "Service 22"]
    assert (first.total, first.num_pages, second.start_index) == (23, 2, 21)
    assert (past.number, past.message) == (2, "There are only 2 pages of results, so here is the last one.")
    assert [c.title for c in past.cards] == [c.title for c in second.cards]


def test_more_matches_than_it_counts_says_so(engine, listed, monkeypatch):
    for n in range(7):
        listed(title=f"Service {n}")
    monkeypatch.setattr(engine, "count_limit", 5)

    hits = engine.search(criteria(), on_day=timezone.localdate(), offset=0, limit=3)

    assert (len(hits.hits), hits.total, hits.total_is_exact) == (3, 5, False)


def test_a_check_expiring_ends_the_listing_the_day_after_with_no_refresh(engine, listed):
    service = listed(title="Expires today")
    listed(title="Stays")
    today = timezone.localdate()
    ProviderCheck.objects.filter(provider=service.provider, check_type__slug="dbs-enhanced").update(expires_on=today)

    tomorrow = today + datetime.timedelta(days=1)
    assert sorted(card.title for card in search_page(criteria(), number=1, today=today).cards) == ["Expires today",
                                                                                                  "Stays"]
    assert [card.title for card in search_page(criteria(), number=1, today=tomorrow).cards] == ["Stays"]
    assert engine.search(criteria(), on_day=tomorrow, offset=0, limit=20).total == 1


def test_a_provider_suspended_behind_the_engines_back_is_dropped_by_the_live_check(engine, listed, caplog):
    # Given a suspension the search table has not seen (written with triggers off, as a bulk load might)
    service = listed(title="Just suspended")
    listed(title="Still listed")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE providers_provider SET status = 'suspended' WHERE id = %s", [service.provider_id])
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert engine.search(criteria(), on_day=timezone.localdate(), offset=0, limit=20).total == 2

    page = search_page(criteria(), number=1)

    assert ([card.title for card in page.cards], page.total) == (["Still listed"], 1)
    assert "no longer lists" in caplog.text


def test_no_results(engine, borough):
    page = search_page(criteria(postcode="WN1 1AA"), number=1)

    assert (page.cards, page.total, page.number) == ([], 0, 1)


# --- What the Open Referral feed asks of the engine (oruk/) ----------------------------------------------------

def _titles(engine, criteria_: SearchCriteria) -> list[str]:
    return sorted(card.title for card in search_page(criteria_, number=1).cards)


def test_within_metres_of_the_place(engine, listed, borough):
    from market.places.selectors import place_for_postcode

    listed(title="Near", neighbourhoods=[], travel_radius_km=10, provider__postcode="WN1 2BB")
    listed(title="Far", neighbourhoods=[], travel_radius_km=10, provider__postcode="WN6 0QQ")
    place = place_for_postcode("WN1 1AA")

    # WN1 1AA to WN1 2BB: 0.43 km; to WN6 0QQ: 5.02 km
    assert _titles(engine, SearchCriteria(place=place)) == ["Far", "Near"]
    assert _titles(engine, SearchCriteria(place=place, within_m=1000)) == ["Near"]
    assert _titles(engine, SearchCriteria(place=place, within_m=6000)) == ["Far", "Near"]
    assert _titles(engine, SearchCriteria(place=place, within_m=100)) == []


def test_hours_of_the_day_and_has_a_need(engine, catalogue):
    # Cuppa: Monday 9-12; Tea dance: Friday 18-21 and meets a need
    assert _titles(engine, SearchCriteria(hours=(11, 12))) == ["Cuppa and a chat"]
    assert _titles(engine, SearchCriteria(hours=(12, 18))) == []
    assert _titles(engine, SearchCriteria(hours=(8, 19))) == ["Cuppa and a chat", "Tea dance"]
    assert _titles(engine, SearchCriteria(weekday=4, hours=(8, 19))) == ["Tea dance"]
    assert _titles(engine, SearchCriteria(has_need=True)) == ["Tea dance"]


def test_a_caller_may_ask_for_an_exact_count_past_the_engines_limit(engine, listed, monkeypatch):
    for n in range(7):
        listed(title=f"Service {n}")
    monkeypatch.setattr(engine, "count_limit", 5)

    hits = engine.search(SearchCriteria(), on_day=timezone.localdate(), offset=0, limit=3, count_limit=100)

    assert (len(hits.hits), hits.total, hits.total_is_exact) == (3, 7, True)


def test_a_set_of_kinds_of_support_a_persons_plan(engine, catalogue, gardening, personal_care, companionship):
    # Searching for a person (their plan's kinds): only those kinds, combined with the other criteria; none: nothing.
    plan = frozenset({gardening.pk, personal_care.pk})

    assert _titles(engine, SearchCriteria(category_ids=plan)) == ["Hedge trimming", "Help getting up"]
    assert _titles(engine, SearchCriteria(category_ids=frozenset({companionship.pk}))) == [
        "Cuppa and a chat", "Tea dance"]
    assert _titles(engine, SearchCriteria(category_ids=plan, regulated="exclude")) == ["Hedge trimming"]
    assert _titles(engine, SearchCriteria(category_ids=plan, category=companionship)) == []
    assert _titles(engine, SearchCriteria(category_ids=frozenset())) == []
    assert _titles(engine, SearchCriteria(category_ids=None)) == [
        "Cuppa and a chat", "Hedge trimming", "Help getting up", "Tea dance"]
