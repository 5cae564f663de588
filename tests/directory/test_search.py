"""The directory search page as a person gets it: the form, the results, recording, bad input, query counts.
(What a search finds, and in what order, is the engines' contract: test_engine_contract.py.)"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from directory.models import SearchRecord
from providers.models import ServiceAvailability
from tests.factories import NeedFactory

URL = "/find-support/"


def titles(response) -> list[str]:
    return [card.title for card in response.context["page"].cards]


def test_page_without_a_search_shows_the_form_and_records_nothing(client, borough):
    response = client.get(URL)

    assert response.status_code == HTTPStatus.OK
    assert response.context["searched"] is False
    assert "page" not in response.context
    assert SearchRecord.objects.count() == 0


def test_url_name():
    assert reverse("directory:search") == URL


def test_result_shows_price_distance_badges_and_next_availability(client, listed):
    service = listed(title="Walks", price_pence=1750, unit="per_hour")
    for weekday in range(7):
        ServiceAvailability.objects.create(service=service, weekday=weekday, starts_at="00:00", ends_at="23:59")

    response = client.get(URL, {"postcode": "WN1 1AA"})

    card = response.context["page"].cards[0]
    assert card.price == "£17.50 per hour"
    assert card.distance == "0.3 miles away"
    assert [badge.label for badge in card.badges] == ["Enhanced DBS check", "Public liability insurance"]
    assert card.next_available.startswith(("Now, until 11:59pm", "Tomorrow, midnight to 11:59pm"))
    html = response.content.decode()
    assert f'<a href="/providers/{service.provider.slug}/#service-{service.pk}">Walks</a>' in html
    assert "<dt>Price</dt><dd>£17.50 per hour</dd>" in html
    assert "<dt>Distance</dt><dd>0.3 miles away</dd>" in html
    assert "Enhanced DBS check: verified" in html
    assert '<h2 id="results-heading" aria-live="polite" tabindex="-1">' in html
    # Issue 18, item 4: the results come before the filters in the page, and a link goes to the filters.
    assert html.index('id="results-heading"') < html.index('<form method="get"')
    assert '<a class="change-search" href="#search-form">Change your search</a>' in html
    assert '<h2 id="search-form-heading">Change your search</h2>' in html


# --- Recording ----------------------------------------------------------------------------------------------

def test_a_search_is_recorded_anonymously(client, listed, gardening, django_user_model):
    listed(title="Cuppa")

    client.get(URL, {"postcode": "wn1 1aa", "category": "gardening", "q": "my mum Margaret", "day": "2",
                     "max_price": "20"})

    record = SearchRecord.objects.get()
    assert record.district == "WN1"
    assert record.category == gardening
    assert record.need is None
    assert record.result_count == 0
    assert record.filters == {"weekday": 2, "max_price_pence": 2000, "has_text": True, "category": "gardening",
                              "other_words": 3}
    assert "Margaret" not in str(record.filters)
    assert "1AA" not in str(record.filters)


@pytest.mark.parametrize(("place", "expected"), [("WN5 9XX", "pemberton"), ("WN6", "standish"), ("WN1", "centre")])
def test_a_search_records_its_neighbourhood_for_commissioners(client, borough, place, expected):
    client.get(URL, {"postcode": place})

    assert SearchRecord.objects.get().neighbourhood == borough[expected]


def test_a_district_across_neighbourhoods_records_none(client, borough):
    from tests.factories import PostcodeFactory

    PostcodeFactory(postcode="WN1 9ZZ", neighbourhood=borough["pemberton"])

    client.get(URL, {"postcode": "WN1"})

    assert SearchRecord.objects.get().neighbourhood is None


def test_a_search_with_results_records_the_total_once_not_per_page(client, listed):
    for n in range(23):
        listed(title=f"Service {n:02d}")

    first = client.get(URL, {"postcode": "WN1 1AA"})
    second = client.get(URL, {"postcode": "WN1 1AA", "page": "2"})

    assert len(first.context["page"].cards) == 20
    assert len(second.context["page"].cards) == 3
    assert list(SearchRecord.objects.values_list("district", "result_count")) == [("WN1", 23)]


def test_an_invalid_search_is_not_recorded(client, borough):
    client.get(URL, {"postcode": "not a postcode"})

    assert SearchRecord.objects.count() == 0


# --- Bad input ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"postcode": "XYZ"}, "postcode", "Enter a real postcode, like WN1 1AA, or the first half only, like WN5."),
        ({"postcode": "M1 1AE"}, "postcode", "We do not know that postcode. Check it, or enter the first half only, "
                                             "like WN5."),
        ({"postcode": "W" * 2000}, "postcode",
         "Enter a real postcode, like WN1 1AA, or the first half only, like WN5."),
        ({"q": "a" * 2000}, "q", "Use 200 characters or fewer (you used 2000)."),
        ({"category": "'; drop table"}, "category", "Choose a kind of support from the list."),
        ({"need": "x"}, "need", "Choose what the support should help with from the list."),
        ({"day": "9"}, "day", "Choose a day from the list."),
        ({"time": "midnight"}, "time", "Choose a time of day from the list."),
        ({"max_price": "lots"}, "max_price", "Enter an amount in pounds and pence, like 17.50."),
        ({"max_price": "-5"}, "max_price", "Enter an amount in pounds and pence, like 17.50."),
        ({"max_price": "NaN"}, "max_price", "Enter an amount in pounds and pence, like 17.50."),
        ({"max_price": "1e9"}, "max_price", "Enter an amount in pounds and pence, like 17.50."),
        ({"max_price": "1E2"}, "max_price", "Enter an amount in pounds and pence, like 17.50."),
        ({"max_price": "1000.01"}, "max_price", "Enter an amount of £1,000 or less."),
        ({"max_price": "12.345"}, "max_price", "Enter an amount in pounds and pence, like 17.50."),
        ({"language": "Klingon"}, "language", "Choose a language from the list."),
        ({"regulated": "maybe"}, "regulated", "Choose one of the personal care options."),
        ({"sort": "random"}, "sort", "Choose how to sort from the list."),
        ({"sort": "distance"}, "sort", "Enter a postcode to sort by distance."),
    ],
)
def test_bad_input_gets_a_message_beside_the_field(client, listed, params, field, message):
    listed(title="Cuppa")

    response = client.get(URL, params)

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors == {field: [message]}
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert "There is a problem" in html
    assert "page" not in response.context
    assert SearchRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("page", "shown", "message"),
    [
        ("99999", 2, "There are only 2 pages of results, so here is the last one."),
        ("abc", 1, "That page number was not a number, so here is the first page."),
        ("-3", 1, "Pages start at 1, so here is the first page."),
        ("0", 1, "Pages start at 1, so here is the first page."),
        ("+2", 1, "That page number was not a number, so here is the first page."),
        ("\uff12", 1, "That page number was not a number, so here is the first page."),  # a fullwidth 2
        ("2.0", 1, "That page number was not a number, so here is the first page."),
    ],
)
def test_bad_page_numbers_show_a_page_and_say_why(client, listed, page, shown, message):
    for n in range(21):
        listed(title=f"Service {n:02d}")

    response = client.get(URL, {"sort": "price", "page": page})

    assert response.status_code == HTTPStatus.OK
    assert response.context["page"].number == shown
    assert response.context["page_message"] == message
    assert message in response.content.decode()


# --- Performance guards -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "queries"), [
    # the engine's page and count (1); the page re-checked live with what its cards show (1); the search record (1);
    # the place, and categories and needs for the form, come from the cache
    ({"postcode": "WN1 1AA"}, 3),
    ({"q": "friendly visit", "sort": "price"}, 3),
    ({"postcode": "WN1", "day": "0", "time": "morning", "language": "English", "max_price": "50"}, 3),
    ({"postcode": "WN1 1AA", "page": "1"}, 2),  # paging is not a new search: no record
])
def test_search_query_count_is_constant_whatever_the_number_of_results(
    client, listed, django_assert_num_queries, params, queries
):
    def make(count, prefix):
        for n in range(count):
            service = listed(title=f"{prefix} {n}", neighbourhoods=["centre", "pemberton"])
            service.needs.set([NeedFactory(name=f"Need {n % 3}")])
            ServiceAvailability.objects.create(service=service, weekday=0, starts_at="09:00", ends_at="12:00")

    make(3, "Few")
    client.get(URL, params)  # warm up anything cached per process
    with django_assert_num_queries(queries):
        few = client.get(URL, params)
    make(27, "More")
    with django_assert_num_queries(queries):
        many = client.get(URL, params)

    assert few.context["page"].total == 3
    assert many.context["page"].total == 30
    assert len(many.context["page"].cards) == 20


def test_the_search_still_works_while_the_cache_is_down(client, listed, settings):
    # Given a cache server nobody answers at (the form's categories and needs are normally read from it)
    listed(title="Cuppa")
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"}}

    response = client.get(URL, {"q": "cuppa"})

    assert response.status_code == HTTPStatus.OK
    assert titles(response) == ["Cuppa"]
    assert 'value="companionship"' in response.content.decode()
