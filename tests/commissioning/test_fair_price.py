"""Families see the typical local price of a kind of support (the middle half of the prices listed) beside a
service's price, on the storefront and on the order's check page, and the council's reference rate once set."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from cms.storefronts import storefront_ensure
from commissioning.services import reference_rate_set
from directory.selectors import TypicalPrice, typical_price_for, typical_prices
from tests.factories import CategoryFactory, NeighbourhoodFactory
from tests.orders.helpers import in_days, make_budget, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def scholes_companionship():
    scholes = NeighbourhoodFactory(name="Scholes")
    kind = CategoryFactory(name="Companionship")
    services = [make_service(neighbourhood=scholes, price_pence=price, category=kind)
                for price in (1500, 1700, 1900, 2500)]
    return scholes, kind, services


def test_typical_prices_per_neighbourhood_and_area_need_enough_prices(scholes_companionship):
    scholes, kind, _ = scholes_companionship
    hindley = NeighbourhoodFactory(name="Hindley")
    make_service(neighbourhood=hindley, price_pence=3000, category=kind)  # alone in Hindley

    prices = typical_prices(category_ids=[kind.pk])

    assert prices[kind.pk, "per_hour", scholes.pk] == TypicalPrice(1500, 1900, 4, "per_hour", "Scholes")
    assert prices[kind.pk, "per_hour", None] == TypicalPrice(1700, 2500, 5, "per_hour", "")
    assert (kind.pk, "per_hour", hindley.pk) not in prices  # one price says nothing typical
    chosen = typical_price_for(prices, category_id=kind.pk, unit="per_hour", neighbourhood_ids=[hindley.pk])
    assert chosen.place == "" and chosen.label == "£17 to £25 per hour"


def test_the_storefront_shows_the_typical_local_price_and_the_guide_rate(client, scholes_companionship, commissioner):
    _, kind, services = scholes_companionship
    reference_rate_set(category=kind, hourly_pence=2000, by=commissioner)
    storefront_ensure(provider=services[0].provider)

    response = client.get(f"/providers/{services[0].provider.slug}/")

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert ("<dt>Typical price</dt><dd>For companionship in Scholes, most prices are £15 to £19 per hour "
            "(the middle half of 4 prices listed here). The council's guide rate is £20.00 an hour.</dd>") in page


def test_too_few_prices_show_no_typical_price(client):
    service = make_service(neighbourhood=NeighbourhoodFactory(name="Aspull"), price_pence=1800)
    storefront_ensure(provider=service.provider)

    page = client.get(f"/providers/{service.provider.slug}/").content.decode()

    assert "Typical price" not in page


def test_the_check_page_shows_the_typical_price_where_the_person_lives(client, holder, scholes_companionship):
    scholes, _, services = scholes_companionship
    holder.neighbourhood = scholes
    holder.save()
    make_budget(holder=holder)
    client.force_login(holder.user)
    service = services[3]
    client.get(f"{reverse('orders:new', args=[service.pk])}?for={holder.pk}")
    for step, data in [("how-often", {"kind": "one_off"}), ("dates", {"first_visit_on": in_days(3).isoformat()}),
                       ("time", {"visit_starts_at": "10:00", "duration_minutes": "60"}),
                       ("relative", {"pays_household_relative": "no"}), ("notes", {"notes": ""})]:
        client.post(reverse("orders:question", args=[service.pk, holder.pk, step]), data)

    page = client.get(reverse("orders:check", args=[service.pk, holder.pk])).content.decode()

    assert "£25.00 per hour" in page
    assert ("<dt>Typical price</dt><dd>For companionship in Scholes, most prices are £15 to £19 per hour "
            "(the middle half of 4 prices listed).</dd>") in page
