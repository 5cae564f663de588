"""A person's plan: week by week, paid support and activities side by side, the weekly total against the budget,
one-off purchases, the saving against the package it replaced, what changed since it was agreed; printable."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.utils import timezone

from community import selectors, services
from community.exceptions import CommunityRefused
from community.models import PlanPurchase
from orders.services import order_accept
from tests.orders.helpers import make_budget, place

pytestmark = pytest.mark.django_db


def _next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


def test_paid_support_and_activities_side_by_side_with_totals(holder, caseload, activity, home_service, pemberton):
    holder.neighbourhood = pemberton
    holder.save()
    monday = _next_monday()
    budget = make_budget(holder=holder, created_by=caseload, amount_pence=7_000, starts_on=monday - datetime.timedelta(
        days=7), ends_on=monday + datetime.timedelta(days=60))
    order = place(user=holder.user, budget=budget, service=home_service, first_visit_on=monday + datetime.timedelta(
        days=1), duration_minutes=60)
    order_accept(order=order, by=home_service.owner)
    services.activity_join(person=holder, service=activity(), by=caseload, on=monday - datetime.timedelta(days=7))
    services.activity_join(person=holder, service=activity(title="Sailing club", price_pence=450, unit="per_session"),
                           by=caseload, on=monday - datetime.timedelta(days=7))

    plan = selectors.person_plan(holder, today=monday, weeks=2)

    first = plan.weeks[0]
    assert [(line.kind, line.label, line.pence) for line in first.lines] == [
        ("paid", "Companionship at home", 1800),
        ("activity", "Stitching group", 0),
        ("activity", "Sailing club", 450),
    ]
    assert first.total_pence == 2250
    assert plan.weekly_budget_pence == 7_000
    assert plan.left_each_week_pence == 4750
    assert [(line.label, line.pence) for line in plan.weeks[1].lines] == [("Stitching group", 0), ("Sailing club", 450)]


def test_saving_against_the_replaced_package_and_one_off_purchases(client, holder, caseload, activity):
    services.activity_join(person=holder, service=activity(title="Sailing club", price_pence=1200,
                                                           unit="per_session"), by=caseload)
    services.activity_join(person=holder, service=activity(title="College course", price_pence=500,
                                                           unit="per_session"), by=caseload)
    services.plan_settings_set(person=holder, by=caseload, indicative_weekly_pence=7_000,
                               replaced_package="Home care, 4 hours a week", replaced_weekly_pence=7_000)
    client.force_login(caseload)
    client.post(f"/community/people/{holder.pk}/plan/purchases/new/",
                {"description": "Walking boots", "amount_pence": "45.00", "bought_on": "01/12/2026"})

    plan = selectors.person_plan(holder)

    assert plan.typical_week.total_pence == 1700
    assert (plan.weekly_budget_pence, plan.budget_source) == (7_000, "the council's indicative amount")
    assert plan.saving_pence == 5300
    assert [(p.description, p.amount_pence) for p in plan.purchases] == [("Walking boots", 4500)]
    page = client.get(f"/community/people/{holder.pk}/plan/").content.decode()
    assert "<dt>Saving each week</dt><dd>£53.00</dd>" in page
    assert "<dt>A typical week costs</dt><dd>£17.00</dd>" in page
    assert "Home care, 4 hours a week, £70.00 a week" in page
    assert "Walking boots" in page
    assert "data-print" in page


def test_a_purchase_without_an_amount_is_refused_beside_the_field(client, holder, caseload):
    client.force_login(caseload)

    response = client.post(f"/community/people/{holder.pk}/plan/purchases/new/",
                           {"description": "Boots", "amount_pence": "", "bought_on": "01/12/2026"})

    assert response.status_code == HTTPStatus.OK
    assert "id_amount_pence_error" in response.content.decode()
    assert PlanPurchase.objects.count() == 0


def test_what_changed_since_the_plan_was_agreed(client, holder, caseload, activity):
    today = timezone.localdate()
    lunch = services.activity_join(person=holder, service=activity(title="Lunch club", price_pence=300,
                                                                   unit="per_session"), by=caseload,
                                   on=today - datetime.timedelta(days=14))
    client.force_login(holder.user)
    client.post(f"/community/people/{holder.pk}/plan/agree/")
    last_sunday = today - datetime.timedelta(days=today.weekday() + 1)
    services.activity_leave(participation=lunch, by=caseload, on=last_sunday)
    services.activity_join(person=holder, service=activity(), by=caseload)

    plan = selectors.person_plan(holder)

    assert plan.last_snapshot.weekly_total_pence == 300
    assert {(c.label, c.before_pence, c.after_pence) for c in plan.changes} == {
        ("Stitching group", None, 0), ("Lunch club", 300, None)}
    page = client.get(f"/community/people/{holder.pk}/plan/").content.decode()
    assert "Lunch club: stopped (was £3.00 a week)" in page


def test_only_the_coordinator_sets_what_the_plan_is_measured_against(holder):
    with pytest.raises(CommunityRefused):
        services.plan_settings_set(person=holder, by=holder.user, indicative_weekly_pence=1,
                                   replaced_package="", replaced_weekly_pence=None)


def test_a_stranger_cannot_see_the_plan(client, holder, other_holder):
    client.force_login(other_holder.user)

    assert client.get(f"/community/people/{holder.pk}/plan/").status_code == HTTPStatus.NOT_FOUND
