"""Reminders about orders and visits, through the outbox; each is sent once for its reason (its key)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from .. import notifications
from ..models import Order, OrderStatus, Visit, VisitStatus


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
