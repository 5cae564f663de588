"""The directory search page: filters, sorting, listing rules, recording, bad input, query counts."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from market.directory.models import SearchRecord

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
