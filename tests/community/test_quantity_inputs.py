"""Hardening (issue 17, class 4) on the community pages: credits typed as "1e5", a fullwidth "5", "+5" or "5.0"
are refused with a message beside the field and nothing spent or redeemed; the services check the same ranges when
called without a form."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from community.exceptions import CommunityRefused, CreditsRefused
from community.models import MAX_CREDITS_REDEEMED_AT_ONCE, MAX_CREDITS_SPENT_AT_ONCE, CreditEntry
from community.selectors_credits import credit_balance
from community.services import activities, credits
from tests.factories import CommissionerFactory, UserFactory

pytestmark = pytest.mark.django_db

LOOSE = ["1e5", "\uff15", "+5", "5.0", "5 0", "-2", "2_0"]


@pytest.fixture
def volunteer(db):
    return UserFactory(full_name="Ken Volunteer")


def _earn(volunteer, group, hours):
    contribution = credits.contribution_claim(volunteer=volunteer, provider=group, hours=hours, what="Lunch club",
                                              given_on=timezone.localdate() - datetime.timedelta(days=1))
    credits.contribution_confirm(contribution=contribution, by=group.owner)


@pytest.mark.parametrize("typed", LOOSE)
def test_credits_typed_loosely_are_refused_beside_the_field(client, volunteer, group, activity, typed):
    _earn(volunteer, group, 5)
    lunch = activity(title="Lunch club", accepts_credits=True)
    client.force_login(volunteer)
    entries = CreditEntry.objects.count()

    response = client.post(reverse("community:credits-spend"), {"service": lunch.pk, "credits": typed})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["spend_form"].errors["credits"] == [
        "Enter a whole number, like 3, using the digits 0 to 9."]
    assert 'id="id_credits_error"' in response.content.decode()
    assert (credit_balance(user=volunteer), CreditEntry.objects.count()) == (5, entries)


def test_credits_in_plain_digits_are_spent(client, volunteer, group, activity):
    _earn(volunteer, group, 5)
    lunch = activity(title="Lunch club", accepts_credits=True)
    client.force_login(volunteer)

    response = client.post(reverse("community:credits-spend"), {"service": lunch.pk, "credits": "2"})

    assert response.status_code == HTTPStatus.FOUND
    assert credit_balance(user=volunteer) == 3


@pytest.mark.parametrize("typed", ["+3", "3.0", "\uff13", "9" * 400])
def test_the_council_redeems_only_a_plain_whole_number(verified_client, volunteer, group, activity, typed):
    _earn(volunteer, group, 6)
    credits.credits_spend(volunteer=volunteer, service=activity(title="Lunch club", accepts_credits=True), credits=4)
    client = verified_client(CommissionerFactory())

    response = client.post(reverse("community:credits-redeem", args=[group.pk]), {"credits": typed}, follow=True)

    assert response.status_code == HTTPStatus.OK
    assert "Pemberton Stitchers: " in response.content.decode()
    assert credit_balance(provider=group) == 4

    client.post(reverse("community:credits-redeem", args=[group.pk]), {"credits": "3"})
    assert credit_balance(provider=group) == 1


def test_the_services_check_the_ranges_without_a_form(volunteer, group, activity):
    _earn(volunteer, group, 5)
    lunch = activity(title="Lunch club", accepts_credits=True)
    commissioner = CommissionerFactory()

    for amount in (MAX_CREDITS_SPENT_AT_ONCE + 1, 0, 2.0, "2"):
        with pytest.raises(CreditsRefused):
            credits.credits_spend(volunteer=volunteer, service=lunch, credits=amount)
    for amount in (MAX_CREDITS_REDEEMED_AT_ONCE + 1, 10**30):
        with pytest.raises(CreditsRefused):
            credits.credits_redeem(provider=group, credits=amount, by=commissioner)
    with pytest.raises(CreditsRefused):
        credits.contribution_claim(volunteer=volunteer, provider=group, hours=3.5, what="Lunch club",
                                   given_on=timezone.localdate())

    assert credit_balance(user=volunteer) == 5
    assert CreditEntry.objects.count() == 1


def test_plan_amounts_are_checked_by_the_service(holder, caseload):
    for pence in (10**12, 0, 12.5):
        with pytest.raises(CommunityRefused):
            activities.plan_purchase_add(person=holder, by=caseload, description="Walking boots",
                                         amount_pence=pence, bought_on=timezone.localdate())
    with pytest.raises(CommunityRefused):
        activities.plan_settings_set(person=holder, by=caseload, indicative_weekly_pence=10**12,
                                     replaced_package="", replaced_weekly_pence=None)
