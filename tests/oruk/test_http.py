"""What every feed answer shares: JSON errors naming the parameter, 404s, CORS, caching headers, throttling."""

from __future__ import annotations

import time
import uuid
from http import HTTPStatus

import pytest
from django.utils.http import parse_http_date

from oruk.ids import oruk_id

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("params", "parameter", "reason"),
    [
        ({"page": "-1"}, "page", "page must be from 1 to 100000."),
        ({"page": "0"}, "page", "page must be from 1 to 100000."),
        ({"page": "two"}, "page", "page must be a whole number, not 'two'."),
        ({"per_page": "101"}, "per_page", "per_page must be from 1 to 100."),
        ({"per_page": "0"}, "per_page", "per_page must be from 1 to 100."),
        ({"postcode": "WN1 ZZZZ"}, "postcode",
         "postcode must be a UK postcode like WN1 2AB, or a district like WN1, not 'WN1 ZZZZ'."),
        ({"postcode": "WN1 1AA", "proximity": "-5"}, "proximity", "proximity must be a number from 0 to 100000."),
        ({"postcode": "WN1 1AA", "proximity": "near"}, "proximity", "proximity must be a number, not 'near'."),
        ({"proximity": "500"}, "proximity", "proximity needs a postcode to measure from."),
        ({"start_time": "25:00"}, "start_time",
         "start_time must be a time of day as HH:MM or HH:MM:SS, not '25:00'."),
        ({"end_time": "9am"}, "end_time", "end_time must be a time of day as HH:MM or HH:MM:SS, not '9am'."),
        ({"start_time": "10:00", "end_time": "09:00"}, "end_time", "end_time must be after start_time."),
        ({"day": "Funday"}, "day",
         "day must be a day of the week (Monday or MO ... Sunday or SU), not 'Funday'."),
        ({"minimum_age": "old"}, "minimum_age", "minimum_age must be a number, not 'old'."),
        ({"minimum_age": "nan"}, "minimum_age", "minimum_age must be a number from 0 to 150."),
        ({"minimum_age": "70", "maximum_age": "20"}, "maximum_age", "maximum_age must not be below minimum_age."),
        ({"taxonomy_term_id": "gardening"}, "taxonomy_term_id", "taxonomy_term_id must be a UUID, not 'gardening'."),
        ({"taxonomy_id": "1"}, "taxonomy_id", "taxonomy_id must be a UUID, not '1'."),
        ({"search": "x" * 201}, "search", "search must be at most 200 characters."),
    ],
)
@pytest.mark.parametrize("url", ["/oruk/services", "/oruk/service_at_locations"])
def test_bad_parameters_are_a_400_naming_the_parameter(client, borough, url, params, parameter, reason):
    response = client.get(url, params)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {"status": 400, "error": "Bad Request", "message": reason, "parameter": parameter}


@pytest.mark.parametrize("url", ["/oruk/taxonomies?page=0", "/oruk/taxonomy_terms?per_page=1000"])
def test_bad_paging_of_taxonomies_is_a_400(client, db, url):
    response = client.get(url)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["parameter"] in {"page", "per_page"}


def test_unknown_ids_are_a_404_with_a_json_body(client, catalogue):
    busy = catalogue["busy"]
    unknown = [
        f"/oruk/services/{uuid.uuid4()}",                          # not one of ours
        "/oruk/services/not-a-uuid",
        f"/oruk/services/{oruk_id('organization', busy.pk)}",      # ours, of another kind
        f"/oruk/services/{oruk_id('service', 999_999)}",           # no such service
        f"/oruk/services/{oruk_id('service', catalogue['draft'].pk)}",  # not listed
        f"/oruk/service_at_locations/{oruk_id('service', busy.pk)}",
        f"/oruk/taxonomies/{uuid.uuid4()}",
        f"/oruk/taxonomy_terms/{oruk_id('category', 999_999)}",
        f"/oruk/taxonomy_terms/{oruk_id('service', busy.category_id)}",
    ]
    for url in unknown:
        response = client.get(url)
        assert response.status_code == HTTPStatus.NOT_FOUND, url
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response.json()["parameter"] == "id"
        assert response.json()["message"].startswith("There is no ")


def test_only_get_is_answered_and_preflight_is_open(client, db):
    post = client.post("/oruk/services")
    preflight = client.options("/oruk/services", HTTP_ORIGIN="https://council.example",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")

    assert post.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert post.json()["message"] == "This feed only answers GET."
    assert preflight.status_code == HTTPStatus.NO_CONTENT
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]


def test_etag_and_last_modified_let_a_harvester_poll_cheaply(client, catalogue):
    url = f"/oruk/services/{oruk_id('service', catalogue['busy'].pk)}"
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)
    catalogue["busy"].provider.phone = "01942 111111"  # the service row itself does not change
    catalogue["busy"].provider.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    changed_since = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)

    assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
    assert (again.status_code, again.content) == (HTTPStatus.NOT_MODIFIED, b"")
    assert since.status_code == HTTPStatus.NOT_MODIFIED
    assert again["Access-Control-Allow-Origin"] == "*"
    assert changed.status_code == HTTPStatus.OK
    assert changed["ETag"] != etag
    assert changed_since.status_code == HTTPStatus.OK
    assert changed.json()["contacts"][0]["phones"][0]["number"] == "01942 111111"


def test_a_list_is_not_modified_until_the_listings_change(client, catalogue):
    first = client.get("/oruk/services")

    again = client.get("/oruk/services", HTTP_IF_NONE_MATCH=first["ETag"])
    since = client.get("/oruk/services", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    catalogue["care"].provider.status = "suspended"  # no service row changes, but the list does
    catalogue["care"].provider.save()
    changed = client.get("/oruk/services", HTTP_IF_NONE_MATCH=first["ETag"])
    changed_since = client.get("/oruk/services", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == since.status_code == HTTPStatus.NOT_MODIFIED
    assert changed.status_code == changed_since.status_code == HTTPStatus.OK
    assert changed.json()["total_items"] == 3
    # a change in the same second as the first answer is still dated after it
    assert parse_http_date(changed["Last-Modified"]) > parse_http_date(first["Last-Modified"])


def test_too_many_requests_from_one_address_is_a_429(client, db, settings):
    settings.ORUK_REQUESTS_PER_MINUTE = 3
    if time.time() % 60 > 50:  # the window is a clock minute: start in one that will not end mid-test
        time.sleep(61 - time.time() % 60)

    answers = [client.get("/oruk/taxonomies").status_code for _ in range(4)]
    other_address = client.get("/oruk/taxonomies", REMOTE_ADDR="192.0.2.7")
    throttled = client.get("/oruk/taxonomies")

    assert answers == [HTTPStatus.OK] * 3 + [HTTPStatus.TOO_MANY_REQUESTS]
    assert other_address.status_code == HTTPStatus.OK
    assert throttled["Access-Control-Allow-Origin"] == "*"
    assert 1 <= int(throttled["Retry-After"]) <= 60
    assert throttled.json()["message"].startswith("More than 3 requests a minute from one address")
