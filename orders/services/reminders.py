"""Reminders about orders and visits, through the outbox; each is sent once for its reason (its key)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from market.core.links import absolute_reverse
from market.outbox.services import outbox_enqueue

from .. import notifications
from ..models import (
    Budget,
    EntryKind,
    LedgerEntry,
    Order,
    OrderStatus,
    OrderTransition,
    Review,
    Visit,
    VisitStatus,
)
from ..money import format_pence
from ..selectors.budgets import PeriodLine, budget_balance, budget_periods


def _local_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    return start, start + datetime.timedelta(days=1)


def visits_tomorrow_remind(*, today: datetime.date | None = None) -> int:
    """Tell the person (and supporters with consent) and the provider of each visit booked for tomorrow."""
    today = today or timezone.localdate()
    start, end = _local_day_bounds(today + datetime.timedelta(days=1))
    visits = (Visit.objects.filter(status=VisitStatus.SCHEDULED, starts_at__gte=start, starts_at__lt=end,
                                   order__status__in=[OrderStatus.ACCEPTED, OrderStatus.ACTIVE])
              .select_related("order", "order__service", "order__provider", "order__holder", "order__holder__user"))
    count = 0
    for visit in visits:
        order, at = visit.order, timezone.localtime(visit.starts_at)
        when = f"tomorrow, {at:%A %-d %B} at {at:%H:%M}"
        notifications.tell_holder(order, "a visit tomorrow", f"{order.service} with {order.provider} is {when}.",
                                  key=f"visit-tomorrow:{visit.pk}:holder")
        notifications.tell_provider(order, "a visit tomorrow",
                                    f"You are booked with {order.holder.display_name} {when}.",
                                    key=f"visit-tomorrow:{visit.pk}:provider")
        count += 1
    return count


def orders_unanswered_remind(*, now: datetime.datetime | None = None) -> int:
    """Orders still waiting for the provider after ORDER_ANSWER_HOURS: remind the provider; a day later, tell the
    person's coordinators too (they may need to find someone else)."""
    now = now or timezone.now()
    hours = settings.ORDER_ANSWER_HOURS
    waiting = (Order.objects.filter(status=OrderStatus.PLACED, created_at__lte=now - datetime.timedelta(hours=hours))
               .select_related("service", "provider", "holder"))
    count = 0
    for order in waiting:
        notifications.tell_provider(order, "still waiting for your answer",
                                    f"{order.holder.display_name} asked for {order.service} {hours} hours ago and "
                                    "is still waiting. Sign in to accept, decline or propose a change.",
                                    key=f"order-unanswered:{order.pk}:provider")
        if order.created_at <= now - datetime.timedelta(hours=hours + 24):
            notifications.tell_coordinators(order, "the provider has not answered",
                                            f"{order.provider} has not answered {order.holder.display_name}'s order "
                                            f"for {order.service} after {hours + 24} hours.",
                                            key=f"order-unanswered:{order.pk}:coordinators")
        count += 1
    return count


def visits_awaiting_confirmation_remind(*, now: datetime.datetime | None = None) -> int:
    """A delivered visit the person has not confirmed or disputed, a day before it is confirmed for them."""
    now = now or timezone.now()
    visits = (Visit.objects.filter(status=VisitStatus.DELIVERED, confirm_due_at__lte=now + datetime.timedelta(days=1))
              .select_related("order", "order__service", "order__provider", "order__holder"))
    for visit in visits:
        notifications.tell_holder(
            visit.order, "please confirm a visit",
            f"{visit.order.provider} recorded the visit of {timezone.localtime(visit.starts_at):%A %-d %B}. Confirm it "
            f"or say what went wrong by {timezone.localtime(visit.confirm_due_at):%A %-d %B %H:%M}; after that it is "
            "confirmed for you.", key=f"visit-confirm-due:{visit.pk}")
    return len(visits)


def _current_period(budget: Budget, today: datetime.date) -> PeriodLine | None:
    return next((line for line in budget_periods(budget) if line.starts_on <= today <= line.ends_on), None)


def budgets_low_remind(*, today: datetime.date | None = None) -> int:
    """A budget whose current period has less than BUDGET_LOW_PERCENT of its allocation left: tell the person,
    their supporters with consent and their coordinators, once a period."""
    today = today or timezone.localdate()
    told = 0
    for budget in Budget.objects.filter(starts_on__lte=today, ends_on__gte=today).select_related("holder"):
        line = _current_period(budget, today)
        if line is None or not line.allocated or line.available * 100 >= line.allocated * settings.BUDGET_LOW_PERCENT:
            continue
        body = (f"{budget.name} has {format_pence(max(line.available, 0))} left until {line.ends_on:%-d %B}, "
                f"of {format_pence(line.allocated)} for this period.")
        key = f"budget-low:{budget.pk}:{line.starts_on.isoformat()}"
        outbox_enqueue(to=notifications.holder_addresses(budget.holder) + notifications.coordinator_addresses(
            budget.holder), subject=f"[{settings.SITE_NAME}] {budget.holder.display_name}: budget running low",
            body=body, key=key)
        told += 1
    return told


#: A rate needs some days behind it: no run-out warning in a period's first week.
RUN_OUT_MIN_DAYS = 7


def run_out_on(line: PeriodLine, today: datetime.date) -> datetime.date | None:
    """The day the period's money would run out if spending went on at its rate so far this period (what was spent
    per day since the period began), or None if it lasts to the period's end. Integer pence, whole days."""
    elapsed = (today - line.starts_on).days + 1
    if elapsed < RUN_OUT_MIN_DAYS or line.spent <= 0:
        return None
    if line.available <= 0:
        return today
    days_left = (line.available * elapsed) // line.spent  # available / (spent / elapsed), rounded down
    runs_out = today + datetime.timedelta(days=days_left)
    return runs_out if runs_out < line.ends_on else None


def budgets_running_out_remind(*, today: datetime.date | None = None) -> int:
    """A budget that would run out before its period ends at the rate it has been spent this period: tell the
    person, their supporters with consent and their coordinators, once a period (before it is low, so there is
    time to change plans)."""
    today = today or timezone.localdate()
    told = 0
    for budget in Budget.objects.filter(starts_on__lte=today, ends_on__gte=today).select_related("holder"):
        line = _current_period(budget, today)
        if line is None or not line.allocated:
            continue
        runs_out = run_out_on(line, today)
        if runs_out is None:
            continue
        body = (f"At the rate {budget.name} has been spent since {line.starts_on:%-d %B} ({format_pence(line.spent)} "
                f"so far), the {format_pence(max(line.available, 0))} left would run out about {runs_out:%-d %B}, "
                f"before this period ends on {line.ends_on:%-d %B}. Your coordinator can help you plan.")
        outbox_enqueue(to=notifications.holder_addresses(budget.holder) + notifications.coordinator_addresses(
            budget.holder), subject=f"[{settings.SITE_NAME}] {budget.holder.display_name}: budget may run out early",
            body=body, key=f"budget-run-out:{budget.pk}:{line.starts_on.isoformat()}")
        told += 1
    return told


#: Review requests go for orders completed this many days back at most (none for old orders on a first run).
REVIEW_REQUEST_WITHIN_DAYS = 14


def reviews_request(*, now: datetime.datetime | None = None) -> int:
    """Ask the person (and supporters with consent) to review each order completed lately and not reviewed yet,
    once, with a link to the review page."""
    now = now or timezone.now()
    completed_lately = OrderTransition.objects.filter(
        order=OuterRef("pk"), to_status=OrderStatus.COMPLETED,
        at__gte=now - datetime.timedelta(days=REVIEW_REQUEST_WITHIN_DAYS))
    orders = (Order.objects.filter(status=OrderStatus.COMPLETED).filter(Exists(completed_lately))
              .filter(~Exists(Review.objects.filter(order=OuterRef("pk"))))
              .select_related("service", "provider", "holder"))
    count = 0
    for order in orders:
        notifications.tell_holder(
            order, "how was it?",
            f"{order.service} with {order.provider} has ended. A few words and a rating help others choose, and "
            f"help {order.provider} too: {absolute_reverse('orders:review', args=[order.pk])}",
            key=f"review-request:{order.pk}")
        count += 1
    return count


def budget_statements_send(*, today: datetime.date | None = None) -> int:
    """The monthly statement of each budget in use (sent on the 1st for the month before) to the person and their
    supporters with consent: what was spent, on what, and what is left."""
    today = today or timezone.localdate()
    month_end = today.replace(day=1) - datetime.timedelta(days=1)
    month_start = month_end.replace(day=1)
    sent = 0
    budgets = Budget.objects.filter(starts_on__lte=month_end, ends_on__gte=month_start).select_related("holder")
    for budget in budgets:
        spent = list(LedgerEntry.objects.filter(budget=budget, kind=EntryKind.SPEND, effective_on__gte=month_start,
                                                effective_on__lte=month_end).select_related("order__service")
                     .order_by("effective_on", "pk"))
        balance = budget_balance(budget)
        lines = [f"{entry.effective_on:%-d %b}  {entry.order.service if entry.order else entry.reason}  "
                 f"{format_pence(-entry.amount_pence if entry.amount_pence < 0 else entry.amount_pence)}"
                 for entry in spent] or ["No visits were paid for this month."]
        body = (f"{budget.name}: statement for {month_start:%B %Y}\n\n" + "\n".join(lines) +
                f"\n\nAllocated so far: {format_pence(balance.allocated)}. Spent: {format_pence(balance.spent)}. "
                f"Booked: {format_pence(balance.committed)}. Left: {format_pence(balance.left)}.\n")
        outbox_enqueue(to=notifications.holder_addresses(budget.holder),
                       subject=f"[{settings.SITE_NAME}] Budget statement for {month_start:%B %Y}", body=body,
                       key=f"budget-statement:{budget.pk}:{month_start:%Y-%m}")
        sent += 1
    return sent
