"""The commissioners' market view: supply, demand and gaps, spend, prices against reference rates, quality; every
number against data made with the factories, the filters, bad input, and who may see it."""

from __future__ import annotations

import csv
import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.selectors.lists import market_list
from commissioning.selectors.market import (
    MarketFilter,
    demand,
    gap_grid,
    spend,
    supply,
)
from commissioning.selectors.prices import price_spreads
from commissioning.services import reference_rate_set
from market.accounts.models import FundingRoute, Role
from market.core.models import AuditEvent
from tests.commissioning.helpers import build_market, build_summary, record_search
from tests.factories import (
    CategoryFactory,
    CoordinatorFactory,
    NeighbourhoodFactory,
    PersonFactory,
    ProviderMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def market_data():
    built = build_market()
    build_summary()  # the page reads the summary; the selectors' tests below read live
    return built


def _this_month(**kwargs) -> MarketFilter:
    today = timezone.localdate()
    return MarketFilter(start=today.replace(day=1), end=today, **kwargs)


def test_supply_counts_listed_services_micro_providers_and_hours(market_data):
    found = supply(_this_month())

    assert (found.services, found.providers, found.micro_providers, found.hours_per_week) == (2, 2, 1, 3.5)


def test_demand_counts_searches_unmet_and_declines_in_the_period(market_data):
    found = demand(_this_month())

    assert (found.searches, found.unmet_searches, found.unmet_with_price_limit) == (4, 2, 1)
    assert (found.searches_no_area, found.searches_no_kind) == (1, 1)
    assert (found.orders, found.declined) == (4, 1)


def test_the_gap_grid_highlights_wanted_kinds_with_nothing_listed(market_data):
    grid = gap_grid(_this_month())

    cells = {(cell.neighbourhood.name, cell.category.name): cell for row in grid.rows for cell in row}
    gardening_hindley = cells["Hindley", "Gardening"]
    assert (gardening_hindley.services, gardening_hindley.searches, gardening_hindley.unmet) == (0, 2, 2)
    assert gardening_hindley.is_empty_gap
    companionship_hindley = cells["Hindley", "Companionship"]  # the team covers Hindley, and declined an order there
    assert (companionship_hindley.services, companionship_hindley.declined) == (1, 1)
    assert companionship_hindley.is_gap and not companionship_hindley.is_empty_gap
    assert (cells["Scholes", "Companionship"].services, cells["Scholes", "Companionship"].is_gap) == (2, False)
    assert [(cell.neighbourhood.name, cell.category.name) for cell in grid.gaps] == [
        ("Hindley", "Gardening"), ("Hindley", "Companionship")]


def test_spend_by_route_category_neighbourhood_provider_and_micro_share(market_data):
    found = spend(_this_month())

    # 1750 (sole, 1 hour) + 5000 (team, 2 hours) + 2500 (team, 1 hour, council-managed)
    assert (found.total_pence, found.micro_pence, found.micro_share) == (9250, 1750, 19)
    assert (found.people, found.visits, found.per_person_pence) == (2, 3, 4625)
    assert [(row.label, row.pence) for row in found.by_route] == [
        ("Direct payment", 6750), ("Council-managed account", 2500)]
    assert [(row.label, row.pence) for row in found.by_neighbourhood] == [("Scholes", 6750), ("Hindley", 2500)]
    assert [(row.key, row.pence) for row in found.by_provider] == [
        (market_data["team"].provider.slug, 7500), (market_data["sole"].provider.slug, 1750)]


def test_prices_against_the_reference_rate(market_data, commissioner):
    reference_rate_set(category=market_data["companionship"], hourly_pence=2000, by=commissioner)

    [spread] = price_spreads(_this_month())

    assert (spread.category, spread.services, spread.lowest, spread.median, spread.highest) == (
        market_data["companionship"], 2, 1750, 2125, 2500)
    assert (spread.lower_quartile, spread.upper_quartile, spread.reference, spread.above_reference) == (
        1938, 2313, 2000, 1)
    above = market_list("above-reference", _this_month())
    assert [row[1].text for row in above.rows] == [market_data["team"].provider.name]


@pytest.mark.parametrize(("narrowed", "expected_total", "expected_unmet"), [
    ({"route": FundingRoute.COUNCIL_MANAGED}, 2500, 2),
    ({"neighbourhood": "scholes"}, 6750, 0),
    ({"category": "gardening"}, 0, 2),
])
def test_filters_narrow_every_figure(market_data, narrowed, expected_total, expected_unmet):
    filters = {key: market_data[value] if key != "route" else value for key, value in narrowed.items()}

    market = _this_month(**filters)

    assert spend(market).total_pence == expected_total
    assert demand(market).unmet_searches == expected_unmet


def test_the_period_leaves_out_what_happened_before(market_data):
    long_ago = timezone.localdate() - datetime.timedelta(days=400)

    around = {"start": long_ago - datetime.timedelta(days=2), "end": long_ago + datetime.timedelta(days=2)}

    found = demand(MarketFilter(**around))

    assert (found.searches, found.unmet_searches, found.orders) == (1, 1, 0)
    assert spend(MarketFilter(**around)).total_pence == 0


def test_the_page_shows_the_figures_each_linked_to_its_list(market_data, commissioner, verified_client):
    client = verified_client(commissioner)

    response = client.get(reverse("commissioning:market"))

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "£92.50" in page and "19%" in page
    assert "Gardening</a> in" not in page  # the gaps list names "Gardening in Hindley"
    assert "Gardening in Hindley</a>" in page
    assert 'class="gap gap--empty"' in page
    assert "<svg" in page and "Hourly prices by kind of support" in page
    assert "Margaret Unique-Surname" not in page  # no person's identity in the aggregate view
    lists = reverse("commissioning:market-list", args=["unmet-searches"])
    assert f'href="{lists}?' in page


def test_a_cell_link_lists_exactly_the_rows_it_counts(market_data, commissioner, verified_client):
    client = verified_client(commissioner)
    today = timezone.localdate()

    response = client.get(reverse("commissioning:market-list", args=["unmet-searches"]), {
        "start": today.replace(day=1).isoformat(), "end": today.isoformat(), "neighbourhood": "hindley",
        "category": "gardening"})

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<strong>2</strong>" in page
    assert page.count("<td data-label=\"Results\">0</td>") == 2
    assert "£15.00" in page  # the price limit of one of them


def test_the_spend_list_for_a_provider_has_its_visits_only(market_data, commissioner, verified_client):
    client = verified_client(commissioner)

    page = client.get(reverse("commissioning:market-list", args=["spend"]),
                      {"provider": market_data["sole"].provider.slug}).content.decode()

    assert "<strong>1</strong>" in page and "£17.50" in page and "Margaret Unique-Surname" not in page


@pytest.mark.parametrize(("query", "message"), [
    ({"start": "2026-13-45"}, "Enter the first day as a date"),
    ({"start": "2026-11-20", "end": "2026-11-01"}, "The last day must be on or after the first day"),
    ({"neighbourhood": "atlantis"}, "That neighbourhood is not known"),
    ({"category": "<script>"}, "That kind of support is not known"),
    ({"route": "bitcoin"}, "That funding route is not known"),
])
def test_bad_input_gets_a_message_and_the_default(market_data, commissioner, verified_client, query, message):
    client = verified_client(commissioner)

    response = client.get(reverse("commissioning:market"), query)

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert message in page
    assert f"From {timezone.localdate().replace(day=1):%-d %B %Y}" in page
    assert "£92.50" in page  # the figures of the default view


def test_an_unknown_list_is_not_found(commissioner, verified_client):
    response = verified_client(commissioner).get(reverse("commissioning:market-list", args=["people"]))
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("make_user", [
    lambda: PersonFactory().user,
    lambda: CoordinatorFactory(),
    lambda: ProviderMembershipFactory().user,
    lambda: UserFactory(roles=[Role.FINANCE]),
])
@pytest.mark.parametrize("url", [
    reverse("commissioning:market"),
    reverse("commissioning:market-list", args=["spend"]),
    reverse("commissioning:reference-rates"),
])
def test_only_commissioners_see_the_market(verified_client, make_user, url):
    client = verified_client(make_user())  # finance staff need a second factor too: passed here
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("commissioning:market"))
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


def test_a_commissioner_sets_a_reference_rate_audited(commissioner, verified_client):
    gardening = CategoryFactory(name="Gardening")
    client = verified_client(commissioner)

    response = client.post(reverse("commissioning:reference-rates"),
                           {"category": "gardening", "hourly_rate": "18.25"}, follow=True)

    assert "£18.25 an hour" in response.content.decode()
    assert gardening.reference_rate.hourly_pence == 1825
    event = AuditEvent.objects.get(action="reference_rate.set")
    assert event.data == {"category": "gardening", "old_pence": None, "new_pence": 1825}


def test_a_bad_reference_rate_is_shown_beside_the_field_and_nothing_saved(commissioner, verified_client):
    CategoryFactory(name="Gardening")
    client = verified_client(commissioner)

    response = client.post(reverse("commissioning:reference-rates"), {"category": "gardening", "hourly_rate": "1e5"})

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert 'id="id_hourly_rate_error"' in page
    assert not AuditEvent.objects.filter(action="reference_rate.set").exists()


def test_only_commissioners_may_set_reference_rates(holder):
    from commissioning.exceptions import CommissioningRefused

    with pytest.raises(CommissioningRefused):
        reference_rate_set(category=CategoryFactory(), hourly_pence=1800, by=holder.user)
    assert not AuditEvent.objects.filter(action="reference_rate.set").exists()


def test_a_list_downloads_as_csv_without_formulas(market_data, commissioner, verified_client):
    client = verified_client(commissioner)

    response = client.get(reverse("commissioning:market-list", args=["spend"]), {"format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="spend-')
    lines = response.content.decode().splitlines()
    assert lines[0] == "Visit,Order,Provider,Service,Neighbourhood,Funding route,Status,Cost"
    assert len(lines) == 4  # the header and three confirmed visits
    assert "Margaret" not in response.content.decode()


def test_a_list_downloads_as_an_excel_workbook_with_the_same_cells(market_data, commissioner, verified_client):
    import io

    from openpyxl import load_workbook

    client = verified_client(commissioner)
    as_csv = client.get(reverse("commissioning:market-list", args=["spend"]), {"format": "csv"})
    response = client.get(reverse("commissioning:market-list", args=["spend"]), {"format": "xlsx"})

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="spend-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows == list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert len(rows) == 4 and rows[0][0] == "Visit"
    page = client.get(reverse("commissioning:market-list", args=["spend"])).content.decode()
    assert "format=xlsx" in page and "Excel (XLSX)" in page


def test_the_market_page_makes_the_same_number_of_queries_whatever_the_market_size(
        market_data, commissioner, verified_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = verified_client(commissioner)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("commissioning:market"))
    build_market_more = [NeighbourhoodFactory(name=f"Area {n}") for n in range(5)]
    for area in build_market_more:
        record_search(area, market_data["gardening"], 0)
    with CaptureQueriesContext(connection) as larger:
        client.get(reverse("commissioning:market"))

    assert len(larger) == len(small)
