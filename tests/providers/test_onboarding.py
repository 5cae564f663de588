"""Signing up a provider: one question page per step, saved as it goes, resumable, then submitted."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from market.accounts.models import Role, User
from market.core.models import AuditEvent
from providers.models import MemberRole, Provider, ProviderMembership, ProviderStatus, Service, ServiceStatus
from tests.factories import CategoryFactory, NeighbourhoodFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "full_name": "Jo Fairclough",
    "email": "Jo@Example.org",
    "password": "a-long-enough-passphrase",
    "name": "Jo's Companions",
    "legal_form": "sole_trader",
    "description": "I love a natter.",
}


def _step(provider, step):
    return reverse("providers:onboarding", kwargs={"slug": provider.slug, "step": step})


def test_someone_new_signs_up_and_is_signed_in(client):
    response = client.post(reverse("providers:sign-up"), SIGN_UP)

    provider = Provider.objects.get()
    user = User.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == _step(provider, "contact")
    assert (provider.name, provider.slug, provider.status, provider.onboarding_step) == (
        "Jo's Companions",
        "jos-companions",
        ProviderStatus.DRAFT,
        2,
    )
    assert (user.email, user.full_name, user.roles) == ("jo@example.org", "Jo Fairclough", [Role.PROVIDER_MEMBER])
    assert list(ProviderMembership.objects.values_list("user", "provider", "role")) == [
        (user.pk, provider.pk, MemberRole.OWNER)
    ]
    assert client.get(reverse("providers:home")).status_code == HTTPStatus.FOUND  # signed in, sent to dashboard
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"user.signed_up", "provider.started"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"password": "short"}, "password", "This password is too short."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"legal_form": "pirate"}, "legal_form", "Select a valid choice."),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 121}, "name", "Ensure this value has at most 120 characters"),
    ],
)
def test_bad_sign_up_shows_the_error_beside_the_field_and_saves_nothing(client, change, field, message):
    response = client.post(reverse("providers:sign-up"), {**SIGN_UP, **change})

    assert response.status_code == HTTPStatus.OK
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert (User.objects.count(), Provider.objects.count(), AuditEvent.objects.count()) == (0, 0, 0)


def test_an_existing_email_is_refused_with_a_hint_to_sign_in(client):
    UserFactory(email="jo@example.org")

    response = client.post(reverse("providers:sign-up"), SIGN_UP)

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["email"] == [
        "There is already an account with that email address. Sign in first, then sign up your provider."
    ]
    assert Provider.objects.count() == 0


def test_a_signed_in_person_signs_up_with_their_own_login(client):
    user = UserFactory(roles=[Role.SUPPORTER])
    client.force_login(user)

    client.post(reverse("providers:sign-up"), {"name": "Aspull Shed", "legal_form": "community_group"})

    provider = Provider.objects.get()
    user.refresh_from_db()
    assert provider.memberships.get().user == user
    assert user.roles == [Role.SUPPORTER, Role.PROVIDER_MEMBER]


def test_the_whole_journey_can_be_resumed_after_signing_out(client):
    scholes = NeighbourhoodFactory(name="Scholes")
    NeighbourhoodFactory(name="Whelley")
    companionship = CategoryFactory(name="Companionship")
    client.post(reverse("providers:sign-up"), SIGN_UP)
    provider = Provider.objects.get()

    # Step 2, then "save and come back later"
    response = client.post(
        _step(provider, "contact"),
        {
            "email": "hello@jos.example",
            "phone": "01942 000101",
            "website": "",
            "postcode": "wn1 3ad",
            "later": "",
        },
    )
    assert response["Location"] == reverse("providers:dashboard", kwargs={"slug": provider.slug})
    client.logout()

    # Later: sign in again; the dashboard links to the next step, and a step ahead redirects back to it
    client.force_login(User.objects.get())
    dashboard = client.get(reverse("providers:dashboard", kwargs={"slug": provider.slug}))
    assert _step(provider, "neighbourhoods") in dashboard.content.decode()
    assert client.get(_step(provider, "submit"))["Location"] == _step(provider, "neighbourhoods")
    contact = client.get(_step(provider, "contact"))
    assert contact.context["form"].initial["postcode"] == "WN1 3AD"

    client.post(_step(provider, "neighbourhoods"), {"neighbourhoods": [scholes.pk]})
    response = client.post(
        _step(provider, "service"),
        {
            "title": "Companionship visits",
            "description": "A cuppa and a chat.",
            "category": companionship.pk,
            "unit": "per_hour",
            "price_pence": "17.50",
            "minimum_units": "1",
            "languages": "English, Polish",
            "council_budget_ok": "on",
            "usual_days": ["0", "3"],
            "usual_from": "10:00",
            "usual_until": "16:00",
        },
    )
    assert response["Location"] == _step(provider, "submit")
    response = client.post(reverse("providers:submit", kwargs={"slug": provider.slug}))

    provider.refresh_from_db()
    service = Service.objects.get()
    assert (provider.status, provider.email, provider.postcode, provider.onboarding_step) == (
        ProviderStatus.PENDING,
        "hello@jos.example",
        "WN1 3AD",
        5,
    )
    assert list(provider.neighbourhoods.all()) == [scholes]
    assert (service.title, service.price_pence, service.unit, service.languages, service.status) == (
        "Companionship visits",
        1750,
        "per_hour",
        ["English", "Polish"],
        ServiceStatus.LIVE,
    )
    assert provider.submitted_at is not None
    assert AuditEvent.objects.filter(action="provider.submitted", object_id=str(provider.pk)).count() == 1


def test_submitting_without_neighbourhoods_or_services_is_refused_and_changes_nothing(client):
    client.post(reverse("providers:sign-up"), SIGN_UP)
    provider = Provider.objects.get()

    response = client.post(reverse("providers:submit", kwargs={"slug": provider.slug}), follow=True)

    provider.refresh_from_db()
    assert provider.status == ProviderStatus.DRAFT
    assert "Before you submit, add the neighbourhoods you cover and at least one service." in response.content.decode()
    assert not AuditEvent.objects.filter(action="provider.submitted").exists()


def test_a_bad_postcode_is_shown_beside_the_field_and_not_saved(client):
    client.post(reverse("providers:sign-up"), SIGN_UP)
    provider = Provider.objects.get()

    response = client.post(_step(provider, "contact"), {"email": "a@b.example", "postcode": "BAD 123"})

    provider.refresh_from_db()
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["postcode"] == ["Enter a real UK postcode, like WN1 2AB."]
    assert (provider.email, provider.postcode, provider.onboarding_step) == ("jo@example.org", "", 2)


def test_a_free_first_service_needs_no_price_and_a_paid_one_does(client):
    category = CategoryFactory(name="Activities")
    client.post(reverse("providers:sign-up"), SIGN_UP)
    provider = Provider.objects.get()
    Provider.objects.filter(pk=provider.pk).update(onboarding_step=4)
    base = {
        "title": "Knit and natter",
        "description": "Bring wool.",
        "category": category.pk,
        "minimum_units": "1",
        "languages": "English",
        "usual_days": ["2"],
        "usual_from": "10:00",
        "usual_until": "12:00",
    }

    refused = client.post(_step(provider, "service"), {**base, "unit": "per_session", "price_pence": ""})
    assert refused.context["form"].errors["price_pence"] == ["Enter a price, or choose “free”."]
    assert Service.objects.count() == 0

    client.post(_step(provider, "service"), {**base, "unit": "free", "price_pence": ""})
    assert list(Service.objects.values_list("price_pence", "unit")) == [(0, "free")]
