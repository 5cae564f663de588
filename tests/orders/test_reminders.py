"""Reminders through the outbox, each once for its reason: visits tomorrow (person and provider), orders the provider
has not answered (provider after 48 hours, then the coordinator), invoices unpaid past their terms, budgets that would
run out early at their rate, review requests after an order ends."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from invoicing.models import Invoice
from invoicing.services import invoices_overdue_remind, invoicing_run
from market.outbox.services import outbox_send_due
from orders.models import Order, Visit
from orders.services import order_accept, orders_unanswered_remind, visits_tomorrow_remind
from tests.invoicing.test_invoicing import _budget, _period, confirmed_visit

from .helpers import a_slot_just_gone, make_service, place

pytestmark = pytest.mark.django_db


def _sent(action) -> list[tuple[str, list[str]]]:
    """What `action` sends (after sending what earlier steps queued, so only its own emails are counted)."""
    outbox_send_due()
    mail.outbox.clear()
    action()
    outbox_send_due()
    return sorted((message.subject.split(": ", 1)[-1], message.to) for message in mail.outbox)


def test_a_visit_tomorrow_is_remembered_to_both_sides_once(holder, budget):
    service = make_service(neighbourhood=holder.neighbourhood)
    order = place(user=holder.user, budget=budget, service=service)
    order_accept(order=order, by=service.owner)
    visit = order.visits.get()
    tomorrow_ten = timezone.make_aware(datetime.datetime.combine(
        timezone.localdate() + datetime.timedelta(days=1), datetime.time(10)))
    Visit.objects.filter(pk=visit.pk).update(starts_at=tomorrow_ten, ends_at=tomorrow_ten + datetime.timedelta(hours=1))

    sent = _sent(visits_tomorrow_remind)

    assert [subject for subject, _ in sent] == ["a visit tomorrow", "a visit tomorrow"]
    assert {tuple(to) for _, to in sent} == {(holder.user.email,), tuple(sorted({service.provider.email,
                                                                                   service.owner.email}))}
    assert _sent(visits_tomorrow_remind) == []


def test_an_unanswered_order_reminds_the_provider_then_the_coordinator(holder, budget):
    service = make_service(neighbourhood=holder.neighbourhood)
    order = place(user=holder.user, budget=budget, service=service)
    coordinator = holder.caseload_assignments.get().coordinator
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - datetime.timedelta(hours=49))

    first = _sent(orders_unanswered_remind)
    assert [subject for subject, _ in first] == ["still waiting for your answer"]
    assert _sent(orders_unanswered_remind) == []

    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - datetime.timedelta(hours=73))
    assert _sent(orders_unanswered_remind) == [("the provider has not answered", [coordinator.email])]


def test_an_overdue_invoice_is_remembered_to_its_payer_once(holder):
    service = make_service(neighbourhood=holder.neighbourhood)
    confirmed_visit(holder, service, _budget(holder))
    invoicing_run(period_start=_period()[0], period_end=_period()[1])
    Invoice.objects.update(due_on=timezone.localdate() - datetime.timedelta(days=1))

    sent = _sent(invoices_overdue_remind)

    assert len(sent) == 1 and sent[0][0].endswith("is overdue") and holder.user.email in sent[0][1]
    assert _sent(invoices_overdue_remind) == []


def test_a_visit_waiting_for_confirmation_is_remembered_a_day_before_it_confirms_itself(holder, budget):
    from orders.services import visit_record_delivery, visits_awaiting_confirmation_remind

    service = make_service(neighbourhood=holder.neighbourhood)
    order = place(user=holder.user, budget=budget, service=service)
    order_accept(order=order, by=service.owner)
    visit = order.visits.get()
    starts_at, ends_at = a_slot_just_gone()
    Visit.objects.filter(pk=visit.pk).update(starts_at=starts_at, ends_at=ends_at)
    visit.refresh_from_db()
    visit_record_delivery(visit=visit, by=service.owner, actual_starts_at=visit.starts_at,
                          actual_ends_at=visit.ends_at, notes="")
    visit.refresh_from_db()

    assert _sent(lambda: visits_awaiting_confirmation_remind(now=timezone.now())) == []  # three days to go
    soon = visit.confirm_due_at - datetime.timedelta(hours=12)
    assert _sent(lambda: visits_awaiting_confirmation_remind(now=soon)) == [("please confirm a visit",
                                                                             [holder.user.email])]
    assert _sent(lambda: visits_awaiting_confirmation_remind(now=soon)) == []


def test_a_budget_running_low_is_told_once_a_period(holder, budget):
    from orders.services import budgets_low_remind

    coordinator = holder.caseload_assignments.get().coordinator
    service = make_service(neighbourhood=holder.neighbourhood, price_pence=8500)
    assert _sent(budgets_low_remind) == []
    place(user=holder.user, budget=budget, service=service)  # £85 of £100 booked: £15 left, under 20%

    sent = _sent(budgets_low_remind)
    assert [subject for subject, _ in sent] == ["budget running low"]  # after "<name>: "
    assert sorted(sent[0][1]) == sorted([holder.user.email, coordinator.email])
    assert _sent(budgets_low_remind) == []


def test_the_monthly_statement_lists_last_months_visits(holder):
    from orders.services import budget_statements_send

    service = make_service(neighbourhood=holder.neighbourhood, price_pence=1750)
    statement_budget = _budget(holder)
    first_of_month = timezone.localdate().replace(day=1)
    days_ago = (timezone.localdate() - (first_of_month - datetime.timedelta(days=3))).days
    confirmed_visit(holder, service, statement_budget, days_ago=days_ago)

    outbox_send_due()
    mail.outbox.clear()
    assert budget_statements_send(today=first_of_month) >= 1
    outbox_send_due()
    statement = next(m for m in mail.outbox if "Budget statement" in m.subject)
    assert str(service) in statement.body and "£17.50" in statement.body
    assert budget_statements_send(today=first_of_month) >= 1
    outbox_send_due()
    assert sum("Budget statement" in m.subject for m in mail.outbox) == 1  # once a month, however often it runs


@pytest.mark.parametrize(("starts_days_ago", "spent", "available", "expected_days_from_today"), [
    (59, 60_000, 40_000, 40),  # 60 days, £600 spent: £10 a day; £400 left lasts 40 days, before the period ends
    (59, 60_000, 400_000, None),  # lasts beyond the period's end
    (59, 0, 40_000, None),  # nothing spent: no rate
    (3, 60_000, 1_000, None),  # the period's first week: too soon for a rate
    (59, 60_000, 0, 0),  # nothing left: it has run out
])
def test_the_run_out_day_at_the_current_rate(starts_days_ago, spent, available, expected_days_from_today):
    from orders.selectors.budgets import PeriodLine
    from orders.services.reminders import run_out_on

    today = datetime.date(2026, 11, 28)
    line = PeriodLine(starts_on=today - datetime.timedelta(days=starts_days_ago),
                      ends_on=today + datetime.timedelta(days=300), allocated=100_000, committed=0, spent=spent,
                      left=available, available=available)
    expected = None if expected_days_from_today is None else today + datetime.timedelta(days=expected_days_from_today)
    assert run_out_on(line, today) == expected


def test_a_budget_that_would_run_out_early_at_its_rate_is_told_once_a_period(holder):
    from orders.services import budgets_running_out_remind

    budget = _budget(holder)  # £1,000 a year, 60 days in
    service = make_service(neighbourhood=holder.neighbourhood, price_pence=10_000)
    confirmed_visit(holder, service, budget, days_ago=20)
    assert _sent(budgets_running_out_remind) == []  # £100 in 61 days: £900 lasts well past the year's end

    for days_ago in (15, 10, 5):
        confirmed_visit(holder, service, budget, days_ago=days_ago, minutes=120)
    sent = _sent(budgets_running_out_remind)  # £700 in 61 days; £300 left lasts about 26 days
    assert [subject for subject, _ in sent] == ["budget may run out early"]
    assert holder.user.email in sent[0][1]  # and their coordinators
    body = next(m.body for m in mail.outbox if "run out early" in m.subject)
    run_out = timezone.localdate() + datetime.timedelta(days=(30_000 * 61) // 70_000)
    assert "(£700.00 so far)" in body and f"would run out about {run_out:%-d %B}" in body
    assert _sent(budgets_running_out_remind) == []


def test_a_review_is_asked_for_once_after_an_order_ends_and_not_once_written(holder, settings):
    from django.urls import reverse

    from orders.services import review_write, reviews_request

    settings.SITE_URL = "https://care.example.org"
    service = make_service(neighbourhood=holder.neighbourhood, price_pence=1750)
    budget = _budget(holder)
    reviewed = confirmed_visit(holder, service, budget).order
    review_write(order=reviewed, user=holder.user, rating=5)
    ended = confirmed_visit(holder, service, budget).order
    waiting = place(user=holder.user, budget=budget, service=service)  # not ended: no request

    sent = _sent(reviews_request)
    assert sent == [("how was it?", [holder.user.email])]
    request = next(m for m in mail.outbox if m.subject.endswith("how was it?"))
    assert request.subject.endswith(f"{ended.reference}: how was it?")
    assert request.body.endswith(f": https://care.example.org{reverse('orders:review', args=[ended.pk])}")
    assert _sent(reviews_request) == []
    assert Order.objects.get(pk=waiting.pk).status == "placed"
