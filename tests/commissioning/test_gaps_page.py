"""The public gaps page: what support is wanted where, live from the market view, linked from provider sign-up."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from cms.models import HomePage
from commissioning.models import GAPS_PAGE_PATH, GapsPage
from tests.commissioning.helpers import build_market

pytestmark = pytest.mark.django_db


@pytest.fixture
def gaps_page():
    page = GapsPage(title="Where support is needed", slug=GAPS_PAGE_PATH.strip("/"),
                    introduction="<p>Start something.</p>", minimum_unmet=1)
    HomePage.objects.get().add_child(instance=page)
    return page


def test_the_gaps_page_shows_live_gaps_without_naming_anyone(client, gaps_page):
    build_market()

    response = client.get(GAPS_PAGE_PATH)

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.index("Gardening") < rows.index("Companionship")  # most wanted first
    assert '<td data-label="Offered there now">Nothing yet</td>' in rows
    assert "Margaret" not in page
    assert f'href="{reverse("providers:sign-up")}"' in page


def test_a_higher_threshold_hides_small_gaps(client, gaps_page):
    build_market()
    gaps_page.minimum_unmet = 2
    gaps_page.save_revision().publish()

    rows = client.get(GAPS_PAGE_PATH).content.decode().split("<tbody>")[1].split("</tbody>")[0]

    assert "Gardening" in rows and "Companionship" not in rows


def test_provider_sign_up_links_to_it(client):
    page = client.get(reverse("providers:sign-up")).content.decode()
    assert f'href="{GAPS_PAGE_PATH}"' in page
