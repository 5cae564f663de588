"""A provider's owner onboards at Stripe from the provider dashboard; the status comes from `account.updated` only
(not the return address), out-of-order updates change nothing, and an expired link is replaced by a fresh one."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from payments.models import AccountStatus, ConnectedAccount
from tests.factories import NeighbourhoodFactory, ProviderMembershipFactory
from tests.orders.helpers import make_service
from tests.payments.helpers import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(db):
    service = make_service(neighbourhood=NeighbourhoodFactory())
    provider = service.provider
    provider.owner = service.owner
    return provider


def _page(client, provider) -> str:
    return client.get(reverse("payouts:page", args=[provider.slug])).content.decode()


def test_the_owner_onboards_and_the_webhook_not_the_return_sets_the_status(client, fake_stripe, provider):
    client.force_login(provider.owner)
    dashboard = client.get(reverse("providers:dashboard", args=[provider.slug])).content.decode()
    assert reverse("payouts:page", args=[provider.slug]) in dashboard
    assert "Not started" in _page(client, provider)

    response = client.post(reverse("payouts:start", args=[provider.slug]))

    account = ConnectedAccount.objects.get(provider=provider)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(f"{fake_stripe.url}/onboarding/{account.stripe_id}/")
    created = fake_stripe.calls("POST", "/v1/accounts")
    assert len(created) == 1 and created[0].idempotency_key == f"account-provider-{provider.pk}"
    assert created[0].params["type"] == "express"
    assert created[0].params["capabilities"] == {"transfers": {"requested": "true"}}
    link = fake_stripe.calls("POST", "/v1/account_links")[0].params
    assert link["refresh_url"].endswith(reverse("payouts:refresh", args=[provider.slug]))
    assert link["return_url"].endswith(reverse("payouts:return", args=[provider.slug]))

    # Coming back from Stripe changes nothing: only Stripe's webhook does.
    back = client.get(reverse("payouts:return", args=[provider.slug]), follow=True).content.decode()
    assert "Stripe is checking your details" in back
    account.refresh_from_db()
    assert account.status == AccountStatus.PENDING

    deliver(client, fake_stripe, fake_stripe.restrict(account.stripe_id, ["external_account", "individual.dob.day"]))
    account.refresh_from_db()
    assert (account.status, account.requirements) == (AccountStatus.RESTRICTED,
                                                      ["external_account", "individual.dob.day"])
    page = _page(client, provider)
    assert "Restricted: Stripe needs more information" in page and "individual.dob.day" in page

    deliver(client, fake_stripe, fake_stripe.complete_onboarding(account.stripe_id))
    account.refresh_from_db()
    assert (account.status, account.requirements) == (AccountStatus.ACTIVE, [])
    assert "Active: you are paid by transfer" in _page(client, provider)


def test_starting_again_reuses_the_account_and_an_expired_link_gets_a_fresh_one(client, fake_stripe, provider):
    client.force_login(provider.owner)
    first = client.post(reverse("payouts:start", args=[provider.slug]))["Location"]
    refreshed = client.get(reverse("payouts:refresh", args=[provider.slug]))["Location"]
    again = client.post(reverse("payouts:start", args=[provider.slug]))["Location"]

    assert len({first, refreshed, again}) == 3  # a new one-use link each time
    assert len(fake_stripe.calls("POST", "/v1/accounts")) == 1
    assert len(fake_stripe.calls("POST", "/v1/account_links")) == 3
    assert ConnectedAccount.objects.filter(provider=provider).count() == 1


def test_an_older_account_update_arriving_late_changes_nothing(client, fake_stripe, provider):
    client.force_login(provider.owner)
    client.post(reverse("payouts:start", args=[provider.slug]))
    account = ConnectedAccount.objects.get(provider=provider)
    older = fake_stripe.restrict(account.stripe_id, ["external_account"], created=1_700_000_000)
    newer = fake_stripe.complete_onboarding(account.stripe_id, created=1_700_000_100)

    deliver(client, fake_stripe, [newer, older])

    account.refresh_from_db()
    assert (account.status, account.last_event_created) == (AccountStatus.ACTIVE, 1_700_000_100)


def test_only_the_owner_starts_onboarding(client, fake_stripe, provider):
    member = ProviderMembershipFactory(provider=provider, role="staff").user
    client.force_login(member)
    assert "Only your owner can set up payouts" in _page(client, provider)
    assert client.post(reverse("payouts:start", args=[provider.slug])).status_code == HTTPStatus.FORBIDDEN
    stranger = ProviderMembershipFactory().user
    client.force_login(stranger)
    assert client.get(reverse("payouts:page", args=[provider.slug])).status_code == HTTPStatus.NOT_FOUND
    assert fake_stripe.requests == []


def test_stripe_down_during_onboarding_is_told_plainly(client, fake_stripe, provider):
    client.force_login(provider.owner)
    fake_stripe.fail_next(1)
    page = client.post(reverse("payouts:start", args=[provider.slug]), follow=True).content.decode()
    assert "Stripe did not answer" in page
    assert not ConnectedAccount.objects.exists()


def test_without_stripe_keys_the_page_says_not_set_up(client, provider, settings):
    settings.STRIPE_SECRET_KEY = ""
    client.force_login(provider.owner)
    page = _page(client, provider)
    assert "Payments are not set up on this site yet" in page
    assert "Set up payouts with Stripe" not in page
