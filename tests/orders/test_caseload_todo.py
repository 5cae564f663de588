"""Issue 18, item 5: a coordinator's home page lists what waits for her across her caseload: disputed visits,
visits awaiting confirmation, orders the provider has not answered, proposals waiting, budgets running low."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from orders.selectors import caseload_todo
from orders.services import order_propose_change, visit_dispute
from tests import factories

from .helpers import in_days, make_budget, make_service, place
from .test_visits import booked_order, deliver


def test_the_coordinators_home_page_lists_what_waits_across_her_caseload(client, coordinator):
    margaret = factories.CaseloadFactory(coordinator=coordinator, person__full_name="Margaret Hughes").person
    dave = factories.CaseloadFactory(coordinator=coordinator, person__full_name="Dave Lowe").person
    stranger = factories.PersonFactory(full_name="Not In Her Caseload")

    # Margaret: a disputed visit and one waiting for her to confirm.
    margaret_budget = make_budget(holder=margaret, amount_pence=20_000, created_by=coordinator)
    order, service, disputed = booked_order(margaret, margaret_budget)
    deliver(disputed, service)
    visit_dispute(visit=disputed, user=margaret.user, reason="Nobody came")
    _other, other_service, delivered = booked_order(margaret, margaret_budget)
    deliver(delivered, other_service)
    # Dave: an order unanswered for three days, one with a proposed change, and a budget nearly spent.
    dave_budget = make_budget(holder=dave, amount_pence=10_000, created_by=coordinator)
    dave_service = make_service(neighbourhood=dave.neighbourhood)
    unanswered = place(user=dave.user, budget=dave_budget, service=dave_service, duration_minutes=180)
    Order.objects.filter(pk=unanswered.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    proposed = place(user=dave.user, budget=dave_budget, service=dave_service, first_visit_on=in_days(4),
                     duration_minutes=120)
    order_propose_change(order=proposed, by=dave_service.owner, note="Can we come at two?",
                         visit_starts_at=datetime.time(14, 0))
    # Someone else's unanswered order is not hers.
    stranger_budget = make_budget(holder=stranger)
    other = place(user=stranger.user, budget=stranger_budget,
                  service=make_service(neighbourhood=stranger.neighbourhood))
    Order.objects.filter(pk=other.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))

    todo = caseload_todo(coordinator=coordinator)
    client.force_login(coordinator)
    body = client.get(reverse("accounts:dashboard")).content.decode()

    assert [v.pk for v in todo.disputed] == [disputed.pk]
    assert [v.pk for v in todo.to_confirm] == [delivered.pk]
    assert [o.pk for o in todo.unanswered] == [unanswered.pk]
    assert [o.pk for o in todo.proposals] == [proposed.pk]
    low = [(low.budget.pk, low.period.available) for low in todo.budgets_low]
    assert low == [(dave_budget.pk, 10_000 - 5250 - 3500)]
    assert todo.count == 5
    assert '<h2 id="todo-heading">Waiting for you (5)</h2>' in body
    assert f'href="{reverse("orders:visit-resolve", args=[disputed.pk])}">Margaret Hughes:' in body
    assert "“Nobody came”" in body
    assert f'href="{reverse("orders:order", args=[unanswered.pk])}">Dave Lowe: {unanswered.reference}' in body
    assert "Changes a provider proposed, waiting for an answer" in body
    assert f'href="{reverse("orders:budget", args=[dave_budget.pk])}">Dave Lowe:' in body
    assert "Not In Her Caseload" not in body
    assert order.pk  # the disputed visit's order stays as it was


def test_nothing_waiting_says_so_and_others_see_no_list(client, coordinator, holder):
    client.force_login(coordinator)
    body = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Nothing is waiting for you across your caseload." in body

    client.force_login(holder.user)
    assert 'id="todo-heading"' not in client.get(reverse("accounts:dashboard")).content.decode()
