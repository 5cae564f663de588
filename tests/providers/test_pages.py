"""Every provider and verification page renders for the demo data (no 500s, one h1 each)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse
from wagtail.models import Page

from market.accounts.models import User
from providers import services
from providers.models import Provider

# The demo is loaded once for this module (tests/conftest.py); each test runs in its own savepoint inside it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded_once")]


@pytest.fixture
def demo(db):
    """The demo data, loaded once for the module."""


def _assert_page(response):
    assert response.status_code == HTTPStatus.OK, response.request["PATH_INFO"]
    assert response.content.decode().count("<h1") == 1, response.request["PATH_INFO"]


def test_provider_pages_render(client, demo):
    coop = Provider.objects.get(slug="scholes-care-cooperative")
    owner = User.objects.get(email="coop@demo.example")
    service = coop.services.get(title="Help around the house")
    services.service_update(service=service, actor=owner, fields={"price_pence": 2500})  # a pending change
    client.force_login(owner)

    for url in [
        reverse("providers:sign-up"),
        reverse("providers:dashboard", kwargs={"slug": coop.slug}),
        *[
            reverse("providers:onboarding", kwargs={"slug": coop.slug, "step": step})
            for step in ("about", "contact", "neighbourhoods", "service", "submit")
        ],
        reverse("providers:onboarding", kwargs={"slug": coop.slug, "step": "service"}) + "?add=1",
        reverse("providers:check-upload", kwargs={"slug": coop.slug}),
        reverse("providers:service-create", kwargs={"slug": coop.slug}),
        reverse("providers:service-edit", kwargs={"slug": coop.slug, "service_id": service.pk}),
        reverse("providers:service-availability", kwargs={"slug": coop.slug, "service_id": service.pk}),
        reverse("providers:members", kwargs={"slug": coop.slug}),
    ]:
        _assert_page(client.get(url))
    assert (
        client.get(reverse("providers:onboarding", kwargs={"slug": coop.slug, "step": "nonsense"})).status_code
        == HTTPStatus.NOT_FOUND
    )
    assert client.get(reverse("providers:home"))["Location"] == reverse(
        "providers:dashboard", kwargs={"slug": coop.slug}
    )
    client.logout()
    _assert_page(client.get(reverse("providers:home")))
    _assert_page(client.get(reverse("providers:sign-up")))


def test_verification_pages_render(verified_client, demo):
    council = verified_client(User.objects.get(email="cath.commissioner@demo.example"))

    queue = council.get(reverse("verification:queue"))
    _assert_page(queue)
    assert [p.slug for p in queue.context["providers"]] == ["aspull-community-shed"]
    assert len(queue.context["checks"]) == 2
    for provider in Provider.objects.all():
        _assert_page(council.get(reverse("verification:provider", kwargs={"slug": provider.slug})))


def test_an_expired_check_says_so_on_the_dashboard(client, demo):
    client.force_login(User.objects.get(email="cook@demo.example"))

    response = client.get(reverse("providers:dashboard", kwargs={"slug": "hindley-home-cooking"}))

    body = response.content.decode()
    assert "<strong>Expired</strong>: upload the renewed one" in body
    assert "Approved, but hidden from people until your checks below are up to date." in body
    assert [c.name for c in response.context["missing_checks"]] == ["Enhanced DBS check"]
    assert '<a href="/provider/hindley-home-cooking/storefront/edit/">Edit your storefront</a>' in body
    storefront = Page.objects.get(url_path__endswith="/hindley-home-cooking/")
    editor = client.get("/provider/hindley-home-cooking/storefront/edit/")
    assert editor.status_code == HTTPStatus.FOUND
    assert editor["Location"] == f"/admin/pages/{storefront.pk}/edit/"


def test_the_storefront_editor_link_is_only_for_the_providers_own_members(client, demo):
    client.force_login(User.objects.get(email="cook@demo.example"))

    response = client.get("/provider/jos-companions/storefront/edit/")

    assert response.status_code == HTTPStatus.NOT_FOUND
