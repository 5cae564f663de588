"""The directory search page: filters, sorting, listing rules, recording, bad input, query counts."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from directory.models import SearchRecord
from providers.models import ServiceAvailability
from tests.factories import NeedFactory

URL = "/find-support/"


def titles(response) -> list[str]:
    return [row.service.title for row in response.context["rows"]]


def test_page_without_a_search_shows_the_form_and_records_nothing(client, borough):
    response = client.get(URL)

    assert response.status_code == HTTPStatus.OK
    assert response.context["searched"] is False
    assert "rows" not in response.context
    assert SearchRecord.objects.count() == 0


def test_url_name():
    assert reverse("directory:search") == URL


def test_postcode_finds_services_covering_its_neighbourhood_sorted_by_distance(client, listed):
    near = listed(title="Near", provider__postcode="WN1 2BB")
    far = listed(title="Far", provider__postcode="WN6 0QQ")
    listed(title="Elsewhere", neighbourhoods=["standish"])

    response = client.get(URL, {"postcode": "wn1 1aa"})

    assert response.status_code == HTTPStatus.OK
    assert titles(response) == ["Near", "Far"]
    rows = response.context["rows"]
    assert rows[0].distance == "0.3 miles away"
    assert rows[1].distance == "3.1 miles away"
    assert response.context["total"] == 2
    assert near.pk != far.pk


# --- Filters ------------------------------------------------------------------------------------------------

def _monday_morning(service):
    ServiceAvailability.objects.create(service=service, weekday=0, starts_at="09:00", ends_at="12:00")


def _friday_evening(service):
    ServiceAvailability.objects.create(service=service, weekday=4, starts_at="18:00", ends_at="21:00")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "gardening"}, ["Hedge trimming"]),
        ({"category": "companionship"}, ["Cuppa and a chat", "Tea dance"]),
        ({"need": "getting-out"}, ["Tea dance"]),
        ({"day": "0"}, ["Cuppa and a chat"]),
        ({"day": "0", "time": "evening"}, []),
        ({"time": "evening"}, ["Tea dance"]),
        ({"max_price": "15"}, ["Cuppa and a chat", "Tea dance"]),
        ({"max_price": "12.50"}, ["Tea dance"]),
        ({"language": "Urdu"}, ["Cuppa and a chat"]),
        ({"language": "English"}, ["Hedge trimming", "Help getting up", "Tea dance"]),
        ({"regulated": "only"}, ["Help getting up"]),
        ({"regulated": "exclude"}, ["Cuppa and a chat", "Hedge trimming", "Tea dance"]),
        ({"council_budget": "on"}, ["Cuppa and a chat", "Hedge trimming", "Help getting up"]),
        ({"q": "hedges"}, ["Hedge trimming"]),
        ({"q": "dancing tea"}, ["Tea dance"]),
        ({"q": "zebra"}, []),
        ({"postcode": "WN5 9XX"}, ["Tea dance"]),
        ({"postcode": "WN6"}, ["Hedge trimming"]),
        ({"postcode": "WN1 1AA", "category": "companionship"}, ["Cuppa and a chat"]),
    ],
)
def test_filters(client, listed, gardening, personal_care, params, expected):
    from directory.forms import SearchForm  # noqa: F401  (choices come from the database)
    from providers.models import CheckType
    from tests.factories import ProviderCheckFactory

    chat = listed(title="Cuppa and a chat", price_pence=1400, languages=["urdu"], unit="per_visit",
                  description="A friendly visit at home for tea and conversation.")  # any case matches
    _monday_morning(chat)
    dance = listed(title="Tea dance", price_pence=1000, unit="per_session", council_budget_ok=False,
                   neighbourhoods=["pemberton"], description="Dancing, music and cake at the church hall.")
    dance.needs.set([NeedFactory(name="Getting out")])
    _friday_evening(dance)
    listed(title="Hedge trimming", category=gardening, price_pence=2000, neighbourhoods=["standish"],
           description="Hedges, lawns and borders kept tidy.")
    care = listed(title="Help getting up", category=personal_care, price_pence=2200,
                  description="Washing and dressing in the morning.")
    ProviderCheckFactory(provider=care.provider, check_type=CheckType.objects.get(slug="cqc-registration"))

    response = client.get(URL, {"sort": "price", **params} if "postcode" not in params else params)

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors == {}
    assert sorted(titles(response)) == sorted(expected)
    assert response.context["total"] == len(expected)


def test_sort_by_price_and_newest(client, listed):
    middle = listed(title="Middle", price_pence=1500)
    listed(title="Cheap", price_pence=900)
    listed(title="Dear", price_pence=2500)
    type(middle).objects.filter(pk=middle.pk).update(created_at=middle.created_at + datetime.timedelta(days=1))

    assert titles(client.get(URL, {"sort": "price"})) == ["Cheap", "Middle", "Dear"]
    assert titles(client.get(URL, {"sort": "newest"})) == ["Middle", "Dear", "Cheap"]


def test_travel_radius_covers_places_outside_the_listed_neighbourhoods(client, listed):
    listed(title="Travels 5 km", neighbourhoods=[], travel_radius_km=5, provider__postcode="WN1 2BB")
    listed(title="Travels 1 km", neighbourhoods=[], travel_radius_km=1, provider__postcode="WN1 2BB")

    assert titles(client.get(URL, {"postcode": "WN5 9XX"})) == ["Travels 5 km"]


def test_provider_areas_apply_to_a_service_that_names_none(client, listed, borough):
    service = listed(title="Provider-wide", neighbourhoods=[])
    service.provider.neighbourhoods.set([borough["standish"]])

    assert titles(client.get(URL, {"postcode": "WN6 0QQ"})) == ["Provider-wide"]
    assert titles(client.get(URL, {"postcode": "WN5 9XX"})) == []


def test_result_shows_price_distance_badges_and_next_availability(client, listed):
    service = listed(title="Walks", price_pence=1750, unit="per_hour")
    for weekday in range(7):
        ServiceAvailability.objects.create(service=service, weekday=weekday, starts_at="00:00", ends_at="23:59")

    response = client.get(URL, {"postcode": "WN1 1AA"})

    row = response.context["rows"][0]
    assert row.price == "£17.50 per hour"
    assert row.distance == "0.3 miles away"
    assert [badge.label for badge in row.badges] == ["Enhanced DBS check", "Public liability insurance"]
    assert row.next_available.startswith(("Today from", "Tomorrow from 12 midnight", "Tomorrow from midnight"))
    html = response.content.decode()
    assert "£17.50 per hour" in html
    assert "Enhanced DBS check: verified" in html


# --- Only listed services -----------------------------------------------------------------------------------

@pytest.mark.parametrize("unlist", ["provider_pending", "provider_suspended", "service_paused", "service_draft",
                                    "expired_dbs", "missing_insurance", "regulated_without_cqc"])
def test_unlisted_services_never_appear(client, listed, personal_care, unlist):
    from providers.models import ProviderCheck

    listed(title="Listed one")
    extra = {"category": personal_care} if unlist == "regulated_without_cqc" else {}
    service = listed(title="Hidden one", **extra)
    provider = service.provider
    if unlist.startswith("provider_"):
        provider.status = unlist.removeprefix("provider_")
        provider.save()
    elif unlist.startswith("service_"):
        service.status = unlist.removeprefix("service_")
        service.save()
    elif unlist == "expired_dbs":
        ProviderCheck.objects.filter(provider=provider, check_type__slug="dbs-enhanced").update(
            issued_on="2020-01-01", expires_on="2021-01-01"
        )
    elif unlist == "missing_insurance":
        ProviderCheck.objects.filter(provider=provider, check_type__slug="public-liability-insurance").delete()

    for params in ({"q": ""}, {"postcode": "WN1 1AA"}, {"q": "friendly visit"}, {"sort": "price"}):
        response = client.get(URL, params)
        assert titles(response) == ["Listed one"], params
        assert "Hidden one" not in response.content.decode()


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
    assert record.filters == {"weekday": 2, "max_price_pence": 2000, "has_text": True, "category": "gardening"}
    assert "Margaret" not in str(record.filters)
    assert "1AA" not in str(record.filters)


def test_a_search_with_results_records_the_total_once_not_per_page(client, listed):
    for n in range(23):
        listed(title=f"Service {n:02d}")

    first = client.get(URL, {"postcode": "WN1 1AA"})
    second = client.get(URL, {"postcode": "WN1 1AA", "page": "2"})

    assert len(first.context["rows"]) == 20
    assert len(second.context["rows"]) == 3
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
        ({"max_price": "lots"}, "max_price", "Enter an amount in pounds, like 18 or 17.50."),
        ({"max_price": "-5"}, "max_price", "Enter an amount in pounds, like 18 or 17.50."),
        ({"max_price": "NaN"}, "max_price", "Enter an amount in pounds, like 18 or 17.50."),
        ({"max_price": "1e9"}, "max_price", "Enter an amount of £1,000 or less."),
        ({"max_price": "12.345"}, "max_price", "Enter pounds and pence only, like 17.50."),
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
    assert "rows" not in response.context
    assert SearchRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("page", "shown", "message"),
    [
        ("99999", 2, "There are only 2 pages of results, so here is the last one."),
        ("abc", 1, "That page number was not a number, so here is the first page."),
        ("-3", 1, "Pages start at 1, so here is the first page."),
        ("0", 1, "Pages start at 1, so here is the first page."),
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


def test_stopwords_only_search_finds_nothing_without_error(client, listed):
    listed(title="Cuppa")

    response = client.get(URL, {"q": "the and of !!! ''"})

    assert response.status_code == HTTPStatus.OK
    assert titles(response) == []


# --- Performance guards -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "queries"), [
    # place (1); the page with its total from the search table, re-checked live through listed_services()
    # and joined with everything its cards show (1); the search record (1 INSERT); categories and needs for
    # the form come from the cache
    ({"postcode": "WN1 1AA"}, 3),
    ({"q": "friendly visit", "sort": "price"}, 2),
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

    assert few.context["total"] == 3
    assert many.context["total"] == 30
    assert len(many.context["rows"]) == 20


def test_full_text_condition_matches_the_gin_index(listed):
    """The search's full-text condition is the indexed expression, so PostgreSQL can use the GIN index
    (on a handful of rows it prefers other plans for the whole query; the benchmark data set uses it)."""
    from django.contrib.postgres.search import SearchQuery
    from django.db import connection

    from directory.selectors import SEARCH_CONFIG, service_search_vector
    from providers.models import Service

    listed(title="Cuppa")
    query = SearchQuery("garden", search_type="websearch", config=SEARCH_CONFIG)
    qs = Service.objects.annotate(document=service_search_vector()).filter(document=query)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = qs.explain()

    assert "Bitmap Index Scan on directory_service_fts" in plan


@pytest.mark.django_db(transaction=True)
def test_a_search_outside_a_transaction_is_recorded_in_one_statement_or_skipped_if_its_category_vanished(
    django_assert_num_queries,
):
    from directory.forms import SearchForm
    from directory.services import search_record_create
    from tests.factories import CategoryFactory

    category = CategoryFactory(name="Gardening")
    form = SearchForm({"category": category.slug, "max_price": "20"})
    assert form.is_valid(), form.errors
    criteria = form.criteria()

    with django_assert_num_queries(1):
        record = search_record_create(criteria=criteria, result_count=4)

    stored = SearchRecord.objects.get()
    assert (stored.pk, stored.district, stored.category_id, stored.need_id, stored.result_count) == (
        record.pk, "", category.pk, None, 4
    )
    assert stored.filters == {"category": "gardening", "max_price_pence": 2000}

    category.delete()  # between the form's cached list and the insert
    assert search_record_create(criteria=criteria, result_count=0) is None
    assert SearchRecord.objects.count() == 1


@pytest.mark.parametrize("variant", ["plain", "distance_regulated_badges", "escaping"])
def test_result_cards_built_in_python_are_the_reference_template_s_html(variant):
    from django.template.loader import render_to_string

    from directory.selectors import Badge, CardCategory, CardProvider, CardService, ResultRow

    title, name, summary = "Walks", "Dave's Walks", "A walk round the park."
    if variant == "escaping":
        title, name, summary = 'Tea & "chat" <b>', "O'Neill & <Sons>", "Cake & tea <script>alert(1)</script>"
    service = CardService(7, title, summary, 1750, "per_hour", variant == "distance_regulated_badges",
                          CardProvider(3, name, "daves-walks"), CardCategory(2, "Companion & care", False))
    badges = [Badge("Enhanced DBS check", datetime.date(2026, 11, 5)),
              Badge("Insurance <£5m>", datetime.date(2026, 1, 9))]
    row = ResultRow(service=service, price="£17.50 per hour",
                    distance="0.3 miles away" if variant != "plain" else "",
                    badges=badges if variant != "plain" else [], next_available="Tomorrow from 9am",
                    regulated=variant == "distance_regulated_badges", summary=summary)

    assert row.html == render_to_string("directory/_result_card.html", {"row": row})


def test_search_page_cards_are_the_reference_template_s_html(client, listed):
    from django.template.loader import render_to_string

    service = listed(title="Walks & <talks>", price_pence=1750, unit="per_hour", provider__name="O'Neill's")
    ServiceAvailability.objects.create(service=service, weekday=0, starts_at="09:00", ends_at="12:00")
    listed(title="Second", price_pence=0, unit="free")

    response = client.get(URL, {"postcode": "WN1 1AA"})

    rows = response.context["rows"]
    html = response.content.decode()
    assert len(rows) == 2
    for row in rows:
        card = render_to_string("directory/_result_card.html", {"row": row})
        assert row.html == card
        assert card in html
    assert "Walks &amp; &lt;talks&gt;" in html


def test_the_results_section_built_in_python_is_the_reference_template_s_html(client, listed):
    """cards.results_html() and directory/_results.html give the same HTML: no results, one page, the first,
    middle and last of several pages, a page past the end (with its notice), near a place."""
    from django.template.loader import render_to_string
    from django.test.html import parse_html

    from directory.cards import results_html

    for n in range(45):
        listed(title=f"Walk {n} & <talk>", price_pence=1000 + n)
    cases = [{"q": "nothing matches this"}, {"q": "walk 3"}, {"sort": "price"}, {"sort": "price", "page": "2"},
             {"sort": "price", "page": "3"}, {"sort": "price", "page": "99"}, {"postcode": "WN1 1AA", "sort": "price"}]
    for params in cases:
        response = client.get(URL, params)
        keys = ("criteria", "page", "rows", "total", "page_message", "query_string")
        parts = {key: response.context[key] for key in keys}
        reference = render_to_string("directory/_results.html", parts)

        built = results_html(**parts)

        assert parse_html(built) == parse_html(reference), params
        assert built in response.content.decode()
