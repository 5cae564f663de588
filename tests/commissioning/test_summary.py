"""The market view's summary: built by the worker task from the same rules (SQL views) as the live lists behind
each figure, read by the page with its freshness, the "not built yet" state, and "refresh now"."""

from __future__ import annotations

import dataclasses
import datetime
import time
from http import HTTPStatus

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cms.demo import load_demo
from commissioning.facts import MicroProvider
from commissioning.freshness import SUMMARY_TASK
from commissioning.selectors.lists import market_list
from commissioning.selectors.market import (
    MICRO_TEAM_LIMIT,
    MarketFilter,
    demand,
    gap_grid,
    period_presets,
    published_gaps,
    spend,
    spend_visits,
)
from commissioning.selectors.summary import summary_state
from market.core.models import TaskRun
from market.core.sql import sql_path
from market.outbox.models import QueuedTask
from market.places.models import Neighbourhood
from tests.commissioning.helpers import build_market, build_summary, record_search
from tests.factories import ProviderFactory, ProviderMembershipFactory


def _filters() -> list[MarketFilter]:
    presets = {label: (start, end) for label, start, end in period_presets()}
    year, month = presets["The last 12 months"], presets["This month"]
    area = Neighbourhood.objects.get(slug="scholes")
    return [MarketFilter(*year), MarketFilter(*month), MarketFilter(*year, neighbourhood=area),
            MarketFilter(*year, route="direct_payment")]


@pytest.mark.django_db
def test_on_the_demo_data_each_summary_figure_equals_the_list_behind_it():
    load_demo()  # builds the summary last, as the worker would
    assert summary_state().built

    for market in _filters():
        figures, figures_spend = demand(market, summary=True), spend(market, summary=True)
        assert figures.searches == market_list("searches", market).total
        assert figures.unmet_searches == market_list("unmet-searches", market).total
        assert figures.unmet_with_price_limit == market_list("unmet-priced-searches", market).total
        assert figures.orders == market_list("orders", market).total
        assert figures.declined == market_list("declined-orders", market).total
        assert figures_spend.visits == market_list("spend", market).total
        assert figures_spend.total_pence == spend_visits(market).aggregate(total=Sum("cost_pence"))["total"] or 0
        assert figures_spend.micro_pence == (
            spend_visits(market, micro=True).aggregate(total=Sum("cost_pence"))["total"] or 0)
        # and every figure, grouping and cell is what the live rules give
        assert figures == demand(market)
        assert dataclasses.asdict(figures_spend) == dataclasses.asdict(spend(market))
        summary_cells = [(c.searches, c.unmet, c.orders, c.declined) for row in gap_grid(market, summary=True).rows
                         for c in row]
        assert summary_cells == [(c.searches, c.unmet, c.orders, c.declined) for row in gap_grid(market).rows
                                 for c in row]
    year = _filters()[0]
    assert demand(year, summary=True).unmet_searches > 0 and spend(year, summary=True).total_pence > 0


@pytest.mark.django_db
def test_the_micro_provider_rule_is_the_limit_the_page_states():
    small, large = ProviderFactory(), ProviderFactory()
    for _ in range(MICRO_TEAM_LIMIT - 1 - small.memberships.count()):
        ProviderMembershipFactory(provider=small, role="staff")
    for _ in range(MICRO_TEAM_LIMIT - large.memberships.count()):
        ProviderMembershipFactory(provider=large, role="staff")

    micro = set(MicroProvider.objects.values_list("provider_id", flat=True))

    assert small.pk in micro and large.pk not in micro


def test_the_summary_days_are_the_time_zone_of_the_site():
    assert settings.TIME_ZONE == "Europe/London"
    assert "AT TIME ZONE 'Europe/London'" in sql_path("commissioning", "market_summary.sql").read_text()


@pytest.mark.django_db
def test_before_the_summary_is_built_the_page_says_so_and_offers_to_build_it(commissioner, verified_client):
    build_market()
    client = verified_client(commissioner)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("commissioning:market"))

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "have not been built yet" in page
    assert "Build the figures now" in page
    assert "searches found nothing" not in page and "£92.50" not in page
    assert "providers listed" in page  # supply is live
    assert not summary_state().built
    build_market_more = [ProviderFactory() for _ in range(3)]
    assert build_market_more
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("commissioning:market"))
    assert len(again) == len(queries)


@pytest.mark.django_db
def test_the_page_says_how_fresh_its_figures_are(commissioner, verified_client):
    build_market()
    build_summary()
    client = verified_client(commissioner)
    run = TaskRun.objects.get(task=SUMMARY_TASK)

    page = client.get(reverse("commissioning:market")).content.decode()

    assert f"figures as of <strong>{timezone.localtime(run.started_at):%H:%M}</strong>" in page
    assert "refreshed every 15 minutes" in page and "£92.50" in page
    assert "older than expected" not in page

    TaskRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - datetime.timedelta(hours=2))
    page = client.get(reverse("commissioning:market")).content.decode()
    assert "These figures are older than expected" in page and "£92.50" in page


@pytest.mark.django_db
def test_refresh_now_asks_the_worker_and_returns_to_the_same_view(commissioner, verified_client):
    client = verified_client(commissioner)
    back = reverse("commissioning:market") + "?neighbourhood=scholes"

    response = client.post(reverse("commissioning:market-refresh"), {"next": back})

    assert response.status_code == HTTPStatus.FOUND and response["Location"] == back
    assert list(QueuedTask.objects.values_list("task", flat=True)) == [SUMMARY_TASK]
    assert client.get(reverse("commissioning:market-refresh")).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.django_db
def test_only_commissioners_may_ask_for_a_refresh(holder, client):
    client.force_login(holder.user)

    assert client.post(reverse("commissioning:market-refresh")).status_code == HTTPStatus.FORBIDDEN
    assert not QueuedTask.objects.exists()


@pytest.mark.worker
def test_the_worker_builds_the_summary_and_the_page_shows_its_figures(
        celery_worker_process, commissioner, verified_client):
    build_market()
    client = verified_client(commissioner)
    assert "have not been built yet" in client.get(reverse("commissioning:market")).content.decode()

    client.post(reverse("commissioning:market-refresh"))

    deadline = time.monotonic() + 60
    while not TaskRun.objects.filter(task=SUMMARY_TASK, status="finished").exists():
        assert time.monotonic() < deadline, "the worker did not build the summary"
        time.sleep(0.2)
    run = TaskRun.objects.get(task=SUMMARY_TASK)
    assert run.items_done > 0 and run.failures == 0
    page = client.get(reverse("commissioning:market")).content.decode()
    assert "£92.50" in page and "19%" in page  # spend this month, and its share to micro-providers
    assert f"figures as of <strong>{timezone.localtime(run.started_at):%H:%M}</strong>" in page
    assert "Gardening in Hindley</a>" in page  # the gap, from the summary


@pytest.mark.django_db
def test_the_public_gaps_page_reads_the_summary_once_built():
    market = build_market()
    wanted = (market["scholes"].name, market["gardening"].name)
    record_search(market["scholes"], market["gardening"], 0)
    assert wanted in _gap_names()  # not built yet: live

    build_summary()
    record_search(market["scholes"], market["companionship"], 0)
    assert (market["scholes"].name, market["companionship"].name) not in _gap_names()  # until the next refresh

    build_summary()
    assert (market["scholes"].name, market["companionship"].name) in _gap_names()


def _gap_names() -> list[tuple[str, str]]:
    return [(cell.neighbourhood.name, cell.category.name) for cell in published_gaps(days=30)]
