"""The commissioner's home page leads to everything she acts on, with counts; only commissioners see it."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from orders.services import concern_raise
from quality.services import quality_checks_run
from tests.factories import ListedServiceFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def test_the_home_page_counts_what_waits_and_links_to_it(holder, commissioner, verified_client):
    provider = ListedServiceFactory().provider
    concern_raise(user=holder.user, provider=provider, body="Shouted at my dad", is_safeguarding=True)
    concern_raise(user=holder.user, provider=provider, body="Late", is_safeguarding=False)
    ProviderFactory(status="pending")
    quality_checks_run()

    page = verified_client(commissioner).get(reverse("commissioning:home")).content.decode()

    assert "<strong>1</strong> about safeguarding (look at these first)" in page
    assert "<strong>1</strong> other concern open" in page
    assert "<strong>1</strong> provider," in page
    assert "<strong>1</strong> open" in page  # the concerns quality flag
    for link in (reverse("orders:concerns"), reverse("verification:queue"), reverse("quality:flags"),
                 reverse("outbox:background"), "/admin/snippets/taxonomy/category/"):
        assert f'href="{link}' in page


def test_the_account_page_leads_commissioners_there(commissioner, verified_client):
    page = verified_client(commissioner).get(reverse("accounts:dashboard")).content.decode()
    assert f'href="{reverse("commissioning:home")}"' in page


def test_only_commissioners_see_it(client, holder):
    client.force_login(holder.user)
    assert client.get(reverse("commissioning:home")).status_code == HTTPStatus.FORBIDDEN
