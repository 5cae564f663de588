"""The Open Referral UK v3 feed (/oruk/): every endpoint's answers checked against the profile's JSON schemas,
the mapping of our records, a harvester reading the whole feed, filters, and the profile's paging envelope."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oruk.ids import oruk_id

from .conftest import assert_valid, page_validator, validator

pytestmark = pytest.mark.django_db


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == HTTPStatus.OK, response.content
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def names(document) -> list[str]:
    return [item.get("name") or item["service"]["name"] for item in document["contents"]]


def test_every_endpoint_answers_in_the_profiles_schemas(client, catalogue):
    services = get(client, "/oruk/services")
    assert_valid(page_validator("service_list"), services)
    assert services["total_items"] == 4  # the draft is not listed
    for item in services["contents"]:
        assert_valid(validator("service"), get(client, f"/oruk/services/{item['id']}"))

    at_locations = get(client, "/oruk/service_at_locations", postcode="WN1 1AA")
    assert_valid(page_validator("service_at_location_list"), at_locations)
    for item in at_locations["contents"]:
        assert_valid(validator("service_at_location"), get(client, f"/oruk/service_at_locations/{item['id']}"))

    taxonomies = get(client, "/oruk/taxonomies")
    assert_valid(page_validator("taxonomy"), taxonomies)
    for item in taxonomies["contents"]:
        assert_valid(validator("taxonomy"), get(client, f"/oruk/taxonomies/{item['id']}"))

    terms = get(client, "/oruk/taxonomy_terms", per_page=100)
    assert_valid(page_validator("taxonomy_term"), terms)
    assert terms["total_items"] == 5  # three kinds of support, two needs
    for item in terms["contents"]:
        assert_valid(validator("taxonomy_term"), get(client, f"/oruk/taxonomy_terms/{item['id']}"))

    meta = get(client, "/oruk/")
    assert meta["version"] == "3.0"
    assert meta["openapi_url"] == "http://testserver/oruk/openapi.json"
    assert client.get("/oruk/openapi.json").status_code == HTTPStatus.OK


def test_a_service_maps_price_availability_areas_languages_and_terms(client, catalogue, settings):
    settings.SITE_URL = "https://market.example"
    busy = catalogue["busy"]

    document = get(client, f"/oruk/services/{oruk_id('service', busy.pk)}")

    assert document["name"] == "Tea dance"
    assert document["status"] == "active"
    assert document["url"] == f"https://market.example/providers/{busy.provider.slug}/#service-{busy.pk}"
    assert document["organization"]["name"] == busy.provider.name
    assert document["cost_options"][0] | {"id": None} == {
        "id": None, "service_id": oruk_id("service", busy.pk), "option": "Per session", "amount": 10.0,
        "currency": "GBP", "amount_description": "£10 per session",
    }
    assert [(s["byday"], s["opens_at"], s["closes_at"], s["freq"]) for s in document["schedules"]] == [
        (day, "18:00", "21:30", "WEEKLY") for day in ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    ]
    assert sorted(area["name"] for area in document["service_areas"]) == ["Pemberton", "Standish", "Wigan Centre"]
    assert [language["name"] for language in document["languages"]] == ["English", "Urdu"]
    assert sorted(a["taxonomy_term"]["name"] for a in document["attributes"]) == [
        "Companionship", "Feeling less lonely", "Getting out"]
    assert busy.provider.postcode == "WN1 2BB"
    assert "2BB" not in str(document)  # the provider's base is published as its district only


def test_free_service_with_no_availability_and_a_travel_radius(client, catalogue):
    free = get(client, f"/oruk/services/{oruk_id('service', catalogue['free'].pk)}")
    far = get(client, f"/oruk/services/{oruk_id('service', catalogue['far'].pk)}")

    assert (free["schedules"], free["cost_options"][0]["amount"], free["fees"]) == ([], 0.0, "Free")
    assert free["contacts"][0]["phones"][0]["number"] == "01942 000000"
    assert [area["name"] for area in far["service_areas"]] == ["Within 8 km of the provider's base in WN6"]
    assert far["service_at_locations"][0]["location"]["external_identifier"] == "WN6"


def test_ids_are_stable_and_of_their_kind(client, catalogue):
    first = get(client, "/oruk/services")
    second = get(client, "/oruk/services")

    assert [item["id"] for item in first["contents"]] == [item["id"] for item in second["contents"]]
    assert {item["id"] for item in first["contents"]} == {
        oruk_id("service", catalogue[key].pk) for key in ("free", "busy", "far", "care")}
    assert oruk_id("service", 7) == "a8be80ec-94ad-8423-8000-000000000007"  # fixed forever: harvesters keep them


def test_a_harvester_reads_every_listed_service_exactly_once(client, listed):
    expected = {oruk_id("service", listed(title=f"Service {n:02d}").pk) for n in range(23)}

    seen, pages, page = [], [], 1
    while True:
        document = get(client, "/oruk/services", page=page, per_page=5)
        pages.append((document["page_number"], document["size"], document["first_page"], document["last_page"]))
        seen += [item["id"] for item in document["contents"]]
        if document["last_page"]:
            break
        page += 1

    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == expected
    assert pages == [(1, 5, True, False), (2, 5, False, False), (3, 5, False, False), (4, 5, False, False),
                     (5, 3, False, True)]
    assert (document["total_items"], document["total_pages"]) == (23, 5)


def test_a_page_past_the_end_is_empty_with_the_envelope(client, listed):
    listed(title="Only one")

    document = get(client, "/oruk/services", page=9)

    assert document | {"contents": None} == {
        "total_items": 1, "total_pages": 1, "page_number": 9, "size": 0, "first_page": False, "last_page": True,
        "empty": True, "contents": None}


def test_no_services_at_all(client, borough):
    document = get(client, "/oruk/services")

    assert (document["total_items"], document["total_pages"], document["empty"], document["last_page"]) == (
        0, 0, True, True)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search": "dancing"}, ["Tea dance"]),
        ({"search": "zebra"}, []),
        ({"day": "MO"}, ["Tea dance", "Help getting up"]),
        ({"day": "tuesday"}, ["Tea dance"]),
        ({"start_time": "07:30", "end_time": "08:00"}, ["Help getting up"]),
        ({"start_time": "20:00"}, ["Tea dance"]),
        ({"end_time": "07:00"}, []),
        ({"minimum_age": "65"}, ["Free coffee morning", "Tea dance", "Hedge trimming", "Help getting up"]),
        ({"maximum_age": "16"}, []),
        ({"postcode": "WN6 0QQ"}, ["Hedge trimming", "Tea dance"]),
        ({"postcode": "WN6 0QQ", "proximity": "1000"}, ["Hedge trimming"]),
        ({"postcode": "WN1 1AA", "proximity": "1000"}, ["Free coffee morning", "Tea dance", "Help getting up"]),
        ({"postcode": "ZE1 0AA"}, []),  # a real postcode outside the area: nothing covers it
    ],
)
def test_filters(client, catalogue, params, expected):
    services = get(client, "/oruk/services", **params)
    at_locations = get(client, "/oruk/service_at_locations", **params)

    if "postcode" in params:  # nearest first
        assert names(services) == expected
    else:
        assert sorted(names(services)) == sorted(expected)
    assert names(at_locations) == names(services)
    assert services["total_items"] == len(expected)


def test_taxonomy_filters(client, catalogue, gardening):
    need = catalogue["busy"].needs.get(name="Getting out")

    by_term = get(client, "/oruk/services", taxonomy_term_id=oruk_id("category", gardening.pk))
    by_need = get(client, "/oruk/services", taxonomy_term_id=oruk_id("need", need.pk))
    taxonomies = {item["name"]: item["id"] for item in get(client, "/oruk/taxonomies")["contents"]}
    needs = get(client, "/oruk/services", taxonomy_id=taxonomies["Needs"])
    kinds = get(client, "/oruk/services", taxonomy_id=taxonomies["Kinds of support"])
    unknown = get(client, "/oruk/services", taxonomy_term_id=oruk_id("category", 999_999))

    assert names(by_term) == ["Hedge trimming"]
    assert names(by_need) == ["Tea dance"]
    assert names(needs) == ["Tea dance"]
    assert kinds["total_items"] == 4
    assert unknown["total_items"] == 0


def test_a_service_that_stops_being_listed_leaves_the_feed(client, catalogue):
    care = catalogue["care"]
    url = f"/oruk/services/{oruk_id('service', care.pk)}"
    assert client.get(url).status_code == HTTPStatus.OK

    care.provider.status = "suspended"
    care.provider.save()

    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert oruk_id("service", care.pk) not in {item["id"] for item in get(client, "/oruk/services")["contents"]}


@pytest.mark.parametrize("url", ["/oruk/services?per_page={n}", "/oruk/service_at_locations?postcode=WN1+1AA"
                                 "&proximity=5000&per_page={n}"])
def test_queries_per_page_do_not_grow_with_its_size(client, listed, url):
    for n in range(12):
        listed(title=f"Service {n:02d}")
    client.get(url.format(n=1))  # warm the postcode cache

    counts = []
    for size in (2, 10):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(url.format(n=size)).json()["contents"]) == size
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 3


def test_a_full_service_costs_a_fixed_number_of_queries(client, catalogue):
    with CaptureQueriesContext(connection) as queries:
        get(client, f"/oruk/services/{oruk_id('service', catalogue['busy'].pk)}")

    assert len(queries) == 5  # the service with provider and category; needs; slots; areas; the provider's areas


def test_the_demo_data_validates_everywhere(client, db):
    from cms.demo import load_demo

    load_demo()

    services = get(client, "/oruk/services", per_page=100)
    assert services["total_items"] >= 5
    assert_valid(page_validator("service_list"), services)
    for item in services["contents"]:
        assert_valid(validator("service"), get(client, f"/oruk/services/{item['id']}"))
    at_locations = get(client, "/oruk/service_at_locations", postcode="WN1 3AD", proximity="20000", per_page=100)
    assert at_locations["total_items"] >= 1
    assert_valid(page_validator("service_at_location_list"), at_locations)
    for item in at_locations["contents"]:
        assert_valid(validator("service_at_location"), get(client, f"/oruk/service_at_locations/{item['id']}"))
    terms = get(client, "/oruk/taxonomy_terms", per_page=100)
    assert_valid(page_validator("taxonomy_term"), terms)
    for item in get(client, "/oruk/taxonomies")["contents"]:
        assert_valid(validator("taxonomy"), get(client, f"/oruk/taxonomies/{item['id']}"))
