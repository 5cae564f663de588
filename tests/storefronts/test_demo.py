"""The demo loader gives approved demo providers storefronts and records a few searches, idempotently."""

from __future__ import annotations

from http import HTTPStatus

from cms.demo import load_demo
from cms.models import ProviderPage
from directory.models import SearchRecord
from providers.models import Provider, ProviderStatus


def test_demo_storefronts_and_searches(db, client):
    load_demo()
    pages = ProviderPage.objects.count()
    searches = list(SearchRecord.objects.values_list("district", "result_count"))

    load_demo()  # a second run changes nothing

    approved = Provider.objects.filter(status=ProviderStatus.APPROVED)
    assert pages == approved.count() == ProviderPage.objects.count()
    assert list(SearchRecord.objects.values_list("district", "result_count")) == searches
    assert len(searches) == 7
    assert any(count == 0 for _, count in searches)  # some demand is unmet
    jo = client.get("/providers/jos-companions/")
    assert jo.status_code == HTTPStatus.OK
    assert "Jo is happy to visit first" in jo.content.decode()
    # An approved provider with an expired DBS check has a page, but the public cannot see it.
    assert client.get("/providers/hindley-home-cooking/").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/find-support/", {"postcode": "WN1 3AD"}).status_code == HTTPStatus.OK
