"""A block of hours: bought and reserved at once, used as the provider records visits, never more."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from orders.exceptions import OrderRefused, VisitRefused
from orders.models import EntryKind, LedgerEntry, OrderStatus, VisitStatus
from orders.selectors import Balance, budget_balance
from orders.services import (
    blocks_close_expired,
    order_accept,
    order_cancel,
    visit_confirm,
    visit_dispute,
    visit_record_block,
    visit_resolve_dispute,
)

from .helpers import in_days, make_budget, make_service, place, today

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def budget(holder):
    # one weekly period, from three days ago to three days ahead
    return make_budget(holder=holder, starts_on=today() - datetime.timedelta(days=3),
                       ends_on=today() + datetime.timedelta(days=3))


@pytest.fixture
def service(holder):
    return make_service(neighbourhood=holder.neighbourhood)


def _block(holder, budget, service, hours=4):
    """A block that began yesterday (placed two days ago) and runs to the end of the week, accepted."""
    order = place(user=holder.user, budget=budget, service=service, kind="block", block_hours=hours,
                  first_visit_on=today() - datetime.timedelta(days=1), last_visit_on=in_days(3),
                  now=timezone.now() - datetime.timedelta(days=2))
    order_accept(order=order, by=service.owner)
    order.refresh_from_db()
    return order


def _record(order, service, minutes, hours_ago=3):
    start = timezone.now() - datetime.timedelta(hours=hours_ago)
    return visit_record_block(order=order, by=service.owner, actual_starts_at=start,
                              actual_ends_at=start + datetime.timedelta(minutes=minutes))


def test_a_block_reserves_its_hours_at_once_and_books_no_visits(holder, budget, service):
    order = _block(holder, budget, service)
    assert (order.kind, order.block_minutes, order.visit_count, order.total_pence) == ("block", 240, 0, 7000)
    assert order.status == OrderStatus.ACCEPTED
    assert order.visits.count() == 0
    assert budget_balance(budget) == Balance(allocated=10_000, committed=7000, spent=0, left=3000)


def test_visits_use_the_block_until_it_is_used_up(holder, budget, service):
    order = _block(holder, budget, service)
    first = _record(order, service, 90, hours_ago=6)
    order.refresh_from_db()
    assert (first.cost_pence, first.status, order.status) == (2625, VisitStatus.DELIVERED, OrderStatus.ACTIVE)

    with pytest.raises(VisitRefused, match="Only 2 hours 30 minutes are left"):
        _record(order, service, 151)
    second = _record(order, service, 150)
    assert second.cost_pence == 4375

    visit_confirm(visit=first, user=holder.user)
    visit_confirm(visit=second, user=holder.user)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert budget_balance(budget) == Balance(allocated=10_000, committed=0, spent=7000, left=3000)


def test_rounding_never_makes_the_visits_cost_more_than_the_block(holder, budget):
    service = make_service(neighbourhood=holder.neighbourhood, price_pence=1001)
    order = _block(holder, budget, service, hours=1)
    costs = [_record(order, service, 20, hours_ago=h).cost_pence for h in (9, 6, 3)]
    assert costs == [334, 333, 334]
    assert sum(costs) == order.total_pence == 1001


def test_a_block_may_span_budget_periods_with_a_share_reserved_in_each(holder, service):
    # Given weekly periods from today: the block's days 1-6 are in the first, 7-10 in the second
    budget = make_budget(holder=holder, ends_on=today() + datetime.timedelta(days=13))

    order = place(user=holder.user, budget=budget, service=service, kind="block", block_hours=2,
                  first_visit_on=in_days(1), last_visit_on=in_days(10))

    # 120 minutes over 10 days: 6/10 (72 minutes) in the first period, the rest (48) in the second
    reservations = LedgerEntry.objects.filter(kind=EntryKind.RESERVATION, order=order).order_by("period_starts_on")
    assert [(r.period_starts_on, r.effective_on, r.amount_pence) for r in reservations] == [
        (today(), in_days(1), 2100), (in_days(7), in_days(7), 1400)]
    assert order.total_pence == 3500


def test_a_share_too_short_for_a_visit_is_refused(holder, service):
    budget = make_budget(holder=holder, ends_on=today() + datetime.timedelta(days=13))
    with pytest.raises(OrderRefused, match="leaves less than 15 minutes for the budget period from"):
        place(user=holder.user, budget=budget, service=service, kind="block", block_hours=1,
              first_visit_on=in_days(1), last_visit_on=in_days(7))
    assert LedgerEntry.objects.filter(kind=EntryKind.RESERVATION).count() == 0


def test_only_hourly_services_are_sold_in_blocks(holder, budget):
    service = make_service(neighbourhood=holder.neighbourhood, price_pence=2500, unit="per_session")
    with pytest.raises(OrderRefused, match="only for services priced by the hour"):
        place(user=holder.user, budget=budget, service=service, kind="block", block_hours=2,
              first_visit_on=in_days(1), last_visit_on=in_days(3))


def test_a_not_paid_visit_gives_its_hours_back_to_the_block(holder, budget, service):
    coordinator = holder.caseload_assignments.get().coordinator
    order = _block(holder, budget, service, hours=2)
    visit = _record(order, service, 120)
    visit_dispute(visit=visit, user=holder.user, reason="Nobody came")
    visit_resolve_dispute(visit=visit, by=coordinator, pay=False, note="Provider agrees")

    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE  # the two hours are still to use
    assert budget_balance(budget).committed == 3500
    again = _record(order, service, 120, hours_ago=5)
    assert again.cost_pence == 3500


def test_cancelling_a_block_releases_what_is_not_yet_used(holder, budget, service):
    order = _block(holder, budget, service)
    visit = _record(order, service, 60)
    order_cancel(order=order, by=holder.user, reason="Moving into my daughter's")

    assert budget_balance(budget) == Balance(allocated=10_000, committed=1750, spent=0, left=8250)
    visit_confirm(visit=visit, user=holder.user)  # the delivered visit is still paid
    assert budget_balance(budget) == Balance(allocated=10_000, committed=0, spent=1750, left=8250)


def test_an_expired_block_gives_back_its_unused_money(holder, budget, service):
    order = _block(holder, budget, service)
    visit = _record(order, service, 60)
    tomorrow_week = today() + datetime.timedelta(days=4)  # after the block's last day

    assert blocks_close_expired(today=tomorrow_week) == 1

    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE  # one visit still waits for an answer
    assert budget_balance(budget).committed == 1750
    with pytest.raises(VisitRefused, match="unused hours were given back to the budget when it ended"):
        _record(order, service, 60, hours_ago=2)
    visit_confirm(visit=visit, user=holder.user)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert budget_balance(budget) == Balance(allocated=10_000, committed=0, spent=1750, left=8250)


def test_an_unused_expired_block_is_completed_with_nothing_spent(holder, budget, service):
    order = _block(holder, budget, service)
    assert blocks_close_expired(today=today() + datetime.timedelta(days=4)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert budget_balance(budget) == Balance(allocated=10_000, committed=0, spent=0, left=10_000)
    assert blocks_close_expired(today=today() + datetime.timedelta(days=4)) == 0
