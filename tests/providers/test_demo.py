"""The demo providers show each listing rule: approved and listed, pending, and hidden by an expired check."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cms.models import ProviderPage
from community.demo import GROUPS
from market.demo_accounts import DEMO_PASSWORD
from providers.models import Provider, ProviderStatus
from providers.selectors import listed_services, provider_is_listed

pytestmark = pytest.mark.django_db


def test_demo_providers_cover_approved_pending_and_expired(client):
    call_command("load_demo", verbosity=0)

    # (the community groups of community/demo.py are tested in tests/community/test_demo.py)
    community = [group.slug for group in GROUPS]
    assert dict(Provider.objects.exclude(slug__in=community).values_list("slug", "status")) == {
        "jos-companions": ProviderStatus.APPROVED,
        "scholes-care-cooperative": ProviderStatus.APPROVED,
        "aspull-community-shed": ProviderStatus.PENDING,
        "hindley-home-cooking": ProviderStatus.APPROVED,
    }
    assert sorted(listed_services().exclude(provider__slug__in=community)
                  .values_list("provider__slug", "title", "price_pence", "unit")) == [
        ("jos-companions", "Companionship visits", 1750, "per_hour"),
        ("jos-companions", "Getting out and about", 1800, "per_hour"),
        ("scholes-care-cooperative", "Help around the house", 1600, "per_hour"),
        ("scholes-care-cooperative", "Personal care at home", 2150, "per_hour"),
        ("scholes-care-cooperative", "Sitting service for carers", 1900, "per_hour"),
    ]
    assert provider_is_listed(Provider.objects.get(slug="hindley-home-cooking")) is False
    assert sorted(ProviderPage.objects.exclude(slug__in=community).values_list("slug", flat=True)) == [
        "hindley-home-cooking",
        "jos-companions",
        "scholes-care-cooperative",
    ]

    for email in ("jo@demo.example", "coop@demo.example", "shed@demo.example", "cook@demo.example"):
        client.post("/account/sign-in/", {"username": email, "password": DEMO_PASSWORD})
        response = client.get("/provider/", follow=True)
        assert response.status_code == 200, email
        assert response.context["provider"].memberships.filter(user__email=email).exists()
        client.logout()
