"""The search's in-memory index (market/directory/index.py) outside a transaction, as web requests use it: every
committed change is seen by the next search, however it was made, and a page costs a fixed number of queries.

These tests commit (transaction=True): the index only ever reflects committed data."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from directory import index as listing_index
from market.places.models import Postcode
from providers import services as provider_services
from providers.models import AvailabilityException, CheckType, ServiceAvailability
from tests.factories import CategoryFactory, NeedFactory, ProviderCheckFactory

URL = "/find-support/"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_index():
    listing_index.forget()
    yield
    listing_index.forget()


def titles(response) -> list[str]:
    return [row.service.title for row in response.context["rows"]]


def test_web_searches_use_the_index_and_see_each_commit_at_once(client, listed, borough, gardening):
    walks = listed(title="Garden walks", price_pence=1500)
    first = client.get(URL, {"postcode": "WN1 1AA"})
    assert titles(first) == ["Garden walks"]
    assert listing_index._synced.live is not None  # the page came from the index

    # A new service: found by the next search (its provider's rows are read again).
    tidy = listed(title="Hedge trimming", category=gardening, price_pence=1200)
    assert titles(client.get(URL, {"postcode": "WN1 1AA", "sort": "price"})) == ["Hedge trimming", "Garden walks"]

    # The provider renamed: the card shows the new name.
    tidy.provider.name = "Tidy Gardens Co-op"
    tidy.provider.save()
    assert "Tidy Gardens Co-op" in client.get(URL, {"postcode": "WN1 1AA"}).content.decode()

    # A price rise: filtered and shown at the new price.
    tidy.price_pence = 2500
    tidy.save()
    cheap = client.get(URL, {"postcode": "WN1 1AA", "max_price": "20"})
    assert titles(cheap) == ["Garden walks"]

    # Suspended: gone from the results and the count.
    provider_services.provider_suspend(provider=walks.provider, actor=None, reason="Insurance lapsed")
    after = client.get(URL, {"postcode": "WN1 1AA"})
    assert titles(after) == ["Hedge trimming"]
    assert after.context["total"] == 1


def test_days_off_badges_places_and_lists_reach_the_page_without_a_restart(client, listed, borough):
    service = listed(title="Morning visits")
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    ServiceAvailability.objects.create(service=service, weekday=tomorrow.weekday(), starts_at="09:00",
                                       ends_at="12:00")
    assert client.get(URL, {"q": "visits"}).context["rows"][0].next_available == "Tomorrow from 9am"

    AvailabilityException.objects.create(service=service, date=tomorrow)  # a day off: the week after, then
    week_after = tomorrow + datetime.timedelta(days=7)
    assert client.get(URL, {"q": "visits"}).context["rows"][0].next_available == (
        f"{week_after:%A} {week_after.day} {week_after:%B} from 9am"
    )

    kind = CheckType.objects.create(slug="safeguarding", name="Safeguarding training", sort_order=9)
    ProviderCheckFactory(provider=service.provider, check_type=kind)
    labels = [badge.label for badge in client.get(URL, {"q": "visits"}).context["rows"][0].badges]
    assert "Safeguarding training" in labels
    kind.name = "Safeguarding (renamed)"
    kind.save()
    badges = [badge.label for badge in client.get(URL, {"q": "visits"}).context["rows"][0].badges]
    assert "Safeguarding (renamed)" in badges

    Postcode.objects.create(postcode="WN1 9ZZ", district="WN1", latitude=53.546, longitude=-2.631,
                            neighbourhood=borough["centre"])
    assert titles(client.get(URL, {"postcode": "WN1 9ZZ"})) == ["Morning visits"]

    CategoryFactory(name="Befriending by phone")
    assert "Befriending by phone" in client.get(URL).content.decode()


def test_a_truncated_search_table_is_read_again_whole(client, listed):
    listed(title="Tea and chat")
    assert titles(client.get(URL, {"q": "tea"})) == ["Tea and chat"]

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE directory_listing")

    assert titles(client.get(URL, {"q": "tea"})) == []


@pytest.mark.parametrize(("params", "queries"), [
    # What changed since the last search (1); which of the page's services the live rule lists (1); the search
    # record (1). The postcodes, categories, needs, matches and cards come from the index.
    ({"postcode": "WN1 1AA"}, 3),
    ({"postcode": "WN1", "day": "0", "time": "morning", "language": "English", "max_price": "50"}, 3),
    ({"q": "friendly visit", "sort": "price"}, 3),  # the words' matches were read by the warm-up search
    ({"postcode": "WN1 1AA", "page": "1"}, 2),  # paging is not a new search: no record
])
def test_an_index_search_costs_the_same_queries_whatever_the_number_of_results(
    client, listed, django_assert_num_queries, params, queries
):
    def make(count, prefix):
        for n in range(count):
            service = listed(title=f"{prefix} {n}", neighbourhoods=["centre", "pemberton"],
                             description="A friendly visit at home.")
            service.needs.set([NeedFactory(name=f"Need {prefix} {n % 3}")])
            ServiceAvailability.objects.create(service=service, weekday=0, starts_at="09:00", ends_at="12:00")

    make(3, "Few")
    client.get(URL, params)  # reads the index (and, for words, their matches)
    with django_assert_num_queries(queries):
        few = client.get(URL, params)
    make(27, "More")
    client.get(URL, params)  # reads the changed providers again
    with django_assert_num_queries(queries):
        many = client.get(URL, params)

    assert few.context["total"] == 3
    assert many.context["total"] == 30
    assert len(many.context["rows"]) == 20


def test_the_full_rebuild_task_prunes_old_change_log_entries():
    from directory.tasks import refresh_listings

    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO directory_listing_change (provider_ids, changed_at) "
                       "VALUES ('{-1}', now() - interval '3 days'), ('{-2}', now())")

    refresh_listings()

    with connection.cursor() as cursor:
        cursor.execute("SELECT provider_ids FROM directory_listing_change WHERE provider_ids && '{-1,-2}'")
        assert [row[0] for row in cursor.fetchall()] == [[-2]]


def test_an_index_brought_up_to_date_by_changes_equals_one_read_whole(client, listed, borough, gardening):
    """Merging the changed providers' rows into the columns (and their cards) gives exactly what reading the
    whole table gives."""
    import numpy as np

    from directory.index import ListingIndex

    kept = listed(title="Kept", price_pence=900)
    changed = listed(title="Changed", neighbourhoods=["pemberton"], languages=["Polish"])
    client.get(URL, {"q": "kept"})  # reads the whole index
    listed(title="Added later", category=gardening, neighbourhoods=["standish"], languages=["Urdu"])
    changed.price_pence = 3100
    changed.save()
    changed.neighbourhoods.set([borough["standish"]])
    NeedFactory(name="Getting out").services.add(kept)

    updated = listing_index.live().index
    whole = ListingIndex.load()

    for name in ListingIndex.ARRAYS:
        assert np.array_equal(getattr(updated, name), getattr(whole, name), equal_nan=True), name
    for name in ListingIndex.MEMBERS:
        ours, theirs = getattr(updated, name), getattr(whole, name)
        for value in ours._masks.keys() | theirs._masks.keys():
            assert np.array_equal(ours.mask(value), theirs.mask(value)), (name, value)
    assert updated.cards.parts == whole.cards.parts
    assert updated.cards.providers.keys() == whole.cards.providers.keys()


def test_gunicorn_workers_read_the_index_as_they_start(listed):
    """gunicorn.conf.py's post_worker_init hook (given a stand-in for gunicorn's worker: only its log is used)."""
    import importlib.util
    import logging
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_settings", path)
    settings_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings_module)
    listed(title="Read at start")

    class Worker:
        log = logging.getLogger("gunicorn.error")

    settings_module.post_worker_init(Worker())

    assert listing_index._synced.live is not None
    assert listing_index._synced.live.index.size == 1
