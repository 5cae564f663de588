"""Community credits: earned only from a contribution the group confirmed, spent atomically, redeemed by the
council; an append-only ledger with derived balances; bad input refused with nothing changed."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from community.exceptions import CreditsRefused
from community.models import Contribution, CreditEntry
from community.selectors_credits import credit_balance, credits_by_neighbourhood
from community.services import credits
from tests.factories import CommissionerFactory, UserFactory
from tests.orders.test_budget_concurrency import run_at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(db):
    return UserFactory(full_name="Ken Volunteer")


def _earn(volunteer, group, hours, *, days_ago=1):
    contribution = credits.contribution_claim(volunteer=volunteer, provider=group, hours=hours, what="Lunch club",
                                              given_on=timezone.localdate() - datetime.timedelta(days=days_ago))
    return credits.contribution_confirm(contribution=contribution, by=group.owner)


def test_a_claim_earns_nothing_until_the_group_confirms(volunteer, group):
    contribution = credits.contribution_claim(volunteer=volunteer, provider=group, hours=3, what="Served lunch",
                                              given_on=timezone.localdate())
    assert credit_balance(user=volunteer) == 0

    entry = credits.contribution_confirm(contribution=contribution, by=group.owner)

    assert (entry.kind, entry.credits, entry.contribution) == ("earned", 3, contribution)
    assert credit_balance(user=volunteer) == 3


def test_the_same_contribution_confirmed_twice_earns_once(volunteer, group):
    entry = _earn(volunteer, group, 2)

    with pytest.raises(CreditsRefused, match="already answered"):
        credits.contribution_confirm(contribution=entry.contribution, by=group.owner)

    assert credit_balance(user=volunteer) == 2
    assert CreditEntry.objects.count() == 1


def test_only_the_group_confirms(volunteer, group):
    contribution = credits.contribution_claim(volunteer=volunteer, provider=group, hours=2, what="Walk leader",
                                              given_on=timezone.localdate())

    with pytest.raises(CreditsRefused):
        credits.contribution_confirm(contribution=contribution, by=volunteer)

    assert CreditEntry.objects.count() == 0
    contribution.refresh_from_db()
    assert contribution.status == "claimed"


@pytest.mark.parametrize(("already", "hours", "message"), [
    (0, 25, "A day has 24 hours"),
    (20, 5, "That makes 25 hours"),
    (0, 0, "from 1 to 24"),
])
def test_more_than_24_hours_in_a_day_is_refused(volunteer, group, already, hours, message):
    day = timezone.localdate()
    if already:
        credits.contribution_claim(volunteer=volunteer, provider=group, hours=already, what="Café", given_on=day)

    with pytest.raises(CreditsRefused, match=message) as refused:
        credits.contribution_claim(volunteer=volunteer, provider=group, hours=hours, what="Café", given_on=day)

    assert refused.value.field == "hours"
    assert Contribution.objects.count() == (1 if already else 0)


def test_credits_are_spent_on_an_activity_that_takes_them(volunteer, group, activity):
    _earn(volunteer, group, 5)
    lunch = activity(title="Lunch club", accepts_credits=True)

    transfer = credits.credits_spend(volunteer=volunteer, service=lunch, credits=2)

    assert credit_balance(user=volunteer) == 3
    assert credit_balance(provider=group) == 2
    assert sorted(CreditEntry.objects.filter(transfer=transfer).values_list("kind", "credits")) == [
        ("received", 2), ("spent", -2)]


def test_spending_more_than_held_is_refused_and_nothing_changes(volunteer, group, activity):
    _earn(volunteer, group, 2)
    lunch = activity(title="Lunch club", accepts_credits=True)

    with pytest.raises(CreditsRefused, match="You have 2 credits, not enough to spend 3"):
        credits.credits_spend(volunteer=volunteer, service=lunch, credits=3)

    assert credit_balance(user=volunteer) == 2
    assert CreditEntry.objects.count() == 1


def test_an_activity_that_does_not_take_credits_refuses_them(volunteer, group, activity):
    _earn(volunteer, group, 2)

    with pytest.raises(CreditsRefused, match="does not take community credits"):
        credits.credits_spend(volunteer=volunteer, service=activity(), credits=1)

    assert credit_balance(user=volunteer) == 2


def test_the_council_redeems_a_group_s_credits_and_commissioners_see_them_by_neighbourhood(
    volunteer, group, activity
):
    _earn(volunteer, group, 6)
    credits.credits_spend(volunteer=volunteer, service=activity(title="Lunch club", accepts_credits=True), credits=4)
    commissioner = CommissionerFactory()

    with pytest.raises(CreditsRefused, match="holds 4 credits, not 5"):
        credits.credits_redeem(provider=group, credits=5, by=commissioner)
    with pytest.raises(CreditsRefused, match="Only the council"):
        credits.credits_redeem(provider=group, credits=1, by=group.owner)
    credits.credits_redeem(provider=group, credits=3, by=commissioner)

    assert credit_balance(provider=group) == 1
    rows = credits_by_neighbourhood()
    assert [(row.neighbourhood, row.earned, row.spent, row.redeemed) for row in rows] == [("Pemberton", 6, 4, 3)]


def test_the_ledger_is_append_only(volunteer, group):
    entry = _earn(volunteer, group, 2)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CreditEntry.objects.filter(pk=entry.pk).update(credits=200)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CreditEntry.objects.filter(pk=entry.pk).delete()

    assert credit_balance(user=volunteer) == 2


def test_the_database_refuses_an_entry_that_would_go_below_zero(volunteer, group, activity):
    entry = _earn(volunteer, group, 1)

    with pytest.raises(DatabaseError, match="Not enough community credits"), transaction.atomic():
        CreditEntry.objects.create(account=entry.account, kind="spent", credits=-2, actor=volunteer)

    assert credit_balance(user=volunteer) == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_spends_never_take_the_balance_below_zero(volunteer, group, activity):
    # Given a volunteer holding 10 credits, and 50 spends of 1 credit each at the same moment...
    _earn(volunteer, group, 10)
    lunch = activity(title="Lunch club", accepts_credits=True)

    results = run_at_once(50, lambda _i: credits.credits_spend(volunteer=volunteer, service=lunch, credits=1))

    # ...exactly 10 succeed, 40 are refused, and the balance is exactly zero.
    refused = [r for r in results if isinstance(r, CreditsRefused)]
    succeeded = [r for r in results if not isinstance(r, Exception)]
    assert (len(succeeded), len(refused)) == (10, 40), [r for r in results if isinstance(r, Exception)
                                                        and not isinstance(r, CreditsRefused)]
    assert credit_balance(user=volunteer) == 0
    assert credit_balance(provider=group) == 10
    assert CreditEntry.objects.filter(kind="spent").count() == 10
